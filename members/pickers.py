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

from django import forms
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from members.models import School, User

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
    q = Q(name__icontains=text) | Q(code__startswith=text) | Q(district__name__icontains=text)
    return qs.filter(q).select_related("district").order_by("name", "code")[:PICKER_LIMIT]


def school_option_label(school: School) -> str:
    return f"{school.name}（{school.code} · {school.district}）"


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
