"""School import/export (issue 2: Registry, Bad input, Roles and access)."""

import csv
import io
import os
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from members.imports import (
    HEADERS,
    ImportRefused,
    ImportRejected,
    school_export,
    school_import_commit,
    school_import_preview,
)
from members.models import School
from members.selectors import school_list_for_user
from tests.factories import District, SchoolFactory

IMPORT_URL = reverse("members:school-import")
EXPORT_URL = reverse("members:school-export")
HistoricalSchool = School.history.model


def a_row(authority, **overrides):
    row = {
        "学校名称": "青岛市市南区导入小学",
        "学校标识码": "3702990001",
        "主管教育行政部门": authority.name,
        "所在区（市）": "市南区",
        "学段": "小学",
        "办学性质": "公办",
        "薄弱学校": "否",
        "薄弱学校认定年份": "",
        "独立法人": "是",
        "校长": "张三",
    }
    if "区市" in overrides:  # a keyword cannot hold full-width brackets
        overrides["所在区（市）"] = overrides.pop("区市")
    row.update(overrides)
    return row


def xlsx_bytes(rows, headers=HEADERS, above=()):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for line in above:
        sheet.append(line)
    sheet.append(list(headers))
    for row in rows:
        sheet.append([row.get(h, "") for h in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, encoding="utf-8-sig", headers=HEADERS):
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(h, "") for h in headers])
    return buffer.getvalue().encode(encoding)


def upload(content, name="schools.xlsx"):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def counts():
    return School.objects.count(), HistoricalSchool.objects.count()


def import_through_pages(client, content, name="schools.xlsx"):
    """Upload, then confirm what the preview offers; returns (preview response, commit response)."""
    preview_response = client.post(IMPORT_URL, {"file": upload(content, name)})
    assert preview_response.status_code == 200
    confirm = preview_response.context["confirm_form"]
    assert confirm is not None, preview_response.context["preview"].errors
    commit_response = client.post(IMPORT_URL, {"token": confirm.initial["token"]})
    return preview_response, commit_response


# --------------------------------------------------------------------------- happy paths


def test_valid_xlsx_import_creates_schools_with_history_user(
    world, login, django_capture_on_commit_callbacks, settings
):
    city_user = world.users["city"]
    client = login(city_user)
    rows = [
        a_row(world.shinan),
        # stored values work as well as labels; 黄岛区 is short for 黄岛区（西海岸新区）
        a_row(
            world.city,
            学校名称="青岛市直属导入高中",
            学校标识码="3702990002",
            区市="黄岛区",
            学段="senior",
            办学性质="民办",
            薄弱学校="是",
            薄弱学校认定年份=2019,
            独立法人="否",
            校长="",
        ),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        preview, response = import_through_pages(client, xlsx_bytes(rows))
    assert preview.context["preview"].total_rows == 2
    assert "将新建的学校" in preview.content.decode()
    assert response.status_code == 302
    assert response.url == reverse("members:school-list")

    primary = School.objects.get(code="3702990001")
    assert (
        primary.name,
        primary.authority,
        primary.district_id,
        primary.stage,
        primary.nature,
    ) == (
        "青岛市市南区导入小学",
        world.shinan,
        District.SHINAN,
        School.Stage.PRIMARY,
        School.Nature.PUBLIC,
    )
    senior = School.objects.get(code="3702990002")
    assert (senior.district_id, senior.stage, senior.nature) == (
        District.HUANGDAO,
        School.Stage.SENIOR,
        School.Nature.PRIVATE,
    )
    assert (senior.is_weak, senior.weak_rated_year, senior.is_legal_entity) == (True, 2019, False)
    history = HistoricalSchool.objects.filter(code__in=["3702990001", "3702990002"])
    assert history.count() == 2
    assert {(h.history_type, h.history_user_id) for h in history} == {("+", city_user.pk)}
    # the kept upload is gone once the import is written
    imports_dir = settings.MEDIA_ROOT / "imports"
    assert not imports_dir.exists() or not any(imports_dir.iterdir())
    follow = client.get(response.url)
    assert "导入完成：新建 2 所学校，更新 0 所学校。" in follow.content.decode()


def test_existing_code_updates_that_school_and_records_the_user(world, login):
    city_user = world.users["city"]
    client = login(city_user)
    school = world.member_school
    row = a_row(
        world.shibei, 学校名称=school.name, 学校标识码=school.code, 区市="市北区", 校长="李四新"
    )
    preview, response = import_through_pages(client, xlsx_bytes([row]))
    plan = preview.context["preview"]
    assert [p.code for p in plan.updates] == [school.code]
    assert [(c.column, c.new) for c in plan.updates[0].changes] == [("校长", "李四新")]
    assert response.status_code == 302
    school.refresh_from_db()
    assert school.principal_name == "李四新"
    latest = school.history.latest()
    assert (latest.history_type, latest.history_user_id) == ("~", city_user.pk)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_in_utf8_bom_and_gb18030(world, encoding):
    user = world.users["district"]
    content = csv_bytes([a_row(world.shinan, 学校名称="市南区第一实验小学（东校区）")], encoding)
    if encoding == "gb18030":
        with pytest.raises(UnicodeDecodeError):
            content.decode("utf-8")  # really a GBK-family file, not UTF-8 in disguise
    preview = school_import_preview(user=user, uploaded_file=upload(content, "学校.csv"))
    assert preview.errors == []
    result = school_import_commit(user=user, preview_token=preview.token)
    assert (result.created, result.updated) == (1, 0)
    school = School.objects.get(code="3702990001")
    assert school.name == "市南区第一实验小学（东校区）"
    assert school.history.get().history_user == user


def test_header_under_a_title_row_keeps_spreadsheet_row_numbers(world):
    content = xlsx_bytes(
        [a_row(world.shinan, 学校标识码="12345")], above=[["2025年青岛市学校名单"], []]
    )
    preview = school_import_preview(user=world.users["city"], uploaded_file=upload(content))
    assert [(e.row, e.column) for e in preview.errors] == [(4, "学校标识码")]


# --------------------------------------------------------------------------- bad input


def test_bad_rows_show_row_level_chinese_errors_and_write_nothing(world, login, settings):
    client = login(world.users["city"])
    rows = [
        a_row(world.shinan),  # row 2: fine
        a_row(world.shinan, 学校名称="坏标识码学校", 学校标识码="37029X"),  # row 3
        a_row(
            world.shinan, 学校名称="未知区学校", 学校标识码="3702990003", 区市="浦东新区"
        ),  # row 4
        a_row(
            world.shinan, 学校名称="薄弱无年份学校", 学校标识码="3702990004", 薄弱学校="是"
        ),  # row 5
        a_row(world.shinan, 学校名称="重复标识码学校"),  # row 6
    ]
    before = counts()
    response = client.post(IMPORT_URL, {"file": upload(xlsx_bytes(rows))})
    assert response.status_code == 200
    assert response.context["confirm_form"] is None
    errors = {(e.row, e.column): e.message for e in response.context["preview"].errors}
    assert set(errors) == {
        (3, "学校标识码"),
        (4, "所在区（市）"),
        (5, "薄弱学校认定年份"),
        (6, "学校标识码"),
    }
    assert errors[(3, "学校标识码")] == "学校标识码应为10位数字，您输入的是“37029X”。"
    assert errors[(4, "所在区（市）")] == "系统中没有名为“浦东新区”的区（市）。"
    assert errors[(5, "薄弱学校认定年份")] == "薄弱学校须填写认定年份。"
    assert errors[(6, "学校标识码")] == "与第2行的学校标识码重复。"
    page = response.content.decode()
    for text in (
        "学校标识码应为10位数字",
        "浦东新区",
        "薄弱学校须填写认定年份",
        "与第2行的学校标识码重复",
        "未导入任何数据",
    ):
        assert text in page
    assert 'data-testid="import-confirm"' not in page
    assert counts() == before
    assert not (settings.MEDIA_ROOT / "imports").exists()  # nothing kept for a failed preview


def test_row_error_text_names_row_and_column(world):
    content = xlsx_bytes([a_row(world.shinan, 学段="大学", 学校名称="")])
    preview = school_import_preview(user=world.users["city"], uploaded_file=upload(content))
    texts = [str(e) for e in preview.errors]
    assert "第2行“学校名称”列：必填，不能为空。" in texts
    assert any(t.startswith("第2行“学段”列：“大学”不是有效的选项") for t in texts)


def test_commit_revalidates_and_writes_nothing_when_a_row_fails_now(world):
    user = world.users["city"]
    rows = [a_row(world.shinan), a_row(world.shinan, 学校名称="第二所", 学校标识码="3702990002")]
    preview = school_import_preview(user=user, uploaded_file=upload(xlsx_bytes(rows)))
    assert preview.can_commit
    world.shinan.name = "市南区教育局（改名）"  # the authority named in the file no longer exists
    world.shinan.save()
    before = counts()
    with pytest.raises(ImportRejected) as caught:
        school_import_commit(user=user, preview_token=preview.token)
    assert "未导入任何数据" in caught.value.message
    assert {e.column for e in caught.value.preview.errors} == {"主管教育行政部门"}
    assert counts() == before


def test_commit_refuses_when_the_data_changed_since_the_preview(world):
    user = world.users["city"]
    preview = school_import_preview(
        user=user, uploaded_file=upload(xlsx_bytes([a_row(world.shinan)]))
    )
    SchoolFactory(code="3702990001", name="别人刚登记的学校", authority=world.shinan)
    before = counts()
    with pytest.raises(ImportRejected) as caught:
        school_import_commit(user=user, preview_token=preview.token)
    fresh = caught.value.preview
    assert [p.code for p in fresh.updates] == ["3702990001"] and fresh.token
    assert counts() == before
    # the new preview can be confirmed as shown
    result = school_import_commit(user=user, preview_token=fresh.token)
    assert (result.created, result.updated) == (0, 1)


def test_token_is_bound_to_its_user_and_used_once(world, django_capture_on_commit_callbacks):
    city, admin = world.users["city"], world.users["admin"]
    preview = school_import_preview(
        user=city, uploaded_file=upload(xlsx_bytes([a_row(world.shinan)]))
    )
    with pytest.raises(ImportRefused):
        school_import_commit(user=admin, preview_token=preview.token)
    with pytest.raises(ImportRefused):
        school_import_commit(user=city, preview_token=preview.token + "x")
    with django_capture_on_commit_callbacks(execute=True):  # the kept file goes on commit
        school_import_commit(user=city, preview_token=preview.token)
    before = counts()
    with pytest.raises(ImportRefused):
        school_import_commit(user=city, preview_token=preview.token)
    assert counts() == before


# --------------------------------------------------------------------------- round trip


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_reimporting_an_export_changes_nothing(world, fmt):
    user = world.users["city"]
    SchoolFactory(
        name='=HYPERLINK("http://x")',
        authority=world.laoshan,
        district=District.LAOSHAN,
        is_weak=True,
        weak_rated_year=2018,
        is_legal_entity=False,
        principal_name="",
        stage=School.Stage.TWELVE_YEAR,
        nature=School.Nature.PRIVATE,
    )
    SchoolFactory(name="西海岸新区学校", authority=world.city, district=District.HUANGDAO)
    exported = school_export(user=user, fmt=fmt)
    preview = school_import_preview(
        user=user, uploaded_file=upload(exported.content, exported.filename)
    )
    assert preview.errors == []
    assert (len(preview.creates), len(preview.updates)) == (0, 0)
    assert len(preview.unchanged) == School.objects.count()
    assert preview.token == ""


def test_district_reimport_of_its_export_changes_nothing(world):
    user = world.users["district"]
    # located in 市南 but run by the city: the district sees it, cannot edit it
    SchoolFactory(name="市直属市南学校", authority=world.city, district=District.SHINAN)
    exported = school_export(user=user, fmt="xlsx")
    preview = school_import_preview(user=user, uploaded_file=upload(exported.content))
    assert preview.errors == []
    visible = school_list_for_user(user=user).count()
    assert visible < School.objects.count()
    assert (len(preview.creates), len(preview.updates), len(preview.unchanged)) == (0, 0, visible)


# --------------------------------------------------------------------------- roles


def test_district_cannot_create_or_update_under_another_authority(world, login):
    user = world.users["district"]  # acts for 市南
    city_run = SchoolFactory(name="市直属市南学校", authority=world.city, district=District.SHINAN)
    other = world.other_school  # 崂山, not visible to 市南
    rows = [
        a_row(world.shinan),  # would be fine on its own
        a_row(world.laoshan, 学校名称="崂山新学校", 学校标识码="3702990009", 区市="崂山区"),
        a_row(
            world.laoshan, 学校名称=other.name + "（改名）", 学校标识码=other.code, 区市="崂山区"
        ),
        a_row(world.city, 学校名称=city_run.name, 学校标识码=city_run.code, 校长="新校长"),
    ]
    before = counts()
    response = login(user).post(IMPORT_URL, {"file": upload(xlsx_bytes(rows))})
    assert response.status_code == 200
    errors = {(e.row, e.column): e.message for e in response.context["preview"].errors}
    assert errors[(3, "主管教育行政部门")] == f"您无权在“{world.laoshan.name}”名下登记学校。"
    assert errors[(4, "学校标识码")] == "该学校标识码已由其他部门登记，您无权修改这所学校。"
    assert "市直属市南学校" in errors[(5, "学校标识码")]  # visible to the district, so named
    assert "只能修改本部门主管的学校" in errors[(5, "学校标识码")]
    assert response.context["confirm_form"] is None
    assert counts() == before
    other.refresh_from_db()
    assert not other.name.endswith("（改名）")


@pytest.mark.parametrize("role", ["member", "principal", "auditor"])
def test_import_page_is_forbidden_to_principals_and_auditors(world, login, role):
    client = login(world.users[role])
    assert client.get(IMPORT_URL).status_code == 403
    before = counts()
    response = client.post(IMPORT_URL, {"file": upload(xlsx_bytes([a_row(world.shinan)]))})
    assert response.status_code == 403
    assert counts() == before


@pytest.mark.parametrize("role", ["city", "district", "admin"])
def test_import_page_opens_for_bureaus_with_a_template_link(world, login, role):
    response = login(world.users[role]).get(IMPORT_URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "批量导入学校" in page
    assert f"{EXPORT_URL}?format=xlsx&amp;template=1" in page


# --------------------------------------------------------------------------- hostile files


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (60 * 1024 * 1024))
    return buffer.getvalue()


def not_a_workbook_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        (
            "schools.xlsx",
            lambda: b"MZ\x90\x00\x03\x00\x00\x00" + os.urandom(4096),
            "无法识别该文件",
        ),
        ("schools.csv", lambda: os.urandom(4096), "无法识别该文件"),
        ("schools.xlsx", zip_bomb, "解压后过大"),
        ("schools.xlsx", not_a_workbook_zip, "不是有效的 Excel（.xlsx）工作簿"),
        (
            "schools.xlsx",
            lambda: b"PK\x03\x04" + os.urandom(2048),
            "不是有效的 Excel（.xlsx）工作簿",
        ),
        ("schools.xls", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "旧版 Excel"),
        ("schools.csv", lambda: "随便写的一段文字\n没有表头".encode(), "没有找到表头行"),
    ],
    ids=[
        "renamed-exe",
        "random-binary",
        "zip-bomb",
        "docx-like-zip",
        "broken-zip",
        "xls",
        "text-without-header",
    ],
)
def test_hostile_or_wrong_files_are_refused_with_a_message(world, login, name, make, message):
    before = counts()
    response = login(world.users["city"]).post(IMPORT_URL, {"file": upload(make(), name)})
    assert response.status_code == 200
    assert response.context["preview"] is None
    assert message in str(response.context["form"].errors["file"])
    assert message in response.content.decode()
    assert counts() == before


def test_size_and_row_limits(world, settings):
    user = world.users["city"]
    rows = [
        a_row(world.shinan, 学校标识码=f"37029900{i:02d}", 学校名称=f"学校{i}") for i in range(3)
    ]
    settings.SCHOOL_IMPORT_MAX_ROWS = 2
    with pytest.raises(ImportRefused, match="行数过多"):
        school_import_preview(user=user, uploaded_file=upload(xlsx_bytes(rows)))
    settings.SCHOOL_IMPORT_MAX_ROWS = 5000
    settings.SCHOOL_IMPORT_MAX_BYTES = 1000
    with pytest.raises(ImportRefused, match="文件过大"):
        school_import_preview(user=user, uploaded_file=upload(xlsx_bytes(rows)))


def test_missing_required_column_is_refused(world):
    headers = [h for h in HEADERS if h != "学段"]
    content = xlsx_bytes([a_row(world.shinan)], headers=headers)
    with pytest.raises(ImportRefused, match="表头缺少必填列：学段"):
        school_import_preview(user=world.users["city"], uploaded_file=upload(content))


# --------------------------------------------------------------------------- export


def exported_codes(response, fmt):
    assert response.streaming  # never built in memory (issue 7)
    content = b"".join(response.streaming_content)
    if fmt == "csv":
        assert content.startswith(b"\xef\xbb\xbf")
        reader = csv.reader(io.StringIO(content.decode("utf-8-sig")))
        rows = list(reader)
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert tuple(rows[0]) == HEADERS
    return {r[1] for r in rows[1:]}


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_holds_only_the_schools_the_user_may_see(world, login, fmt):
    city_run_in_shinan = SchoolFactory(authority=world.city, district=District.SHINAN)
    district = world.users["district"]
    response = login(district).get(EXPORT_URL, {"format": fmt})
    assert response.status_code == 200
    stamp = timezone.localdate().strftime("%Y%m%d")
    assert response["Content-Disposition"] == f'attachment; filename="schools-{stamp}.{fmt}"'
    codes = exported_codes(response, fmt)
    assert codes == set(school_list_for_user(user=district).values_list("code", flat=True))
    assert {world.core.code, city_run_in_shinan.code} <= codes
    assert world.other_school.code not in codes and world.other_core.code not in codes

    response = login(world.users["city"]).get(EXPORT_URL, {"format": fmt})
    assert exported_codes(response, fmt) == set(School.objects.values_list("code", flat=True))


def test_export_for_a_member_principal_and_the_list_filters(world, login):
    member = world.users["member"]
    response = login(member).get(EXPORT_URL, {"format": "xlsx"})
    codes = exported_codes(response, "xlsx")
    assert codes == set(school_list_for_user(user=member).values_list("code", flat=True))
    assert world.member_school.code in codes and world.other_school.code not in codes
    response = login(world.users["city"]).get(
        EXPORT_URL, {"format": "xlsx", "district": District.LAOSHAN}
    )
    assert exported_codes(response, "xlsx") == {world.other_core.code, world.other_school.code}


def test_template_download_and_bad_format(world, login):
    client = login(world.users["member"])
    response = client.get(EXPORT_URL, {"format": "xlsx", "template": "1"})
    assert response.status_code == 200
    assert "schools-template.xlsx" in response["Content-Disposition"]
    assert exported_codes(response, "xlsx") == set()
    assert client.get(EXPORT_URL, {"format": "pdf"}).status_code == 400


def test_export_writes_chinese_headers_and_labels_whatever_the_interface_language(world):
    with translation.override("en"):
        export = school_export(user=world.users["city"], fmt="csv")
    header, first = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))[:2]
    assert tuple(header) == HEADERS
    assert {"小学", "公办", "否", "是"} <= set(first)


def test_preview_and_commit_take_a_constant_number_of_queries(world, django_assert_max_num_queries):
    user = world.users["district"]
    rows = [
        a_row(world.shinan, 学校名称=f"批量学校{i}", 学校标识码=f"37029{i:05d}") for i in range(300)
    ]
    content = xlsx_bytes(rows)
    with django_assert_max_num_queries(10):
        preview = school_import_preview(user=user, uploaded_file=upload(content))
    assert len(preview.creates) == 300
    with django_assert_max_num_queries(20):
        result = school_import_commit(user=user, preview_token=preview.token)
    assert result.created == 300
    assert HistoricalSchool.objects.filter(history_user=user).count() == 300


def test_import_cannot_move_a_core_school_to_another_authority(world, client):
    # policy L-1: the core school's authority approves its group
    from django.core.files.uploadedfile import SimpleUploadedFile

    from members.imports import school_import_preview

    header = "学校名称,学校标识码,主管教育行政部门,所在区（市）,学段,办学性质,薄弱学校,薄弱学校认定年份,独立法人,校长\n"
    row = (
        f"{world.core.name},{world.core.code},{world.laoshan.name},市南区,小学,公办,否,,是,"
        f"{world.core.principal_name}\n"
    )
    upload = SimpleUploadedFile("s.csv", (header + row).encode("utf-8-sig"))
    preview = school_import_preview(user=world.users["city"], uploaded_file=upload)
    assert any("核心校" in str(e.message) for e in preview.errors)
    world.core.refresh_from_db()
    assert world.core.authority == world.shinan
