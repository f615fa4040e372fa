"""The shared spreadsheet reader, column types and writer (qingdao_groups.core.tabular), on their
own, without any feature's models: what the next imports (rates, dispatches, scores) build on."""

import codecs
import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.utils import translation

from qingdao_groups.core.tabular import (
    Boolean,
    Choice,
    Code,
    Column,
    Date,
    Integer,
    Lookup,
    Money,
    RowError,
    TableRefused,
    TableSpec,
    Text,
    Year,
    neutralise,
    read_table,
    write_table,
)


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


class Kind(models.TextChoices):
    LEADING = "leading", "牵头校"
    MEMBER = "member", "成员校（含新建校）"


def parts(label):
    return [label.split("（")[0]]


SPEC = TableSpec(
    columns=(
        Column("项目名称", "title", Text(max_length=30), required=True, aliases=("Title", "名称")),
        Column("编号", "number", Code(pattern=r"[A-Z]\d{3}"), required=True, aliases=("No.",)),
        Column("类别", "kind", Choice(Kind, aliases=parts), aliases=("Kind",)),
        Column("金额（元）", "amount", Money(), aliases=("金额", "Amount")),
        Column("人数", "people", Integer(min_value=0, max_value=1000)),
        Column("开始日期", "starts_on", Date()),
        Column("年份", "year", Year()),
        Column("是否完成", "done", Boolean(), aliases=("完成",)),
    ),
    empty_message="没有项目。",
    sheet_title="项目",
)


def parse(column_type, text):
    return column_type.parse(text)


def message(column_type, text):
    with pytest.raises(ValidationError) as caught:
        column_type.parse(text)
    return " ".join(caught.value.messages)


# --------------------------------------------------------------------------- column types


def test_text_strips_drops_control_characters_and_bounds_its_length():
    assert parse(Text(max_length=5), "  天气\x07好 ") == "天气好"
    assert "5" in message(Text(max_length=5), "一二三四五六")
    assert "U+202E" in message(Text(), "abc\u202edef")


def test_code_forgives_width_and_spaces_then_checks_its_pattern_and_validators():
    assert parse(Code(pattern=r"[A-Z]\d{3}"), "Ａ１２ 3") == "A123"
    assert message(Code(pattern=r"[A-Z]\d{3}"), "A12") == "格式不正确：“A12”。"

    def ten_digits(value):
        if len(value) != 10:
            raise ValidationError("应为10位。")

    assert message(Code(validators=(ten_digits,)), "123") == "应为10位。"


def test_choice_by_label_in_any_language_by_value_or_by_alias():
    kind = Choice(Kind, aliases=parts)
    assert parse(kind, "牵头校") == Kind.LEADING
    assert parse(kind, "member") == Kind.MEMBER
    assert parse(kind, "成员校") == Kind.MEMBER  # the alias from the label
    assert parse(kind, "成员校（含新建校）") == Kind.MEMBER
    assert message(kind, "旁听校") == "“旁听校”不是有效的选项，可填：牵头校、成员校（含新建校）。"
    with translation.override("en"):
        assert kind.format(Kind.MEMBER) == "成员校（含新建校）"  # files are written in Chinese


def test_boolean_is_shi_or_fou():
    assert [parse(Boolean(), t) for t in ("是", "否", "Yes", "n", "1")] == [
        True,
        False,
        True,
        False,
        True,
    ]
    assert message(Boolean(), "也许") == "应填写“是”或“否”，您填写的是“也许”。"
    assert (Boolean().format(True), Boolean().format(False)) == ("是", "否")


def test_integer_with_separators_within_bounds():
    assert parse(Integer(), "1,234") == 1234
    assert parse(Integer(), "－５") == -5
    assert message(Integer(), "12.5") == "应为整数，您填写的是“12.5”。"
    assert message(Integer(min_value=0, max_value=1000), "1001") == (
        "应在 0 至 1000 之间，您填写的是“1001”。"
    )
    assert "2147483647" in message(Integer(), "99999999999")


def test_year_is_four_digits():
    assert parse(Year(), "２０１９") == 2019
    assert message(Year(), "19") == "应为四位年份（例如 2019），您填写的是“19”。"
    assert (Year().format(2019), Year().format(None)) == ("2019", "")


@pytest.mark.parametrize(
    "text",
    [
        "2025-09-01",
        "2025/9/1",
        "2025.9.1",
        "2025年9月1日",
        "2025-09-01 00:00:00",
        "2025-09-01T00:00:00",
    ],
)
def test_date_in_the_ways_people_write_it(text):
    assert parse(Date(), text) == date(2025, 9, 1)


def test_date_refused_when_not_a_date_or_out_of_range():
    assert message(Date(), "2025-02-30") == "应为日期，例如 2025-09-01，您填写的是“2025-02-30”。"
    assert message(Date(), "下周一").startswith("应为日期")
    assert "日期须在 1949-10-01 至" in message(Date(), "0001-01-01")
    assert "日期须在" in message(Date(), "9999-12-31")
    assert Date().format(date(2025, 9, 1)) == "2025-09-01"


def test_money_is_a_decimal_with_two_places():
    assert parse(Money(), "12,345.6") == Decimal("12345.60")
    assert parse(Money(), "￥100") == Decimal("100.00")
    assert parse(Money(), "100元") == Decimal("100.00")
    assert str(parse(Money(), "0.1")) == "0.10"
    expected = "应为金额（元），最多两位小数，例如 12345.67，您填写的是“1.005”。"
    assert message(Money(), "1.005") == expected
    for bad in ("abc", "1e5", "NaN", "Infinity", "1.2.3"):
        assert message(Money(), bad).startswith("应为金额（元）")
    assert message(Money(), "-1") == "金额不能小于 0，您填写的是“-1”。"
    assert parse(Money(min_value=None), "-1") == Decimal("-1.00")
    assert message(Money(max_digits=4), "123.45") == "金额过大：“123.45”。"
    assert Money().format(Decimal("5")) == "5.00"


def test_lookup_is_resolved_by_the_import_and_displayed_by_the_spec():
    assert message(Lookup(), "某局") == "无法识别“某局”。"
    assert Lookup(display=lambda r: r["name"]).format({"name": "市教育局"}) == "市教育局"


# --------------------------------------------------------------------------- rows and errors


def test_parse_row_collects_every_error_with_row_and_column():
    parsed = SPEC.parse_row(
        7,
        {"title": "", "number": "B12", "kind": "牵头校", "amount": "x", "people": "3", "done": ""},
    )
    assert parsed.values == {"kind": Kind.LEADING, "people": 3}
    assert [(e.row, e.column) for e in parsed.errors] == [
        (7, "项目名称"),
        (7, "编号"),
        (7, "金额（元）"),
    ]
    assert parsed.failed == {"title", "number", "amount"}
    assert str(parsed.errors[0]) == "第7行“项目名称”列：必填，不能为空。"
    assert str(RowError(3, None, "重复。")) == "第3行：重复。"
    with translation.override("en"):
        assert str(parsed.errors[0]).startswith("Row 7")


def test_parse_row_takes_a_resolver_for_a_lookup():
    spec = TableSpec(columns=(Column("部门", "authority", Lookup(), required=True),))
    found = spec.parse_row(2, {"authority": "市南"}, resolvers={"authority": lambda t: t + "局"})
    assert found.values == {"authority": "市南局"} and not found.errors


def test_format_row_is_the_text_of_an_export_in_column_order():
    cells = SPEC.format_row(
        {
            "title": "植树",
            "number": "A001",
            "kind": Kind.MEMBER,
            "amount": Decimal("12.5"),
            "people": 3,
            "starts_on": date(2025, 9, 1),
            "year": 2025,
            "done": False,
        }
    )
    assert list(cells) == list(SPEC.headers)
    assert list(cells.values()) == [
        "植树",
        "A001",
        "成员校（含新建校）",
        "12.50",
        "3",
        "2025-09-01",
        "2025",
        "否",
    ]


def test_text_row_of_plain_values_is_format_row_of_the_record():
    """An export may read plain values at `value_fields` (a lookup's displayed field through
    the relation) instead of building records: `text_row` gives the same text."""

    @dataclass
    class Unit:
        name: str

    spec = TableSpec(
        columns=(
            *SPEC.columns,
            Column("主管部门", "authority", Lookup(display_field="name")),
            Column("备注", "note", Text()),
        )
    )
    assert spec.value_fields == (*(c.field for c in SPEC.columns), "authority__name", "note")
    record = {
        "title": "=1+1",
        "number": "A001",
        "kind": Kind.MEMBER,
        "amount": Decimal("12.5"),
        "people": 3,
        "starts_on": date(2025, 9, 1),
        "year": 2025,
        "done": True,
        "authority": Unit("市南区教育和体育局"),
        "note": None,
    }
    plain = [record[f] for f in spec.value_fields[:-2]] + ["市南区教育和体育局", None]
    assert spec.text_row(plain) == list(spec.format_row(record).values())
    assert spec.text_row([None] * len(spec.columns)) == list(spec.format_row({}).values())
    with pytest.raises(TypeError):
        TableSpec(columns=(Column("部门", "authority", Lookup()),)).value_fields  # noqa: B018


# --------------------------------------------------------------------------- reading


ROWS = [["植树节", "A001", "牵头校", "1,000.50", "12", "2025-09-01", "2025", "是"]]


def csv_file(rows=ROWS, headers=SPEC.headers, encoding="utf-8", delimiter=","):
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(headers)
    writer.writerows(rows)
    return SimpleUploadedFile("t.csv", buffer.getvalue().encode(encoding))


def xlsx_file(rows=ROWS, headers=SPEC.headers, above=()):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for line in (*above, headers, *rows):
        sheet.append(list(line))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("t.xlsx", buffer.getvalue())


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_csv_in_utf8_bom_gb18030_and_utf16(encoding):
    table = read_table(csv_file(encoding=encoding), SPEC)
    assert [(r.number, r.cells["title"], r.cells["amount"]) for r in table.rows] == [
        (2, "植树节", "1,000.50")
    ]


def test_gb18030_really_is_not_utf8():
    content = csv_file(encoding="gb18030").read()
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")


def test_tab_separated_text_and_header_aliases_loosely_matched():
    headers = ["Title", "ＮＯ.", " kind ", "金额", "人数"]
    table = read_table(
        csv_file([["植树", "A001", "member", "5", "1"]], headers=headers, delimiter="\t"), SPEC
    )
    assert table.columns == {"title": 0, "number": 1, "kind": 2, "amount": 3, "people": 4}
    assert table.rows[0].cells["kind"] == "member"
    assert "done" not in table.rows[0].cells  # an absent optional column: no cell, no value
    assert "done" not in SPEC.parse_row(2, table.rows[0].cells).values


def test_xlsx_header_under_title_rows_keeps_sheet_row_numbers_and_reads_typed_cells():
    rows = [["植树", "A001", "牵头校", 1000.5, 12.0, datetime(2025, 9, 1), 2025, True]]
    table = read_table(xlsx_file(rows, above=[["2025年项目"], []]), SPEC)
    assert table.rows[0].number == 4
    cells = table.rows[0].cells
    assert (cells["amount"], cells["people"], cells["starts_on"], cells["done"]) == (
        "1000.5",
        "12",
        "2025-09-01",
        "是",
    )
    assert not SPEC.parse_row(4, cells).errors


@pytest.mark.parametrize(
    ("make", "text"),
    [
        (
            lambda: csv_file(headers=[h for h in SPEC.headers if h != "编号"]),
            "表头缺少必填列：编号",
        ),
        (lambda: csv_file(headers=["项目名称", "名称", "编号"]), "“项目名称”列出现了两次"),
        (lambda: csv_file(rows=[]), "没有项目。"),
        (lambda: SimpleUploadedFile("t.csv", "随便\n写写".encode()), "没有找到表头行"),
        (lambda: SimpleUploadedFile("t.csv", b"  \n"), "文件是空的"),
        (
            lambda: SimpleUploadedFile("t.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64),
            "旧版 Excel",
        ),
        (lambda: SimpleUploadedFile("t.csv", b"MZ\x90\x00\x03\x00"), "无法识别该文件"),
        (lambda: SimpleUploadedFile("t.xlsx", b"PK\x03\x04" + b"\x01" * 100), "不是有效的 Excel"),
    ],
)
def test_files_refused_as_a_whole_with_a_message(make, text):
    with pytest.raises(TableRefused) as caught:
        read_table(make(), SPEC)
    assert text in str(caught.value.message)


def test_size_and_row_limits():
    upload = csv_file(rows=ROWS * 3)
    with pytest.raises(TableRefused, match="行数过多：每次最多导入 2 行"):
        read_table(upload, SPEC, max_rows=2)
    with pytest.raises(TableRefused, match="文件过大"):
        read_table(upload, SPEC, max_bytes=50)
    assert len(read_table(upload, SPEC).rows) == 3


def test_a_zip_bomb_is_refused_before_openpyxl_opens_it(settings):
    settings.UPLOAD_ZIP_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (4 * 1024 * 1024))
    with pytest.raises(TableRefused, match="解压后过大"):
        read_table(SimpleUploadedFile("t.xlsx", buffer.getvalue()), SPEC)


# --------------------------------------------------------------------------- writing


VALUES = {
    "title": '=HYPERLINK("http://x")',
    "number": "A001",
    "kind": Kind.LEADING,
    "amount": Decimal("1000.5"),
    "people": 12,
    "starts_on": date(2025, 9, 1),
    "year": 2025,
    "done": True,
}


def test_xlsx_export_has_a_frozen_bold_chinese_header_and_formulas_as_text():
    export = write_table(SPEC, [SPEC.cell_row(VALUES)], fmt="xlsx", stem="projects")
    assert export.filename == "projects.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).worksheets[0]
    assert sheet.title == "项目" and sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]] == list(SPEC.headers)
    assert sheet["A1"].font.b
    title, amount, people, starts = sheet["A2"], sheet["D2"], sheet["E2"], sheet["F2"]
    assert (title.value, title.data_type) == ('=HYPERLINK("http://x")', "s")  # not a formula
    assert (amount.value, amount.number_format) == (1000.5, "0.00")
    assert people.value == 12 and starts.value.date() == date(2025, 9, 1)
    back = read_table(SimpleUploadedFile("p.xlsx", export.content), SPEC)
    parsed = SPEC.parse_row(2, back.rows[0].cells)
    assert parsed.values == VALUES and not parsed.errors


def test_csv_export_has_a_bom_and_an_apostrophe_before_formula_looking_text():
    export = write_table(SPEC, [list(SPEC.format_row(VALUES).values())], fmt="csv", stem="p")
    assert export.content.startswith(codecs.BOM_UTF8)
    assert export.content_type.startswith("text/csv")
    header, row = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert tuple(header) == SPEC.headers
    assert row[0] == '\'=HYPERLINK("http://x")' and row[3] == "1000.50"
    back = read_table(SimpleUploadedFile("p.csv", export.content), SPEC)
    assert SPEC.parse_row(2, back.rows[0].cells).values == VALUES  # the apostrophe comes off


TRICKY = ["a & b <c>", " 前后空格 ", "制表\t符", "全角\u3000空格", "控制\x01字符", "行\n换", ""]


def test_xlsx_writes_plain_and_tricky_text_as_the_same_cells():
    """Most rows are plain text and take a quicker way into the sheet; a row with text to
    escape, spaces to keep, characters XML cannot carry, numbers or dates takes the careful
    one. Both give the cells the text says."""
    plain = ["东丰市230东德县宁东44学校", "0000142960", "", "是"]
    rows = [
        plain,
        *([text, "A001"] for text in TRICKY),
        [Kind.MEMBER, "x"],  # a str subclass
        ["y", None, Kind.LEADING, 12],  # not all text
    ]
    content = write_table(SPEC, rows, fmt="xlsx", stem="p").content
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    got = [list(r) for r in sheet.iter_rows(min_row=2, max_col=4, values_only=True)]
    assert got[0] == ["东丰市230东德县宁东44学校", "0000142960", None, "是"]
    expected = [[t.replace("\x01", "") or None, "A001", None, None] for t in TRICKY]
    assert got[1 : len(TRICKY) + 1] == expected
    assert got[-2:] == [["member", "x", None, None], ["y", None, "leading", 12]]
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert '<c r="A2" s="2" t="inlineStr"><is><t>东丰市230东德县宁东44学校</t></is></c>' in xml
    assert '<c r="C2"' not in xml  # an empty cell is left out
    assert "<t>a &amp; b &lt;c&gt;</t>" in xml
    assert '<t xml:space="preserve"> 前后空格 </t>' in xml


def test_csv_neutralises_text_and_formats_other_values_across_chunks():
    many = [
        [f"=项目{i}" if i % 2 else f"项目{i}", None, True, 12, date(2025, 9, 1)]
        for i in range(1203)
    ]
    text = write_table(SPEC, many, fmt="csv", stem="p").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))[1:]
    assert len(rows) == 1203
    assert rows[0] == ["项目0", "", "是", "12", "2025-09-01"]
    assert rows[1201] == ["'=项目1201", "", "是", "12", "2025-09-01"]


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_neutralise_formula_starts(text):
    assert neutralise(text) == "'" + text
    assert neutralise("植树") == "植树"


def test_unknown_export_format_is_refused():
    with pytest.raises(Exception, match="不支持的导出格式"):
        write_table(SPEC, [], fmt="pdf", stem="x")
