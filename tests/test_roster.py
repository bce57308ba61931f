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


# -- rosters as offices keep them: NIPs, Excel numbers, shared office e-mails ----------------
NIP = "198703152010011002"  # 18 digits: more than Excel keeps of a number


def test_an_18_digit_nip_stored_as_an_excel_number_is_refused_with_its_row(tmp_path):
    # openpyxl saves a Python int this large as Excel does: a float with 15 significant digits
    path = _xlsx(tmp_path / "peserta.xlsx", [
        HEADER,
        [NIP, "Nip Sebagai Teks", "BKPSDM", "", ""],
        ["budi", "Budi", "Dinas Sosial", "", ""],
        [int(NIP), "Nip Sebagai Angka", "BKPSDM", "", ""],
        [12.5, "Angka Pecahan", "BKPSDM", "", ""],
    ])
    with pytest.raises(RosterError) as err:
        read_roster(path)
    assert [str(p) for p in err.value.problems] == [
        "baris 4: id 198703152010011000 tersimpan sebagai angka di Excel dan mungkin kehilangan digit; "
        "format kolom id sebagai Teks lalu ketik ulang",
        "baris 5: id 12.5 tersimpan sebagai angka pecahan di Excel; format kolom id sebagai Teks lalu ketik ulang",
    ]


def test_a_safe_whole_number_id_becomes_its_digits_and_a_nip_typed_as_text_is_kept(tmp_path):
    path = _xlsx(tmp_path / "peserta.xlsx", [
        HEADER,
        [NIP, "Nip Teks", "BKPSDM", "", ""],
        [123456789012345, "Lima Belas Digit", "BKPSDM", "", ""],
        [7.0, "Tujuh", "BKPSDM", "", ""],
    ])
    assert [p.id for p in read_roster(path)] == [NIP, "123456789012345", "7"]


def test_a_number_id_and_the_same_id_as_text_are_one_id(tmp_path):
    path = _xlsx(tmp_path / "peserta.xlsx", [
        HEADER, ["1971", "Teks", "Dinas", "", ""], [1971, "Angka", "Dinas", "", ""]])
    with pytest.raises(RosterError) as err:
        read_roster(path)
    assert [str(p) for p in err.value.problems] == ["baris 3: id '1971' sudah dipakai di baris 2"]


@pytest.mark.parametrize("delimiter, written", [(",", "1.98703E+17"), (";", "1,98703E+17")])
def test_a_csv_id_excel_wrote_in_scientific_notation_is_refused_with_its_row(tmp_path, delimiter, written):
    path = tmp_path / "peserta.csv"
    rows = [HEADER, ["budi", "Budi", "Dinas", "", ""], [written, "Nip Hilang", "BKPSDM", "", ""]]
    path.write_text("\n".join(delimiter.join(r) for r in rows) + "\n", encoding="utf-8")
    with pytest.raises(RosterError) as err:
        read_roster(path)
    [problem] = err.value.problems
    assert problem.row == 3
    assert f"id {written} ditulis Excel sebagai notasi ilmiah dan digitnya sudah hilang" in problem.reason
    assert "format kolom id sebagai Teks" in problem.reason


def test_a_csv_nip_ending_in_zeros_past_15_digits_is_enrolled_with_a_note(tmp_path):
    path = write_roster(tmp_path / "peserta.csv", [Participant("198703152010011000", "A", "BKPSDM"),
                                                  Participant(NIP, "B", "BKPSDM")])
    roster = read_roster(path)
    assert [p.id for p in roster] == ["198703152010011000", NIP]
    assert roster.notes == ("baris 2: id 198703152010011000 berakhiran nol setelah digit ke-15, seperti angka "
                            "yang kehilangan digit di Excel (NIP tidak pernah berakhiran 000); periksa id ini",)


def test_a_shared_office_email_is_a_note_not_a_refusal(tmp_path):
    path = _xlsx(tmp_path / "peserta.xlsx", [
        HEADER,
        ["ani", "Ani", "Dinas Sosial", "Staf", "sekretariat@dinsos.example"],
        ["budi", "Budi", "Dinas Sosial", "Staf", " Sekretariat@DinSos.example "],
        ["sari", "Sari", "Dinas Perikanan", "Staf", "sari@dkp.example"],
        ["tono", "Tono", "Dinas Sosial", "Staf", "SEKRETARIAT@dinsos.example"],
    ])
    roster = read_roster(path)
    assert [p.id for p in roster] == ["ani", "budi", "sari", "tono"]
    assert roster[1].email == "Sekretariat@DinSos.example"  # kept as typed, only trimmed
    assert roster.notes == (
        "baris 3: email Sekretariat@DinSos.example sama dengan baris 2; keduanya didaftarkan "
        "(mis. email kantor OPD yang dipakai bersama)",
        "baris 5: email SEKRETARIAT@dinsos.example sama dengan baris 2; keduanya didaftarkan "
        "(mis. email kantor OPD yang dipakai bersama)",
    )


def test_duplicate_ids_stay_refusals_even_with_different_emails(tmp_path):
    path = tmp_path / "peserta.csv"
    path.write_text("id,nama,opd,jabatan,email\nani,Ani,D,,a@x.example\nani,Ani Lain,D,,b@x.example\n",
                    encoding="utf-8")
    with pytest.raises(RosterError) as err:
        read_roster(path)
    assert [str(p) for p in err.value.problems] == ["baris 3: id 'ani' sudah dipakai di baris 2"]


def test_option_and_path_like_ids_in_excel_are_refused(tmp_path):
    path = _xlsx(tmp_path / "peserta.xlsx", [
        HEADER, ["-rf", "A", "D", "", ""], ["--help", "B", "D", "", ""], ["../x", "C", "D", "", ""],
        [-5, "Minus", "D", "", ""], ["ok", "E", "D", "", ""]])
    with pytest.raises(RosterError) as err:
        read_roster(path)
    assert [(p.row, p.reason) for p in err.value.problems] == [
        (2, "id '-rf' tidak boleh diawali '-'"), (3, "id '--help' tidak boleh diawali '-'"),
        (4, "id '../x' tidak boleh berisi '/' atau '\\' (harus satu nama folder)"),
        (5, "id '-5' tidak boleh diawali '-'")]


def test_a_nip_column_beside_the_id_that_lost_digits_is_noted(tmp_path):
    path = _xlsx(tmp_path / "peserta.xlsx", [
        [*HEADER, "NIP"],
        ["ani", "Ani", "Dinas Sosial", "", "", int(NIP)],
        ["budi", "Budi", "Dinas Sosial", "", "", NIP],
        ["sari", "Sari", "Dinas Sosial", "", "", 198703152010012001],
    ])
    roster = read_roster(path)
    assert len(roster) == 3
    assert roster.notes == ("kolom 'NIP' baris 2, 4: nomor tersimpan sebagai angka di Excel dan mungkin "
                            "kehilangan digit (kolom ini tidak dipakai lablib; bila dipakai di tempat lain, "
                            "format sebagai Teks lalu ketik ulang)",)


@pytest.mark.slow  # creates a whole course (every stage's assignment)
def test_init_refuses_a_nip_number_and_prints_roster_notes(tmp_path, capsys):
    from lablib import cli

    bad = _xlsx(tmp_path / "buruk.xlsx", [HEADER, ["ani", "Ani", "Dinsos", "", ""],
                                         ["x", "X", "Dinsos", "", ""], [int(NIP), "Nip", "BKPSDM", "", ""]])
    assert cli.main(["init", str(tmp_path / "k1"), "--roster", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "baris 4: id 198703152010011000 tersimpan sebagai angka di Excel" in err
    assert not (tmp_path / "k1").exists()

    good = _xlsx(tmp_path / "baik.xlsx", [HEADER, [NIP, "Nip", "BKPSDM", "", "kantor@bkpsdm.example"],
                                          ["ani", "Ani", "BKPSDM", "", "Kantor@BKPSDM.example"]])
    assert cli.main(["init", str(tmp_path / "k2"), "--roster", str(good)]) == 0
    out = capsys.readouterr().out
    assert "untuk 2 peserta" in out
    assert "Catatan: baris 3: email Kantor@BKPSDM.example sama dengan baris 2" in out
    from lablib.course.course import Course

    assert [p.id for p in Course.open(tmp_path / "k2").participants] == [NIP, "ani"]


def test_a_written_roster_holds_no_formula_and_reads_back_the_same(tmp_path):
    from lablib.course.roster import Participant, read_roster, write_roster

    people = [Participant("ani", '=HYPERLINK("http://x","klik")', "+Dinas", "-Staf", "ani@contoh.go.id")]
    path = write_roster(tmp_path / "peserta.csv", people)
    cells = path.read_text(encoding="utf-8").splitlines()[1]
    assert "'=HYPERLINK" in cells and ",'+Dinas," in cells and ",'-Staf," in cells
    assert list(read_roster(path)) == people
