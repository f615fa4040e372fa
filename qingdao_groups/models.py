"""Models of the shared parts every feature plugs into: notifications and their outbox, and
attachments (the documents any model can own)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Notification(models.Model):
    """An in-app notice; its e-mail copy waits in the Outbox, written in the same transaction."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    # A message code with its parameters (qingdao_groups/core/messages.py), shown through `text`
    # in the reader's language; older rows hold the text as it was written.
    message = models.TextField(_("内容"))
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # The table keeps the name it had when notifications lived in the groups app.
        db_table = "groups_notification"
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        """The notice in the reader's language."""
        from qingdao_groups.core.messages import render

        return render(self.message)


class SubmissionToken(models.Model):
    """A creating form's one-time token, claimed in the transaction that creates the object, so
    a repeat of the same form (a double click, back-and-resubmit, two identical requests at
    once) finds the object the first one made instead of making another (issue 6). The unique
    index decides between two requests racing on PostgreSQL."""

    token = models.UUIDField(unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    content_type = models.ForeignKey(
        "contenttypes.ContentType", null=True, on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("表单提交凭据")
        verbose_name_plural = _("表单提交凭据")

    def __str__(self) -> str:
        return str(self.token)


class Outbox(models.Model):
    """A message to leave the system (today: one e-mail to one address), written in the same
    transaction as the change it announces and relayed by the worker, so a broker or mail server
    that is down or hung neither slows the request nor loses the message.

    A row is due while `sent_at` is empty and `next_attempt_at` has passed; a failed attempt
    counts in `attempts`, keeps its error in `last_error` and moves `next_attempt_at` on with an
    exponential backoff (see qingdao_groups.core.notifications.relay_outbox)."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("电子邮件")

    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.EMAIL)
    payload = models.JSONField(_("内容"))
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), default=timezone.now)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    last_error = models.TextField(_("最近一次错误"), blank=True)

    class Meta:
        verbose_name = _("待发消息")
        verbose_name_plural = _("待发消息")
        ordering = ["next_attempt_at", "id"]
        indexes = [
            # The relay's query: unsent rows whose time has come, oldest first.
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(sent_at__isnull=True),
                name="outbox_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class TaskOutbox(models.Model):
    """A Celery task to run, written in the same transaction as the change that asks for it
    (qingdao_groups.core.tasks.enqueue), so a broker that is down or hung neither slows the
    request nor loses the task: published right after the commit when the broker answers
    within BROKER_TIMEOUT, else by the relay (beat, every 30 seconds).

    A row is due while `dispatched_at` is empty and `next_attempt_at` has passed; it is marked
    dispatched only after a successful publish. Its message carries the task id
    `task-outbox-<pk>`, by which the worker counts each delivery in `deliveries` and gives the
    task up (`gave_up_at`) once it has been delivered more than TASK_MAX_DELIVERIES times."""

    task = models.CharField(_("任务"), max_length=200)
    kwargs = models.JSONField(_("参数"), default=dict)
    # Optional: while a row with this key waits to be dispatched, enqueueing it again adds
    # nothing (e.g. one pending computation per fiscal year).
    dedup_key = models.CharField(_("去重键"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    attempts = models.PositiveIntegerField(_("发布尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次发布时间"), default=timezone.now)
    dispatched_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    last_error = models.TextField(_("最近一次错误"), blank=True)
    deliveries = models.PositiveIntegerField(_("投递次数"), default=0)
    started_at = models.DateTimeField(_("最近开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    gave_up_at = models.DateTimeField(_("放弃时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("待发任务")
        verbose_name_plural = _("待发任务")
        ordering = ["next_attempt_at", "id"]
        indexes = [
            # The relay's query: rows not yet dispatched whose time has come, oldest first.
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(dispatched_at__isnull=True),
                name="task_outbox_due_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["dedup_key"],
                condition=Q(dispatched_at__isnull=True) & ~Q(dedup_key=""),
                name="task_outbox_one_pending_per_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task} #{self.pk}"


class Attachment(models.Model):
    """An uploaded file of any owner (an application, a card, a filing; next, funding and
    assessment records), versioned per owner and kind, stored under a generated name outside the
    static path. Who may see and add it is the owner's own rule, registered with
    qingdao_groups.core.documents.register_document_owner."""

    class Kind(models.TextChoices):
        PLAN = "plan", _("集团化办学方案")
        AGREEMENT = "agreement", _("合作办学协议")
        CHARTER = "charter", _("集团章程")
        EVIDENCE = "evidence", _("证明材料")
        RECTIFICATION = "rectification", _("整改材料")
        POLICY = "policy", _("政策文件")
        RECEIPT = "receipt", _("支出凭证")
        OTHER = "other", _("其他")

    owner_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    owner_id = models.PositiveBigIntegerField()
    owner = GenericForeignKey("owner_type", "owner_id")
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    version = models.PositiveIntegerField(_("版本"), default=1)
    file = models.FileField(_("文件"), upload_to="attachments/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=255)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)
    text = models.TextField(_("提取的文本"), blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    # The tables keep the names they had when attachments lived in the groups app.
    history = HistoricalRecords(table_name="groups_historicalattachment")

    class Meta:
        db_table = "groups_attachment"
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["kind", "-version", "-id"]
        indexes = [
            models.Index(fields=["owner_type", "owner_id", "kind"], name="attachment_owner_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}: {self.original_name}"


class ExportJob(models.Model):
    """A large export written by the worker (issue 8): who asked, which list with which filters,
    the format and language, how far it got, and the file (under MEDIA_ROOT/exports/, sent only
    to the person who asked, removed when it expires by the beat task
    `qingdao_groups.exports_purge_expired`)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("正在生成")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")
        EXPIRED = "expired", _("已过期")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs"
    )
    key = models.CharField(_("导出内容"), max_length=30)
    params = models.JSONField(_("筛选条件"), default=dict, blank=True)
    fmt = models.CharField(_("格式"), max_length=4)
    language = models.CharField(_("语言"), max_length=10, default="zh-hans")
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("总行数"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("已写行数"), default=0)
    file = models.FileField(_("文件"), upload_to="exports/%Y/%m/", blank=True)
    filename = models.CharField(_("文件名"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    expires_at = models.DateTimeField(_("过期时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="exportjob_user_created"),
            models.Index(fields=["expires_at"], name="exportjob_expires"),
        ]

    def __str__(self) -> str:
        return f"{self.key}.{self.fmt} #{self.pk}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)


class ExportRecord(models.Model):
    """What someone took away (issue 10, policy A-1): every export of a list (streamed or by a
    background job) and every download of an official document or a file by a read-only
    role, with who, what, the filters, the format, when and how many rows. Written once by
    `core.audit.export_record_add`, never changed; its history row puts it in the audit log
    (the person is the history's user, the moment its date)."""

    class Kind(models.TextChoices):
        LIST = "list", _("列表导出")
        DOCUMENT = "document", _("公文下载")
        FILE = "file", _("附件下载")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="export_records"
    )
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    key = models.CharField(_("导出内容"), max_length=60)
    label = models.CharField(_("对象"), max_length=300, blank=True)
    params = models.JSONField(_("筛选条件"), default=dict, blank=True)
    fmt = models.CharField(_("格式"), max_length=4)
    rows = models.PositiveIntegerField(_("行数"), null=True, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("导出记录")
        verbose_name_plural = _("导出记录")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="exportrecord_user_created"),
        ]

    def __str__(self) -> str:
        return f"{self.key}.{self.fmt} #{self.pk}"


class Reminder(models.Model):
    """One reminder (催办) about an item that waits for someone: to whom (the unit, school or
    role whose turn it is), by whom (None: the system's daily run), when, whether by hand or
    automatically, and whether the item was overdue then (an escalation, copied to the city
    bureau). Written by qingdao_groups.core.reminders only; never changed."""

    owner_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    owner_id = models.PositiveBigIntegerField()
    owner = GenericForeignKey("owner_type", "owner_id")
    recipient = models.CharField(_("催办对象"), max_length=300)
    recipient_count = models.PositiveIntegerField(_("收件人数"), default=0)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("催办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("催办时间"), default=timezone.now)
    day = models.DateField(_("催办日期"))
    automatic = models.BooleanField(_("自动催办"), default=False)
    overdue = models.BooleanField(_("已逾期"), default=False)
    deadline = models.DateField(_("办理期限"), null=True, blank=True)

    class Meta:
        verbose_name = _("催办记录")
        verbose_name_plural = _("催办记录")
        ordering = ["-sent_at", "-id"]
        indexes = [
            models.Index(fields=["owner_type", "owner_id", "sent_at"], name="reminder_owner_idx"),
            models.Index(fields=["day", "automatic"], name="reminder_day_idx"),
        ]
        constraints = [
            # Manual reminders: one per item per day per sender; the daily run: one per item per
            # day, whatever the number of runs (the database decides between racing requests).
            models.UniqueConstraint(
                fields=["owner_type", "owner_id", "sent_by", "day"],
                condition=Q(automatic=False),
                name="reminder_manual_once_a_day",
            ),
            models.UniqueConstraint(
                fields=["owner_type", "owner_id", "day"],
                condition=Q(automatic=True),
                name="reminder_automatic_once_a_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} {self.day}"


class DocumentNumberPattern(models.Model):
    """How an authority numbers the official documents it issues (文号), e.g.
    "青教发〔{year}〕{n}号": `{year}` the year of issue, `{n}` the serial within it (a format spec
    such as `{n:03d}` is allowed). Edited in the admin; an authority without a row numbers by
    the default its name suggests (qingdao_groups.core.archive.default_pattern)."""

    authority = models.OneToOneField(
        "members.Authority",
        verbose_name=_("发文机关"),
        on_delete=models.CASCADE,
        related_name="document_number_pattern",
    )
    pattern = models.CharField(
        _("文号格式"),
        max_length=60,
        help_text=_("{year} 为年份，{n} 为当年顺序号，例如：青教发〔{year}〕{n}号"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("文号格式")
        verbose_name_plural = _("文号格式")

    def __str__(self) -> str:
        return self.pattern

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from qingdao_groups.core.archive import pattern_problem

        problem = pattern_problem(self.pattern)
        if problem:
            raise ValidationError({"pattern": problem})


class DocumentNumberCounter(models.Model):
    """The last serial an authority gave in a year. Numbers are taken under a row lock in the
    transaction that archives the document, so they never repeat and never skip."""

    authority = models.ForeignKey("members.Authority", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("文号顺序号")
        verbose_name_plural = _("文号顺序号")
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "year"], name="document_number_counter_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.authority_id}/{self.year}: {self.last}"


class ImmutableDocument(Exception):
    """An archived official document is never changed or deleted."""


class OfficialDocumentQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableDocument("archived official documents are never changed")

    def delete(self):
        raise ImmutableDocument("archived official documents are never deleted")


class OfficialDocumentManager(models.Manager.from_queryset(OfficialDocumentQuerySet)):  # type: ignore[misc]
    def get_queryset(self):
        # The PDF bytes are read only by the download.
        return super().get_queryset().defer("pdf")


class OfficialDocument(models.Model):
    """An issued official document (批复, 备案回执; next, reports and ledgers): archived once when
    it is issued, never changed. It keeps the PDF as issued, its SHA-256, its number (文号)
    from the issuing authority's sequence, a short verification code for /verify/<code>, and
    the data it was rendered from. Its owner is any model (an application, a filing); the
    owner's feature registers the kind and who may read it
    (qingdao_groups.core.archive.register_document_kind)."""

    owner_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    owner_id = models.PositiveBigIntegerField()
    owner = GenericForeignKey("owner_type", "owner_id")
    kind = models.CharField(_("文件类别"), max_length=40)
    authority = models.ForeignKey(
        "members.Authority",
        verbose_name=_("发文机关"),
        on_delete=models.PROTECT,
        related_name="official_documents",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    serial = models.PositiveIntegerField(_("顺序号"))
    number = models.CharField(_("文号"), max_length=100)
    title = models.CharField(_("标题"), max_length=300)
    addressee = models.CharField(_("主送"), max_length=200, blank=True)
    issued_on = models.DateField(_("成文日期"))
    issued_at = models.DateTimeField(_("签发时间"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签发人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    code = models.CharField(_("核验码"), max_length=16, unique=True)
    pdf = models.BinaryField(_("PDF 文件"))
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField("SHA-256", max_length=64)
    template = models.CharField(_("模板"), max_length=200)
    data = models.JSONField(_("成文数据"), default=dict)

    objects = OfficialDocumentManager()

    class Meta:
        verbose_name = _("正式文件")
        verbose_name_plural = _("正式文件")
        ordering = ["-issued_at", "-id"]
        base_manager_name = "objects"
        constraints = [
            models.UniqueConstraint(
                fields=["owner_type", "owner_id", "kind"], name="official_document_once"
            ),
            models.UniqueConstraint(
                fields=["authority", "year", "serial"], name="official_document_number_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableDocument(f"{self.number} is archived and cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableDocument(f"{self.number} is archived and cannot be deleted")
