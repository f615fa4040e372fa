"""The API's shapes (issue 11). Every field carries a Chinese description (its model's verbose
name and help text unless stated), so the schema at /api/schema/ documents itself; English
readers get the same through `Accept-Language: en` on the schema."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assessments.reports.models import Report
from funding.ledgers.models import Ledger
from groups.applications.models import Application
from groups.cards.models import Card
from groups.enrollment.models import EnrollmentPlan
from groups.filings.models import Filing
from groups.registry.models import EducationGroup, Membership
from members.models import Authority, School
from qingdao_groups.models import Attachment

# The choices a district files itself (D-1, D-2) and the kinds of its documents: named here so the
# schema's enums have names of their own (SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]).
FILABLE_KINDS = [(k.value, k.label) for k in (Filing.Kind.POLICY, Filing.Kind.PROJECT)]
DOCUMENT_KINDS = [(k.value, k.label) for k in (Attachment.Kind.POLICY, Attachment.Kind.OTHER)]


# Fills each field's description from its label where none is given. (A comment, not a
# docstring: the schema took the docstring as the description of every serializer built on it.)
class Described(serializers.ModelSerializer):
    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            if not field.help_text and field.label:
                field.help_text = field.label
        return fields


class AuthoritySerializer(Described):
    district = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text=_("所在区（市）代码")
    )

    class Meta:
        model = Authority
        fields = ["id", "code", "name", "kind", "district"]


class SchoolSerializer(Described):
    authority = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text=_("主管教育行政部门代码")
    )
    district = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text=_("所在区（市）代码")
    )

    class Meta:
        model = School
        fields = ["id", "code", "name", "stage", "nature", "is_weak", "authority", "district"]


class SchoolBrief(Described):
    class Meta:
        model = School
        fields = ["id", "code", "name"]


class MemberSerializer(Described):
    school = SchoolBrief(read_only=True, help_text=_("学校"))

    class Meta:
        model = Membership
        fields = [
            "id",
            "school",
            "role",
            "relation_type",
            "relation_subtype",
            "joined_on",
            "left_on",
            "end_reason",
        ]


class GroupSerializer(Described):
    core_school = SchoolBrief(read_only=True, help_text=_("核心校（政策 G-1）"))
    authority = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text=_("审批部门代码")
    )
    as_of = serializers.SerializerMethodField(help_text=_("成员名单所依据的日期（as_of 参数）"))
    members = serializers.SerializerMethodField(
        help_text=_("该日期在册的核心校与成员校（政策 G-1），按身份与加入日期排序")
    )

    class Meta:
        model = EducationGroup
        fields = [
            "id",
            "code",
            "name",
            "status",
            "founded_on",
            "dissolved_on",
            "specialty",
            "core_school",
            "authority",
            "as_of",
            "members",
        ]

    def get_as_of(self, group) -> str:
        return self.context["as_of"].isoformat()

    @extend_schema_field(MemberSerializer(many=True))
    def get_members(self, group):
        # MemberSerializer's shape written out: through DRF's fields a district's members took
        # more time than the rest of the list (issue 11's bench);
        # tests/api/test_api_query_counts.py checks that both give the same.
        return [member_row(m) for m in getattr(group, "members_on_day", [])]


def _day(value) -> str | None:
    return value.isoformat() if value is not None else None


def member_row(m: Membership) -> dict:
    """What MemberSerializer(m).data holds, without building its fields."""
    school = m.school
    return {
        "id": m.pk,
        "school": {"id": school.pk, "code": school.code, "name": school.name},
        "role": m.role,
        "relation_type": m.relation_type,
        "relation_subtype": m.relation_subtype,
        "joined_on": _day(m.joined_on),
        "left_on": _day(m.left_on),
        "end_reason": m.end_reason,
    }


class MembershipHistorySerializer(Described):
    group = serializers.SerializerMethodField(help_text=_("教育集团"))

    class Meta:
        model = Membership
        fields = [
            "id",
            "group",
            "role",
            "relation_type",
            "relation_subtype",
            "joined_on",
            "left_on",
            "end_reason",
        ]

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "code": {"type": "string"},
                "name": {"type": "string"},
            },
        }
    )
    def get_group(self, m):
        return {"id": m.group_id, "code": m.group.code, "name": m.group.name}


class ApplicationSerializer(Described):
    applicant_school = SchoolBrief(read_only=True, help_text=_("申请学校"))
    group = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text=_("教育集团编号")
    )
    deciding_authority = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text=_("审批部门代码")
    )

    class Meta:
        model = Application
        fields = [
            "id",
            "kind",
            "status",
            "applicant_school",
            "group",
            "deciding_authority",
            "proposed_name",
            "submitted_at",
            "decided_at",
            "version",
        ]


class CardSerializer(Described):
    school = serializers.SerializerMethodField(help_text=_("受牌学校"))
    group = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text=_("教育集团编号")
    )

    class Meta:
        model = Card
        fields = [
            "id",
            "level",
            "status",
            "ground",
            "group",
            "school",
            "deadline",
            "issued_at",
            "closed_at",
        ]

    @extend_schema_field(SchoolBrief)
    def get_school(self, card):
        return SchoolBrief(card.membership.school).data


class AttachmentSerializer(Described):
    download = serializers.SerializerMethodField(help_text=_("下载地址（需登录或接口密钥）"))

    class Meta:
        model = Attachment
        fields = [
            "id",
            "kind",
            "original_name",
            "version",
            "size",
            "sha256",
            "uploaded_at",
            "download",
        ]

    def get_download(self, a) -> str:
        return reverse("api:attachment-download", args=[a.pk])


class FilingSerializer(Described):
    authority = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text=_("报备部门代码")
    )
    group = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text=_("成立集团报备的集团编号")
    )
    is_late = serializers.BooleanField(
        read_only=True, help_text=_("改革创新项目未提前报备（政策 D-2）")
    )
    documents = AttachmentSerializer(
        source="attachments", many=True, read_only=True, help_text=_("报备材料")
    )

    class Meta:
        model = Filing
        fields = [
            "id",
            "kind",
            "title",
            "description",
            "project_starts_on",
            "filed_on",
            "first_filed_on",
            "status",
            "remarks",
            "is_late",
            "authority",
            "group",
            "handled_at",
            "version",
            "documents",
        ]


class FilingCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=FILABLE_KINDS,
        help_text=_(
            "类别：policy 配套政策（政策 D-1）；project 改革创新项目（政策 D-2，须在开始前报备）"
        ),
    )
    title = serializers.CharField(max_length=200, help_text=_("标题"))
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=20000, help_text=_("内容摘要")
    )
    project_starts_on = serializers.DateField(
        required=False, allow_null=True, help_text=_("项目开始日期（改革创新项目必填，政策 D-2）")
    )
    file = serializers.FileField(
        required=False, allow_null=True, help_text=_("报备材料（PDF、Word 等，可选）")
    )
    file_kind = serializers.ChoiceField(
        required=False,
        choices=DOCUMENT_KINDS,
        help_text=_("材料类别：policy 政策文本；other 其他材料"),
    )


class FilingDocumentSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=DOCUMENT_KINDS,
        help_text=_("材料类别：policy 政策文本；other 其他材料"),
    )
    file = serializers.FileField(help_text=_("文件"))


class EnrollmentPlanSerializer(Described):
    school = SchoolBrief(read_only=True, help_text=_("学校"))

    class Meta:
        model = EnrollmentPlan
        fields = [
            "id",
            "school",
            "year",
            "places",
            "classes",
            "catchment",
            "method",
            "through_training",
            "gifted_programme",
            "visiting_study",
            "notes",
            "status",
            "remarks",
            "filed_at",
            "version",
        ]


class EnrollmentPlanCreateSerializer(serializers.Serializer):
    year = serializers.IntegerField(help_text=_("招生年度"))
    places = serializers.IntegerField(min_value=0, max_value=100000, help_text=_("计划招生人数"))
    classes = serializers.IntegerField(min_value=0, max_value=1000, help_text=_("计划班数"))
    catchment = serializers.CharField(max_length=20000, help_text=_("招生范围"))
    method = serializers.ChoiceField(choices=EnrollmentPlan.Method.choices, help_text=_("招生方式"))
    through_training = serializers.BooleanField(
        required=False, default=False, help_text=_("贯通培养")
    )
    gifted_programme = serializers.BooleanField(
        required=False, default=False, help_text=_("拔尖创新人才培养")
    )
    visiting_study = serializers.BooleanField(required=False, default=False, help_text=_("访学"))
    notes = serializers.CharField(
        required=False, allow_blank=True, max_length=20000, help_text=_("说明")
    )


class LedgerSerializer(Described):
    group = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text=_("教育集团编号")
    )
    authority = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text=_("付款部门代码")
    )
    total = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        coerce_to_string=True,
        read_only=True,
        help_text=_("合计（元），精确到分，以字符串表示"),
    )

    class Meta:
        model = Ledger
        fields = [
            "id",
            "group",
            "authority",
            "fiscal_year",
            "sequence",
            "status",
            "total",
            "line_count",
            "digest",
            "computed_at",
            "confirmed_at",
            "locked_at",
            "version",
        ]


class ReportSerializer(Described):
    group = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text=_("教育集团编号")
    )
    authority = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text=_("区（市）代码（汇总报告）")
    )
    cycle = serializers.SerializerMethodField(help_text=_("评估周期"))
    pdf = serializers.SerializerMethodField(
        help_text=_("归档 PDF：下载地址、SHA-256 与验证码（在 /verify/<验证码> 核验）")
    )

    class Meta:
        model = Report
        fields = ["id", "cycle", "scope", "group", "authority", "number", "generated_at", "pdf"]

    @extend_schema_field(
        {
            "type": "object",
            "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
        }
    )
    def get_cycle(self, report):
        return {"id": report.cycle_id, "name": report.cycle.name}

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {
                "url": {"type": "string"},
                "sha256": {"type": "string"},
                "code": {"type": "string"},
                "verify": {"type": "string"},
                "number": {"type": "string"},
            },
        }
    )
    def get_pdf(self, report):
        docs = list(report.documents.all())
        if not docs:
            return None
        doc = docs[0]
        return {
            "url": reverse("api:document-download", args=[doc.pk]),
            "sha256": doc.sha256,
            "code": doc.code,
            "verify": reverse("verify", kwargs={"code": doc.code}),
            "number": doc.number,
        }
