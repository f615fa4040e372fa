"""Assessment frameworks: a versioned tree of dimensions and indicators (policy A-1 … A-4;
issue 10).

A framework is identified by its `code` and `revision` (v1, v2 …). Staff copy a framework to
start a new revision (a draft), edit it, and publish it; a published revision never changes,
so every cycle and every report names the exact tree it was scored on."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from assessments.frameworks.workflows import FrameworkStatus

SCORE = {"max_digits": 7, "decimal_places": 2}


class FrozenFramework(Exception):
    """A published framework, its dimensions and its indicators are never changed or deleted
    (issue 10: every cycle and report names the exact tree it was scored on; policy A-1). The
    equivalent of `qingdao_groups.models.ImmutableDocument`, raised by the models themselves so
    that no path — a service, the Django admin, a shell — can change a published revision."""


def _published(framework_ids) -> bool:
    ids = [i for i in framework_ids if i is not None]
    return (
        bool(ids)
        and Framework.objects.filter(pk__in=ids, status=FrameworkStatus.PUBLISHED).exists()
    )


class FrameworkQuerySet(models.QuerySet):
    """Bulk writes refuse published rows like `save`/`delete` do; only the status move of a
    draft to published (through `save`) is let through."""

    def update(self, **kwargs):
        if self.filter(status=FrameworkStatus.PUBLISHED).exists():
            raise FrozenFramework("a published framework is never changed")
        return super().update(**kwargs)

    def delete(self):
        if self.filter(status=FrameworkStatus.PUBLISHED).exists():
            raise FrozenFramework("a published framework is never deleted")
        return super().delete()


class TreeQuerySet(models.QuerySet):
    """Dimensions and indicators: bulk writes refuse rows of a published framework."""

    framework_path = "framework_id"

    def _touches_published(self) -> bool:
        return self.filter(
            **{self.framework_path.replace("_id", "__status"): FrameworkStatus.PUBLISHED}
        ).exists()

    def update(self, **kwargs):
        if self._touches_published():
            raise FrozenFramework("the tree of a published framework is never changed")
        return super().update(**kwargs)

    def delete(self):
        if self._touches_published():
            raise FrozenFramework("the tree of a published framework is never changed")
        return super().delete()

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        if _published({_framework_id_of(o) for o in objs}):
            raise FrozenFramework("the tree of a published framework is never changed")
        return super().bulk_create(objs, *args, **kwargs)


class IndicatorQuerySet(TreeQuerySet):
    framework_path = "dimension__framework_id"


def _framework_id_of(obj) -> int | None:
    if isinstance(obj, Dimension):
        return obj.framework_id
    dimension_id = getattr(obj, "dimension_id", None)
    if dimension_id is None:
        return None
    if obj.dimension_id == getattr(obj._state.fields_cache.get("dimension"), "pk", object()):
        return obj.dimension.framework_id
    return Dimension.objects.filter(pk=dimension_id).values_list("framework_id", flat=True).first()


class Grade(models.TextChoices):
    """Grade bands (scoring.GRADES, best first)."""

    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    QUALIFIED = "qualified", _("合格")
    UNQUALIFIED = "unqualified", _("不合格")


def default_grade_bands() -> list[dict]:
    """Grade bands by total score (out of 100), highest first; see scoring.grade_for."""
    return [
        {"grade": "excellent", "min": "90"},
        {"grade": "good", "min": "75"},
        {"grade": "qualified", "min": "60"},
        {"grade": "unqualified", "min": "0"},
    ]


def default_bonus_points() -> dict:
    """The bonus item the group's result gives its core school (A-2), by grade."""
    return {"excellent": "3", "good": "2", "qualified": "1", "unqualified": "0"}


class Framework(models.Model):
    Status = FrameworkStatus

    code = models.CharField(_("体系代码"), max_length=30)
    revision = models.PositiveSmallIntegerField(_("版本"), default=1)
    name = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=FrameworkStatus.choices, default=FrameworkStatus.DRAFT
    )
    based_on = models.ForeignKey(
        "self",
        verbose_name=_("复制自"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    grade_bands = models.JSONField(_("等级划分"), default=default_grade_bands)
    bonus_points = models.JSONField(_("核心校加分（A-2）"), default=default_bonus_points)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    objects = FrameworkQuerySet.as_manager()

    class Meta:
        verbose_name = _("评估指标体系")
        verbose_name_plural = _("评估指标体系")
        ordering = ["code", "-revision"]
        constraints = [
            models.UniqueConstraint(fields=["code", "revision"], name="framework_code_revision"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（v{self.revision}）"

    def save(self, *args, **kwargs):
        # The stored status decides, not the instance's: a stale copy cannot slip past.
        if not self._state.adding and _published([self.pk]):
            raise FrozenFramework(f"{self.code} v{self.revision} is published and cannot change")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if _published([self.pk]):
            raise FrozenFramework(f"{self.code} v{self.revision} is published and cannot go")
        return super().delete(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.status == FrameworkStatus.PUBLISHED


class Dimension(models.Model):
    """A dimension (一级指标) with its weight: the dimensions' weights add up to 100."""

    framework = models.ForeignKey(
        Framework, verbose_name=_("指标体系"), on_delete=models.CASCADE, related_name="dimensions"
    )
    code = models.CharField(_("代码"), max_length=20)
    name = models.CharField(_("名称"), max_length=100)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    weight = models.DecimalField(_("权重（分）"), **SCORE)
    clause = models.CharField(_("政策条款"), max_length=10, blank=True)
    description = models.TextField(_("说明"), blank=True)
    history = HistoricalRecords()

    objects = TreeQuerySet.as_manager()

    class Meta:
        verbose_name = _("评估维度")
        verbose_name_plural = _("评估维度")
        ordering = ["framework", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="dimension_code_once"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if _frozen(self):
            raise FrozenFramework("the tree of a published framework is never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if _frozen(self):
            raise FrozenFramework("the tree of a published framework is never changed")
        return super().delete(*args, **kwargs)


class Indicator(models.Model):
    """An indicator (二级指标): scored on a scale (`scale_max`) or pass/fail (达标类), filled in
    by an inspector (manual) or computed from the system's own data (derived: `derived_key`
    names the metric in assessments.frameworks.derived, `params` how its value maps to a
    score)."""

    class Kind(models.TextChoices):
        SCORED = "scored", _("评分类")
        PASS_FAIL = "pass_fail", _("达标类")

    class Source(models.TextChoices):
        MANUAL = "manual", _("督导评分")
        DERIVED = "derived", _("系统数据")

    dimension = models.ForeignKey(
        Dimension, verbose_name=_("维度"), on_delete=models.CASCADE, related_name="indicators"
    )
    code = models.CharField(_("代码"), max_length=20)
    name = models.CharField(_("名称"), max_length=200)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices, default=Kind.SCORED)
    source = models.CharField(
        _("来源"), max_length=20, choices=Source.choices, default=Source.MANUAL
    )
    # Within its dimension: an indicator's share is weight / (sum of the scored indicators').
    weight = models.DecimalField(_("权重"), default=Decimal("1"), **SCORE)
    scale_max = models.DecimalField(_("满分"), default=Decimal("10"), **SCORE)
    derived_key = models.CharField(_("数据指标"), max_length=40, blank=True)
    params = models.JSONField(_("计分参数"), default=dict, blank=True)
    # A failed pass/fail indicator caps the group's grade at this grade (scoring.apply_caps).
    cap_grade = models.CharField(
        _("未达标时最高等级"), max_length=20, choices=Grade.choices, blank=True
    )
    evidence_required = models.BooleanField(_("需上传佐证材料"), default=False)
    guidance = models.TextField(_("评分说明"), blank=True)
    clause = models.CharField(_("政策条款"), max_length=10, blank=True)
    history = HistoricalRecords()

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("评估指标")
        verbose_name_plural = _("评估指标")
        ordering = ["dimension__order", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["dimension", "code"], name="indicator_code_once"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if _frozen(self):
            raise FrozenFramework("the tree of a published framework is never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if _frozen(self):
            raise FrozenFramework("the tree of a published framework is never changed")
        return super().delete(*args, **kwargs)


def _frozen(row: Dimension | Indicator) -> bool:
    """Whether a dimension or indicator belongs (or, for a row being moved, belonged) to a
    published framework: the stored rows decide, not the instance."""
    if isinstance(row, Dimension):
        ids = {row.framework_id}
        if not row._state.adding:
            ids |= set(Dimension.objects.filter(pk=row.pk).values_list("framework_id", flat=True))
        return _published(ids)
    dimension_ids = {row.dimension_id}
    if not row._state.adding:
        dimension_ids |= set(
            Indicator.objects.filter(pk=row.pk).values_list("dimension_id", flat=True)
        )
    return Framework.objects.filter(
        dimensions__in=[d for d in dimension_ids if d is not None],
        status=FrameworkStatus.PUBLISHED,
    ).exists()
