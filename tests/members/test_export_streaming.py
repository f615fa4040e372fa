"""The school export streams in bounded memory (issue 7): CSV in chunks as the rows are read,
XLSX row by row into a temporary file; a few thousand schools take no more memory than a few
hundred, and the file still re-imports as "no changes"."""

import csv
import io
import tracemalloc
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from members.imports import school_export, school_import_preview
from members.imports.spec import school_cells, school_text_rows
from members.models import School
from tests.factories import District, SchoolFactory


def add_schools(world, n: int, start: int = 0) -> None:
    School.objects.bulk_create(
        School(
            name=f"=流式导出学校{i:05d}" if i % 97 == 0 else f"流式导出学校{i:05d}",
            code=f"38{i:08d}",
            authority=world.shinan,
            district=world.shinan.district,
            stage=School.Stage.PRIMARY,
            nature=School.Nature.PUBLIC,
            is_weak=i % 5 == 0,
            weak_rated_year=2019 if i % 5 == 0 else None,
        )
        for i in range(start, start + n)
    )


def peak_and_size(user, fmt: str) -> tuple[int, int]:
    """The peak memory of writing the export and the size of its content (for XLSX, of the
    sheet unpacked: what would be in memory if the workbook were built there)."""
    tracemalloc.start()
    try:
        export = school_export(user=user, fmt=fmt)
        if fmt == "csv":
            size = sum(len(chunk) for chunk in export.chunks())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    if fmt == "xlsx":
        with export.file, zipfile.ZipFile(export.file) as archive:
            size = sum(info.file_size for info in archive.infolist())
    return peak, size


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_memory_does_not_grow_with_the_rows(world, fmt):
    user = world.users["city"]
    add_schools(world, 1000)
    peak_and_size(user, fmt)  # warm imports and caches
    small_peak, small_size = peak_and_size(user, fmt)
    add_schools(world, 7000, start=1000)
    large_peak, large_size = peak_and_size(user, fmt)
    assert large_size > 7 * small_size
    # bounded: eight times the rows, about the same memory (one chunk of rows from the database)
    assert large_peak < small_peak * 1.3
    # never the file in memory: the further rows cost far less memory than their bytes
    assert large_peak - small_peak < (large_size - small_size) / 4


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_few_thousand_rows_stream_and_reimport_as_no_changes(world, login, fmt):
    user = world.users["city"]
    add_schools(world, 3000)
    response = login(user).get(reverse("members:school-export"), {"format": fmt})
    assert response.status_code == 200 and response.streaming
    assert "schools-" in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    preview = school_import_preview(
        user=user, uploaded_file=SimpleUploadedFile(f"schools.{fmt}", content)
    )
    assert preview.errors == []
    assert (len(preview.creates), len(preview.updates)) == (0, 0)
    assert len(preview.unchanged) == School.objects.count() > 3000


def test_rows_read_as_plain_values_are_the_cells_of_the_schools(world):
    """The export reads plain values (no School, Authority, District objects per row); each row
    is exactly the text `school_cells` gives for the school, which the import preview compares."""
    full = SchoolFactory(
        name="=1+1",  # formula-looking: neutralised by the writer, not here
        code="3702990777",
        authority=world.laoshan,
        district=District.HUANGDAO,
        stage=School.Stage.TWELVE_YEAR,
        nature=School.Nature.PRIVATE,
        is_weak=True,
        weak_rated_year=2019,
        is_legal_entity=False,
        principal_name="欧阳 明",
    )
    bare = SchoolFactory(
        name="青岛市崂山区第二实验小学", code="3702990778", principal_name="", is_weak=False
    )
    schools = School.objects.filter(pk__in=[full.pk, bare.pk]).order_by("name", "code")
    rows = list(school_text_rows(schools, chunk_size=1))
    assert rows == [list(school_cells(s).values()) for s in schools]
    assert rows[0] == [
        "=1+1",
        "3702990777",
        world.laoshan.name,
        full.district.name,
        "十二年一贯制",
        "民办",
        "是",
        "2019",
        "否",
        "欧阳 明",
    ]
    assert rows[1][6:] == ["否", "", "是", ""]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_rows_are_the_cells_in_name_order_with_formulas_neutralised(world, fmt):
    user = world.users["city"]
    SchoolFactory(name="=1+1", code="3702990777", is_weak=True, weak_rated_year=2019)
    export = school_export(user=user, fmt=fmt)
    expected = [list(school_cells(s).values()) for s in School.objects.order_by("name", "code")]
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))[1:]
        assert rows[0][0] == "'=1+1"  # Excel would run it; the reader takes the quote off
        rows[0][0] = "=1+1"
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(export.content)).worksheets[0]
        rows = [[v or "" for v in r] for r in sheet.iter_rows(min_row=2, values_only=True)]
        assert sheet["A2"].data_type == "s"  # text, never a formula
    assert rows == expected
