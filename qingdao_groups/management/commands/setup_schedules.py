"""Register the housekeeping beat schedules (django-celery-beat) when they are missing.

Staff may change a schedule in the admin afterwards; running this command again never
overwrites such an edit: a task that already exists (found by its Celery task name, so a
renamed entry counts too) is left exactly as it is.
"""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

CLEAR_SESSIONS_TASK = "qingdao_groups.clear_expired_sessions"
RESET_LOCKOUTS_TASK = "qingdao_groups.reset_expired_login_lockouts"
CARDS_MARK_OVERDUE_TASK = "groups.cards_mark_overdue"
MEMBERSHIPS_END_DUE_TASK = "groups.memberships_end_due"
RELAY_OUTBOX_TASK = "qingdao_groups.relay_outbox"
RELAY_TASK_OUTBOX_TASK = "qingdao_groups.relay_task_outbox"
EXPORTS_PURGE_TASK = "qingdao_groups.exports_purge_expired"
REMINDERS_TASK = "qingdao_groups.reminders_send_due"
AUDIT_RETENTION_TASK = "qingdao_groups.audit_logs_archive_and_prune"


def _daily_0300_shanghai():
    return _daily_shanghai(hour="3", minute="0")


def _daily_0830_shanghai():
    return _daily_shanghai(hour="8", minute="30")


def _daily_0130_shanghai():
    return _daily_shanghai(hour="1", minute="30")


def _daily_0005_shanghai():
    return _daily_shanghai(hour="0", minute="5")


def _daily_shanghai(*, hour: str, minute: str):
    fields = {
        "minute": minute,
        "hour": hour,
        "day_of_week": "*",
        "day_of_month": "*",
        "month_of_year": "*",
        "timezone": settings.TIME_ZONE,  # Asia/Shanghai
    }
    existing = CrontabSchedule.objects.filter(**fields).order_by("pk").first()
    return existing or CrontabSchedule.objects.create(**fields)


def _hourly():
    fields = {"every": 1, "period": IntervalSchedule.HOURS}
    existing = IntervalSchedule.objects.filter(**fields).order_by("pk").first()
    return existing or IntervalSchedule.objects.create(**fields)


def _every_30_seconds():
    fields = {"every": 30, "period": IntervalSchedule.SECONDS}
    existing = IntervalSchedule.objects.filter(**fields).order_by("pk").first()
    return existing or IntervalSchedule.objects.create(**fields)


SCHEDULES = [
    {
        "task": CLEAR_SESSIONS_TASK,
        "name": "清理过期会话 (clear expired sessions)",
        "description": "每天 03:00（北京时间）删除过期的会话。Daily at 03:00 Asia/Shanghai.",
        "schedule": ("crontab", _daily_0300_shanghai),
    },
    {
        "task": RESET_LOCKOUTS_TASK,
        "name": "清除过期的登录锁定记录 (reset expired login lockouts)",
        "description": "每小时清除过期的登录失败记录。Hourly.",
        "schedule": ("interval", _hourly),
    },
    {
        "task": CARDS_MARK_OVERDUE_TASK,
        "name": "标记整改逾期的黄牌 (mark overdue yellow-card rectifications)",
        "description": "每天 03:00（北京时间）将整改期限已过的黄牌标记为逾期并通知（政策 L-6）。"
        "Daily at 03:00 Asia/Shanghai.",
        "schedule": ("crontab", _daily_0300_shanghai),
    },
    {
        "task": MEMBERSHIPS_END_DUE_TASK,
        "name": "成员关系结束生效 (memberships end on their date)",
        "description": "每天 00:05（北京时间）：退出或淘汰生效之日，关闭该成员校未结束的黄牌、"
        "结束其议事机构职务（政策 L-5、L-6、G-3）。Daily at 00:05 Asia/Shanghai; idempotent.",
        "schedule": ("crontab", _daily_0005_shanghai),
    },
    {
        "task": REMINDERS_TASK,
        "name": "待办催办与逾期提醒 (work-list reminders and overdue escalations)",
        "description": "每天 08:30（北京时间）：临近办理期限（3 天内）的待办事项提醒办理人，"
        "已逾期的每天催办并抄送市教育局；同一事项每天至多一次，每次都记入催办记录。"
        "Daily at 08:30 Asia/Shanghai; at most once per item per day.",
        "schedule": ("crontab", _daily_0830_shanghai),
    },
    {
        "task": RELAY_OUTBOX_TASK,
        "name": "发送待发邮件 (relay the outbox)",
        "description": "每 30 秒发送待发的通知邮件；发送失败的按退避时间重试。"
        "Every 30 seconds: send the e-mails waiting in the outbox, retrying failures with "
        "backoff.",
        "schedule": ("interval", _every_30_seconds),
    },
    {
        "task": RELAY_TASK_OUTBOX_TASK,
        "name": "发布待发任务 (relay the task outbox)",
        "description": "每 30 秒把提交时未能交给任务队列的后台任务（导出、全市台账计算等）"
        "交给任务队列；队列恢复后每个任务只运行一次。"
        "Every 30 seconds: publish the background tasks the broker did not take at their "
        "commit.",
        "schedule": ("interval", _every_30_seconds),
    },
    {
        "task": EXPORTS_PURGE_TASK,
        "name": "删除过期的导出文件 (remove expired export files)",
        "description": "每小时删除已过保留期的导出文件（导出任务保留记录，状态为已过期）。"
        "Hourly: remove export files past their expiry.",
        "schedule": ("interval", _hourly),
    },
    {
        "task": AUDIT_RETENTION_TASK,
        "name": "归档并清理过期的登录与接口访问记录 (archive and prune old access logs)",
        "description": "每天 01:30（北京时间）将超过保留期（AUDIT_LOG_RETENTION_DAYS，默认 190 天，"
        "不少于 6 个月）的登录、登录失败和接口调用记录归档为压缩文件后从数据库中删除；"
        "历史记录永久保留。Daily at 01:30 Asia/Shanghai: archive access and login records "
        "older than the retention period to gzip'd JSON lines, then remove them.",
        "schedule": ("crontab", _daily_0130_shanghai),
    },
]


class Command(BaseCommand):
    help = "Create the housekeeping periodic tasks for Celery beat if they do not exist yet."

    def handle(self, *args, **options):
        with transaction.atomic():
            for spec in SCHEDULES:
                existing = PeriodicTask.objects.filter(task=spec["task"]).first()
                if existing is not None:
                    current = (
                        existing.crontab or existing.interval or existing.solar or existing.clocked
                    )
                    self.stdout.write(f"kept     {spec['task']}: {existing.name} ({current})")
                    continue
                kind, make_schedule = spec["schedule"]
                name = spec["name"]
                if PeriodicTask.objects.filter(name=name).exists():
                    # The name is unique; a different task already uses it (staff's choice).
                    name = f"{name} [{spec['task']}]"
                task = PeriodicTask.objects.create(
                    name=name,
                    task=spec["task"],
                    description=spec["description"],
                    enabled=True,
                    **{kind: make_schedule()},
                )
                self.stdout.write(self.style.SUCCESS(f"created  {spec['task']}: {task.name}"))
