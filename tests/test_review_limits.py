"""An import that cannot be broken by its file: huge sheets are refused at once, a refusal stays
short, a damaged hidden record or damaged XML gets one clear message (never a traceback)."""

from __future__ import annotations

import base64
import os
import time
import zipfile
from pathlib import Path

import pytest
from _cohort import cohort_course, copy_course
from _review import level_col
from openpyxl import load_workbook

from lablib.reports import review_format, review_import
from lablib.reports.review import MAIN_SHEET, META_SHEET, ReviewError, export_review, import_review

pytestmark = pytest.mark.slow
STAGE = "diagnose"


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return copy_course(cohort_course(tmp_path_factory), tmp_path_factory.mktemp("limits") / "course")


@pytest.fixture(scope="module")
def sheet(course, tmp_path_factory):
    return export_review(course, STAGE, tmp_path_factory.mktemp("sheet") / "s.xlsx")


def _part(path: Path, title: str) -> str:
    """The zip member of the worksheet called ``title``."""
    wb = load_workbook(path, read_only=True)
    index = wb.sheetnames.index(title) + 1
    wb.close()
    return f"xl/worksheets/sheet{index}.xml"


def _replace_part(src: Path, dst: Path, part: str, data: bytes) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item, data if item.filename == part else zin.read(item.filename))
    return dst


def _big_main_sheet(rows: int, text_chars: int, dimension: bool) -> bytes:
    """A main sheet of ``rows`` participant rows, each with a random (incompressible) comment."""
    out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">']
    if dimension:
        out.append(f'<dimension ref="A1:C{rows + 4}"/>')
    out.append("<sheetData>")
    random = base64.b64encode(os.urandom(rows * text_chars * 3 // 4 + 3)).decode()
    for i in range(rows):
        r = i + 5
        text = random[i * text_chars:(i + 1) * text_chars]
        out.append(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>x{i}</t></is></c>'
                   f'<c r="B{r}"><v>3</v></c><c r="C{r}" t="inlineStr"><is><t>{text}</t></is></c></row>')
    out.append("</sheetData></worksheet>")
    return "".join(out).encode()


@pytest.mark.parametrize(("rows", "chars", "dimension"), [
    (100_000, 70, True), (100_000, 70, False),  # refused before parsing: too many rows for any sheet
    (19_000, 400, False),  # under that limit: read streaming, refused after the exported rows + 200
], ids=["100k-rows", "100k-rows-no-dimension", "19k-rows-6MB"])
def test_a_100000_row_5_mb_sheet_is_refused_in_seconds(course, sheet, tmp_path, rows, chars, dimension):
    big = _replace_part(sheet, tmp_path / "besar.xlsx", _part(sheet, MAIN_SHEET),
                        _big_main_sheet(rows, chars, dimension))
    assert big.stat().st_size >= 5_000_000
    start = time.perf_counter()
    with pytest.raises(ReviewError) as info:
        import_review(course, big)
    elapsed = time.perf_counter() - start
    assert elapsed < 5, elapsed
    message = str(info.value)
    assert "baris" in message and len(message) < 400 and "\n" not in message


def test_a_file_too_big_or_unpacking_too_big_is_refused_before_parsing(course, sheet, tmp_path, monkeypatch):
    huge = tmp_path / "huge.xlsx"
    with huge.open("wb") as fh:
        fh.truncate(review_import.MAX_FILE_BYTES + 1)  # sparse: nothing to read, only its size
    start = time.perf_counter()
    with pytest.raises(ReviewError, match="terlalu besar"):
        import_review(course, huge)
    assert time.perf_counter() - start < 1
    monkeypatch.setattr(review_import, "MAX_UNPACKED_BYTES", 10_000)  # the real sheet "unpacks" too much
    with pytest.raises(ReviewError, match="bila dibuka"):
        import_review(course, sheet)


def test_many_unknown_ids_give_a_short_refusal(course, sheet, tmp_path):
    wb = load_workbook(sheet)
    ws = wb[MAIN_SHEET]
    col = level_col(ws, "DG1", "masalah_nyata")
    start = ws.max_row + 1
    for i in range(150):
        ws.cell(start + i, 1).value = f"orang-asing-{i:04d}-" + "x" * 200
        ws.cell(start + i, col).value = 2
    path = tmp_path / "asing.xlsx"
    wb.save(path)
    result = import_review(course, path)
    assert not result.ok and not result.written
    assert result.problem_count == 150
    text = result.summary()
    assert "150 sel tidak sah" in text and "dan 130 sel tidak sah lainnya" in text
    assert len(text) < 6000 and text.count("\n") <= 22
    # beyond the rows a sheet can have, the refusal is one line, at once
    for i in range(150, 400):
        ws.cell(start + i, 1).value = f"orang-asing-{i:04d}"
    wb.save(path)
    with pytest.raises(ReviewError, match="lebih dari") as info:
        import_review(course, path)
    assert len(str(info.value)) < 400


def _broken_meta_variants(sheet: Path, tmp_path: Path):
    wb = load_workbook(sheet)
    rows = list(wb[META_SHEET].iter_rows())
    data = next(r for r in rows if r[0].value == "data")
    data[1].value = data[1].value.replace('"stage"', '"stagf"')
    wb.save(tmp_path / "edited.xlsx")
    yield "edited.xlsx", "SHA-256"

    wb = load_workbook(sheet)
    ws = wb[META_SHEET]
    for r in list(ws.iter_rows()):
        if r[0].value == "data":
            r[1].value = None
    wb.save(tmp_path / "cut.xlsx")
    yield "cut.xlsx", "SHA-256"

    wb = load_workbook(sheet)
    wb[META_SHEET]["C1"] = 99
    wb.save(tmp_path / "newer.xlsx")
    yield "newer.xlsx", "lebih baru"

    wb = load_workbook(sheet)
    wb[META_SHEET]["B1"] = "bukan-lablib"
    wb.save(tmp_path / "format.xlsx")
    yield "format.xlsx", "penanda format"

    wb = load_workbook(sheet)
    del wb[META_SHEET]
    wb.save(tmp_path / "nometa.xlsx")
    yield "nometa.xlsx", "bukan lembar penilaian lablib"

    _replace_part(sheet, tmp_path / "xml.xlsx", _part(sheet, META_SHEET), b"<worksheet><sheetData><row>")
    yield "xml.xlsx", "tidak dapat dibuka sebagai buku kerja Excel"

    (tmp_path / "text.xlsx").write_text("id,level\nani,3\n", encoding="utf-8")
    yield "text.xlsx", "tidak dapat dibuka sebagai buku kerja Excel"


def test_broken_sheet_metadata_gets_one_clear_message(course, sheet, tmp_path, capsys):
    from lablib.cli import main

    for name, expected in _broken_meta_variants(sheet, tmp_path):
        with pytest.raises(ReviewError, match=expected):
            import_review(course, tmp_path / name)
        assert main(["review", "import", str(tmp_path / name), "--course", str(course)]) == 1
        err = capsys.readouterr()
        assert "Traceback" not in err.err + err.out and expected in err.err + err.out, name


def test_a_sheet_of_the_first_format_still_imports(course, sheet, tmp_path):
    """Sheets handed out before the checksummed record (format 1) are read with what they recorded."""
    from lablib.curriculum import get_exercise
    from lablib.curriculum.grade_ids import rubric_grade_id

    wb = load_workbook(sheet)
    record = __import__("_review").read_meta(sheet)
    del wb[META_SHEET]
    ws = wb.create_sheet(META_SHEET)
    ws.append(["format", review_format.FORMAT, 1])
    ws.append(["course_id", record["course_id"]])
    ws.append(["stage", STAGE])
    ws.append(["exported_at", record["exported_at"]])
    ws.append(["sheet", MAIN_SHEET, record["header_row"], record["first_row"]])
    ws.append(["columns", len(record["columns"])])
    for name, lc, cc, pts in record["columns"]:
        ws.append(["column", name, lc, cc, pts])
    for student, name, _role, score, comment, stamp, _lvl, _com in record["cells"]:
        ws.append(["grade", student, name, score, comment, stamp])
    main = wb[MAIN_SHEET]
    rows = {main.cell(r, 1).value: r for r in range(5, main.max_row + 1)}
    col = level_col(main, "DG1", "masalah_nyata")
    main.cell(rows["citra"], col).value = 2
    wb.save(tmp_path / "v1.xlsx")
    c = copy_course(course, tmp_path / "c")
    result = import_review(c, tmp_path / "v1.xlsx")
    assert result.ok and result.written == (("citra", rubric_grade_id(get_exercise("diagnose.dg1"), "masalah_nyata")),)


def test_rows_are_counted_exactly_across_chunks(tmp_path):
    """The pre-parse row count (1 MB chunks) neither misses nor double-counts a tag cut at a chunk edge."""
    rows = 30_000
    xml = _big_main_sheet(rows, 40, dimension=False)
    assert len(xml) > 3 * (1 << 20)  # several chunks
    path = tmp_path / "z.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", xml)
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
        assert not review_import._more_rows_than(z, info, rows)
        assert review_import._more_rows_than(z, info, rows - 1)

