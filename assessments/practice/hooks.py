"""What good-practice cases plug into the shared parts (policy A-6): their pictures and
attachments are documents (qingdao_groups.core.documents) readable by whoever sees the case, and
by anyone once it is published."""

from assessments.practice.models import PracticeCase
from assessments.practice.permissions import CASE_UPLOAD_KINDS, is_public
from assessments.practice.selectors import case_list_for_user
from qingdao_groups.core.documents import register_document_owner


def _sees(user, case: PracticeCase) -> bool:
    """A published case's files are public (policy A-6); until then, the case's readers'."""
    if is_public(case):
        return True
    return case_list_for_user(user=user).filter(pk=case.pk).exists()


register_document_owner(PracticeCase, can_view=_sees, upload_kinds=CASE_UPLOAD_KINDS)
