"""Reading the participant list: CSV (comma or semicolon, with or without BOM) and Excel;
a bad roster is refused with every bad row's number and reason. An Excel roster is read from the
sheet the trainer sees, and a row hidden there is refused; ids and course ids are single, safe
folder names."""

from __future__ import annotations

from pathlib import Path

import pytest

from lablib.course.roster import (
    Participant,
    RosterError,
    id_problem,
    read_roster,
    write_roster,
)

DATA = Path(__file__).parent / "data"


def _xlsx(path: Path, rows: list[list]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


def test_csv_roster_is_read_with_every_column():
    people = read_roster(DATA / "roster-baik.csv")
    assert [p.id for p in people] == ["budi", "sari.dewi", "tono_2"]
    assert people[0] == Participant("budi", "Budi Santoso", "Dinas Kependudukan dan Pencatatan Sipil",
                                    "Kepala Bidang", "budi@bangkep.example")
    assert people[1].email == ""
    assert (people[2].first_name, people[2].last_name) == ("Tono", "Lasahido")


def test_semicolon_csv_with_bom_extra_columns_and_blank_lines_is_read():
    people = read_roster(DATA / "roster-titik-koma.csv")
    assert [(p.id, p.nama, p.opd) for p in people] == [
        ("wa-ode", "Wa Ode Nur'aini", "Dinas Perikanan"), ("la-ode", "La Ode Ma'ruf", "Kecamatan Totikum")]


def test_excel_roster_is_read_and_numbers_become_ids(tmp_path):
    path = _xlsx(tmp_path / "peserta.xlsx", [
        ["ID ", "Nama", "OPD", "Jabatan", "Email"],
        ["budi", "Budi Santoso", "Dinas Sosial", "Staf", "budi@bangkep.example"],
        [1971, "Nomor Induk", "Dinas Sosial", None, None],
    ])
    people = read_roster(path)
    assert [p.id for p in people] == ["budi", "1971"]
    assert people[1].jabatan == ""


def test_bad_roster_reports_every_bad_row_with_its_reason():
    with pytest.raises(RosterError) as err:
        read_roster(DATA / "roster-rusak.csv")
    problems = {p.row: p.reason for p in err.value.problems}
    assert sorted(problems) == [3, 4, 5, 6, 7, 8, 9]
    assert "'Sari'" in problems[3] and "huruf kecil" in problems[3]
    assert "sudah dipakai di baris 2" in problems[4]
    assert "nama kosong" in problems[5]
    assert "'.rahasia'" in problems[6]
    assert "email 'ani-at-bangkep' tidak sah" in problems[7]
    assert "id kosong" in problems[8]
    assert "'../../etc'" in problems[9]
    message = str(err.value)
    assert "7 masalah" in message and "baris 9:" in message


def test_missing_column_is_named():
    with pytest.raises(RosterError) as err:
        read_roster(DATA / "roster-tanpa-kolom.csv")
    assert len(err.value.problems) == 1
    assert "'opd', 'email'" in str(err.value.problems[0])


def test_bad_excel_rows_are_numbered_as_the_trainer_sees_them(tmp_path):
    path = _xlsx(tmp_path / "peserta.xlsx", [
        ["id", "nama", "opd", "jabatan", "email"],
        ["ok", "Baik", "Dinas", "", ""],
        [None, None, None, None, None],
        ["Bad Id", "", "Dinas", "", "x@"],
    ])
    with pytest.raises(RosterError) as err:
        read_roster(path)
    [problem] = err.value.problems
    assert problem.row == 4
    assert "nama kosong" in problem.reason and "'Bad Id'" in problem.reason and "email 'x@'" in problem.reason


@pytest.mark.parametrize("name, content", [
    ("kosong.csv", b""),
    ("hanya-judul.csv", b"id,nama,opd,jabatan,email\n"),
    ("peserta.docx", b"PK\x03\x04"),
    ("rusak.xlsx", b"bukan excel"),
])
def test_unusable_files_are_refused_with_a_reason(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(RosterError) as err:
        read_roster(path)
    assert err.value.problems and all(p.reason for p in err.value.problems)


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(RosterError, match="tidak ditemukan"):
        read_roster(tmp_path / "tidak-ada.csv")


@pytest.mark.parametrize("value", ["budi", "p01-disdukcapil", "a.b_c-d", "0", "1971"])
def test_folder_safe_ids_are_accepted(value):
    assert id_problem(value) is None


@pytest.mark.parametrize("value", ["", "Budi", ".hidden", "a b", "a/b", "a+b", "a*b", "é", "x" * 65, ".."])
def test_unsafe_ids_are_refused(value):
    assert id_problem(value)


def test_write_roster_round_trips(tmp_path):
    people = read_roster(DATA / "roster-baik.csv")
    assert read_roster(write_roster(tmp_path / "salinan.csv", people)) == people


# -- Excel: the sheet the trainer sees, and nothing hidden -----------------------------------
HEADER = ["id", "nama", "opd", "jabatan", "email"]


def _workbook(path: Path, sheets: dict[str, list[list]], *, active: str | None = None,
              hidden: dict[str, str] | None = None, hidden_rows: dict[str, list[int]] | None = None,
              autofilter: dict[str, str] | None = None) -> Path:
    """An .xlsx with these sheets (in order); ``hidden`` maps a sheet to 'hidden'/'veryHidden',
    ``hidden_rows`` a sheet to row numbers, ``autofilter`` a sheet to a filter on column A
    (``ref``) that keeps only the rows not in ``hidden_rows`` (what Excel saves)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
        for r in (hidden_rows or {}).get(title, []):
            ws.row_dimensions[r].hidden = True
        if title in (autofilter or {}):
            ws.auto_filter.ref = autofilter[title]
            shown = [str(ws.cell(r, 1).value) for r in range(2, ws.max_row + 1)
                     if r not in (hidden_rows or {}).get(title, [])]
            ws.auto_filter.add_filter_column(0, shown)
        ws.sheet_state = (hidden or {}).get(title, "visible")
    if active is not None:
        wb.active = wb.sheetnames.index(active)
    wb.save(path)
    return path


def test_excel_roster_is_read_from_the_active_sheet_not_the_first(tmp_path):
    path = _workbook(tmp_path / "peserta.xlsx", {
        "Petunjuk": [["Isi daftar peserta di lembar 'Peserta'."]],
        "Peserta": [HEADER, ["budi", "Budi Santoso", "Dinas Sosial", "", ""]],
    }, active="Peserta")
    roster = read_roster(path)
    assert [p.id for p in roster] == ["budi"]
    assert roster.sheet == "Peserta" and roster.rows == (2,)
    assert roster.notes == ("lembar 'Petunjuk' tidak dibaca (yang dibaca hanya lembar aktif 'Peserta')",)


def test_a_hidden_sheet_is_reported_and_not_read(tmp_path):
    path = _workbook(tmp_path / "peserta.xlsx", {
        "Peserta": [HEADER, ["budi", "Budi Santoso", "Dinas Sosial", "", ""]],
        "Arsip 2023": [HEADER, ["lama", "Peserta Lama", "Dinas Lama", "", ""]],
        "Rahasia": [HEADER, ["x", "X", "Y", "", ""]],
    }, active="Peserta", hidden={"Arsip 2023": "hidden", "Rahasia": "veryHidden"})
    roster = read_roster(path)
    assert [p.id for p in roster] == ["budi"]
    assert roster.notes == ("lembar tersembunyi 'Arsip 2023' tidak dibaca",
                            "lembar tersembunyi 'Rahasia' tidak dibaca")


def test_a_hidden_active_sheet_is_not_read_the_first_visible_one_is(tmp_path):
    import re
    import zipfile

    from openpyxl import load_workbook

    made = _workbook(tmp_path / "dibuat.xlsx", {
        "Peserta": [HEADER, ["budi", "Budi Santoso", "Dinas Sosial", "", ""]],
        "Lama": [HEADER, ["lama", "Peserta Lama", "Dinas Lama", "", ""]],
    }, hidden={"Lama": "hidden"})
    # openpyxl never saves a hidden active sheet; other tools do: mark the second sheet active
    path = tmp_path / "peserta.xlsx"
    with zipfile.ZipFile(made) as zin, zipfile.ZipFile(path, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = re.sub(rb' activeTab="\d+"', b"", data)
                data = data.replace(b"<workbookView ", b'<workbookView activeTab="1" ')
            zout.writestr(item, data)
    assert load_workbook(path).active.title == "Lama"
    roster = read_roster(path)
    assert [p.id for p in roster] == ["budi"] and roster.sheet == "Peserta"
    assert roster.notes == ("lembar tersembunyi 'Lama' (lembar aktif) tidak dibaca; yang dibaca lembar "
                            "'Peserta', lembar pertama yang tampak",)


def test_rows_hidden_by_a_filter_are_refused_with_their_numbers(tmp_path):
    path = _workbook(tmp_path / "peserta.xlsx", {"Peserta": [
        HEADER,
        ["budi", "Budi Santoso", "Dinas Sosial", "", ""],
        ["sari", "Sari Dewi", "Dinas Perikanan", "", ""],
        ["tono", "Tono", "Dinas Perikanan", "", ""],
        ["ani", "Ani", "Dinas Sosial", "", ""],
        ["wa-ode", "Wa Ode", "Dinas Perikanan", "", ""],
    ]}, hidden_rows={"Peserta": [3, 4, 6]}, autofilter={"Peserta": "A1:E6"})
    with pytest.raises(RosterError) as err:
        read_roster(path)
    [problem] = err.value.problems
    assert problem.row is None
    assert "baris 3-4, 6 tersembunyi di lembar 'Peserta' (filter aktif pada A1:E6)" in problem.reason
    assert "hapus filter atau Unhide" in problem.reason and "simpan file" in problem.reason


def test_a_row_hidden_by_hand_is_refused_with_the_other_bad_rows(tmp_path):
    path = _workbook(tmp_path / "peserta.xlsx", {"Peserta": [
        HEADER,
        ["budi", "Budi Santoso", "Dinas Sosial", "", ""],
        ["-rf", "Iseng", "Dinas Sosial", "", ""],
        ["sari", "Sari Dewi", "Dinas Perikanan", "", ""],
        [None, None, None, None, None],  # hidden but empty: nobody is hidden there
    ]}, hidden_rows={"Peserta": [4, 5]})
    with pytest.raises(RosterError) as err:
        read_roster(path)
    assert [(p.row, p.reason.split(";")[0]) for p in err.value.problems] == [
        (None, "baris 4 tersembunyi di lembar 'Peserta'"), (3, "id '-rf' tidak boleh diawali '-'")]
    assert "2 masalah" in str(err.value)


def test_a_workbook_whose_active_sheet_is_not_the_roster_names_the_sheet(tmp_path):
    path = _workbook(tmp_path / "peserta.xlsx", {
        "Peserta": [HEADER, ["budi", "Budi Santoso", "Dinas Sosial", "", ""]],
        "Rekap": [["OPD", "Jumlah"], ["Dinas Sosial", 1]],
    }, active="Rekap")
    with pytest.raises(RosterError) as err:
        read_roster(path)
    assert "tidak ada di lembar 'Rekap'" in str(err.value) and "lembar yang aktif" in str(err.value)


def test_a_roster_is_a_sequence_of_participants_with_row_numbers(tmp_path):
    path = _xlsx(tmp_path / "peserta.xlsx", [
        HEADER, ["budi", "Budi", "Dinas", "", ""], [None] * 5, ["sari", "Sari", "Dinas", "", ""]])
    roster = read_roster(path)
    assert len(roster) == 2 and roster[1].id == "sari" and list(roster) == list(roster.participants)
    assert roster.numbered() == [(2, roster[0]), (4, roster[1])]
    assert roster == [roster[0], roster[1]] and roster.notes == ()


def test_roster_notes_reach_the_trainer_through_add_participants():
    from lablib.course.enrol import EnrolResult

    result = EnrolResult("kursus", (), (), ("budi",), 1, ("lembar tersembunyi 'Arsip' tidak dibaca",))
    assert "Catatan: lembar tersembunyi 'Arsip' tidak dibaca" in result.summary()


# -- names that become paths -------------------------------------------------------------------
@pytest.mark.parametrize("value", ["../x", "-rf", "--help", "a/b", "a\\b", ".", "..", "a\x00b", "a\nb", "-"])
def test_ids_that_are_not_one_safe_path_component_are_refused(value):
    assert id_problem(value)


def test_a_roster_with_option_like_or_path_like_ids_is_refused(tmp_path):
    path = tmp_path / "peserta.csv"
    path.write_text("id,nama,opd,jabatan,email\n../x,A,D,,\n-rf,B,D,,\n--help,C,D,,\na/b,E,D,,\nok,F,D,,\n",
                    encoding="utf-8")
    with pytest.raises(RosterError) as err:
        read_roster(path)
    assert [p.row for p in err.value.problems] == [2, 3, 4, 5]


@pytest.mark.parametrize("value", ["bimtek-inovasi", "Bimtek_Bangkep_2025", "_x", "a" * 64, "0"])
def test_safe_course_ids_are_accepted(value):
    from lablib.core.names import check_course_id

    assert check_course_id(value) == value


@pytest.mark.parametrize("value, reason", [
    ("", "kosong"),
    (".", "bukan nama folder"),
    ("..", "bukan nama folder"),
    ("../kursus", "'/'"),
    ("a\\b", "'\\'"),
    ("a\x00b", "karakter kendali"),
    ("a\tb", "karakter kendali"),
    ("-rf", "diawali '-'"),
    (".tersembunyi", "diawali '.'"),
    ("a" * 65, "terlalu panjang (65 karakter; maksimal 64)"),
    ("bimtek 2025", "(bukan ' ')"),
    ("kursus.1", "(bukan '.')"),
    ("kursús", "(bukan 'ú')"),
])
def test_unsafe_course_ids_are_refused_naming_the_value(value, reason):
    from lablib.core.errors import LablibError
    from lablib.core.names import check_course_id, shown

    with pytest.raises(LablibError) as err:
        check_course_id(value)
    message = str(err.value)
    assert message.startswith("id kursus") and reason in message
    assert shown(value, 20)[:10] in message  # the value, as it can be printed
    assert "pilih id kursus lain" in message


def test_the_name_rules_doctests_hold():
    import doctest

    import lablib.core.names
    import lablib.course.roster

    for module in (lablib.core.names, lablib.course.roster):
        assert doctest.testmod(module).failed == 0


def test_every_trainer_facing_error_is_a_lablib_error():
    from lablib.core.errors import LablibError
    from lablib.core.names import InvalidNameError
    from lablib.course.folder import CourseError
    from lablib.course.grading import GradingError
    from lablib.reports.review import ReviewError

    for cls, old_base in ((RosterError, ValueError), (CourseError, RuntimeError),
                          (GradingError, RuntimeError), (ReviewError, ValueError),
                          (InvalidNameError, ValueError)):
        assert issubclass(cls, LablibError) and issubclass(cls, old_base)
