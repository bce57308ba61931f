"""Synthetic participants: deterministic, folder-safe, and scored in the order their profiles
promise (model ≥ complete ≥ partial ≥ empty; inconsistent loses points)."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest

from lablib.core.answers import load_answers, save_answers
from lablib.core.checks import Answers
from lablib.core.fields import (
    Choice,
    DateField,
    LongText,
    MultiChoice,
    Number,
    Scale,
    ShortText,
    Table,
)
from lablib.core.stages import STAGES
from lablib.curriculum import get_exercise, stage_exercises
from lablib.curriculum.samples import model_answers
from lablib.curriculum.scoring import score_answers
from lablib.curriculum.synthetic import (
    OPDS,
    PROFILES,
    SyntheticParticipant,
    synthetic_answers,
    synthetic_cohort,
)

ACTIVE = [s.slug for s in STAGES if stage_exercises(s.slug) and model_answers(s.slug)]
OPD_SLUGS = [o.slug for o in OPDS]
MINE = ("deliver", "display")  # stages whose mutations this module knows in detail


def _earned(stage: str, answers: dict) -> float:
    return score_answers(stage, answers).earned


def test_all_five_stages_have_model_answers():
    assert ["drum-up", "diagnose", "design", "deliver", "display"] == ACTIVE


# ------------------------------------------------------------------ determinism and shape

@pytest.mark.parametrize("stage", ACTIVE)
@pytest.mark.parametrize("profile", PROFILES)
def test_same_arguments_give_the_same_answers(stage, profile):
    assert synthetic_answers(stage, profile, seed=7, opd="dinsos") == synthetic_answers(stage, profile, seed=7,
                                                                                        opd="dinsos")


def test_model_profile_is_exactly_the_model_answers():
    for stage in ACTIVE:
        assert model_answers(stage) == synthetic_answers(stage, "model", seed=5, opd="perikanan")


def test_empty_profile_is_empty():
    assert all({} == synthetic_answers(stage, "empty", seed=1) for stage in ACTIVE)


def test_seed_varies_the_trial_figures():
    a = synthetic_answers("deliver", "complete", seed=1, opd="dinkes")["deliver.dv1"]["log"]
    b = synthetic_answers("deliver", "complete", seed=2, opd="dinkes")["deliver.dv1"]["log"]
    assert [r["dilayani"] for r in a] != [r["dilayani"] for r in b]


def test_opd_retells_the_example_with_its_own_services():
    fish = json.dumps(synthetic_answers("diagnose", "complete", seed=0, opd="perikanan"), ensure_ascii=False)
    assert "akta kelahiran" not in fish and "kapal perikanan" in fish
    assert "KTP-el" in json.dumps(synthetic_answers("diagnose", "complete", seed=0, opd="disdukcapil"))


def test_every_opd_has_its_own_innovation_not_a_retold_template():
    """Each OPD's case is its own story: its own name, problem, indicators and trial figures;
    none names another OPD's services (the old word swap wrote "NIB anak")."""
    names, problems, iid = set(), set(), set()
    for o in OPDS:
        a = synthetic_answers("display", "complete", seed=5, opd=o.slug)
        names.add(a["design.ds1"]["nama"])
        problems.add(a["diagnose.dg1"]["masalah_terpilih"])
        iid.add(Answers(get_exercise("deliver.dv3"), a)["skor"])  # computed, never stored
        text = json.dumps(a, ensure_ascii=False)
        if o.slug != "disdukcapil":
            assert "akta kelahiran" not in text and "KTP-el" not in text, o.slug
        assert "data fiktif" in text
        assert "{" not in "".join(re.findall(r"\{[a-z0-9_]+\}", text)), o.slug  # every placeholder filled
    cases = {o.case or o.slug for o in OPDS}
    assert len(OPDS) == len(names)  # a kecamatan's innovation carries its own name
    assert len(cases) == len(problems) == 10  # the four kecamatan share two cases
    assert len(iid) >= 5  # self-assessed IID scores differ between innovations


def test_kecamatan_case_names_its_own_kecamatan():
    liang = json.dumps(synthetic_answers("design", "complete", seed=1, opd="kec-liang"), ensure_ascii=False)
    assert "Kecamatan Liang" in liang and "{kecamatan}" not in liang and "Kecamatan Bulagi" not in liang


def test_opd_changes_a_valid_fixed_choice():
    ds1 = synthetic_answers("design", "complete", seed=0, opd="perikanan")["design.ds1"]
    assert "Kelautan dan perikanan" == ds1["urusan"]


def test_unknown_profile_or_opd_is_refused_with_the_valid_names():
    with pytest.raises(ValueError, match="off_topic"):
        synthetic_answers("deliver", "lazy")
    with pytest.raises(ValueError, match="perikanan"):
        synthetic_answers("deliver", "complete", opd="Dinas Rahasia")
    with pytest.raises(KeyError):
        synthetic_answers("evaluasi", "complete")


@pytest.mark.parametrize("profile", PROFILES)
def test_answers_survive_the_answers_file(tmp_path, profile):
    for stage in ACTIVE:
        answers = synthetic_answers(stage, profile, seed=3, opd="kec-bulagi")
        save_answers(tmp_path / stage, stage, answers)
        assert answers == load_answers(tmp_path / stage, stage)


# ------------------------------------------------------------------ cohort

def test_cohort_is_deterministic_and_the_seed_matters():
    assert synthetic_cohort(12, seed=4) == synthetic_cohort(12, seed=4)
    assert [p.nama for p in synthetic_cohort(12, seed=4)] != [p.nama for p in synthetic_cohort(12, seed=5)]


@pytest.mark.parametrize("n", [1, 6, 30, 120])
def test_cohort_ids_names_and_emails_are_unique_and_safe(n):
    people = synthetic_cohort(n, seed=2)
    assert n == len(people)
    assert len({p.id for p in people}) == n and len({p.email for p in people}) == n
    assert len({p.nama for p in people}) == n
    for p in people:
        assert re.fullmatch(r"p\d{2,}-[a-z0-9]+(-[a-z0-9]+)*", p.id), p.id
        assert re.fullmatch(r"[a-z0-9.]+@[a-z0-9.-]+\.example", p.email), p.email
        assert p.nama.strip() and p.opd and p.jabatan
        assert p.profile in PROFILES


def test_cohort_ids_sort_in_participant_order():
    people = synthetic_cohort(120)
    assert [p.id for p in people] == sorted(p.id for p in people)


def test_first_participant_is_the_model_disdukcapil():
    first = synthetic_cohort(5, seed=9)[0]
    assert ("model", "disdukcapil") == (first.profile, first.opd_slug)
    assert first.id.endswith("-disdukcapil")
    assert 1 == sum(p.profile == "model" for p in synthetic_cohort(40))


def test_six_participants_cover_every_profile_and_several_opds():
    people = synthetic_cohort(6)
    assert set(PROFILES) == {p.profile for p in people}
    assert len({p.opd for p in synthetic_cohort(12)}) >= 8


def test_cohort_names_include_apostrophes_and_diacritics():
    names = [p.nama for p in synthetic_cohort(10)]
    assert any("'" in n for n in names)
    assert any(not n.isascii() for n in names)


def test_participants_are_frozen():
    p = synthetic_cohort(1)[0]
    assert isinstance(p, SyntheticParticipant)
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.nama = "x"  # type: ignore[misc]


def test_participant_answers_use_its_profile_and_opd():
    for p in synthetic_cohort(8, seed=1):
        assert synthetic_answers("deliver", p.profile, p.seed, p.opd_slug) == p.answers("deliver")


def test_bad_cohort_size_is_refused():
    with pytest.raises(ValueError):
        synthetic_cohort(0)


# ------------------------------------------------------------------ scores follow the profiles

@pytest.mark.parametrize("stage", ACTIVE)
@pytest.mark.parametrize("opd", ["disdukcapil", "perikanan", "dpmptsp", "kec-buko-selatan", "rsud"])
def test_profile_scores_are_ordered(stage, opd):
    s = {prof: _earned(stage, synthetic_answers(stage, prof, seed=11, opd=opd)) for prof in PROFILES}
    assert s["model"] >= s["complete"] >= s["partial"] >= s["empty"] == 0
    assert s["partial"] < s["complete"]
    assert s["inconsistent"] <= s["complete"] and s["off_topic"] <= s["model"]


@pytest.mark.parametrize("stage", [s for s in ACTIVE if s != "drum-up"])  # drum-up has no computed figures
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_inconsistent_participants_lose_points(stage, seed):
    opd = OPD_SLUGS[seed % len(OPD_SLUGS)]
    assert (_earned(stage, synthetic_answers(stage, "inconsistent", seed, opd))
            < _earned(stage, synthetic_answers(stage, "complete", seed, opd)))


@pytest.mark.parametrize("stage", ACTIVE)
@pytest.mark.parametrize("opd", OPD_SLUGS)
def test_complete_participants_earn_every_automatic_point(stage, opd):
    score = score_answers(stage, synthetic_answers(stage, "complete", seed=5, opd=opd))
    failing = [(c.exercise_id, c.check_id, [str(m) for m in c.messages])
               for e in score.exercises for c in e.checks if not c.passed]
    assert [] == failing


def test_inconsistent_trial_log_resolves_more_than_received():
    log = synthetic_answers("deliver", "inconsistent", seed=0)["deliver.dv1"]["log"]
    assert any(r["aduan_selesai"] > r["aduan_masuk"] for r in log)


def test_inconsistent_cohort_member_loses_points_over_the_course():
    person = next(p for p in synthetic_cohort(6) if p.profile == "inconsistent")
    model = next(p for p in synthetic_cohort(6) if p.profile == "model")
    def total(p):
        return sum(_earned(s, p.answers(s)) for s in ACTIVE)
    assert total(person) < total(model)


# ------------------------------------------------------------------ what each profile changes

def _values(answers: dict, kinds: tuple[type, ...], stage: str) -> list:
    out = []
    for ex in stage_exercises(stage):
        entry = answers.get(ex.id) or {}
        for f in ex.fields:
            if isinstance(f, Table):
                for row in entry.get(f.id) or []:
                    out += [row.get(c.id) for c in f.columns if isinstance(c, kinds)]
            elif isinstance(f, kinds):
                out.append(entry.get(f.id))
    return out


def _is_fixed(c) -> bool:
    return isinstance(c, (MultiChoice, Scale)) or (isinstance(c, Choice) and not c.dynamic)


@pytest.mark.parametrize("stage", ACTIVE)
def test_off_topic_keeps_numbers_dates_and_choices_but_not_text(stage):
    complete = synthetic_answers(stage, "complete", seed=4, opd="dinkes")
    off = synthetic_answers(stage, "off_topic", seed=4, opd="dinkes")
    assert _values(complete, (Number, DateField, Scale), stage) == _values(off, (Number, DateField, Scale), stage)
    fixed_c = [v for ex in stage_exercises(stage) for v in _fixed_choices(complete.get(ex.id), ex)]
    fixed_o = [v for ex in stage_exercises(stage) for v in _fixed_choices(off.get(ex.id), ex)]
    assert fixed_c == fixed_o
    texts_c = [t for t in _values(complete, (ShortText, LongText), stage) if t]
    texts_o = [t for t in _values(off, (ShortText, LongText), stage) if t]
    assert texts_c and len(texts_c) == len(texts_o)
    assert all(a != b for a, b in zip(texts_c, texts_o))


def _fixed_choices(entry, ex) -> list:
    entry = entry or {}
    out = []
    for f in ex.fields:
        if isinstance(f, Table):
            for row in entry.get(f.id) or []:
                out += [row.get(c.id) for c in f.columns if _is_fixed(c)]
        elif _is_fixed(f):
            out.append(entry.get(f.id))
    return out


def test_off_topic_keeps_lengths_so_only_the_reviewer_can_tell():
    from lablib.core.fields import word_count

    complete = synthetic_answers("display", "complete", seed=0, opd="dinsos")["display.dp1"]
    off = synthetic_answers("display", "off_topic", seed=0, opd="dinsos")["display.dp1"]
    assert all(word_count(complete[k]) == word_count(off[k]) for k in complete)


@pytest.mark.parametrize("profile", ["complete", "off_topic", "partial", "inconsistent"])
@pytest.mark.parametrize("opd", ["perikanan", "kec-liang"])
def test_carried_entries_match_the_participants_earlier_stage(profile, opd):
    """A later stage's copy of an earlier entry equals what the same participant wrote there
    (the profile's damage aside, which stays in the stage it was done in)."""
    for stage in ACTIVE:
        for eid, entry in synthetic_answers(stage, profile, seed=8, opd=opd).items():
            source = eid.split(".", 1)[0]
            if source == stage:
                continue
            base = "off_topic" if profile == "off_topic" else "complete"
            assert synthetic_answers(source, base, seed=8, opd=opd)[eid] == entry, (stage, eid)


def test_partial_leaves_some_exercises_half_filled():
    for stage in ACTIVE:
        complete = synthetic_answers(stage, "complete", seed=6, opd="dinkes")
        partial = synthetic_answers(stage, "partial", seed=6, opd="dinkes")
        changed = [e.id for e in stage_exercises(stage) if complete.get(e.id) != partial.get(e.id)]
        assert 1 <= len(changed) <= (len(stage_exercises(stage)) + 1) // 2
        for eid in changed:
            ex = get_exercise(eid)
            kept = ex.fields[: len(ex.fields) // 2]
            assert all(complete[eid].get(f.id) == partial[eid].get(f.id) for f in kept)
