"""Searchable school pickers (issue 7): a form field that renders only the chosen school and a
search box, and one small endpoint answering at most PICKER_LIMIT schools by name, code or
district. Listing every school in a <select> sent 20,000 options in a draft application and
200,000 in the administrators' forms.

Each picker is registered under a key with its scope: the schools the user may pick there
(`scope(user)`); the endpoint searches only that scope, and the field validates the posted id
against its own queryset (a form may narrow the scope further), so a forged id is refused with
the field's message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from members.models import School, User
from qingdao_groups.core.filters import narrow_to_keys, search_keys

PICKER_LIMIT = 20

_SCOPES: dict[str, Callable[[User], QuerySet[School]]] = {}


def register_school_picker(key: str, scope: Callable[[User], QuerySet[School]]) -> None:
    """Called by the feature that owns the form (idempotent by key)."""
    _SCOPES[key] = scope


def picker_scope(key: str, user: User) -> QuerySet[School]:
    scope = _SCOPES.get(key)
    return scope(user) if scope is not None else School.objects.none()


def search_schools(qs: QuerySet[School], text: str) -> QuerySet[School]:
    """Schools whose name contains `text`, whose code starts with it, or whose district's name
    contains it; at most PICKER_LIMIT, by name."""
    text = text.strip()[:50]
    if not text:
        return qs.none()
    by_name_or_code = Q(name__icontains=text) | Q(code__startswith=text)
    by_district = Q(district__name__icontains=text)
    keys = search_keys(qs, by_name_or_code, by_district)
    if keys is None:  # a common term: walking the name order fills the list at once
        found = qs.filter(by_name_or_code | by_district)
        return found.select_related("district").order_by("name", "code")[:PICKER_LIMIT]
    # a few: all of them sorted (with a LIMIT, PostgreSQL could walk the whole name index to
    # meet them), then the first PICKER_LIMIT loaded
    in_order = narrow_to_keys(qs, keys).order_by("name", "code").values_list("pk", flat=True)
    first = list(in_order)[:PICKER_LIMIT]
    return qs.filter(pk__in=first).select_related("district").order_by("name", "code")


def school_option_label(school: School) -> str:
    return f"{school.name}（{school.code} · {school.district}）"


def school_busy_note(school: School) -> str:
    """Why a school found by a picker cannot be chosen there, from what the picker's scope
    annotated (issue 8: shown greyed, not hidden): `picker_busy_group`, the group it belongs
    to; `picker_busy_application`, the application that proposes it. "" when it can be."""
    group = getattr(school, "picker_busy_group", None)
    if group:
        return _("已属 %(group)s") % {"group": group}
    application = getattr(school, "picker_busy_application", None)
    if application:
        return _("已在申请中：%(title)s") % {"title": application}
    return ""


def school_options(schools) -> list[tuple[int, str, str]]:
    """(id, label, busy note) of each school found; a school with a note is not selectable."""
    return [(s.pk, school_option_label(s), school_busy_note(s)) for s in schools]


class SchoolPickerWidget(forms.Select):
    """The chosen school as the only option of a <select>, and a search box above it whose
    results (htmx, from members:school-pick) replace the options."""

    template_name = "members/widgets/school_picker.html"

    def __init__(self, key: str = "", attrs=None):
        super().__init__(attrs)
        self.key = key

    def optgroups(self, name, value, attrs=None):
        # Only the chosen school, never the whole queryset.
        chosen = [v for v in value if str(v).isdigit()]  # a malformed post shows no choice
        options = [self.create_option(name, "", "—", not chosen, 0)]
        if chosen:
            chosen_qs = self.choices.queryset.filter(pk__in=chosen[:1])
            school = chosen_qs.select_related("district").first()
            if school is not None:
                options.append(
                    self.create_option(name, school.pk, school_option_label(school), True, 1)
                )
        return [(None, options, 0)]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["search_url"] = reverse("members:school-pick", args=[self.key])
        return context


class SchoolPickerField(forms.ModelChoiceField):
    """A ModelChoiceField over a picker's scope: the search box finds the school, the field
    validates the posted id against its queryset."""

    default_error_messages = {
        "invalid_choice": _("所选学校不在可选范围内，请重新搜索选择。"),
    }

    def __init__(self, key: str, **kwargs):
        kwargs.setdefault("queryset", School.objects.none())
        kwargs.setdefault("widget", SchoolPickerWidget(key))
        super().__init__(**kwargs)
        self.widget.key = key


# -- Long choice lists in the list filters (districts, authorities) ------------------------------

# Up to this many choices a filter is a plain <select> (a city's ten districts); beyond it, the
# chosen one and a search box: a nation's 2,800 districts and 3,100 bureaus made every list page
# 390 KB and 400 ms of template work (issue 7).
CHOICE_SELECT_MAX = 60


def _choice_lists() -> dict[str, tuple[Callable[[], list[tuple[str, str]]], Any]]:
    """key -> (the cached choices, the label of "no choice")."""
    from members.selectors import authority_choices, district_choices

    return {
        "district": (district_choices, _("全部区（市）")),
        "authority": (authority_choices, _("全部主管部门")),
    }


def choice_list_exists(key: str) -> bool:
    return key in _choice_lists()


def choice_rows(key: str) -> list[tuple[str, str]]:
    """(value, label) of every choice of a registered list; [] for an unknown key."""
    entry = _choice_lists().get(key)
    return entry[0]() if entry is not None else []


def choice_empty_label(key: str):
    entry = _choice_lists().get(key)
    return entry[1] if entry is not None else "—"


def search_choices(key: str, text: str) -> list[tuple[str, str]]:
    """At most PICKER_LIMIT choices whose label contains `text` (case-insensitive) or whose value
    starts with it."""
    text = text.strip()[:50].casefold()
    if not text:
        return []
    found = [
        (value, label)
        for value, label in choice_rows(key)
        if text in label.casefold() or str(value).casefold().startswith(text)
    ]
    return found[:PICKER_LIMIT]


class ChoicePickerWidget(forms.Select):
    """A filter's <select> over a registered list (`key`): every choice when there are at most
    CHOICE_SELECT_MAX, else only the chosen one with a search box above it (htmx, from
    members:choice-pick) whose results replace the options. The choices come from the cached
    list, never from the field's queryset (no query per page)."""

    template_name = "members/widgets/choice_picker.html"

    def __init__(self, key: str, attrs=None):
        super().__init__(attrs)
        self.key = key

    @property
    def empty_label(self):
        return choice_empty_label(self.key)

    def _searchable(self, rows) -> bool:
        return len(rows) > CHOICE_SELECT_MAX

    def optgroups(self, name, value, attrs=None):
        rows = choice_rows(self.key)
        chosen = {str(v) for v in value if v not in (None, "")}
        if self._searchable(rows):
            rows = [row for row in rows if str(row[0]) in chosen]
        options = [self.create_option(name, "", self.empty_label, not chosen, 0)]
        options += [
            self.create_option(name, v, label, str(v) in chosen, i)
            for i, (v, label) in enumerate(rows, start=1)
        ]
        return [(None, options, 0)]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        searchable = self._searchable(choice_rows(self.key))
        context["widget"]["search_url"] = (
            reverse("members:choice-pick", args=[self.key]) if searchable else ""
        )
        context["widget"]["empty_label"] = self.empty_label
        return context
