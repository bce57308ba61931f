"""Reading the participant list: CSV (comma or semicolon, with or without BOM) and Excel;
a bad roster is refused with every bad row's number and reason."""

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
