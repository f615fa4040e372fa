"""The API's endpoints (issue 11): thin, like the pages — read through the features' selectors,
write through their services with the same `Decision`s, versions and one-time tokens
(`Idempotency-Key`), answer refusals as problem+json (api.errors)."""

import datetime
import uuid

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from api import filters
from api import serializers as s
from api.base import ApiListView, ApiView, SharedRegistryList
from api.models import Scope
from api.scopes import require_owner_scope
from api.selectors import groups_as_of, ledger_list_for_user, report_list_for_user
from assessments.reports.models import Report
from funding.ledgers.models import Ledger
from groups.applications.models import Application
from groups.applications.selectors import application_list_for_user
from groups.cards.models import Card
from groups.cards.selectors import card_list_visible
from groups.enrollment.models import EnrollmentPlan
from groups.enrollment.permissions import can_file_enrollment_plan
from groups.enrollment.selectors import enrollment_plan_list_for_user
from groups.enrollment.services import enrollment_plan_file
from groups.filings.models import Filing
from groups.filings.permissions import can_create_filing, can_upload_to_filing
from groups.filings.selectors import filing_get_for_user, filing_list_for_user
from groups.filings.services import filing_attachment_add, filing_create
from groups.registry.models import EducationGroup
from groups.registry.selectors import group_get_for_user, school_memberships
from members.models import Authority, School
from members.selectors import school_get_for_user, school_list_for_user
from qingdao_groups.core.archive import document_get_for_user, document_response
from qingdao_groups.core.documents import attachment_get_for_user, attachment_response
from qingdao_groups.core.forms import DATE_MIN
from qingdao_groups.core.rules import require
from qingdao_groups.core.submissions import once
from qingdao_groups.core.uploads import EXTENSIONS as UPLOAD_TYPES
from qingdao_groups.core.uploads import UploadRejected, upload_limit_bytes, validate_upload

READ = (Scope.REGISTRY_READ.value,)
DOCUMENT_READ = (
    Scope.REGISTRY_READ.value,
    Scope.FILINGS_WRITE.value,
    Scope.REPORTS_READ.value,
    Scope.LEDGERS_READ.value,
)

AS_OF = OpenApiParameter(
    "as_of",
    OpenApiTypes.DATE,
    description=_l("成员名单所依据的日期（YYYY-MM-DD），默认今天（政策 G-1）"),
)
IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.UUID,
    location=OpenApiParameter.HEADER,
    description=_l("一次性令牌（UUID）：同一令牌重复提交只办理一次，返回第一次的结果"),
)


def _as_of(request) -> datetime.date:
    raw = request.query_params.get("as_of")
    if not raw:
        return timezone.localdate()
    try:
        day = datetime.date.fromisoformat(raw)
    except ValueError:
        raise serializers.ValidationError(
            {"as_of": [_("日期格式应为 YYYY-MM-DD，如 2025-09-01。")]}
        ) from None
    latest = timezone.localdate() + datetime.timedelta(days=3650)
    if not DATE_MIN <= day <= latest:
        raise serializers.ValidationError(
            {"as_of": [_("日期应在 %(a)s 至 %(b)s 之间。") % {"a": DATE_MIN, "b": latest}]}
        )
    return day


def _token(request) -> uuid.UUID | None:
    raw = request.headers.get("Idempotency-Key")
    if not raw:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise serializers.ValidationError(
            {"Idempotency-Key": [_("Idempotency-Key 应为 UUID。")]}
        ) from None


def _checked_file(file, field: str = "file"):
    if file:
        try:
            validate_upload(file, max_bytes=upload_limit_bytes())
        except UploadRejected as exc:
            raise serializers.ValidationError({field: [str(exc.message)]}) from exc
    return file


# --- registry ----------------------------------------------------------------------------------


@extend_schema(
    tags=[_l("名册")],
    summary=_l("教育行政部门"),
    description=_l("市教育局与各区（市）教育行政部门。"),
)
class AuthorityList(ApiListView):
    queryset = Authority.objects.none()  # the schema's model; rows come from get_queryset
    scopes = {"read": READ}
    serializer_class = s.AuthoritySerializer

    def get_queryset(self):
        return Authority.objects.education().select_related("district")


@extend_schema(
    tags=[_l("名册")],
    summary=_l("学校"),
    description=_l("调用方可见的学校（与页面相同的范围）：区（市）看本部门主管和本区的学校。"),
)
class SchoolList(SharedRegistryList, ApiListView):
    queryset = School.objects.none()  # the schema's model; rows come from get_queryset
    scopes = {"read": READ}
    serializer_class = s.SchoolSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = filters.SchoolFilter

    def get_queryset(self):
        return school_list_for_user(user=self.request.user)


@extend_schema(tags=[_l("名册")], summary=_l("一所学校"))
class SchoolDetail(ApiView):
    scopes = {"read": READ}
    serializer_class = s.SchoolSerializer

    def get(self, request, school_id: int):
        school = school_get_for_user(user=request.user, school_id=school_id)
        return Response(self.get_serializer(school).data)


@extend_schema(
    tags=[_l("名册")],
    summary=_l("学校的集团成员历史"),
    description=_l("该校在各集团的全部成员记录，最新在前（政策 G-1）。"),
    responses=s.MembershipHistorySerializer(many=True),
)
class SchoolMemberships(ApiView):
    scopes = {"read": READ}
    serializer_class = s.MembershipHistorySerializer
    clause = "G-1"

    def get(self, request, school_id: int):
        school = school_get_for_user(user=request.user, school_id=school_id)
        rows = school_memberships(school=school)
        return Response(self.get_serializer(rows, many=True).data)


@extend_schema(
    tags=[_l("名册")],
    summary=_l("教育集团及其某日的成员"),
    description=_l("调用方可见的集团，每个集团附 as_of 当日在册的核心校与成员校（政策 G-1）。"),
    parameters=[AS_OF],
)
class GroupList(SharedRegistryList, ApiListView):
    queryset = EducationGroup.objects.none()  # the schema's model; rows come from get_queryset
    scopes = {"read": READ}
    serializer_class = s.GroupSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = filters.GroupFilter
    clause = "G-1"

    _day = None

    def get_queryset(self):
        return groups_as_of(user=self.request.user, day=self._day or timezone.localdate())

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "as_of": self._day or timezone.localdate()}

    def scope_day(self):
        return self._day  # the groups seen on the as_of day

    def list(self, request, *args, **kwargs):
        self._day = _as_of(request)
        return super().list(request, *args, **kwargs)


@extend_schema(tags=[_l("名册")], summary=_l("一个教育集团及其某日的成员"), parameters=[AS_OF])
class GroupDetail(ApiView):
    scopes = {"read": READ}
    serializer_class = s.GroupSerializer
    clause = "G-1"

    def get(self, request, group_id: int):
        day = _as_of(request)
        group = group_get_for_user(user=request.user, group_id=group_id, today=day)
        group.members_on_day = [m for m in group.memberships.all() if m.is_active_on(day)]
        group.members_on_day.sort(key=lambda m: (m.role, m.joined_on, m.pk))
        return Response(self.get_serializer(group, context={"as_of": day, "request": request}).data)


@extend_schema(tags=[_l("名册")], summary=_l("成立、加入、退出申请及其状态"))
class ApplicationList(ApiListView):
    queryset = Application.objects.none()  # the schema's model; rows come from get_queryset
    scopes = {"read": READ}
    serializer_class = s.ApplicationSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = filters.ApplicationFilter
    clause = "L-1"

    def get_queryset(self):
        return application_list_for_user(user=self.request.user)


@extend_schema(tags=[_l("名册")], summary=_l("黄牌与红牌（政策 L-6）"))
class CardList(ApiListView):
    queryset = Card.objects.none()  # the schema's model; rows come from get_queryset
    scopes = {"read": READ}
    serializer_class = s.CardSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = filters.CardFilter
    clause = "L-6"

    def get_queryset(self):
        return card_list_visible(user=self.request.user)


# --- filings (D-1, D-2, L-2) ---------------------------------------------------------------------


class FilingList(ApiListView):
    queryset = Filing.objects.none()  # the schema's model; rows come from get_queryset
    scopes = {"read": (*READ, Scope.FILINGS_WRITE.value), "write": (Scope.FILINGS_WRITE.value,)}
    serializer_class = s.FilingSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = filters.FilingFilter
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    clause = "D-1"

    def get_queryset(self):
        return filing_list_for_user(user=self.request.user).prefetch_related("attachments")

    @extend_schema(tags=[_l("报备")], summary=_l("报备列表（政策 D-1、D-2、L-2）"))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=[_l("报备")],
        summary=_l("向市教育局报备（政策 D-1、D-2）"),
        description=_l(
            "区（市）教育行政部门报备配套政策（D-1）或改革创新项目（D-2，须在项目开始前报备，"
            "否则标记为未提前报备）。可同时上传一份材料（multipart/form-data）。"
            "与页面走同一业务规则；带 Idempotency-Key 时重复提交只办理一次。"
        ),
        request={
            "multipart/form-data": s.FilingCreateSerializer,
            "application/json": s.FilingCreateSerializer,
        },
        parameters=[IDEMPOTENCY],
        responses={201: s.FilingSerializer, 200: s.FilingSerializer},
    )
    def post(self, request):
        require(can_create_filing(request.user))
        form = s.FilingCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        file = _checked_file(data.get("file"))

        def create():
            return filing_create(
                kind=data["kind"],
                title=data["title"],
                description=data.get("description", ""),
                project_starts_on=data.get("project_starts_on"),
                file=file,
                file_kind=data.get("file_kind", ""),
                actor=request.user,
            )

        filing, created = once(_token(request), request.user, create)
        filing = filing_get_for_user(user=request.user, filing_id=filing.pk)
        return Response(
            s.FilingSerializer(filing, context={"request": request}).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
            headers={"Location": reverse("api:filing-detail", args=[filing.pk])},
        )


@extend_schema(tags=[_l("报备")], summary=_l("一件报备及其材料"))
class FilingDetail(ApiView):
    scopes = {"read": (*READ, Scope.FILINGS_WRITE.value)}
    serializer_class = s.FilingSerializer
    clause = "D-1"

    def get(self, request, filing_id: int):
        filing = filing_get_for_user(user=request.user, filing_id=filing_id)
        return Response(self.get_serializer(filing).data)


class FilingDocuments(ApiView):
    scopes = {"write": (Scope.FILINGS_WRITE.value,)}
    serializer_class = s.FilingDocumentSerializer
    parser_classes = [MultiPartParser, FormParser]
    clause = "D-1"

    @extend_schema(
        tags=[_l("报备")],
        summary=_l("为报备补充材料"),
        description=_l("报备部门在报备待确认或被退回时上传材料（政策 D-1、D-2、L-2）。"),
        request={"multipart/form-data": s.FilingDocumentSerializer},
        parameters=[IDEMPOTENCY],
        responses={201: s.AttachmentSerializer, 200: s.AttachmentSerializer},
    )
    def post(self, request, filing_id: int):
        filing = filing_get_for_user(user=request.user, filing_id=filing_id)
        if not request.user.acts_for_authority(filing.authority_id):
            raise PermissionDenied(can_upload_to_filing(request.user, filing).reason)
        form = s.FilingDocumentSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        file = _checked_file(form.validated_data["file"])
        attachment, created = once(
            _token(request),
            request.user,
            lambda: filing_attachment_add(
                filing=filing,
                kind=form.validated_data["kind"],
                uploaded_file=file,
                actor=request.user,
            ),
        )
        return Response(
            s.AttachmentSerializer(attachment).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


# --- enrollment plans (L-7) ----------------------------------------------------------------------


class EnrollmentPlanList(ApiListView):
    queryset = EnrollmentPlan.objects.none()  # the schema's model; rows come from get_queryset
    scopes = {"read": (*READ, Scope.PLANS_WRITE.value), "write": (Scope.PLANS_WRITE.value,)}
    serializer_class = s.EnrollmentPlanSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = filters.EnrollmentPlanFilter
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    clause = "L-7"

    def get_queryset(self):
        return enrollment_plan_list_for_user(user=self.request.user)

    @extend_schema(tags=[_l("招生计划")], summary=_l("招生计划列表（政策 L-7）"))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=[_l("招生计划")],
        summary=_l("报送本校招生计划（一校一案，政策 L-7）"),
        description=_l(
            "学校系统为本校报送某年度招生计划，待主管部门核定；每校每年一份，被退回的可重新报送。"
        ),
        request=s.EnrollmentPlanCreateSerializer,
        parameters=[IDEMPOTENCY],
        responses={201: s.EnrollmentPlanSerializer, 200: s.EnrollmentPlanSerializer},
    )
    def post(self, request):
        user = request.user
        school = user.school if user.school_id else School()
        require(can_file_enrollment_plan(user, school))
        form = s.EnrollmentPlanCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        year = data.pop("year")
        plan, created = once(
            _token(request),
            user,
            lambda: enrollment_plan_file(school=school, year=year, actor=user, **data),
        )
        return Response(
            s.EnrollmentPlanSerializer(plan).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


# --- ledgers and reports -------------------------------------------------------------------------


@extend_schema(
    tags=[_l("经费与评估")], summary=_l("经费台账（政策 F-1 至 F-4），金额为精确到分的字符串")
)
class LedgerList(ApiListView):
    queryset = Ledger.objects.none()  # the schema's model; rows come from get_queryset
    scopes = {"read": (Scope.LEDGERS_READ.value,)}
    serializer_class = s.LedgerSerializer
    clause = "F-3"

    def get_queryset(self):
        return ledger_list_for_user(user=self.request.user)


@extend_schema(
    tags=[_l("经费与评估")],
    summary=_l("已发布的评估报告（政策 A-1）"),
    description=_l("每份报告附归档 PDF 的下载地址、SHA-256 和验证码。"),
)
class ReportList(ApiListView):
    queryset = Report.objects.none()  # the schema's model; rows come from get_queryset
    scopes = {"read": (Scope.REPORTS_READ.value,)}
    serializer_class = s.ReportSerializer
    clause = "A-1"

    def get_queryset(self):
        return report_list_for_user(user=self.request.user)


@extend_schema(
    tags=[_l("经费与评估")],
    summary=_l("下载归档公文 PDF（评估报告、批复、备案回执）"),
    description=_l(
        "所需权限范围取决于公文所属：评估报告须 reports:read；经费台账结算单须 ledgers:read；"
        "备案回执须 registry:read 或 filings:write；批复须 registry:read。"
    ),
    responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)},
)
class DocumentDownload(ApiView):
    scopes = {"read": DOCUMENT_READ}

    def get(self, request, document_id: int):
        # Whether the caller may see it first (404), then whether its key's scope covers it.
        document = document_get_for_user(request.user, document_id)
        require_owner_scope(request, document.owner_type.model)
        return document_response(request.user, document_id)


@extend_schema(
    tags=[_l("报备")],
    summary=_l("下载附件（如报备材料）"),
    description=_l(
        "所需权限范围取决于附件所属：报备材料须 registry:read 或 filings:write；"
        "评估的（评分佐证、实践案例）须 reports:read；经费的（协议、支出）须 ledgers:read；"
        "其余（申请、黄红牌）须 registry:read。"
    ),
    # The file as it was uploaded: one of the accepted types (qingdao_groups.core.uploads).
    responses={(200, ct): OpenApiResponse(OpenApiTypes.BINARY) for ct in UPLOAD_TYPES},
)
class AttachmentDownload(ApiView):
    scopes = {"read": DOCUMENT_READ}

    def get(self, request, attachment_id: int):
        attachment = attachment_get_for_user(request.user, attachment_id)
        require_owner_scope(request, attachment.owner_type.model)
        return attachment_response(request.user, attachment_id)
