"""Education groups and the dated membership history everything else depends on (DESIGN.md)."""

import datetime
from decimal import Decimal  # noqa: E402

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator  # noqa: E402
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from groups.registry import membership
from members.models import Authority, Partner, School


class UnifiedArea(models.TextChoices):
    """What the core school unifies across the group (policy G-2)."""

    PHILOSOPHY = "philosophy", _("教育理念")
    MANAGEMENT = "management", _("学校管理")
    TEACHING_RESEARCH = "teaching_research", _("教育教研")
    INFORMATION_TECHNOLOGY = "information_technology", _("信息技术")
    EVALUATION = "evaluation", _("教育评价")


def validate_unified_areas(value) -> None:
    valid = set(UnifiedArea.values)
    if not isinstance(value, list) or any(v not in valid for v in value):
        raise ValidationError(
            _("统一领域只能从教育理念、学校管理、教育教研、信息技术、教育评价中选择。")
        )


class EducationGroupQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=EducationGroup.Status.ACTIVE)

    def active_on(self, day: datetime.date):
        """Groups in being on `day`: their core school's membership is in force and they were
        not dissolved by then (policy A-5 counts these at each target year's end)."""
        cores = Membership.objects.active_on(day).filter(
            group_id=models.OuterRef("pk"), role=Membership.Role.CORE
        )
        return self.filter(models.Exists(cores)).exclude(dissolved_on__lte=day)


class EducationGroup(models.Model):
    """One core school plus members and partners: 1+N+X (policy G-1)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("运行中")
        SUSPENDED = "suspended", _("暂停")
        DISSOLVED = "dissolved", _("已撤销")

    name = models.CharField(_("集团名称"), max_length=100, unique=True)
    code = models.CharField(_("集团编号"), max_length=30, unique=True)
    core_school = models.ForeignKey(
        School, verbose_name=_("核心校"), on_delete=models.PROTECT, related_name="led_groups"
    )
    authority = models.ForeignKey(
        Authority,
        verbose_name=_("审批教育行政部门"),
        on_delete=models.PROTECT,
        related_name="groups",
        help_text=_("核心校所属教育行政部门（政策 L-1）"),
    )
    specialty = models.CharField(
        _("集团特色"), max_length=200, help_text=_("一集团一特色（政策 G-5）")
    )
    unified_areas = models.JSONField(
        _("统一领域"),
        default=list,
        blank=True,
        validators=[validate_unified_areas],
        help_text=_("核心校引领统一的领域（政策 G-2）"),
    )
    founded_on = models.DateField(_("成立日期"))
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    dissolved_on = models.DateField(_("撤销日期"), null=True, blank=True)
    description = models.TextField(_("简介"), blank=True)

    history = HistoricalRecords()
    objects = EducationGroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("教育集团")
        verbose_name_plural = _("教育集团")
        ordering = ["founded_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(dissolved_on__isnull=True) | Q(dissolved_on__gte=F("founded_on")),
                name="group_dissolved_after_founded",
            ),
        ]
        indexes = [models.Index(fields=["founded_on", "id"], name="group_list_order")]

    def __str__(self) -> str:
        return self.name

    def unified_area_labels(self) -> list[str]:
        labels = dict(UnifiedArea.choices)
        return [str(labels[v]) for v in self.unified_areas if v in labels]


class RelationType(models.TextChoices):
    """How closely a member cooperates with the core (policy T-1, T-2, T-3)."""

    FUSION = "T-1", _("融合型")
    AGGREGATION = "T-2", _("聚合型")
    ALLIANCE = "T-3", _("联合型")


class RelationSubtype(models.TextChoices):
    FUSION_REPLICATION = "T-1a", _("融合复制型")
    FUSION_SPECIALTY = "T-1b", _("融合特色型")
    AGGREGATION_CROSS_STAGE = "T-2a", _("基础教育跨学段聚合")
    AGGREGATION_VOCATIONAL = "T-2b", _("普通高中职业高中聚合")
    AGGREGATION_HIGHER_ED = "T-2c", _("高等教育基础教育聚合")
    ALLIANCE_SINGLE = "T-3a", _("单个项目")
    ALLIANCE_MULTIPLE = "T-3b", _("多个项目")


SUBTYPES_BY_TYPE: dict[str, list[str]] = {
    t: [s for s in RelationSubtype.values if s.startswith(t)] for t in RelationType.values
}


class MembershipQuerySet(models.QuerySet):
    """Membership as of a date: the only way to ask who is a member (groups/registry/
    membership.py states the rules; `left_on` is the first day no longer a member)."""

    def active_on(self, day: datetime.date):
        """Memberships in force on `day`."""
        return self.filter(membership.active_q(day))

    def current(self, *, today: datetime.date | None = None):
        """Memberships in force today (= `active_on(today)`), including those whose approved
        exit takes effect later (拟退出) and excluding joins not yet in effect (拟加入)."""
        return self.active_on(today or membership.today())

    def overlapping(self, first_day: datetime.date, last_day: datetime.date | None):
        """Memberships in force on at least one day of `first_day` … `last_day` (both
        included; `last_day` None: from `first_day` on)."""
        return self.filter(membership.overlapping_q(first_day, last_day))

    def upcoming(self, *, today: datetime.date | None = None):
        """Memberships approved to begin after today (拟加入)."""
        return self.filter(membership.upcoming_q(today or membership.today()))

    def ended(self, *, today: datetime.date | None = None):
        """Memberships whose end has come by today (已离开)."""
        return self.filter(membership.ended_q(today or membership.today()))

    def current_or_upcoming(self, *, today: datetime.date | None = None):
        """Memberships in force today or later: what ties a school to a group from now on."""
        return self.overlapping(today or membership.today(), None)

    def without_end(self):
        """Memberships with no end recorded: in force with no exit approved (在册), or approved
        to begin later (拟加入). The database allows one per school."""
        return self.filter(left_on__isnull=True)

    def members(self):
        return self.filter(role=Membership.Role.MEMBER)


class Membership(models.Model):
    """A school's membership of a group over a period: never deleted, only ended (DESIGN.md).

    The core school holds a membership too (role core), so the database itself keeps a school in
    at most one group at a time and keeps the core from also being a member (policy G-1)."""

    class Role(models.TextChoices):
        CORE = "core", _("核心校")
        MEMBER = "member", _("成员校")

    class EndReason(models.TextChoices):
        EXIT = "exit", _("退出")
        EXPULSION = "expulsion", _("红牌淘汰")
        DISSOLUTION = "dissolution", _("集团撤销")
        CORE_CHANGE = "core_change", _("核心校变更")

    group = models.ForeignKey(
        EducationGroup,
        verbose_name=_("教育集团"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    school = models.ForeignKey(
        School, verbose_name=_("学校"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("身份"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    relation_type = models.CharField(
        _("合作类型"), max_length=4, choices=RelationType.choices, blank=True
    )
    relation_subtype = models.CharField(
        _("合作子类型"), max_length=4, choices=RelationSubtype.choices, blank=True
    )
    joined_on = models.DateField(_("加入日期"))
    left_on = models.DateField(_("离开日期"), null=True, blank=True)
    end_reason = models.CharField(
        _("离开原因"), max_length=20, choices=EndReason.choices, blank=True
    )
    note = models.TextField(_("备注"), blank=True)

    history = HistoricalRecords()
    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("成员关系")
        verbose_name_plural = _("成员关系")
        ordering = ["group_id", "-role", "joined_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["school"],
                condition=Q(left_on__isnull=True),
                name="membership_one_open_per_school",
                violation_error_message=_(
                    "该学校已是另一个集团的在册成员，同一时间只能属于一个集团。"
                ),
            ),
            models.UniqueConstraint(
                fields=["group"],
                condition=Q(left_on__isnull=True, role="core"),
                name="membership_one_open_core_per_group",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="membership_left_after_joined",
                violation_error_message=_("离开日期不能早于加入日期。"),
            ),
            models.CheckConstraint(
                condition=(
                    Q(left_on__isnull=True, end_reason="")
                    | (Q(left_on__isnull=False) & ~Q(end_reason=""))
                ),
                name="membership_end_reason_iff_left",
                violation_error_message=_("结束成员关系须同时填写离开日期和离开原因。"),
            ),
            models.CheckConstraint(
                condition=(
                    Q(role="core", relation_type="", relation_subtype="")
                    | Q(role="member", relation_type="T-1", relation_subtype__in=["T-1a", "T-1b"])
                    | Q(
                        role="member",
                        relation_type="T-2",
                        relation_subtype__in=["T-2a", "T-2b", "T-2c"],
                    )
                    | Q(role="member", relation_type="T-3", relation_subtype__in=["T-3a", "T-3b"])
                ),
                name="membership_type_matches_subtype",
                violation_error_message=_(
                    "成员校须选择合作类型及其对应的子类型（政策 T-1 至 T-3）。"
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["group", "left_on"]),
            models.Index(fields=["school", "joined_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.school} @ {self.group}"

    def is_active_on(self, day: datetime.date) -> bool:
        return membership.is_active_on(self.joined_on, self.left_on, day)

    def state_on(self, day: datetime.date) -> "membership.MembershipState":
        """拟加入 / 在册 / 拟退出 / 已离开 on `day`."""
        return membership.state_on(self.joined_on, self.left_on, day)

    @property
    def state(self) -> "membership.MembershipState":
        """The state today, for pages."""
        return self.state_on(membership.today())

    def days_covered(self, first_day: datetime.date, last_day: datetime.date) -> int:
        return membership.days_covered(self.joined_on, self.left_on, first_day, last_day)

    def months_covered(self, first_day: datetime.date, last_day: datetime.date) -> int:
        """Months of the period whose 15th day the membership covers (policy F-1)."""
        return membership.months_covered(self.joined_on, self.left_on, first_day, last_day)


class Partnership(models.Model):
    """A partner's cooperation with a group, with the projects it takes part in (policy G-1)."""

    group = models.ForeignKey(
        EducationGroup,
        verbose_name=_("教育集团"),
        on_delete=models.PROTECT,
        related_name="partnerships",
    )
    partner = models.ForeignKey(
        Partner, verbose_name=_("合作单位"), on_delete=models.PROTECT, related_name="partnerships"
    )
    projects = models.TextField(_("合作项目"), help_text=_("每行一个项目"))
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("合作关系")
        verbose_name_plural = _("合作关系")
        ordering = ["group_id", "started_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="partnership_ended_after_started",
                violation_error_message=_("结束日期不能早于开始日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner} @ {self.group}"

    def project_list(self) -> list[str]:
        return [p.strip() for p in self.projects.splitlines() if p.strip()]


class CouncilSeat(models.Model):
    """A seat on the group's decision-making council (决策议事机构, policy G-3)."""

    class Role(models.TextChoices):
        CHIEF_PRINCIPAL = "chief_principal", _("总校长")
        MEMBER_PRINCIPAL = "member_principal", _("成员校校长")
        ADVISER = "adviser", _("专家顾问")

    group = models.ForeignKey(
        EducationGroup,
        verbose_name=_("教育集团"),
        on_delete=models.PROTECT,
        related_name="council_seats",
    )
    role = models.CharField(_("职务"), max_length=20, choices=Role.choices)
    person_name = models.CharField(_("姓名"), max_length=50)
    school = models.ForeignKey(
        School,
        verbose_name=_("所在学校"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="council_seats",
    )
    title = models.CharField(_("职务/职称"), max_length=100, blank=True)
    started_on = models.DateField(_("任职开始"))
    ended_on = models.DateField(_("任职结束"), null=True, blank=True)
    non_default_reason = models.TextField(
        _("总校长非核心校校长的理由"),
        blank=True,
        help_text=_("原则上由核心校校长任总校长（政策 G-3）；另行安排须说明理由"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("议事机构成员")
        verbose_name_plural = _("议事机构成员")
        ordering = ["group_id", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["group"],
                condition=Q(role="chief_principal", ended_on__isnull=True),
                name="council_one_chief_principal",
                violation_error_message=_("一个集团同一时间只能有一位总校长。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.person_name}"


class PolicyParameters(models.Model):
    """The numbers the policy leaves to the authorities, editable by administrators (one row)."""

    min_weak_share = models.DecimalField(
        _("薄弱学校最低占比"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.200"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("成员校中薄弱学校占比低于此值时提示（政策 A-4）"),
    )
    max_admissions_per_year = models.PositiveSmallIntegerField(
        _("12个月内吸纳成员校上限"),
        default=3,
        help_text=_("超过此数时提示稳步发展（政策 L-4）"),
    )
    yellow_card_window_days = models.PositiveSmallIntegerField(
        _("两次黄牌的间隔天数"),
        default=365,
        help_text=_("此期间内第二张黄牌即可升级为红牌（政策 L-6）"),
    )
    rectification_days = models.PositiveSmallIntegerField(_("默认整改期限（天）"), default=60)
    consent_days = models.PositiveSmallIntegerField(_("主管部门表态期限（天）"), default=20)
    decision_days = models.PositiveSmallIntegerField(_("审批期限（天）"), default=30)
    upload_max_mb = models.PositiveSmallIntegerField(_("上传文件大小上限（MB）"), default=20)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("政策参数")
        verbose_name_plural = _("政策参数")

    def __str__(self) -> str:
        return str(_("政策参数"))

    @classmethod
    def current(cls) -> "PolicyParameters":
        obj = cls.objects.order_by("pk").first()
        return obj if obj is not None else cls.objects.create()

    @classmethod
    def for_request(cls) -> "PolicyParameters":
        """The parameters, read once per request (the work list's providers each need them);
        the defaults, unsaved, while none are stored (a read never writes: the same queries on
        every request)."""
        from qingdao_groups.core.request_cache import cached

        return cached(("policy-parameters",), lambda: cls.objects.order_by("pk").first() or cls())
