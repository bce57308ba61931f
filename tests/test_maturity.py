"""PP 38/2017's stage of an innovation, derived from where it is (lablib.curriculum.maturity)."""

from __future__ import annotations

import datetime as _dt

import pytest

from lablib.curriculum.facts import PP38_TAHAPAN
from lablib.curriculum.maturity import pp38_stage
from lablib.curriculum.samples import model_answers


def test_stages_follow_the_path_inisiatif_uji_coba_penerapan():
    design, deliver, display = (model_answers(s) for s in ("design", "deliver", "display"))
    assert "Inisiatif" == pp38_stage(design).label
    trial = pp38_stage(deliver)
    assert ("Uji coba", _dt.date(2026, 10, 2)) == (trial.label, trial.since)
    assert "Penerapan" == pp38_stage(display).label
    assert {pp38_stage(a).label for a in (design, deliver, display)} == set(PP38_TAHAPAN)


@pytest.mark.parametrize("answers", [None, {}, {"deliver.dv1": "rusak"}, {"deliver.dv1": {"log": [1, "x", {}]}},
                                     {"display.dp1": {"ringkasan": "   "}},
                                     {"deliver.dv1": {"log": [{"tanggal": "bukan tanggal", "dilayani": 3}]}}])
def test_odd_answers_never_raise_and_empty_work_counts_for_nothing(answers):
    stage = pp38_stage(answers)
    assert stage.label in PP38_TAHAPAN
    expected = "Uji coba" if answers and "bukan tanggal" in str(answers) else "Inisiatif"
    assert expected == stage.label
    assert stage.describe().startswith(stage.label)


def test_a_planned_start_says_mulai_and_a_past_one_sejak():
    display = pp38_stage(model_answers("display"))  # penerapan planned for 4 January 2027
    assert display.describe(_dt.date(2026, 11, 30)).endswith("mulai 4 Januari 2027)")
    assert display.describe(_dt.date(2027, 2, 1)).endswith("sejak 4 Januari 2027)")
