"""`python manage.py seed_demo`: load the demo registry and its workflows in flight (the
data and the story live in qingdao_groups/demo/)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from assessments.practice.models import PracticeCase
from funding.agreements.models import Agreement, Payment
from funding.awards.models import Award
from funding.dispatches.models import Dispatch
from funding.ledgers.models import Ledger
from funding.rates.models import RateTable
from funding.spending.models import Spending
from funding.staffing.models import StaffingRequest
from groups.applications.models import AdmissionCriterion, Application, Consent
from groups.cards.models import Card
from groups.charter.models import GroupDocument
from groups.enrollment.models import EnrollmentPlan
from groups.filings.models import Filing
from groups.registry.models import (
    CouncilSeat,
    EducationGroup,
    Membership,
    Partnership,
)
from members.models import Authority, Partner, School, User
from qingdao_groups.demo.api import DEMO_API_KEY, demo_api_client
from qingdao_groups.demo.data import DEMO_PASSWORD, USERS, UserPlan, build_plan
from qingdao_groups.demo.seeder import Seeder
from qingdao_groups.demo.two_factor import DEMO_TOTP_SECRET, demo_second_factors
from qingdao_groups.models import Attachment

COUNTED = (
    Authority,
    School,
    Partner,
    User,
    EducationGroup,
    Membership,
    Partnership,
    CouncilSeat,
    GroupDocument,
    AdmissionCriterion,
    Application,
    Consent,
    Attachment,
    Card,
    Filing,
    EnrollmentPlan,
    RateTable,
    Agreement,
    Payment,
    Dispatch,
    Spending,
    Award,
    StaffingRequest,
    Ledger,
    PracticeCase,
)


class Command(BaseCommand):
    help = "Load the demo data (idempotent; refuses to run under the production settings)."

    def handle(self, *args, **options):
        module = getattr(settings, "SETTINGS_MODULE", "") or ""
        if not settings.DEBUG and module.endswith(".production"):
            raise CommandError(
                _("seed_demo 只用于演示和开发环境，不能在生产配置（%(module)s）下运行。")
                % {"module": module}
            )
        started = time.monotonic()
        before = {m: m._default_manager.count() for m in COUNTED}
        plan = build_plan()
        committed: list[bool] = []
        try:
            with transaction.atomic():
                # Registered first, so it runs first after the commit, before the e-mail queueing.
                transaction.on_commit(lambda: committed.append(True))
                Seeder(plan, warn=self._warn).run()
        except Exception as exc:
            if not committed:
                raise
            # The story's notices are saved; only queueing their e-mail copies failed (no broker).
            self._warn(
                _("演示数据已保存，但通知邮件未能送入 Celery 队列（%(error)s）。") % {"error": exc}
            )
        plans = (*USERS, *(plan.story.users if plan.story else ()))
        demo_second_factors(p.username for p in plans)
        elapsed = time.monotonic() - started
        self._summary(before, elapsed, plans)

    def _warn(self, message: str) -> None:
        self.stderr.write(message)

    def _summary(self, before, elapsed: float, plans: tuple[UserPlan, ...]) -> None:
        created = {m: m._default_manager.count() - before[m] for m in COUNTED}
        parts = [f"{m._meta.verbose_name_plural} {created[m]}" for m in COUNTED]
        if any(created.values()):
            self.stdout.write(
                _("演示数据已载入（%(s).1f 秒）。新建：") % {"s": elapsed} + "，".join(parts)
            )
        else:
            self.stdout.write(_("演示数据已存在，未作任何改动（%(s).1f 秒）。") % {"s": elapsed})
        totals = "，".join(
            f"{m._meta.verbose_name_plural} {m._default_manager.count()}" for m in COUNTED
        )
        self.stdout.write(_("当前共有：") + totals)
        self.stdout.write("")
        self.stdout.write(_("演示账号（密码均为 %(password)s）：") % {"password": DEMO_PASSWORD})
        users = {
            u.username: u
            for u in User.objects.select_related("authority", "school").filter(
                username__in=[p.username for p in plans]
            )
        }
        width = max(len(p.username) for p in plans) + 2
        for plan in plans:
            user = users.get(plan.username)
            if user is None:
                continue
            unit = user.authority or user.school or ""
            self.stdout.write(
                f"  {plan.username:<{width}}{user.get_role_display()}"
                + (f" · {unit}" if unit else "")
            )
        client = demo_api_client()
        if client is not None:
            self.stdout.write("")
            self.stdout.write(
                _("演示接口密钥（仅限演示数据，%(unit)s，权限范围 %(scopes)s）：")
                % {"unit": client.authority, "scopes": ", ".join(client.scopes)}
            )
            self.stdout.write(f"  Authorization: Bearer {DEMO_API_KEY}")
        if settings.TWO_FACTOR_ENFORCED:
            self.stdout.write("")
            self.stdout.write(
                _(
                    "两步验证（仅限演示）：工作人员、审计、财政和管理员账号登录后须输入验证码。"
                    "在身份验证器中手动添加密钥 %(secret)s，或运行 "
                    "`.venv/bin/python manage.py demo_code` 查看当前验证码。"
                )
                % {"secret": DEMO_TOTP_SECRET}
            )
