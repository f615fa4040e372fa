"""The assessment records in the Django admin, for administrators (issue 10). Frameworks are
written on the app's own pages (assessments/frameworks/: copy, edit a draft, publish with its
checks); here a draft may be looked at and corrected, a published framework only read — and the
models refuse any change to it anyway (models.FrozenFramework), whoever tries. Cycles, scores,
flags and reports are read-only: they change through their workflows."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from assessments.frameworks.models import Dimension, Framework, Indicator


def _published(obj) -> bool:
    if obj is None:
        return False
    framework = obj if isinstance(obj, Framework) else getattr(obj, "framework", None)
    if framework is None and isinstance(obj, Indicator):
        framework = obj.dimension.framework
    return bool(framework and framework.is_published)


class DimensionInline(admin.TabularInline):
    model = Dimension
    extra = 0
    fields = ["order", "code", "name", "weight", "clause"]
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return not _published(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not _published(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # rows of a draft are removed on the frameworks page (issue 12)


class FrozenWhenPublished(SimpleHistoryAdmin):
    def has_change_permission(self, request, obj=None):
        return not _published(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # rows of a draft are removed on the frameworks page (issue 12)


@admin.register(Framework)
class FrameworkAdmin(FrozenWhenPublished):
    list_display = ["code", "revision", "name", "status", "published_at"]
    list_filter = ["status"]
    search_fields = ["code", "name"]
    readonly_fields = [
        "status",
        "version",
        "published_at",
        "published_by",
        "created_by",
        "based_on",
    ]
    inlines = [DimensionInline]


@admin.register(Dimension)
class DimensionAdmin(FrozenWhenPublished):
    list_display = ["framework", "order", "code", "name", "weight", "clause"]
    list_select_related = ["framework"]
    raw_id_fields = ["framework"]


@admin.register(Indicator)
class IndicatorAdmin(FrozenWhenPublished):
    list_display = ["code", "name", "dimension", "kind", "source", "weight", "scale_max"]
    list_select_related = ["dimension"]
    list_filter = ["kind", "source"]
    raw_id_fields = ["dimension"]
