"""Computed fields: totals, ranks, quadrants, budget sums, percentages, bands and weighted scores
are computed by the curriculum (``Computed``), equal a hand computation, are ``None`` where inputs
are missing, and are what the real nbgrader autograder uses."""

from __future__ import annotations

import pytest
from conftest import nbgrader

from lablib.core.checks import Answers
from lablib.core.fields import Choice, Computed, Table
from lablib.course.grading import gradebook_rows
from lablib.curriculum import all_exercises, deliver, diagnose, facts, get_exercise
from lablib.curriculum.grade_ids import auto_grade_id
from lablib.curriculum.samples import model_answers
from lablib.notebook.summary import answers_text
from lablib.reports.documents import text_of, value_of


def view(exercise_id: str, answers: dict) -> Answers:
    return Answers(get_exercise(exercise_id), answers)


# ------------------------------------------------------------------ model answers, by hand

def test_dg1_totals_and_ranks_equal_a_hand_computation():
    answers = model_answers("diagnose")
    rows = view("diagnose.dg1", answers).rows("masalah")
    by_hand = [r["u"] + r["s"] + r["g"] for r in answers["diagnose.dg1"]["masalah"]]
    assert by_hand == [r["total"] for r in rows]
    assert [1 + sum(t > x for t in by_hand) for x in by_hand] == [r["peringkat"] for r in rows]


def test_dg1_ties_share_a_competition_rank_and_a_missing_score_gives_none():
    rows = [{"u": 5, "s": 5, "g": 2}, {"u": 4, "s": 4, "g": 4}, {"u": 1, "s": 1, "g": 1},
            {"u": 5, "s": None, "g": 5}, {"u": 9, "s": 1, "g": 1}]
    assert [12, 12, 3, None, None] == diagnose.usg_totals(rows)
    assert [1, 1, 3, None, None] == diagnose.usg_ranks(rows)


def test_dg3_quadrants_follow_the_grid():
    rows = view("diagnose.dg3", model_answers("diagnose")).rows("pemangku")
    high = facts.STAKEHOLDER_HIGH_FROM
    for r in rows:
        assert facts.STAKEHOLDER_QUADRANTS[(r["pengaruh"] >= high, r["kepentingan"] >= high)] == r["kuadran"]
    assert [None] == diagnose.stakeholder_quadrants([{"pengaruh": 4}])


def test_dg4_values_and_winner():
    answers = model_answers("diagnose")
    dg4 = answers["diagnose.dg4"]
    a = view("diagnose.dg4", answers)
    weights = {k: dg4[f"bobot_{k}"] for k in facts.DECISION_CRITERIA}
    by_hand = [round(sum(weights[k] * r[f"skor_{k}"] for k in weights) / 100, 4) for r in dg4["ide"]]
    assert by_hand == [r["nilai"] for r in a.rows("ide")]
    assert dg4["ide_terpilih"] == a["ide_tertinggi"]
    dg4["bobot_dampak"] = None  # a missing weight: nothing can be valued
    a = view("diagnose.dg4", answers)
    assert {None} == {r["nilai"] for r in a.rows("ide")} and a["ide_tertinggi"] is None


def test_ds3_lines_and_total_and_ds1_budget():
    answers = model_answers("design")
    rab = answers["design.ds3"]["rab"]
    a = view("design.ds3", answers)
    assert [r["volume"] * r["harga_satuan"] for r in rab] == [r["jumlah"] for r in a.rows("rab")]
    assert sum(r["volume"] * r["harga_satuan"] for r in rab) == a["total_rab"] == 43_900_000
    assert a["total_rab"] == view("design.ds1", answers)["anggaran"]
    rab[0]["harga_satuan"] = None
    a = view("design.ds3", answers)
    assert a.rows("rab")[0]["jumlah"] is None and a["total_rab"] is None
    assert view("design.ds1", answers)["anggaran"] is None


def test_dv1_change_ratio_band_and_dv3_score():
    answers = model_answers("deliver")
    log = answers["deliver.dv1"]["log"]
    received, resolved = sum(r["aduan_masuk"] for r in log), sum(r["aduan_selesai"] for r in log)
    a = view("deliver.dv1", answers)
    assert round(resolved / received * 100, 1) == a["rasio_pengaduan"]
    assert deliver.complaint_band(resolved / received * 100) == a["band_pengaduan"]
    base = {r["nama"]: r["baseline"] for r in answers["design.ds2"]["indikator"]}
    for r in a.rows("perubahan"):
        assert base[r["indikator"]] == r["baseline"]
        assert r["capaian"] - r["baseline"] == pytest.approx(r["perubahan"])
        assert round((r["capaian"] - r["baseline"]) / r["baseline"] * 100, 1) == r["perubahan_persen"]
    weights = {i.name: i.weight for i in facts.IID_INDICATORS}
    claims = answers["deliver.dv3"]["klaim"]
    assert sum(weights[c["indikator"]] * c["level"] for c in claims) == view("deliver.dv3", answers)["skor"]
    del answers["design.ds2"]  # not imported: no baseline, so no change
    assert {None} == {r[k] for r in view("deliver.dv1", answers).rows("perubahan")
                      for k in ("baseline", "perubahan", "perubahan_persen")}


def test_dv3_row_note_shows_the_levels_of_the_rows_indicator():
    table = get_exercise("deliver.dv3").field("klaim")
    ind = deliver.IID_BY_KEY["pengaduan"]
    note = table.row_note({"indikator": ind.name})
    assert all(f"Level {n}: {d}" in note for n, d in enumerate(ind.levels, start=1))
    assert table.row_note({"indikator": None}) is None


# ------------------------------------------------------------------ definitions and files

def test_no_model_file_stores_a_computed_value():
    for stage in ("diagnose", "design", "deliver", "display"):
        answers = model_answers(stage)
        for ex in all_exercises():
            entry = answers.get(ex.id) or {}
            for f in ex.fields:
                assert not (isinstance(f, Computed) and f.id in entry), (stage, ex.id, f.id)
                if isinstance(f, Table):
                    cols = {c.id for c in f.columns if isinstance(c, Computed)}
                    assert not any(cols & set(r) for r in entry.get(f.id) or []), (stage, ex.id, f.id)


@pytest.mark.parametrize("stage, exercise_id, field_id", [
    ("diagnose", "diagnose.dg2", "akar_masalah"), ("design", "design.ds4", "indikator_outcome")])
def test_model_choices_are_among_the_listed_options(stage, exercise_id, field_id):
    answers = model_answers(stage)
    a = view(exercise_id, answers)
    choice = get_exercise(exercise_id).field(field_id)
    assert isinstance(choice, Choice) and a[field_id] in a.options(choice)


def test_dv1_indicators_are_chosen_from_the_imported_ds2():
    answers = model_answers("deliver")
    a = view("deliver.dv1", answers)
    column = next(c for c in get_exercise("deliver.dv1").field("perubahan").columns if c.id == "indikator")
    assert {r["indikator"] for r in a.rows("perubahan")} <= set(a.options(column))


# ------------------------------------------------------------------ readers show them

def test_documents_and_summary_show_computed_values():
    answers = model_answers("display")
    assert 43_900_000 == value_of(answers, "design.ds3.total_rab") == value_of(answers, "design.ds1.anggaran")
    assert "51–90%" == text_of(answers, "deliver.dv1.band_pengaduan")
    text = answers_text(get_exercise("diagnose.dg1"), model_answers("diagnose"))
    assert "Total USG: 14" in text and "Peringkat: 1" in text


# ------------------------------------------------------------------ what autograde uses

@pytest.mark.slow
def test_real_nbgrader_gives_the_model_every_point_and_uses_the_computed_rank(tmp_path):
    from test_grading import STAGE, make_template, submit

    course = make_template(tmp_path / "course")
    answers = model_answers(STAGE)
    submit(course, "model", answers)
    # the same answers, but the rank-1 problem (as computed) is no longer the chosen one: the
    # autograder must fail DG1's choice check exactly when the computed rank says so
    other = model_answers(STAGE)
    other["diagnose.dg1"]["masalah"][1].update(u=5, s=5, g=5)  # now the top total
    submit(course, "other", other)
    nbgrader("autograde", STAGE, cwd=course)
    grades = gradebook_rows(course, STAGE)
    for ex in (e for e in all_exercises() if e.stage == STAGE):
        for check in ex.checks:
            auto = grades["model"]["grades"][f"{STAGE}/{auto_grade_id(ex, check.id)}"][0]
            assert check.points == auto, (ex.id, check.id)
    rows = view("diagnose.dg1", other).rows("masalah")
    chosen = next(r for r in rows if r["nama"] == other["diagnose.dg1"]["masalah_terpilih"])
    assert (15, 1, 2) == (rows[1]["total"], rows[1]["peringkat"], chosen["peringkat"])
    assert 0 == grades["other"]["grades"][f"{STAGE}/auto-dg1-pilihan"][0]
    assert 1 == grades["other"]["grades"][f"{STAGE}/auto-dg1-usg"][0]
