"""Who may act on filings: person-level gates (role, authority), each a Decision that explains a
refusal; `require` makes it a 403 before any state is read. The filing's state is the transition
table's answer (qingdao_groups.core.workflow, RuleRefusal)."""

from django.utils.translation import gettext_lazy as _

from groups.filings.models import Filing  # noqa: E402
from groups.filings.workflows import FilingStatus
from members.models import User
from qingdao_groups.core.rules import ALLOW, Decision
from qingdao_groups.models import Attachment


def can_create_filing(user: User) -> Decision:
    """District offices file with the city (policy L-2, D-1, D-2)."""
    if user.is_district_staff:
        return ALLOW
    return Decision(False, _("只有区（市）教育行政部门可以向市教育局报备。"))


def can_handle_filing(user: User, filing: Filing | None = None) -> Decision:
    """City staff acknowledge a filing or return it with remarks (policy L-2, D-1, D-2). Whether
    the filing awaits the city is the transition table's answer."""
    if not user.is_city_staff:
        return Decision(False, _("只有市教育局工作人员可以确认或退回报备。"))
    return ALLOW


def can_refile(user: User, filing: Filing) -> Decision:
    """The filing district refiles what the city returned (policy L-2, D-1, D-2). Whether the
    filing was returned is the transition table's answer."""
    if not user.acts_for_authority(filing.authority_id):
        return Decision(False, _("只有报备部门可以重新报备。"))
    return ALLOW


FILING_UPLOAD_KINDS = (Attachment.Kind.POLICY, Attachment.Kind.OTHER)


def can_upload_to_filing(user: User, filing: Filing) -> Decision:
    """The filing authority's staff attach the policy text or other documents while the filing
    is with the city or returned to them (policy D-1, D-2, L-2); an acknowledged filing is
    closed."""
    if not user.acts_for_authority(filing.authority_id):
        return Decision(False, _("只有报备部门的工作人员可以上传报备材料。"))
    if filing.status not in (FilingStatus.FILED, FilingStatus.RETURNED):
        return Decision(
            False,
            _("该报备当前状态为“%(status)s”，不能再上传材料。")
            % {"status": filing.get_status_display()},
        )
    return ALLOW
