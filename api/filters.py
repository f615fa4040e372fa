"""The API's filters (django-filter; issue 11), with Chinese descriptions for the schema."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from groups.applications.models import Application
from groups.applications.workflows import ApplicationStatus
from groups.cards.models import Card
from groups.enrollment.models import EnrollmentPlan
from groups.filings.models import Filing
from groups.filings.workflows import FilingStatus
from groups.registry.models import EducationGroup
from members.models import School
from qingdao_groups.core.filters import filter_search


class SchoolFilter(django_filters.FilterSet):
    district = django_filters.CharFilter(
        field_name="district__code", help_text=_("所在区（市）代码，如 shinan")
    )
    authority = django_filters.CharFilter(
        field_name="authority__code", help_text=_("主管教育行政部门代码")
    )
    stage = django_filters.ChoiceFilter(choices=School.Stage.choices, help_text=_("学段"))
    nature = django_filters.ChoiceFilter(choices=School.Nature.choices, help_text=_("办学性质"))
    weak = django_filters.BooleanFilter(field_name="is_weak", help_text=_("是否薄弱学校"))
    code = django_filters.CharFilter(field_name="code", help_text=_("学校标识码（10 位数字）"))
    q = django_filters.CharFilter(
        method="search", max_length=100, help_text=_("搜索：校名包含，或标识码以此开头")
    )

    class Meta:
        model = School
        fields: list[str] = []

    def search(self, queryset, name, value):
        return filter_search(queryset, Q(name__icontains=value) | Q(code__startswith=value))


class GroupFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=EducationGroup.Status.choices, help_text=_("集团状态")
    )
    authority = django_filters.CharFilter(field_name="authority__code", help_text=_("审批部门代码"))
    code = django_filters.CharFilter(field_name="code", help_text=_("集团编号"))

    class Meta:
        model = EducationGroup
        fields: list[str] = []


class ApplicationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ApplicationStatus.choices, help_text=_("状态"))
    kind = django_filters.ChoiceFilter(choices=Application.Kind.choices, help_text=_("申请类别"))

    class Meta:
        model = Application
        fields: list[str] = []


class CardFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=Card.Level.choices, help_text=_("级别"))
    open = django_filters.BooleanFilter(
        field_name="closed_at", lookup_expr="isnull", help_text=_("true：未结束；false：已结束")
    )

    class Meta:
        model = Card
        fields: list[str] = []


class FilingFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Filing.Kind.choices, help_text=_("类别"))
    status = django_filters.ChoiceFilter(choices=FilingStatus.choices, help_text=_("状态"))

    class Meta:
        model = Filing
        fields: list[str] = []


class EnrollmentPlanFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(help_text=_("招生年度"))
    school = django_filters.CharFilter(field_name="school__code", help_text=_("学校标识码"))

    class Meta:
        model = EnrollmentPlan
        fields: list[str] = []
