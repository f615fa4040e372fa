"""API clients, their keys and the record of every call (issue 11).

A client is another system — a district bureau's, a school's — bound to exactly one authority or
one school, with scopes. It acts through its own system account (`user`, `members.User` with
`is_system_account`): a district client's account is district staff of its authority, a school
client's a principal of its school. So every permission `Decision`, selector and service of the
pages applies to it unchanged, and the history records the client as the one who acted. The
account has no password and never signs in to the pages.

A key is shown once when it is issued; only its SHA-256 is kept (a key is 32 random bytes, so a
slow password hash would add nothing). Keys expire, and are rotated or revoked one by one; a
revoked client revokes all of them. `ApiCall` rows are written once and never changed, kept
AUDIT_LOG_RETENTION_DAYS and then archived and removed (qingdao_groups.core.retention)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from members.models import Authority, School


class Scope(models.TextChoices):
    REGISTRY_READ = (
        "registry:read",
        _("读取名册（部门、学校、集团、成员、申请、黄红牌、报备、招生计划）"),
    )
    FILINGS_WRITE = "filings:write", _("向市教育局报备（政策 D-1、D-2、L-2）")
    PLANS_WRITE = "plans:write", _("报送招生计划（政策 L-7）")
    REPORTS_READ = "reports:read", _("读取已发布的评估报告（政策 A-1）")
    LEDGERS_READ = "ledgers:read", _("读取经费台账（政策 F-1 至 F-4）")


class ApiClient(models.Model):
    name = models.CharField(_("接口客户端名称"), max_length=100)
    authority = models.ForeignKey(
        Authority,
        verbose_name=_("所属教育行政部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="api_clients",
    )
    school = models.ForeignKey(
        School,
        verbose_name=_("所属学校"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="api_clients",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("系统账号"),
        on_delete=models.PROTECT,
        related_name="api_client",
    )
    scopes = models.JSONField(_("权限范围"), default=list)
    contact = models.CharField(_("联系人"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    revoked_at = models.DateTimeField(_("停用时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("接口客户端")
        verbose_name_plural = _("接口客户端")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(authority__isnull=False, school__isnull=True)
                | Q(authority__isnull=True, school__isnull=False),
                name="apiclient_one_unit",
                violation_error_message=_("接口客户端须且只能属于一个部门或一所学校。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def unit(self):
        return self.authority or self.school

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])

    def get_scopes_display(self) -> list[str]:
        labels = dict(Scope.choices)
        return [str(labels.get(s, s)) for s in self.scopes or []]


class ApiKey(models.Model):
    client = models.ForeignKey(
        ApiClient, verbose_name=_("接口客户端"), on_delete=models.PROTECT, related_name="keys"
    )
    # The public part of the key (qg_<prefix>_<secret>): finds the row by index.
    prefix = models.CharField(_("密钥前缀"), max_length=16, unique=True)
    secret_sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("签发时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("到期时间"))
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["last_used_at"])

    class Meta:
        verbose_name = _("接口密钥")
        verbose_name_plural = _("接口密钥")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"qg_{self.prefix}_…"

    def state_on(self, now) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "active"


class ApiCall(models.Model):
    """One call of the API by a client (or by a key that was refused): written once, never
    changed."""

    client = models.ForeignKey(
        ApiClient, null=True, blank=True, on_delete=models.PROTECT, related_name="calls"
    )
    key = models.ForeignKey(
        ApiKey, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    method = models.CharField(_("方法"), max_length=10)
    endpoint = models.CharField(_("接口"), max_length=100)
    path = models.CharField(_("地址"), max_length=300)
    status = models.PositiveSmallIntegerField(_("状态码"))
    at = models.DateTimeField(_("时间"), default=timezone.now)
    duration_ms = models.PositiveIntegerField(_("耗时（毫秒）"), default=0)
    address = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口调用记录")
        verbose_name_plural = _("接口调用记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["client", "-at"], name="apicall_client_at")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.status}"
