"""The course commands with the gradebook in PostgreSQL: a throwaway server on loopback
(tests/postgres_server.py), the same bimtek and the same checks as on SQLite."""

from __future__ import annotations

import pytest
from test_pipeline_course import COURSE_ID, PipelineContract, run_scenario

from lablib import cli

pytestmark = [pytest.mark.slow, pytest.mark.postgres]




class PostgresContract(PipelineContract):
    def check_gradebook_is_in_postgres_not_in_a_file(self, scenario):
        assert scenario.db_url.startswith("postgresql")
        assert not (scenario.course / "gradebook.db").exists()


def test_bimtek_on_postgres(postgres, tmp_path):
    PostgresContract().run(run_scenario(tmp_path, postgres.create_database()))


def test_bare_postgresql_url_works_and_a_second_course_in_the_same_database_is_refused(
        postgres, tmp_path, capsys):
    from nbgrader.api import Gradebook

    from lablib.course.folder import load_config

    url = postgres.create_database().replace("postgresql+psycopg2://", "postgresql://")
    roster = tmp_path / "peserta.csv"
    roster.write_text("id,nama,opd,jabatan,email\nani,Ani,Dinas Sosial,Staf,\n", encoding="utf-8")
    assert cli.main(["init", str(tmp_path / "a"), "--roster", str(roster), "--db-url", url,
                     "--course-id", COURSE_ID]) == 0
    stored = str(load_config(tmp_path / "a").CourseDirectory.db_url)
    with Gradebook(stored, COURSE_ID) as gb:
        assert [s.id for s in gb.students] == ["ani"]
    capsys.readouterr()
    assert cli.main(["init", str(tmp_path / "b"), "--roster", str(roster), "--db-url", url,
                     "--course-id", COURSE_ID]) == 1
    err = capsys.readouterr().err
    assert f"sudah berisi kursus '{COURSE_ID}'" in err and "tidak ada yang diubah" in err
    assert not (tmp_path / "b").exists()


def test_failed_init_removes_what_it_wrote_to_postgres(postgres, tmp_path, monkeypatch):
    from sqlalchemy import create_engine, text

    import lablib.course.folder as course_mod

    url = postgres.create_database()
    roster = tmp_path / "peserta.csv"
    roster.write_text("id,nama,opd,jabatan,email\nani,Ani,Dinas Sosial,Staf,\n", encoding="utf-8")

    def fail(*args, **kwargs):
        raise OSError("disk penuh")

    monkeypatch.setattr(course_mod.os, "rename", fail)
    assert 1 == cli.main(["init", str(tmp_path / "k"), "--roster", str(roster), "--db-url", url])
    assert list(tmp_path.iterdir()) == [roster]
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM assignment")).scalar() == 0
        assert conn.execute(text("SELECT count(*) FROM student")).scalar() == 0
    engine.dispose()
