"""The demo's good-practice cases (典型案例, policy A-6): four published cases of the three pilot
groups and one of 青岛二中教育集团 submitted and awaiting the city's review, each written,
submitted and published through the real services on its day, with pictures generated at seed
time (small PNGs drawn with Pillow).

Idempotent like the rest of the demo: nothing is done once any case exists."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.practice.models import PracticeCase
from assessments.practice.services import (
    case_attachment_add,
    case_create,
    case_publish,
    case_submit,
)
from groups.registry.models import EducationGroup
from members.models import User
from qingdao_groups.core.rules import RuleRefusal

if TYPE_CHECKING:
    from qingdao_groups.demo.seeder import Seeder

D = datetime.date


@dataclass(frozen=True)
class CasePlan:
    group: str  # the group's code
    author: str  # the demo username who writes and submits it
    title: str
    text: str
    written: datetime.date
    published: datetime.date | None  # None: submitted, awaiting review
    pictures: tuple[tuple[str, tuple[int, int, int]], ...]  # (file name, main colour)
    remarks: str = ""


CASES: tuple[CasePlan, ...] = (
    CasePlan(
        group="QD2019002",
        author="city",
        title="高校、集团、企业三方联动，共育科技创新后备人才",
        text=(
            "青岛五十八中教育集团以“科技创新教育”为特色，联合青岛大学、崂山区青少年科技创新"
            "实践基地和海信集团，建立“高校—集团—企业”三方联动的科创教育共同体。\n\n"
            "一是课程共建。青岛大学教师每学期为集团各校开设大学先修课程和科研方法讲座，海信集团"
            "工程师参与编写《信息技术与编程》校本教材，成员校学生与核心校学生同步选课、同步学习。"
            "\n\n二是平台共享。集团统筹高新校区创新实验室和崂山区实践基地，按周排定开放时间，"
            "成员校学生每学期至少参加两次实验室实践活动，实验设备不再“一校独用”。\n\n"
            "三是导师共育。集团组建由大学教授、企业工程师和骨干教师组成的导师团，实行“双导师”"
            "制，指导学生开展课题研究。三年来，集团学生在青少年科技创新大赛中获国家级奖项6项、"
            "省级奖项41项，其中成员校学生获奖数由每年不足5项增至23项。\n\n"
            "经验启示：科创教育的关键在于打通校内外资源，集团化办学让优质平台和导师资源惠及"
            "每一所成员校。"
        ),
        written=D(2025, 5, 20),
        published=D(2025, 6, 18),
        pictures=(("科创实验室开放日.png", (24, 96, 170)), ("学生课题答辩.png", (38, 140, 110))),
        remarks="做法具体、成效清楚，予以发布。",
    ),
    CasePlan(
        group="QD2019003",
        author="city",
        title="整本书阅读课程集团共建：从一校经验到六校共享",
        text=(
            "青岛实验初级中学教育集团以“阅读素养培育”为特色，将核心校多年积累的整本书阅读课程"
            "向各分校和成员校推广，形成“统一书目、统一课时、统一评价、各校特色”的集团阅读课程"
            "体系。\n\n"
            "集团语文学科中心组每学年确定各年级共读书目，编写导读单和阅读任务群，每周安排一节"
            "阅读课，纳入各校课程表。核心校名师通过“同课异构”“线上直播课堂”等方式，带动成员校"
            "教师共同备课，海泊河小学等成员校同步开展小初衔接阅读活动。\n\n"
            "集团与青岛市图书馆合作，建设流动图书角，图书在六所学校之间定期轮换；每年四月举办"
            "集团“读书节”，学生跨校组建读书小组，开展好书推荐、课本剧展演等活动。\n\n"
            "实施以来，集团学生年人均阅读量由8本提高到15本，成员校语文学业水平考试优秀率平均"
            "提高9个百分点。阅读课程共建已成为集团推进初中育人方式变革的重要抓手。"
        ),
        written=D(2025, 10, 28),
        published=D(2025, 11, 20),
        pictures=(("集团读书节.png", (190, 90, 40)),),
    ),
    CasePlan(
        group="QD2019001",
        author="principal",
        title="派驻执行校长“一长多校”，城乡成员校三年走出发展快车道",
        text=(
            "青岛二中教育集团成员校分布在五个区（市），既有城区学校，也有乡村学校。为破解优质"
            "资源难以辐射到远郊学校的难题，集团自2021年起向莱西市院上中学等成员校派驻执行校长"
            "和骨干教师，实行“核心校统筹、执行校长负责、成员校自主”的管理模式。\n\n"
            "派驻的执行校长每周在成员校工作四天，参与核心校行政例会一天，把核心校的课程方案、"
            "教学常规和评价办法带到成员校，同时结合成员校实际进行调整。集团建立“周教研、月视导、"
            "学期评估”制度，核心校学科组长定期到成员校听课评课，成员校教师到核心校跟岗研修。\n\n"
            "集团还统一调配经费，为成员校建设创新实验室，开设人工智能、海洋科学等特色课程，"
            "让乡村学生同样享有优质课程资源。\n\n"
            "三年来，院上中学教师参加市级以上教学比赛获奖人数增加两倍，学生学业质量进入全市"
            "同类学校前列，本地学生回流明显，办学满意度由76%提高到95%。"
        ),
        written=D(2026, 3, 16),
        published=D(2026, 4, 9),
        pictures=(
            ("执行校长与成员校教师教研.png", (120, 60, 150)),
            ("乡村学校创新实验室.png", (30, 120, 160)),
        ),
    ),
    CasePlan(
        group="QD2019003",
        author="city",
        title="小初衔接“一体化”育人：集团内跨学段教研的探索",
        text=(
            "青岛实验初级中学教育集团吸纳市北区海泊河小学加入后，把小学高年级和初中起始年级"
            "作为一个整体来研究，探索跨学段一体化育人。\n\n"
            "集团成立小初衔接教研组，语文、数学、英语三科教师每月开展一次联合教研，梳理小学"
            "六年级与初中七年级在知识、能力和学习习惯上的衔接点，共同编写衔接课程和学法指导"
            "手册。初中教师走进小学课堂上“体验课”，小学教师到初中跟踪毕业生的学习状况。\n\n"
            "集团还为六年级学生组织“初中生活体验周”，安排社团体验、学长导学和心理辅导，帮助"
            "学生平稳度过升学适应期。\n\n"
            "通过一体化教研，初一新生学习适应期明显缩短，家长对升学衔接工作的满意度达97%。"
        ),
        written=D(2026, 8, 31),
        published=D(2026, 9, 24),
        pictures=(("初中生活体验周.png", (200, 130, 30)),),
    ),
    CasePlan(
        group="QD2019001",
        author="principal",
        title="普职融通：课程互选、学分互认的集团实践",
        text=(
            "青岛二中教育集团与胶州市职业教育中心学校开展普职融通合作，建立课程互选、学分"
            "互认机制，为学生多样化成长搭建通道。\n\n"
            "集团梳理两校课程资源，向普通高中学生开放智能制造、电子商务等职业体验课程，向"
            "职业学校学生开放数学、英语等文化基础课程和大学先修课程。学生跨校选修的课程经考核"
            "合格后，学分记入本校学籍档案。\n\n"
            "两校教师组成联合教研组，共同开发生涯教育课程，开展职业体验日活动。两年来，共有"
            "600余名学生跨校选课，职业学校学生参加春季高考本科录取人数明显增加。"
        ),
        written=D(2026, 11, 18),
        published=None,
        pictures=(("职业体验日.png", (40, 110, 80)),),
    ),
)


def demo_picture(color: tuple[int, int, int], seed: int) -> bytes:
    """A small illustrative PNG (640×360): flat shapes in the case's colour, no text; small
    enough to keep the demo light."""
    from PIL import Image, ImageDraw

    width, height = 640, 360
    light = tuple(min(255, c + (255 - c) * 3 // 4) for c in color)
    image = Image.new("RGB", (width, height), light)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, height * 2 // 3, width, height), fill=tuple(c * 3 // 4 for c in color))
    for i in range(5):
        x = 60 + ((seed * 97 + i * 131) % 520)
        y = 50 + ((seed * 53 + i * 71) % 150)
        r = 24 + (seed + i * 17) % 40
        draw.ellipse((x - r, y - r, x + r, y + r), fill=color)
    for i in range(4):  # a row of buildings: a school seen from afar
        left = 40 + i * 150
        top = 150 + (seed * 29 + i * 41) % 60
        draw.rectangle((left, top, left + 110, height * 2 // 3), fill=(255, 255, 255))
        for row in range(top + 14, height * 2 // 3 - 16, 26):
            for col in range(left + 12, left + 100, 28):
                draw.rectangle((col, row, col + 14, row + 12), fill=light)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


class PracticeSeeder:
    def __init__(self, seeder: Seeder):
        self.seeder = seeder
        self.warn = seeder.warn
        self.users = {
            u.username: u
            for u in User.objects.select_related("school", "authority").filter(
                username__in=["city", "principal"]
            )
        }
        self.groups = {
            g.code: g
            for g in EducationGroup.objects.select_related("core_school").filter(
                code__in={c.group for c in CASES}
            )
        }
        self.now = timezone.now()

    def _moment(self, day: datetime.date, hour: int = 10) -> datetime.datetime:
        moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
        return min(moment, self.now)

    def run(self) -> None:
        if PracticeCase.objects.exists():
            return
        for n, plan in enumerate(CASES):
            try:
                with transaction.atomic():
                    self._case(plan, n)
            except (RuleRefusal, PermissionDenied, ObjectDoesNotExist, KeyError) as exc:
                self.warn(
                    _("跳过演示事项“%(label)s”：%(reason)s")
                    % {"label": plan.title, "reason": getattr(exc, "message", str(exc))}
                )

    def _case(self, plan: CasePlan, n: int) -> None:
        author = self.users[plan.author]
        written = self._moment(plan.written)
        case = case_create(
            group=self.groups[plan.group],
            title=plan.title,
            text=plan.text,
            actor=author,
            now=written,
        )
        for i, (name, color) in enumerate(plan.pictures):
            picture = SimpleUploadedFile(
                name, demo_picture(color, n * 7 + i), content_type="image/png"
            )
            case_attachment_add(case=case, uploaded_file=picture, actor=author, now=written)
        submitted = self._moment(plan.written, 16)
        case = case_submit(case=case, actor=author, now=submitted)
        if plan.published is not None:
            case_publish(
                case=case,
                actor=self.users["city"],
                remarks=plan.remarks,
                now=self._moment(plan.published),
            )
