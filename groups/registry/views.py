"""Group pages: access -> form -> service -> message -> redirect (house style)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from groups.registry.filters import GroupFilter
from groups.registry.forms import (
    GroupCreateForm,
    MembershipAddForm,
    MembershipEndForm,
    PartnershipAddForm,
)
from groups.registry.membership import MembershipState
from groups.registry.models import EducationGroup, Membership
from groups.registry.permissions import (
    can_add_partnership,
    can_create_group,
    can_manage_group_registry,
    can_view_group_audit,
)
from groups.registry.selectors import (
    core_school_candidates,
    group_council,
    group_documents,
    group_get_for_user,
    group_list_for_user,
    group_partnerships,
    member_school_candidates,
    today,
)
from groups.registry.services import group_create, membership_add, membership_end, partnership_add
from members.models import School
from qingdao_groups.core.labels import choice_labels, url_maker
from qingdao_groups.core.pagination import KeyFirstPaginator
from qingdao_groups.core.rules import RuleRefusal, add_form_error, require
from qingdao_groups.core.submissions import ALREADY_DONE, first_result, once
from qingdao_groups.core.timeline import AuditLog, story_for

PAGE_SIZE = 25
#: The group page shows the latest events of its story; the history page shows them all.
STORY_ON_GROUP_PAGE = 10
AUDIT_PAGE_SIZE = 50


def group_list_view(request):
    filterset = GroupFilter(request.GET or None, queryset=group_list_for_user(user=request.user))
    form = filterset.form
    qs = filterset.qs.order_by("founded_on", "id")
    page = KeyFirstPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "groups/group_list.html",
        {
            "form": form,
            "page_obj": page,
            "query_string": query.urlencode(),
            "can_create": can_create_group(request.user).allowed,
        },
    )


def group_detail_view(request, group_id: int):
    from groups.applications.models import Application
    from groups.applications.permissions import can_draft_application
    from groups.applications.selectors import open_exits_for_group
    from groups.cards.permissions import can_issue_card
    from groups.cards.selectors import card_list_for_group
    from groups.cards.workflows import OPEN_CARD_STATUSES
    from groups.enrollment.selectors import enrollment_plans_for_group

    day = today()
    group = group_get_for_user(user=request.user, group_id=group_id, today=day)
    memberships = list(group.memberships.all())
    user = request.user
    # Row links: each pattern reversed once for the page, not once per row.
    school_url = url_maker("members:school-detail")
    exit_url, card_url = url_maker("applications:new-exit"), url_maker("cards:issue")
    application_url = url_maker("applications:detail")
    # One open exit per membership (policy L-5): its row links to it instead of a second one.
    open_exits = open_exits_for_group(user=user, group_id=group.pk)
    application_status = choice_labels(Application, "status")
    end_url = url_maker("groups:membership-end", group.pk)
    # Choice labels: each table looked up once for the page, not through a filter per cell.
    role, kind, subtype, reason = (
        choice_labels(Membership, f)
        for f in ("role", "relation_type", "relation_subtype", "end_reason")
    )
    stage, nature = choice_labels(School, "stage"), choice_labels(School, "nature")
    districts: dict[str, str] = {}  # names are data; the catalogue translates Qingdao's ten
    for m in memberships:  # per-row actions, links and dated states, decided without queries
        m.group = group
        m.school_url, m.exit_url = school_url(m.school_id), exit_url(m.pk)
        m.card_url, m.end_url = card_url(m.pk), end_url(m.pk)
        m.role_label, m.type_label = (
            role.get(m.role, m.role),
            kind.get(m.relation_type, m.relation_type),
        )
        m.subtype_label = subtype.get(m.relation_subtype, m.relation_subtype)
        m.end_reason_label = reason.get(m.end_reason, m.end_reason)
        m.stage_label = stage.get(m.school.stage, m.school.stage)
        m.nature_label = nature.get(m.school.nature, m.school.nature)
        name = m.school_district_name
        m.district_label = districts.get(name) or districts.setdefault(name, gettext(name))
        m.state_today = m.state_on(day)
        m.may_card = can_issue_card(user, m, today=day).allowed
        m.open_exit = open_exits.get(m.pk)
        if m.open_exit is not None:
            m.open_exit_url = application_url(m.open_exit.pk)
            m.open_exit_status = application_status.get(m.open_exit.status, m.open_exit.status)
        m.may_exit = m.open_exit is None and (
            can_draft_application(user, Application.Kind.EXIT, membership=m, today=day).allowed
        )
    current = [m for m in memberships if m.is_active_on(day)]
    story = story_for(group_id=group.pk, user=user, today=day)
    year = day.year
    open_cards = list(
        card_list_for_group(user=user, group_id=group.pk)
        .filter(closed_at__isnull=True, status__in=OPEN_CARD_STATUSES)
        .select_related(None)
        .select_related("membership__school")  # what the page names: the warned school
    )
    return render(
        request,
        "groups/group_detail.html",
        {
            "may_admit": can_draft_application(
                user, Application.Kind.ADMISSION, group=group
            ).allowed,
            "open_cards": open_cards,
            "plans": enrollment_plans_for_group(
                group=group, year=year, today=day, memberships=memberships
            ),
            "plan_year": year,
            "group": group,
            # An approved exit takes effect on its date: until then the school is a member (拟退出);
            # an approved join is shown with its date (拟加入) but is not counted before it.
            "current": current,
            "upcoming": [m for m in memberships if m.state_today == MembershipState.UPCOMING],
            "former": [m for m in memberships if m.state_today == MembershipState.FORMER],
            "partnerships": group_partnerships(group=group),
            "council": group_council(group=group),
            "documents": group_documents(group=group),
            "story": story[:STORY_ON_GROUP_PAGE],
            "story_more": len(story) > STORY_ON_GROUP_PAGE,
            "can_audit": can_view_group_audit(user, group).allowed,
            "can_manage": can_manage_group_registry(request.user, group).allowed,
            "can_add_partner": can_add_partnership(request.user, group).allowed,
        },
    )


def group_history_view(request, group_id: int):
    """The group's whole story (集团历程): business events on their effective days, paginated."""
    day = today()
    group = group_get_for_user(user=request.user, group_id=group_id, today=day)
    story = story_for(group_id=group.pk, user=request.user, today=day)
    page = KeyFirstPaginator(story, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "groups/group_history.html",
        {
            "group": group,
            "page_obj": page,
            "can_audit": can_view_group_audit(request.user, group).allowed,
        },
    )


def group_audit_view(request, group_id: int):
    """The group's audit log: every recorded change, who, when, which field from what to what
    (django-simple-history), for those who oversee the group; 403 for the others."""
    group = group_get_for_user(user=request.user, group_id=group_id)
    require(can_view_group_audit(request.user, group))
    log = AuditLog(group_id=group.pk, user=request.user)
    page = KeyFirstPaginator(log, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "groups/group_audit.html", {"group": group, "page_obj": page})


def group_create_view(request):
    require(can_create_group(request.user))
    repeated = first_result(request)
    if isinstance(repeated, EducationGroup):  # the same form again: its name is taken by now
        messages.info(request, ALREADY_DONE)
        return redirect("groups:group-detail", group_id=repeated.pk)
    form = GroupCreateForm(request.POST or None, schools=core_school_candidates(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        require(can_create_group(request.user, data["core_school"]))
        try:
            group, created = once(
                data["submission"],
                request.user,
                lambda: group_create(
                    name=data["name"],
                    code=data["code"],
                    core_school=data["core_school"],
                    specialty=data["specialty"],
                    founded_on=data["founded_on"],
                    unified_areas=data["unified_areas"],
                    description=data["description"],
                    chief_principal_name=data["chief_principal_name"],
                    chief_principal_reason=data["chief_principal_reason"],
                    actor=request.user,
                ),
            )
        except RuleRefusal as exc:
            add_form_error(form, exc)
        else:
            if not created:
                messages.info(request, ALREADY_DONE)
            else:
                messages.success(request, _("已登记教育集团：%(name)s") % {"name": group.name})
            return redirect("groups:group-detail", group_id=group.pk)
    return render(request, "groups/group_form.html", {"form": form})


def _managed_group(request, group_id: int):
    group = group_get_for_user(user=request.user, group_id=group_id)
    require(can_manage_group_registry(request.user, group))
    return group


def membership_add_view(request, group_id: int):
    group = _managed_group(request, group_id)
    candidates = member_school_candidates(request.user).exclude(pk=group.core_school_id)
    form = MembershipAddForm(request.POST or None, schools=candidates)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            membership, created = once(
                data["submission"],
                request.user,
                lambda: membership_add(
                    group=group,
                    school=data["school"],
                    relation_type=data["relation_type"],
                    relation_subtype=data["relation_subtype"],
                    joined_on=data["joined_on"],
                    note=data["note"],
                    actor=request.user,
                ),
            )
        except RuleRefusal as exc:
            add_form_error(form, exc)
        else:
            if not created:
                messages.info(request, ALREADY_DONE)
            else:
                messages.success(
                    request,
                    _("已将 %(school)s 登记为成员校。") % {"school": membership.school.name},
                )
            return redirect("groups:group-detail", group_id=group.pk)
    return render(request, "groups/membership_form.html", {"form": form, "group": group})


def membership_end_view(request, group_id: int, membership_id: int):
    group = _managed_group(request, group_id)
    try:
        membership = group.memberships.select_related("school").get(pk=membership_id)
    except Membership.DoesNotExist as exc:
        raise Http404 from exc
    form = MembershipEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            membership_end(
                membership=membership,
                left_on=data["left_on"],
                end_reason=data["end_reason"],
                note=data["note"],
                actor=request.user,
            )
        except RuleRefusal as exc:
            add_form_error(form, exc)
        else:
            messages.success(
                request, _("已结束 %(school)s 的成员关系。") % {"school": membership.school.name}
            )
            return redirect("groups:group-detail", group_id=group.pk)
    return render(
        request,
        "groups/membership_end.html",
        {"form": form, "group": group, "membership": membership},
    )


def partnership_add_view(request, group_id: int):
    group = group_get_for_user(user=request.user, group_id=group_id)
    require(can_add_partnership(request.user, group))
    form = PartnershipAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _partnership, created = once(
                data["submission"],
                request.user,
                lambda: partnership_add(
                    group=group,
                    partner=data["partner"],
                    projects=data["projects"].splitlines(),
                    started_on=data["started_on"],
                    actor=request.user,
                ),
            )
        except RuleRefusal as exc:
            add_form_error(form, exc)
        else:
            if not created:
                messages.info(request, ALREADY_DONE)
            else:
                messages.success(request, _("已登记合作单位。"))
            return redirect("groups:group-detail", group_id=group.pk)
    return render(request, "groups/partnership_form.html", {"form": form, "group": group})
