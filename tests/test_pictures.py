"""Pictures: every kind renders from model, partial, broken and empty answers without a warning,
shows what the answers hold (one bar per problem, one bar per activity, …) and keeps
participant text short and drawable (the helpers of lablib.notebook.drawing included)."""

from __future__ import annotations

import copy
import re
import subprocess
import sys

import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

import lablib
from lablib.core import formatting
from lablib.core.i18n import set_language
from lablib.curriculum.samples import model_answers
from lablib.curriculum.synthetic import synthetic_answers
from lablib.notebook import drawing as D
from lablib.notebook import pictures as P

KINDS = sorted(P.KINDS)
LONG = "Antrean <script>alert('x')</script> $5 $ 👍🏽 KTP-el " + "sangat panjang sekali " * 30


def stage_of(kind: str) -> str:
    return P.KINDS[kind][1].split(".", 1)[0]


pytestmark = pytest.mark.usefixtures("warnings_are_errors")


def render(fig: Figure) -> None:
    """Draw the figure for real: missing glyphs and layout problems only warn at draw time."""
    assert isinstance(fig, Figure)
    fig.canvas.draw()


def texts(fig: Figure) -> list[str]:
    """Every non-empty text of the figure, table cells included, each artist once."""
    found = {id(t): t for t in fig.findobj(Text)}
    for ax in fig.axes:
        for table in ax.tables:
            found.update({id(c.get_text()): c.get_text() for c in table.get_celld().values()})
    return [t.get_text() for t in found.values() if t.get_text() and t.get_visible()]


def gids(fig: Figure, gid: str) -> list:
    return [a for a in fig.findobj() if a.get_gid() == gid]


# ------------------------------------------------------------------ every kind, every kind of answer


@pytest.mark.parametrize("kind", KINDS)
def test_every_picture_renders_from_the_model_answer(kind):
    fig = P.picture(kind, model_answers(stage_of(kind)))
    render(fig)
    assert not any("Belum ada data" in t for t in texts(fig))


@pytest.mark.parametrize("profile", ["partial", "inconsistent", "off_topic"])
@pytest.mark.parametrize("kind", KINDS)
def test_every_picture_renders_from_synthetic_participants(kind, profile):
    render(P.picture(kind, synthetic_answers(stage_of(kind), profile, seed=3)))


@pytest.mark.parametrize("kind", KINDS)
def test_empty_answers_draw_a_no_data_note(kind):
    exercise_id = P.KINDS[kind][1]
    for n, answers in enumerate(({}, {exercise_id: {}}, None, {exercise_id: "rusak"})):
        fig = P.picture(kind, answers)
        if n == 0:
            render(fig)
        assert any("Belum ada data" in t for t in texts(fig)), (kind, answers)


def _partial(kind: str) -> dict:
    """The model answer with every other table row and every other field emptied."""
    answers = model_answers(stage_of(kind))
    entry = answers[P.KINDS[kind][1]]
    for n, (key, value) in enumerate(list(entry.items())):
        if isinstance(value, list):
            for row in value[1::2]:
                for col in list(row)[::2]:
                    row[col] = None
        elif n % 2:
            entry[key] = None
    return answers


@pytest.mark.parametrize("kind", KINDS)
def test_partial_answers_render(kind):
    render(P.picture(kind, _partial(kind)))


@pytest.mark.parametrize("kind", KINDS)
def test_mistyped_values_render(kind):
    answers = model_answers(stage_of(kind))
    entry = answers[P.KINDS[kind][1]]
    for key, value in entry.items():
        if isinstance(value, list):
            for row in value:
                for col in row:
                    row[col] = {"tanggal": "besok", "u": 9, "pengaruh": "tinggi"}.get(col, "tujuh")
        else:
            entry[key] = ["bukan", "teks"]
    render(P.picture(kind, answers))


# ------------------------------------------------------------------ what the pictures show


def test_usg_draws_one_bar_per_problem_highest_first_with_the_chosen_one_highlighted():
    answers = model_answers("diagnose")
    problems = answers["diagnose.dg1"]["masalah"]
    fig = P.picture("usg", answers)
    bars = gids(fig, "usg-bar")
    assert len(problems) == len(bars)
    widths = [b.get_width() for b in sorted(bars, key=lambda b: -b.get_y())]  # top to bottom
    assert sorted((p["u"] + p["s"] + p["g"] for p in problems), reverse=True) == widths
    highlighted = [b for b in bars if b.get_facecolor() == _rgba(D.ACCENT)]
    assert 1 == len(highlighted)


def _rgba(colour: str) -> tuple:
    from matplotlib.colors import to_rgba

    return to_rgba(colour)


def test_usg_draws_the_totals_and_ranks_answers_computes_not_a_stored_total():
    answers = {"diagnose.dg1": {"masalah": [{"nama": "A", "u": 1, "s": 1, "g": 1, "total": 15, "peringkat": 1},
                                            {"nama": "B", "u": 5, "s": 5, "g": 5, "total": 3, "peringkat": 2},
                                            {"nama": "C", "u": 5, "s": 5, "g": 5},
                                            {"nama": "D", "u": 4, "s": 4}]}}
    view = D.exercise_view("diagnose.dg1", answers)
    computed = [(r["nama"], r["total"], r["peringkat"]) for r in view.rows("masalah")]
    assert [("A", 3, 3), ("B", 15, 1), ("C", 15, 1), ("D", None, None)] == computed
    fig = P.picture("usg", answers)
    bars = sorted(gids(fig, "usg-bar"), key=lambda b: -b.get_y())  # top to bottom
    assert [15, 15, 3, 8] == [b.get_width() for b in bars]  # rank order; D (not ranked) last, drawn partially
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert ["B", "C", "A", "D (skor belum lengkap)"] == labels


def test_gantt_draws_one_bar_per_dated_activity():
    answers = model_answers("design")
    activities = answers["design.ds3"]["kegiatan"]
    assert len(activities) == len(gids(P.picture("gantt", answers), "gantt-bar"))
    activities.append({"nama": "Tanpa tanggal", "pic": "Kabid"})
    fig = P.picture("gantt", answers)
    assert len(activities) - 1 == len(gids(fig, "gantt-bar"))
    assert any("tanggal belum lengkap" in t for t in texts(fig))


def test_budget_table_shows_the_line_totals_and_total_answers_computes_in_rupiah():
    answers = {"design.ds3": {"rab": [
        {"uraian": "Sewa perahu", "volume": 2, "satuan": "trip", "harga_satuan": 625000, "jumlah": 1250000},
        {"uraian": "Uang harian", "volume": 3, "satuan": "orang-hari", "harga_satuan": 150000, "jumlah": 400000},
    ], "total_rab": 1}}  # stored totals are ignored: Answers computes them
    view = D.exercise_view("design.ds3", answers)
    assert [1250000, 450000] == [r["jumlah"] for r in view.rows("rab")] and 1700000 == view["total_rab"]
    fig = P.picture("budget", answers)
    render(fig)
    shown = texts(fig)
    # lablib's one style (lablib.core.formatting): "Rp1.250.000", no space after Rp
    assert {"Rp1.250.000", "Rp450.000", "Rp1.700.000"} <= set(shown)
    assert not any("Rp400.000" in t or "Rp1," in t or "Rp " in t for t in shown)
    del answers["design.ds3"]["rab"][1]["harga_satuan"]  # no line total, so no budget total yet
    shown = texts(P.picture("budget", answers))
    assert "Rp1.250.000" in shown and "Rp1.700.000" not in shown
    assert any("Total belum dapat dihitung" in t for t in shown)


def test_pictures_write_rupiah_with_the_one_formatting_module():
    assert P.rupiah is formatting.rupiah
    assert not hasattr(D, "rupiah")  # no second rupiah style left in the drawing helpers


def test_numbers_in_pictures_have_a_decimal_comma_and_dots_for_thousands():
    answers = {k: v for stage in ("drum-up", "diagnose", "design", "deliver", "display")
               for k, v in model_answers(stage).items()}
    shown = [t for kind in KINDS for t in texts(P.picture(kind, answers))]
    assert not [t for t in shown if re.search(r"\d\.\d{1,2}(?!\d)", t) or "Rp " in t]  # no "0.5", no "Rp 1"
    assert any("(61 → 68,5; target 75)" in t for t in shown)  # the DV1 progress label
    assert any("total 1.074" in t and "(88,2%, band IID" in t for t in shown)  # people served, complaints


def test_stakeholder_grid_places_every_scored_stakeholder():
    answers = model_answers("diagnose")
    rows = answers["diagnose.dg3"]["pemangku"]
    fig = P.picture("stakeholder", answers)
    assert len(rows) == sum(len(c.get_offsets()) for c in gids(fig, "stakeholder"))
    assert {"Kelola secara dekat", "Jaga kepuasan", "Beri informasi", "Pantau"} <= set(texts(fig))
    rows[0]["pengaruh"] = None
    fig = P.picture("stakeholder", answers)
    assert len(rows) - 1 == sum(len(c.get_offsets()) for c in gids(fig, "stakeholder"))
    assert any("Belum diberi skor lengkap" in t for t in texts(fig))


def test_decision_matrix_shows_the_value_answers_computes_per_idea_and_marks_the_highest():
    answers = model_answers("diagnose")
    entry = answers["diagnose.dg4"]
    fig = P.picture("decision", answers)
    values = gids(fig, "decision-total")
    assert len(entry["ide"]) == len(values)
    expected = [sum(entry[f"bobot_{k}"] * idea[f"skor_{k}"] for k in ("dampak", "kelayakan", "biaya", "kebaruan",
                                                                        "tupoksi")) / 100 for idea in entry["ide"]]
    computed = [r["nilai"] for r in D.exercise_view("diagnose.dg4", answers).rows("ide")]
    assert pytest.approx(expected) == computed  # the model's weights add up to 100
    assert [formatting.number(v) for v in computed] == [t.get_text() for t in values]
    best = max(range(len(expected)), key=expected.__getitem__)
    assert "bold" == values[best].get_fontweight()
    entry["ide"][0]["skor_dampak"] = None  # no value can be computed for this idea: "–", never 0
    values = gids(P.picture("decision", answers), "decision-total")
    assert "–" == values[0].get_text()


def test_fishbone_puts_causes_on_their_bones_and_draws_the_why_chain():
    answers = model_answers("diagnose")
    entry = answers["diagnose.dg2"]
    fig = P.picture("fishbone", answers)
    per_category: dict = {}
    for r in entry["penyebab"]:
        per_category[r["kategori"]] = per_category.get(r["kategori"], 0) + 1
    assert sum(min(n, P.FISHBONE_SHOWN) for n in per_category.values()) == len(gids(fig, "fishbone-cause"))
    assert len([r for r in entry.get("mengapa", []) if r.get("jawaban")]) == len(gids(fig, "fishbone-why"))
    entry["penyebab"] = [{"kategori": "Metode", "penyebab": f"Penyebab {n}"} for n in range(9)]
    fig = P.picture("fishbone", answers)
    assert P.FISHBONE_SHOWN == len(gids(fig, "fishbone-cause"))
    assert any("5 lainnya" in t for t in texts(fig))


def test_trial_trend_draws_the_weekly_log_against_the_ds2_baseline_and_target():
    answers = model_answers("deliver")
    log = answers["deliver.dv1"]["log"]
    fig = P.picture("trial", answers)
    assert len(log) == len(gids(fig, "trial-served"))
    (line,) = gids(fig, "trial-days")
    assert [r["hari_layanan"] for r in log] == list(line.get_ydata())
    shown = texts(fig)
    assert any(t.startswith("Baseline 14") for t in shown) and any(t.startswith("Target 3") for t in shown)
    del answers["design.ds2"]
    assert any("impor jawaban Design" in t for t in texts(P.picture("trial", answers)))


def test_kipp_radar_compares_the_share_of_text_with_the_kipp_weights():
    from lablib.curriculum import facts

    words = {"latar_belakang": 60, "kebaruan": 60, "implementasi": 60, "signifikansi": 60, "adaptabilitas": 60,
             "sumber_daya": 60, "keberlanjutan": 0}
    answers = {"display.dp1": {k: " ".join(["kata"] * n) for k, n in words.items()}}
    fig = P.picture("kipp", answers)
    axis_labels = [t for t in texts(fig) if "kata" in t]
    weighted = [s for s, w in facts.KIPP_WEIGHTS.items() if w > 0]
    assert len(weighted) == len(axis_labels)
    assert any("60 kata ✓" in t for t in axis_labels) and any("0 kata ✗" in t for t in axis_labels)
    (share,) = [ln for ln in fig.axes[0].get_lines() if ln.get_label().startswith("Porsi")]
    assert pytest.approx([100 / 6] * 6 + [0, 100 / 6]) == list(share.get_ydata())


# ------------------------------------------------------------------ participant text


@pytest.mark.parametrize("kind", KINDS)
def test_long_html_emoji_and_dollar_text_is_drawable_and_cut(kind):
    answers = model_answers(stage_of(kind))

    def poison(value):
        if isinstance(value, str) and not value[:4].isdigit():
            return LONG
        if isinstance(value, list):
            return [poison(v) for v in value]
        if isinstance(value, dict):
            return {k: poison(v) for k, v in value.items()}
        return value

    answers = {k: (poison(v) if k == P.KINDS[kind][1] else v) for k, v in answers.items()}
    fig = P.picture(kind, answers)
    render(fig)
    for text in texts(fig):
        assert "👍" not in text
        for line in text.splitlines():
            assert len(line) <= 140, (kind, line)


@pytest.mark.parametrize("module", [D, P], ids=lambda m: m.__name__)
def test_docstring_examples_hold(module):
    import doctest

    assert 0 == doctest.testmod(module).failed


def _type_everywhere(answers: dict, exercise_ids, typed: str) -> dict:
    """The answers with every free-text field and column of these exercises set to ``typed``
    (choices keep their options, so the rows still land on their bones and quadrants)."""
    from lablib.core.fields import LongText, ShortText, Table
    from lablib.curriculum import get_exercise

    answers = copy.deepcopy(answers)
    for exercise_id in exercise_ids:
        entry = answers.setdefault(exercise_id, {})
        for f in get_exercise(exercise_id).fields:
            if isinstance(f, (ShortText, LongText)):
                entry[f.id] = typed
            elif isinstance(f, Table):
                for row in entry.get(f.id) or []:
                    row.update({c.id: typed for c in f.columns if isinstance(c, (ShortText, LongText))})
    return answers


@pytest.mark.parametrize("kind", KINDS)
def test_participant_text_is_drawn_as_typed_never_as_math_or_markup(kind):
    typed = "Qwz hari $x$ <b>tebal</b>"  # "hari": the trial picture then finds its DS2 indicator in days
    answers = {k: v for stage in ("drum-up", "diagnose", "design", "deliver", "display")
               for k, v in model_answers(stage).items()}
    fig = P.picture(kind, _type_everywhere(answers, P.reads_exercises(kind), typed))
    render(fig)
    found = {id(t): t for t in fig.findobj(Text)}
    for ax in fig.axes:
        for table in ax.tables:
            found.update({id(c.get_text()): c.get_text() for c in table.get_celld().values()})
    drawn = [t for t in found.values() if "Qwz" in t.get_text()]
    if kind in ("kesiapan", "kipp"):  # scores and word counts: no participant text is drawn
        assert not drawn
        return
    assert drawn, kind
    for t in drawn:
        shown, is_math = t._preprocess_math(t.get_text())  # what matplotlib will draw, and how
        assert not is_math, t.get_text()
        assert typed in " ".join(shown.split()), shown  # dollars and tags as typed, nothing interpreted


@pytest.mark.parametrize("kind", KINDS)
def test_pictures_fit_a_laptop_screen(kind):
    """1366×768 with the JupyterLab side bar open leaves about 900 px for a picture."""
    for answers in (model_answers(stage_of(kind)), synthetic_answers(stage_of(kind), "partial", seed=1), {}):
        width, height = P.picture(kind, answers).get_size_inches() * 100  # png() draws at 100 dpi
        assert width <= 900, (kind, width)


def test_clean_makes_text_safe_for_matplotlib():
    assert "Rp 5\\$ & <b>x</b>" == D.clean("Rp 5$ &\n<b>x</b> 🚀")
    assert "ab…" == D.clean("abcdef", limit=3)
    assert "" == D.clean(None)


# ------------------------------------------------------------------ API and language


def test_picture_is_public_and_rejects_an_unknown_kind():
    assert P.picture is lablib.picture
    with pytest.raises(ValueError, match="unknown picture kind 'pie'"):
        lablib.picture("pie", {})


def test_importing_pictures_does_not_import_matplotlib():
    code = "import sys, lablib.notebook.pictures, lablib.notebook.drawing; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "False" == out.stdout.strip()


def test_pictures_do_not_touch_pyplot_state():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    for kind in KINDS:
        P.picture(kind, model_answers(stage_of(kind)))
    assert before == plt.get_fignums()


def test_titles_follow_the_language_setting():
    try:
        set_language("en")
        fig = P.picture("usg", {})
        assert any("No data yet" in t for t in texts(fig))
    finally:
        set_language("id")
