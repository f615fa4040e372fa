"""Authorities, schools, partners and the people who act for them (policy G-1)."""

import re

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class District(models.Model):
    """A county-level division (区, 县, 县级市) with its own education bureau: data, not a fixed
    list, so a city has its districts and a nation its 2,800 (policy G-1; CLAUSES.md, History).
    Schools and bureaus point at it by `code`, the value their `district` column has always held.
    """

    code = models.SlugField(_("代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    city = models.ForeignKey(
        "Authority",
        verbose_name=_("所属市教育局"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="city_districts",
        limit_choices_to={"kind": "city"},
    )
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("区（市）")
        verbose_name_plural = _("区（市）")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        # Names are data; the catalogue still translates the ones it knows (Qingdao's ten).
        return gettext(self.name)


class AuthorityQuerySet(models.QuerySet):
    def education(self):
        return self.filter(kind__in=[Authority.Kind.CITY, Authority.Kind.DISTRICT])

    def districts(self):
        return self.filter(kind=Authority.Kind.DISTRICT)


class Authority(models.Model):
    """An education authority (the city bureau or a district/county-level-city bureau) or one of
    the other units that co-issued the policy and take part read-only."""

    class Kind(models.TextChoices):
        CITY = "city", _("市教育局")
        DISTRICT = "district", _("区（市）教育行政部门")
        OTHER = "other", _("其他部门")

    name = models.CharField(_("名称"), max_length=100, unique=True)
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    district = models.ForeignKey(
        District,
        verbose_name=_("所辖区（市）"),
        to_field="code",
        db_column="district",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bureaus",
    )

    history = HistoricalRecords()
    objects = AuthorityQuerySet.as_manager()

    class Meta:
        verbose_name = _("教育行政部门")
        verbose_name_plural = _("教育行政部门")
        ordering = ["kind", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="district") | Q(district__isnull=False),
                name="authority_district_has_district",
            ),
            models.UniqueConstraint(
                fields=["district"],
                condition=Q(kind="district"),
                name="authority_one_bureau_per_district",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_education(self) -> bool:
        return self.kind in (self.Kind.CITY, self.Kind.DISTRICT)


SCHOOL_CODE_RE = re.compile(r"^[0-9]{10}$")  # ASCII digits only: full-width ones would duplicate


def validate_school_code(value: str) -> None:
    """学校标识码: the ministry's 10-digit national school identifier."""
    if not SCHOOL_CODE_RE.match(value or ""):
        raise ValidationError(
            _("学校标识码应为10位数字，您输入的是“%(value)s”。"),
            code="invalid_school_code",
            params={"value": value},
        )


class SchoolQuerySet(models.QuerySet):
    def weak(self):
        return self.filter(is_weak=True)


class School(models.Model):
    """A school of basic education (policy G-1: stages and natures differ across a group)."""

    class Stage(models.TextChoices):
        PRIMARY = "primary", _("小学")
        JUNIOR = "junior", _("初中")
        SENIOR = "senior", _("普通高中")
        NINE_YEAR = "nine_year", _("九年一贯制")
        TWELVE_YEAR = "twelve_year", _("十二年一贯制")
        VOCATIONAL = "vocational", _("中等职业学校")
        SPECIAL = "special", _("特殊教育学校")

    class Nature(models.TextChoices):
        PUBLIC = "public", _("公办")
        PRIVATE = "private", _("民办")

    name = models.CharField(_("学校名称"), max_length=100)
    code = models.CharField(
        _("学校标识码"),
        max_length=10,
        unique=True,
        validators=[validate_school_code],
        help_text=_("10位数字"),
    )
    authority = models.ForeignKey(
        Authority,
        verbose_name=_("主管教育行政部门"),
        on_delete=models.PROTECT,
        related_name="schools",
    )
    district = models.ForeignKey(
        District,
        verbose_name=_("所在区（市）"),
        to_field="code",
        db_column="district",
        on_delete=models.PROTECT,
        related_name="schools",
    )
    stage = models.CharField(_("学段"), max_length=20, choices=Stage.choices)
    nature = models.CharField(_("办学性质"), max_length=10, choices=Nature.choices)
    is_weak = models.BooleanField(_("薄弱学校"), default=False)
    weak_rated_year = models.PositiveSmallIntegerField(
        _("认定为薄弱学校的年份"),
        null=True,
        blank=True,
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
    )
    is_legal_entity = models.BooleanField(_("独立法人"), default=True)
    principal_name = models.CharField(_("校长"), max_length=50, blank=True)

    history = HistoricalRecords()
    objects = SchoolQuerySet.as_manager()

    class Meta:
        verbose_name = _("学校")
        verbose_name_plural = _("学校")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_weak=False) | Q(weak_rated_year__isnull=False),
                name="school_weak_has_year",
                violation_error_message=_("薄弱学校须填写认定年份。"),
            ),
        ]
        indexes = [
            models.Index(fields=["authority", "name"]),  # district: the foreign key's own
            models.Index(fields=["name", "id"], name="school_list_order"),  # the list's sort
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        if self.is_weak and not self.weak_rated_year:
            raise ValidationError({"weak_rated_year": _("薄弱学校须填写认定年份。")})
        if not self.is_weak:
            self.weak_rated_year = None


class Partner(models.Model):
    """The X of 1+N+X (policy G-1)."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("企业")
        COMPREHENSIVE_HIGH = "comprehensive_high", _("综合高中")
        HIGHER_EDUCATION = "higher_education", _("高等院校")
        PRACTICE_BASE = "practice_base", _("实践基地")
        SOCIAL_VENUE = "social_venue", _("社会场馆")

    name = models.CharField(_("名称"), max_length=100, unique=True)
    kind = models.CharField(_("类别"), max_length=30, choices=Kind.choices)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    contact_email = models.EmailField(_("电子邮箱"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("合作单位")
        verbose_name_plural = _("合作单位")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who signs in; acts for exactly one authority or one school, by role."""

    class Role(models.TextChoices):
        CITY_STAFF = "city_staff", _("市教育局工作人员")
        DISTRICT_STAFF = "district_staff", _("区（市）教育行政部门工作人员")
        CORE_PRINCIPAL = "core_principal", _("核心校校长")
        MEMBER_PRINCIPAL = "member_principal", _("成员校校长")
        AUDITOR = "auditor", _("审计人员")
        SYSADMIN = "sysadmin", _("系统管理员")
        # Issue 9: read-only elsewhere; the finance reviewer locks ledgers (F-1 … F-4), the
        # staffing office and the human-resources bureau handle staffing requests (S-1).
        FINANCE_REVIEWER = "finance_reviewer", _("市财政局审核人员")
        STAFFING_OFFICE = "staffing_office", _("机构编制部门工作人员")
        HR_BUREAU = "hr_bureau", _("人力资源社会保障部门工作人员")

    class Rank(models.TextChoices):
        """Principal rank (校长职级制, policy S-2)."""

        SPECIAL = "special", _("特级校长")
        FIRST = "first", _("一级校长")
        SECOND = "second", _("二级校长")
        THIRD = "third", _("三级校长")
        FOURTH = "fourth", _("四级校长")

    AUTHORITY_ROLES = (Role.CITY_STAFF, Role.DISTRICT_STAFF)
    # Who reads everything and changes nothing outside their own task.
    READ_ONLY_ROLES = (
        Role.AUDITOR,
        Role.FINANCE_REVIEWER,
        Role.STAFFING_OFFICE,
        Role.HR_BUREAU,
    )
    SCHOOL_ROLES = (Role.CORE_PRINCIPAL, Role.MEMBER_PRINCIPAL)

    role = models.CharField(_("角色"), max_length=30, choices=Role.choices)
    authority = models.ForeignKey(
        Authority,
        verbose_name=_("所属教育行政部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    school = models.ForeignKey(
        School,
        verbose_name=_("所属学校"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )

    # The language the person chose; Chinese unless they chose English (issue 8). Read by
    # qingdao_groups.middleware.UserLanguageMiddleware on every request, set by the language
    # button (members.services.user_language_set).
    language = models.CharField(
        _("界面语言"),
        max_length=10,
        choices=[("zh-hans", _("简体中文")), ("en", _("English"))],
        default="zh-hans",
    )

    # The account an API client acts through (issue 11, api.models.ApiClient): no password, never
    # signs in to the pages, receives no notices.
    is_system_account = models.BooleanField(_("系统账号"), default=False)

    # A principal's rank under the principal rank reform (校长职级制, policy S-2).
    rank = models.CharField(_("校长职级"), max_length=10, choices=Rank.choices, blank=True)

    history = HistoricalRecords(excluded_fields=["password", "last_login", "language"])

    class Meta(AbstractUser.Meta):
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        role__in=["city_staff", "district_staff"],
                        authority__isnull=False,
                        school__isnull=True,
                    )
                    | Q(
                        role__in=["core_principal", "member_principal"],
                        school__isnull=False,
                        authority__isnull=True,
                    )
                    | Q(
                        role__in=[
                            "auditor",
                            "sysadmin",
                            "finance_reviewer",
                            "staffing_office",
                            "hr_bureau",
                            "",
                        ],
                        school__isnull=True,
                        authority__isnull=True,
                    )
                ),
                name="user_acts_for_one_unit",
                violation_error_message=_(
                    "教育行政部门工作人员须且只能属于一个部门，校长须且只能属于一所学校。"
                ),
            ),
        ]

    def clean(self):
        super().clean()
        if self.role in self.AUTHORITY_ROLES and (not self.authority_id or self.school_id):
            raise ValidationError(
                {"authority": _("该角色须选择所属教育行政部门，且不能选择学校。")}
            )
        if self.role in self.SCHOOL_ROLES and (not self.school_id or self.authority_id):
            raise ValidationError({"school": _("校长须选择所属学校，且不能选择教育行政部门。")})
        if (self.role in self.READ_ONLY_ROLES or self.role == self.Role.SYSADMIN) and (
            self.school_id or self.authority_id
        ):
            raise ValidationError(_("审计人员和系统管理员不属于具体部门或学校。"))

    def get_full_name(self) -> str:
        """Chinese order: family name first, no space (王海涛)."""
        return f"{self.last_name}{self.first_name}".strip()

    @property
    def is_city_staff(self) -> bool:
        return self.role == self.Role.CITY_STAFF

    @property
    def is_district_staff(self) -> bool:
        return self.role == self.Role.DISTRICT_STAFF

    @property
    def is_principal(self) -> bool:
        return self.role in self.SCHOOL_ROLES

    @property
    def sees_everything(self) -> bool:
        """City staff, the read-only roles (auditors, the finance reviewer, the staffing office,
        the human-resources bureau) and administrators see the whole city."""
        return (
            self.is_superuser
            or self.role in (self.Role.CITY_STAFF, self.Role.SYSADMIN)
            or self.role in self.READ_ONLY_ROLES
        )

    @property
    def is_read_only(self) -> bool:
        """Reads everything, changes nothing outside its own task (auditors; issue 9's finance
        reviewer, staffing office and human-resources bureau)."""
        return self.role in self.READ_ONLY_ROLES

    @property
    def is_finance_reviewer(self) -> bool:
        return self.role == self.Role.FINANCE_REVIEWER

    @property
    def is_staffing_reader(self) -> bool:
        """The staffing office and the human-resources bureau (policy S-1)."""
        return self.role in (self.Role.STAFFING_OFFICE, self.Role.HR_BUREAU)

    def acts_for_authority(self, authority_id: int | None) -> bool:
        return (
            authority_id is not None
            and self.role in self.AUTHORITY_ROLES
            and self.authority_id == authority_id
        )


class PasswordHistory(models.Model):
    """A password a person has had, as its hash (issue 12): the last PASSWORD_HISTORY_COUNT are
    kept, and members.passwords.PasswordHistoryValidator refuses any of them as the new one.
    Recorded on every password change (the validator's password_changed hook, which Django
    calls whenever a password set with set_password is saved)."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="password_history", verbose_name=_("用户")
    )
    password = models.CharField(_("密码摘要"), max_length=128)
    created_at = models.DateTimeField(_("设置时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("历史密码")
        verbose_name_plural = _("历史密码")

    def __str__(self):
        return f"{self.user_id} @ {self.created_at:%Y-%m-%d %H:%M}"


class SecondFactorEvent(models.Model):
    """What happened to a person's second factor (issue 12): enrolled, recovery codes issued or
    used, turned off, or reset by an administrator for a lost device (with the reason). Written
    once and never changed (an audit table: qingdao_groups.core.append_only); the TOTP secret
    itself lives only in django-otp's device row, never here."""

    class Kind(models.TextChoices):
        ENROLLED = "enrolled", _("绑定身份验证器")
        RECOVERY_ISSUED = "recovery_issued", _("生成恢复码")
        RECOVERY_USED = "recovery_used", _("使用恢复码登录")
        DISABLED = "disabled", _("关闭两步验证")
        RESET = "reset", _("管理员重置（设备丢失）")

    user = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="second_factor_events",
        verbose_name=_("用户"),
    )
    kind = models.CharField(_("事件"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("操作人"),
    )
    reason = models.TextField(_("原因"), blank=True)
    address = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    at = models.DateTimeField(_("时间"))

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("两步验证记录")
        verbose_name_plural = _("两步验证记录")

    def __str__(self):
        return f"{self.user_id} {self.kind} @ {self.at:%Y-%m-%d %H:%M}"
