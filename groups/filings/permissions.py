"""Who may change the registry of groups. Each rule returns a Decision that explains a refusal."""


from django.utils.translation import gettext_lazy as _

from groups.filings.models import Filing  # noqa: E402
from groups.filings.workflows import FilingStatus
from groups.registry.permissions import NOT_IN_STATE
from members.models import User
from qingdao_groups.core.rules import ALLOW, Decision
from qingdao_groups.models import Attachment


def can_create_filing(user: User) -> Decision:
    """District offices file with the city (policy L-2, D-1, D-2)."""
    if user.is_district_staff:
        return ALLOW
    return Decision(False, _("只有区（市）教育行政部门可以向市教育局报备。"))


def can_handle_filing(user: User, filing: Filing) -> Decision:
    """City staff acknowledge a filing or return it with remarks (policy L-2, D-1, D-2)."""
    if not user.is_city_staff:
        return Decision(False, _("只有市教育局工作人员可以确认或退回报备。"))
    if filing.status != FilingStatus.FILED:
        return Decision(False, NOT_IN_STATE)
    return ALLOW


def can_refile(user: User, filing: Filing) -> Decision:
    """The filing district refiles what the city returned (policy L-2, D-1, D-2)."""
    if not user.acts_for_authority(filing.authority_id):
        return Decision(False, _("只有报备部门可以重新报备。"))
    if filing.status != FilingStatus.RETURNED:
        return Decision(False, NOT_IN_STATE)
    return ALLOW


FILING_UPLOAD_KINDS = (Attachment.Kind.POLICY, Attachment.Kind.OTHER)


def can_upload_to_filing(user: User, filing: Filing) -> Decision:
    """The filing authority's staff attach the policy text or other documents while the filing
    is with the city or returned to them (policy D-1, D-2, L-2); an acknowledged filing is
    closed."""
    if not user.acts_for_authority(filing.authority_id):
        return Decision(False, _("只有报备部门的工作人员可以上传报备材料。"))
    if filing.status not in (FilingStatus.FILED, FilingStatus.RETURNED):
        return Decision(False, _("该报备当前状态为“%(status)s”，不能再上传材料。")
                        % {"status": filing.get_status_display()})
    return ALLOW
