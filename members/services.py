"""Writes of a school's record, and the rules on it that both the school form and the spreadsheet
import apply, so they are stated once (issue 6: the same rule in one place)."""

from collections.abc import Iterable

from django.utils.translation import gettext as _

from members.models import School, User
from qingdao_groups.core.rules import ALLOW, Decision
from qingdao_groups.core.workflow import stamp

# EducationGroup.Status.DISSOLVED, by value: members never imports groups.
_DISSOLVED = "dissolved"


def led_group_names(school_ids: Iterable[int]) -> dict[int, list[str]]:
    """For each of the given schools that is the core school of a group in being, the names of
    the groups it leads (one query; the import asks for a whole file at once)."""
    led: dict[int, list[str]] = {}
    group_model = School._meta.get_field("led_groups").related_model
    rows = (
        group_model.objects.filter(core_school_id__in=list(school_ids))
        .exclude(status=_DISSOLVED)
        .order_by("name")
        .values_list("core_school_id", "name")
    )
    for school_id, name in rows:
        led.setdefault(school_id, []).append(name)
    return led


def check_core_school_keeps_authority(
    *,
    school_id: int | None,
    old_authority_id: int | None,
    new_authority_id: int | None,
    led: dict[int, list[str]] | None = None,
) -> Decision:
    """A core school keeps its authority: that bureau approves its group's changes (policy L-1),
    so moving a core school to another bureau would silently move that power. Refused for the
    school form and the import alike; the city bureau changes it by other means. `led` is the
    answer of led_group_names when the caller already has it."""
    if school_id is None or new_authority_id is None or new_authority_id == old_authority_id:
        return ALLOW
    names = (led if led is not None else led_group_names([school_id])).get(school_id)
    if not names:
        return ALLOW
    return Decision(
        False,
        _(
            "该校是“%(groups)s”的核心校，其主管部门即集团的审批部门"
            "（政策 L-1），不能直接变更；请联系市教育局。"
        )
        % {"groups": "、".join(names)},
    )


def school_save(*, form, actor) -> School:
    """Register or change a school from a validated school form (whose checks include the L-1
    rule above), recording who did it in the school's history."""
    school = form.save(commit=False)
    stamp(school, actor=actor)
    school.save()
    return school


def user_language_set(*, user, language: str) -> None:
    """Keep the language a person chose on their account, so it follows them to every browser
    and across sign-ins (issue 8). A preference, not a record: no history row."""
    if user.language != language:
        user.language = language
        User.objects.filter(pk=user.pk).update(language=language)
