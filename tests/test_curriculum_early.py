"""Drum-up, Diagnose (DG2–DG4) and Design exercises: points, model answers, every check's
pass and fail, and odd input that must never raise."""

from __future__ import annotations

import copy
import datetime as dt
import itertools

import pytest

from lablib.core.calendar import Calendar
from lablib.core.checks import Answers, run_checks
from lablib.core.fields import Table
from lablib.core.i18n import Text
from lablib.curriculum import facts, get_exercise
from lablib.curriculum.samples import model_answers

# The curriculum table: (auto points, rubric points).
POINTS = {
    "drum-up.du1": (2, 3),
    "drum-up.du2": (1, 4),
    "diagnose.dg2": (2, 4),
    "diagnose.dg3": (2, 2),
    "diagnose.dg4": (3, 5),
    "design.ds1": (3, 7),
    "design.ds2": (3, 3),
    "design.ds3": (3, 5),
    "design.ds4": (1, 5),
}
MINE = list(POINTS)


def _stage(eid: str) -> str:
    return eid.split(".", 1)[0]


def _model(eid: str) -> dict:
    return model_answers(_stage(eid))


def _assert_participant_messages(messages) -> None:
    assert messages
    for m in messages:
        assert isinstance(m, Text)
        assert m.id.strip() and m.en.strip() and m.id != m.en, m


# ------------------------------------------------------------------ definitions and points


@pytest.mark.parametrize("eid", MINE)
def test_points_equal_the_curriculum_table(eid):
    ex = get_exercise(eid)
    assert (ex.auto_points, ex.rubric_points) == POINTS[eid]


@pytest.mark.parametrize("eid", MINE)
def test_definition_validates_and_rubric_is_complete(eid):
    ex = get_exercise(eid)
    ex.validate()
    assert ex.title_en and ex.instructions_en
    field_ids = {f.id for f in ex.fields}
    for crit in ex.criteria:
        assert len(crit.descriptors) == 5 and all(d.strip() for d in crit.descriptors)
        assert crit.title_en
        assert crit.shows and set(crit.shows) <= field_ids, crit.id
    for check in ex.checks:
        assert check.title_en


def test_stage_order_of_the_curriculum():
    from lablib.curriculum import all_exercises

    stages = [ex.stage for ex in all_exercises()]
    order = ["drum-up", "diagnose", "design", "deliver", "display"]
    assert stages == sorted(stages, key=order.index)


# ------------------------------------------------------------------ model and empty answers


@pytest.mark.parametrize("eid", MINE)
def test_model_answer_earns_every_automatic_point(eid):
    ex = get_exercise(eid)
    answers = _model(eid)
    result = run_checks(ex, answers)
    assert result.earned == ex.auto_points, str(result)
    assert Answers(ex, answers).type_errors == []


@pytest.mark.parametrize("eid", MINE)
@pytest.mark.parametrize("answers", [{}, {"_": None}], ids=["no-file", "no-entry"])
def test_empty_answer_earns_nothing_and_says_what_to_do(eid, answers):
    result = run_checks(get_exercise(eid), answers)
    assert result.earned == 0
    for c in result.checks:
        _assert_participant_messages(c.messages)


def test_model_files_label_their_numbers_as_fictitious():
    from importlib import resources

    for stage in ("drum-up", "diagnose", "design"):
        text = resources.files("lablib.curriculum").joinpath("data", f"model-{stage}.json").read_text("utf-8")
        assert '"_note"' in text and "data fiktif" in text


def test_design_model_carries_the_imported_diagnose_answers():
    design, diagnose = model_answers("design"), model_answers("diagnose")
    for eid in ("diagnose.dg1", "diagnose.dg2", "diagnose.dg4"):
        assert design.get(eid) == diagnose[eid]


# ------------------------------------------------------------------ each check fails on its own mistake


def _set(eid, **values):
    def mutate(s):
        s[eid].update(values)
    return mutate


def _cell(eid, table, row, **values):
    def mutate(s):
        s[eid][table][row].update(values)
    return mutate


def _keep_rows(eid, table, n):
    def mutate(s):
        del s[eid][table][n:]
    return mutate


def _drop(eid):
    def mutate(s):
        s.pop(eid, None)
    return mutate


def _all(*mutations):
    def mutate(s):
        for m in mutations:
            m(s)
    return mutate


# (exercise, check, mutation of the stage's model answers)
BREAKERS = [
    # DU1
    ("drum-up.du1", "profil", _set("drum-up.du1", nama_opd="")),
    ("drum-up.du1", "profil", _all(lambda s: s["drum-up.du1"]["fungsi"].pop(0),
                                   lambda s: s["drum-up.du1"]["fungsi"].pop(2),
                                   lambda s: s["drum-up.du1"]["layanan"].pop(3))),
    ("drum-up.du1", "profil", _set("drum-up.du1", tim=[])),
    ("drum-up.du1", "layanan", _set("drum-up.du1", layanan=[])),
    ("drum-up.du1", "layanan", _cell("drum-up.du1", "layanan", 0, pengguna_per_tahun=None)),
    ("drum-up.du1", "layanan", _cell("drum-up.du1", "layanan", 0, pengguna_per_tahun=-5)),
    ("drum-up.du1", "layanan", _cell("drum-up.du1", "layanan", 1, fungsi="Fungsi yang tidak ada")),
    # DU2
    ("drum-up.du2", "komitmen", _set("drum-up.du2", tanggal="2026-08-20")),
    ("drum-up.du2", "komitmen", _set("drum-up.du2", penandatangan="")),
    ("drum-up.du2", "komitmen", _set("drum-up.du2", penandatangan="-")),
    ("drum-up.du2", "komitmen", _set("drum-up.du2", penandatangan="Kepala Dinas Kependudukan dan Pencatatan Sipil")),
    ("drum-up.du2", "komitmen", _set("drum-up.du2", oecd_iterasi=None)),
    ("drum-up.du2", "komitmen", _set("drum-up.du2", lan_budaya_inovasi=6)),
    ("drum-up.du2", "komitmen", _set("drum-up.du2", refleksi="  ")),
    # DG2
    ("diagnose.dg2", "penyebab", _all(_keep_rows("diagnose.dg2", "penyebab", 2), _keep_rows("diagnose.dg2", "mengapa", 2))),
    ("diagnose.dg2", "penyebab", _cell("diagnose.dg2", "penyebab", 0,
                                       penyebab="Cakupan akta kelahiran anak di pulau kecil rendah")),
    ("diagnose.dg2", "penyebab", _cell("diagnose.dg2", "penyebab", 6, kategori=None)),
    ("diagnose.dg2", "akar", _set("diagnose.dg2", akar_masalah="Petugas malas")),
    ("diagnose.dg2", "akar", _set("diagnose.dg2", akar_masalah="")),
    # DG3
    ("diagnose.dg3", "sebaran", _keep_rows("diagnose.dg3", "pemangku", 4)),
    ("diagnose.dg3", "sebaran", _cell("diagnose.dg3", "pemangku", 2, pengguna="Tidak")),
    ("diagnose.dg3", "sebaran", _all(*(_cell("diagnose.dg3", "pemangku", i, unsur="Pemerintah") for i in (5, 6, 7)))),
    ("diagnose.dg3", "kuadran", _all(*(_cell("diagnose.dg3", "pemangku", i, pengaruh=2) for i in (0, 1, 3)))),
    ("diagnose.dg3", "kuadran", _cell("diagnose.dg3", "pemangku", 1, kepentingan=9)),
    # DG4
    ("diagnose.dg4", "bobot", _set("diagnose.dg4", bobot_dampak=20)),
    ("diagnose.dg4", "bobot", _set("diagnose.dg4", bobot_biaya=0)),
    ("diagnose.dg4", "bobot", _set("diagnose.dg4", bobot_dampak=130, bobot_kelayakan=-55)),
    ("diagnose.dg4", "pemenang", _set("diagnose.dg4", ide_terpilih="Akta langsung dari Puskesmas")),
    ("diagnose.dg4", "pemenang", _cell("diagnose.dg4", "ide", 3, skor_dampak=5, skor_kelayakan=5)),
    ("diagnose.dg4", "pemenang", _cell("diagnose.dg4", "ide", 1, rumusan="Aplikasi akta daring")),
    ("diagnose.dg4", "pemenang", _cell("diagnose.dg4", "ide", 2, skor_biaya=8)),
    ("diagnose.dg4", "pemenang", _keep_rows("diagnose.dg4", "ide", 2)),
    ("diagnose.dg4", "pemenang", _set("diagnose.dg4", kaitan_akar="")),
    ("diagnose.dg4", "pp38", _cell("diagnose.dg4", "ide", 0, pp38=["Memberi manfaat"])),
    ("diagnose.dg4", "pp38", _cell("diagnose.dg4", "ide", 0, pp38=None)),
    # DS1
    ("design.ds1", "identitas", _set("design.ds1", tahapan="Uji coba")),
    ("design.ds1", "identitas", _set("design.ds1", bentuk="Pelayanan")),
    ("design.ds1", "identitas", _set("design.ds1", nama="")),
    ("design.ds1", "rancang_bangun", _set("design.ds1", rb_isu_strategis="")),
    ("design.ds1", "rancang_bangun", lambda s: s["design.ds1"].update(
        {k: "Cukup singkat saja." for k in s["design.ds1"] if k.startswith("rb_")})),
    ("design.ds1", "waktu_manfaat", _set("design.ds1", waktu_penerapan="2026-09-01")),
    ("design.ds1", "waktu_manfaat", _set("design.ds1", waktu_penerapan="2026-10-01")),
    ("design.ds1", "waktu_manfaat", _set("design.ds1", manfaat_pemangku="")),
    # DS2
    ("design.ds2", "angka", _cell("design.ds2", "indikator", 0, target=55)),
    ("design.ds2", "angka", _cell("design.ds2", "indikator", 1, target=20)),
    ("design.ds2", "angka", _cell("design.ds2", "indikator", 0, baseline="")),
    ("design.ds2", "angka", _cell("design.ds2", "indikator", 1, arah=None)),
    ("design.ds2", "angka", lambda s: s["design.ds2"]["indikator"].extend(
        copy.deepcopy(s["design.ds2"]["indikator"]))),
    ("design.ds2", "tenggat", _cell("design.ds2", "indikator", 0, tenggat="2027-02-01")),
    ("design.ds2", "tenggat", _cell("design.ds2", "indikator", 1, tenggat="2026-09-30")),
    ("design.ds2", "tenggat", _cell("design.ds2", "indikator", 1, tenggat=None)),
    ("design.ds2", "lengkap", _all(_cell("design.ds2", "indikator", 0, jenis="Kegiatan"),
                                   _cell("design.ds2", "indikator", 1, jenis="Output"))),
    ("design.ds2", "lengkap", _cell("design.ds2", "indikator", 0, sumber_data="")),
    ("design.ds2", "lengkap", _cell("design.ds2", "indikator", 1, frekuensi=None)),
    # DS3
    ("design.ds3", "jadwal", _cell("design.ds3", "kegiatan", 2, mulai="2026-10-20")),
    ("design.ds3", "jadwal", _cell("design.ds3", "kegiatan", 5, selesai="2027-01-15")),
    ("design.ds3", "jadwal", _cell("design.ds3", "kegiatan", 0, mulai="2026-08-01")),
    ("design.ds3", "jadwal", _cell("design.ds3", "kegiatan", 1, pic="")),
    ("design.ds3", "jadwal", _set("design.ds3", kegiatan=[])),
    ("design.ds3", "rab", _cell("design.ds3", "rab", 0, volume=0)),
    ("design.ds3", "rab", _cell("design.ds3", "rab", 1, harga_satuan=-5)),
    ("design.ds3", "rab", _cell("design.ds3", "rab", 3, satuan="")),
    ("design.ds3", "anggaran_profil", _set("design.ds3", sumber_dana=None)),
    ("design.ds3", "anggaran_profil", _set("design.ds3", sumber_dana="Tanpa biaya tambahan")),
    # DS4
    ("design.ds4", "rantai", _set("design.ds4", indikator_outcome="Jumlah kunjungan jemput bola")),
    ("design.ds4", "rantai", _set("design.ds4", asumsi="")),
    ("design.ds4", "rantai", _set("design.ds4", output=None)),
    ("design.ds4", "rantai", _cell("design.ds2", "indikator", 0, jenis="Kegiatan")),
    ("design.ds4", "rantai", _drop("design.ds2")),
]

# A mutation may legitimately break a second check; list those pairs here (none so far).
ALSO_FAILS: dict[tuple[str, str], set[str]] = {}


def _breaker_id(case):
    eid, check_id, _ = case
    return f"{eid}-{check_id}"


@pytest.mark.parametrize("eid,check_id,mutate", BREAKERS, ids=[_breaker_id(c) for c in BREAKERS])
def test_each_check_fails_on_its_own_mistake_only(eid, check_id, mutate):
    ex = get_exercise(eid)
    answers = _model(eid)
    mutate(answers)
    results = {c.check_id: c for c in run_checks(ex, answers).checks}
    broken = results[check_id]
    assert not broken.passed and broken.earned == 0
    _assert_participant_messages(broken.messages)
    allowed = {check_id} | ALSO_FAILS.get((eid, check_id), set())
    assert {cid for cid, c in results.items() if not c.passed} <= allowed, str(run_checks(ex, answers))


def test_every_check_has_a_failing_case():
    covered = {(eid, cid) for eid, cid, _ in BREAKERS}
    wanted = {(eid, c.id) for eid in MINE for c in get_exercise(eid).checks}
    assert wanted - covered == set()


# ------------------------------------------------------------------ odd input never raises

GARBAGE = [None, "", "   ", "abc", "12", "1.250,5", -3, 0, 7, 10**12, 2.5, True, -0.0, float("nan"),
           [], {}, [1, "x"], [{"x": 1}], {"a": 1}, "2026-99-99", ["Ya"], "x" * 30_000]


def _call_every_check(ex, answers):
    view = Answers(ex, answers)
    for check in ex.checks:
        problems = check.fn(view)  # called directly: run_check would hide an exception
        assert isinstance(problems, list) and all(isinstance(p, Text) for p in problems), check.id


def test_nan_in_a_scale_field_reads_as_a_type_error():
    # json.loads accepts NaN, so a hand-edited answers file can hold it.
    answers = model_answers("diagnose")
    answers["diagnose.dg4"]["ide"][0]["skor_dampak"] = float("nan")
    view = Answers(get_exercise("diagnose.dg4"), answers)
    assert view.type_errors


@pytest.mark.parametrize("eid", MINE)
def test_wrong_typed_field_values_never_raise(eid):
    ex = get_exercise(eid)
    for f, junk in itertools.product(ex.fields, GARBAGE):
        answers = _model(eid)
        answers[eid][f.id] = junk
        _call_every_check(ex, answers)


@pytest.mark.parametrize("eid", MINE)
def test_wrong_typed_table_cells_never_raise(eid):
    ex = get_exercise(eid)
    for table in (f for f in ex.fields if isinstance(f, Table)):
        for col, junk in itertools.product(table.columns, GARBAGE):
            answers = _model(eid)
            rows = answers[eid].get(table.id) or [{}]
            for row in rows:
                row[col.id] = junk
            answers[eid][table.id] = rows + [{col.id: junk}, {}]
            _call_every_check(ex, answers)


@pytest.mark.parametrize("eid", MINE)
def test_garbage_exercise_entries_and_other_exercises_never_raise(eid):
    ex = get_exercise(eid)
    for junk in GARBAGE:
        _call_every_check(ex, {eid: junk})
        answers = _model(eid)
        for other in list(answers):
            if other != eid:
                answers[other] = junk
        _call_every_check(ex, answers)
        answers = _model(eid)
        for other in list(answers):
            if other != eid and isinstance(answers[other], dict):
                answers[other] = dict.fromkeys(answers[other], junk)
        _call_every_check(ex, answers)


# ------------------------------------------------------------------ behaviour details


def test_commitment_date_follows_the_calendar_shipped_with_the_course():
    ex = get_exercise("drum-up.du2")
    answers = model_answers("drum-up")
    assert run_checks(ex, answers).passed
    later = Calendar(workshop_start=dt.date(2027, 3, 1), workshop_end=dt.date(2027, 3, 2))
    result = run_checks(ex, answers, later)
    assert not result.passed and "1 Maret 2027" in str(result.checks[0].messages[0])


def test_du2_rating_fields_follow_the_facts_tables():
    from lablib.curriculum.drum_up import DU2_CONDITIONS, DU2_SKILLS

    assert list(DU2_CONDITIONS.values()) == list(facts.LAN_CONDITIONS)
    assert list(DU2_SKILLS.values()) == list(facts.OECD_SKILLS)
    ex = get_exercise("drum-up.du2")
    for fid in [*DU2_CONDITIONS, *DU2_SKILLS]:
        ex.field(fid)


def test_root_cause_may_come_from_the_five_why_chain():
    answers = model_answers("diagnose")
    entry = answers["diagnose.dg2"]
    entry["penyebab"] = []
    entry["akar_masalah"] = "  layanan akta hanya tersedia di kantor Disdukcapil di Salakan "
    assert run_checks(get_exercise("diagnose.dg2"), answers).passed


def test_stakeholder_quadrants_come_from_the_facts_threshold():
    from lablib.curriculum.diagnose import stakeholder_quadrant

    high = facts.STAKEHOLDER_HIGH_FROM
    assert stakeholder_quadrant(high, high) == facts.STAKEHOLDER_QUADRANTS[(True, True)]
    assert stakeholder_quadrant(high - 1, high) == facts.STAKEHOLDER_QUADRANTS[(False, True)]
    assert stakeholder_quadrant(None, 3) is None


def test_tied_winner_may_be_declared_and_weights_set_the_winner():
    from lablib.curriculum.diagnose import weighted_score

    answers = model_answers("diagnose")
    entry = answers["diagnose.dg4"]
    weights = {k: entry[f"bobot_{k}"] for k in facts.DECISION_CRITERIA}
    scores = [weighted_score(r, weights) for r in entry["ide"]]
    assert scores[0] == max(scores) == 4.3
    entry["ide"][3].update(skor_dampak=5, skor_kelayakan=4, skor_biaya=3, skor_kebaruan=4, skor_tupoksi=5)
    assert run_checks(get_exercise("diagnose.dg4"), answers).passed


def test_how_might_we_wording_is_flexible_but_required():
    from lablib.curriculum.diagnose import _is_how_might_we

    assert _is_how_might_we("Bagaimana kita membawa layanan ke desa?")
    assert _is_how_might_we("bagaimana cara kita membawa layanan ke desa?")
    assert not _is_how_might_we("Membawa layanan ke desa")
    assert not _is_how_might_we(None)


def test_design_checks_do_not_need_the_imported_diagnose_answers():
    answers = {k: v for k, v in model_answers("design").items() if not k.startswith("diagnose.")}
    for eid in ("design.ds1", "design.ds2", "design.ds3", "design.ds4"):
        assert run_checks(get_exercise(eid), answers).passed, eid


def test_copies_of_these_exercises_in_later_models_equal_the_originals():
    from lablib.core.stages import STAGES

    models = {s.slug: model_answers(s.slug) for s in STAGES}
    mine = set(MINE) | {"diagnose.dg1"}
    for slug, answers in models.items():
        for eid, entry in answers.items():
            if eid in mine and _stage(eid) != slug:
                assert entry == models[_stage(eid)][eid], f"model-{slug}.json: copy of {eid} differs"


def test_activities_may_start_on_the_first_workshop_day_and_end_with_the_trial():
    from lablib.core.calendar import DEFAULT_CALENDAR as cal

    answers = model_answers("design")
    answers["design.ds3"]["kegiatan"][0].update(mulai=cal.workshop_start.isoformat())
    answers["design.ds3"]["kegiatan"][5].update(selesai=cal.deliver_end.isoformat())
    assert run_checks(get_exercise("design.ds3"), answers).passed


def test_budget_numbers_may_be_written_the_indonesian_way():
    answers = model_answers("design")
    line = answers["design.ds3"]["rab"][0]
    line["harga_satuan"] = f"{line['harga_satuan']:,}".replace(",", ".")  # "1.500.000"
    assert run_checks(get_exercise("design.ds3"), answers).passed
    assert 43_900_000 == Answers(get_exercise("design.ds1"), answers)["anggaran"]  # the DS3 total, computed


def test_outcome_link_ignores_case_and_spacing():
    answers = model_answers("design")
    answers["design.ds4"]["indikator_outcome"] = "  cakupan AKTA kelahiran anak di  pulau kecil "
    assert run_checks(get_exercise("design.ds4"), answers).passed


def test_worked_example_is_consistent_across_stages():
    diagnose, design = model_answers("diagnose"), model_answers("design")
    chosen = diagnose["diagnose.dg1"]["masalah_terpilih"]
    baseline = next(r["baseline"] for r in diagnose["diagnose.dg1"]["masalah"] if r["nama"] == chosen)
    outcome = design["design.ds4"]["indikator_outcome"]
    indicator = next(r for r in design["design.ds2"]["indikator"] if r["nama"] == outcome)
    assert indicator["baseline"] == baseline
    assert diagnose["diagnose.dg2"]["akar_masalah"].lower() in design["design.ds1"]["rb_permasalahan"].lower()
    assert Answers(get_exercise("design.ds1"), design)["anggaran"] == Answers(get_exercise("design.ds3"), design)["total_rab"]
