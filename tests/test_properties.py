"""One participant's answers file can never break the cohort: property-based tests.

Values come from ``tests/strategies.py``, which builds them from the field kinds themselves
(valid values, and hostile ones: any JSON, huge numbers, NaN, lone surrogates, Word's control
characters, markup, tables of the wrong shape). For any of them, every participant-side reader
finishes without a traceback, shows the value escaped and cut, and every way of scoring gives
the same points: *Periksa* (``run_checks``, and the form's own button), in-process grading
(``score_answers`` / ``score_folder``), ``lablib.check`` and the autograder's test cells
(``lablib.grade_check``). The hostile corpus in ``tests/data/hostile/`` keeps the cases found,
and runs through every path too.
"""

from __future__ import annotations

import contextlib
import io
import re
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import strategies as S
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

import lablib
from lablib.core import fields as F
from lablib.core.answers import AnswersFileError, AnswerStore, parse_answers_file, save_answers
from lablib.core.checks import SHOWN_MESSAGE_CHARS, results_html, run_checks
from lablib.core.fields import AnswerError
from lablib.curriculum import stage_exercises
from lablib.curriculum.scoring import check_exercise, score_answers, score_folder
from lablib.notebook.autograde import grade_check
from lablib.notebook.summary import SHOW_CHARS, answers_html, answers_text, folder_summary

# Bounded so this file runs in well under a minute on two cores.
QUICK = settings(max_examples=150, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FILES = settings(max_examples=40, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                        HealthCheck.filter_too_much])
FORMS = settings(max_examples=15, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
SECONDS = 30  # a reader of one hostile file finishes within this (it took minutes before the limits)


# ------------------------------------------------------------------------------ helpers

class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self.tags.add(tag)


def assert_printable(text: str) -> None:
    """Text a participant may see: encodable as UTF-8, no control characters."""
    text.encode("utf-8")
    assert not CONTROL.search(text), repr(CONTROL.search(text))


def assert_shown_safely(text: str, markup: list[str] = ()) -> None:
    """HTML a participant may see: printable, and no markup of theirs (a participant's
    ``<x-peserta>`` is shown as ``&lt;x-peserta&gt;``), none of ``markup`` (``_markup(answers)``) as it is."""
    assert_printable(text)
    parser = _Tags()
    parser.feed(text)
    assert not parser.tags & S.MARKUP_TAGS, parser.tags & S.MARKUP_TAGS
    for s in markup:
        assert s not in text, f"{s[:40]!r} shown unescaped"


def assert_sendable(widget: Any) -> None:
    """Every widget of a form can reach the browser: its state packs as jupyter_client packs a
    message (``allow_nan=False``, UTF-8), which fails on NaN and on a lone surrogate."""
    import json

    stack = [widget]
    while stack:
        w = stack.pop()
        state = w.get_state()
        json.dumps(state, ensure_ascii=False, allow_nan=False, default=str).encode("utf8", errors="surrogateescape")
        stack.extend(getattr(w, "children", ()))


def _markup(value: Any) -> list[str]:
    """The strings in ``value`` that would be markup if shown as they are."""
    found, stack = [], [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            if "<" in v and len(v) > 3:
                found.append(v)
        elif isinstance(v, dict):
            stack.extend(k for k in v if isinstance(k, str) and "<" in k)
            stack.extend(c for c in v.values() if not isinstance(c, (int, float)))
        elif isinstance(v, list):
            stack.extend(c for c in v if not isinstance(c, (int, float)))
    return found


def read_everywhere(stage: str, folder: Path, in_memory: dict | None = None) -> dict[tuple[str, str], float]:
    """Every participant-side reader on the answers file in ``folder``; asserts they agree and
    returns the points per (exercise, check). ``lablib.check`` runs last: it moves a bad file
    aside (the participant's own folder), which the readers before it must never do."""
    path = folder / f"jawaban-{stage}.json"
    before = path.read_bytes() if path.exists() else None
    try:
        answers = parse_answers_file(path, stage)["answers"]
    except AnswersFileError as exc:
        answers = {}
        assert_printable(str(exc.message))
    markup = _markup(answers)
    periksa: dict[tuple[str, str], float] = {}
    graded: dict[tuple[str, str], float] = {}
    for ex in stage_exercises(stage):
        result = run_checks(ex, answers)
        periksa.update({(ex.id, c.check_id): c.earned for c in result.checks})
        shown = results_html(result)
        assert_shown_safely(shown, markup)
        assert_printable(str(result))
        assert all(len(m) <= 2 * SHOWN_MESSAGE_CHARS for m in re.findall(r"<li>(.*?)</li>", shown))
        assert_shown_safely(answers_html(ex, answers, with_checks=True), markup)
        assert_printable(answers_text(ex, answers))
        summary = folder_summary(ex, folder)
        assert_shown_safely(summary.html, markup)
        assert_printable(summary.text)
        assert lablib.form(ex.id, folder, headless=True).html == summary.html
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            for c in ex.checks:
                graded[(ex.id, c.id)] = grade_check(ex.id, c.id, folder)
        assert_printable(out.getvalue())
    assert (path.read_bytes() if path.exists() else None) == before, "a reader changed the answers file"
    assert score_answers(stage, answers).by_check() == periksa
    assert score_folder(folder, stage).by_check() == periksa
    assert graded == periksa
    if in_memory is not None:
        assert score_answers(stage, in_memory).by_check() == periksa
    for ex in stage_exercises(stage):
        checked = check_exercise(ex.id, folder)  # lablib.check
        assert {(ex.id, c.check_id): c.earned for c in checked.checks} == {
            k: v for k, v in periksa.items() if k[0] == ex.id}
    return periksa


# ------------------------------------------------------------------------------ the strategies

def test_every_field_kind_has_a_strategy():
    """A new field kind in lablib.core.fields needs valid and hostile values in tests/strategies.py."""
    missing = [cls.__name__ for cls in S.field_classes() if cls not in S.KIND_STRATEGIES]
    assert not missing, f"add {missing} to KIND_STRATEGIES in tests/strategies.py"
    assert set(F.FIELD_KINDS.values()) <= set(S.KIND_STRATEGIES)


# ------------------------------------------------------------------------------ one value

# Found by the properties below (kept as regression cases; not as Hypothesis @examples, whose
# report would recurse through a list nested 50,000 deep).
EXTREMES = {
    "angka-400-digit": (F.Number("n", "Anggaran"), 10**400),
    "angka-5000-digit-teks": (F.Number("n", "Anggaran"), "9" * 5000),
    "skala-400-digit": (F.Scale("s", "Skor"), 10**400),
    "skala-superskrip": (F.Scale("s", "Skor"), "²"),
    "teks-angka-5000-digit": (F.ShortText("t", "Nama"), 10**5000),
    "teks-surrogat-kendali": (F.ShortText("t", "Nama"), "a\ud800\x0b\x00"),
    "pilihan-bersarang": (F.Choice("c", "Pilihan", options=("A", "B")), S.nested(50_000)),
    "pilihan-ganda-bersarang": (F.MultiChoice("m", "Pilihan", options=("A", "B")), ["A", S.nested(50_000)]),
    "tabel-sel-bersarang": (F.Table("t", "Tabel", columns=(F.Number("n", "Jumlah"),)), [{"n": S.nested(50_000)}]),
}


@pytest.mark.parametrize("name", EXTREMES)
def test_a_field_reads_an_extreme_value_or_says_why(name):
    _coerce_or_say_why(*EXTREMES[name])


@QUICK
@given(S.field_and_value())
def test_a_field_reads_any_value_or_says_why(field_and_value):
    _coerce_or_say_why(*field_and_value)


def _coerce_or_say_why(field_: F.Field, value: Any) -> None:
    """``coerce`` returns a value within the limits or raises ``AnswerError`` naming the field,
    quoting the value cut; the stored value itself is never changed."""
    before = S.canonical(value) if S.storable(value) else None
    try:
        typed = field_.coerce(value)
    except AnswerError as exc:
        message = str(exc.message)
        labels = [field_.label] + [c.label for c in getattr(field_, "columns", ())]
        assert any(f"'{label}'" in message for label in labels), message
        assert len(message) < 600 + len(" ".join(getattr(field_, "options", ()))), message
        assert_printable(message)
    else:
        if isinstance(field_, (F.Number, F.Scale)) and typed is not None:
            assert abs(typed) < F.MAX_NUMBER and typed == typed and abs(typed) != float("inf")
        if isinstance(typed, str):
            assert len(typed) <= F.MAX_TEXT_CHARS and F.clean_text(typed) == typed
        if isinstance(field_, F.Table):
            assert len(typed) <= F.MAX_TABLE_ROWS
    if before is not None:
        assert S.canonical(value) == before


@FILES
@given(S.exercise_and_answers(), st.one_of(S.huge_ints, S.deeply_nested))
def test_values_only_memory_can_hold_never_break_a_reader(exercise_and_answers, monster):
    """An int Python cannot write as text, a list nested thousands deep: in memory (a form's
    answers, a trainer's script), every reader still finishes."""
    exercise, answers = exercise_and_answers
    entry = answers.get(exercise.id)
    entry = dict(entry) if isinstance(entry, dict) else {}
    for f in exercise.fields:
        entry[f.id] = [{c.id: monster for c in f.columns}] if isinstance(f, F.Table) else monster
    answers = {**answers, exercise.id: entry}
    markup = _markup(answers)
    result = run_checks(exercise, answers)
    assert_shown_safely(results_html(result), markup)
    assert_shown_safely(answers_html(exercise, answers, with_checks=True), markup)
    assert_printable(answers_text(exercise, answers))
    in_process = score_answers(exercise.stage, answers).by_check()
    assert {k: v for k, v in in_process.items() if k[0] == exercise.id} == {
        (exercise.id, c.check_id): c.earned for c in result.checks}


# ------------------------------------------------------------------------------ a stage's file

@FILES
@given(S.stage_and_answers())
def test_every_reader_of_an_answers_file_agrees(stage_and_answers):
    stage, answers = stage_and_answers
    assume(S.storable(answers))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / f"jawaban-{stage}.json").write_bytes(S.answers_file_bytes(stage, answers))
        read_everywhere(stage, folder, in_memory=answers)


@FILES
@given(S.stage_and_answers())
@example(("diagnose", {"diagnose.dg1": {"justifikasi": "Alasan \ud800\x0b"}}))
@example(("deliver", {"deliver.dv3": {"skor": float("nan")}}))
def test_saved_answers_load_back_equal(stage_and_answers):
    """What ``save_answers`` wrote, ``AnswerStore.load`` reads back equal (NaN as NaN, a lone
    surrogate as itself), for every value an answers file can hold."""
    stage, answers = stage_and_answers
    assume(S.storable(answers))
    assume(len(S.answers_file_bytes(stage, answers)) <= F.MAX_FILE_BYTES)
    with tempfile.TemporaryDirectory() as tmp:
        save_answers(tmp, stage, answers)
        loaded = AnswerStore(tmp, stage).load()
        assert not loaded.notices, loaded.notices
        assert S.canonical(loaded.answers) == S.canonical(answers)


def test_answers_too_large_to_read_back_are_not_saved(tmp_path):
    """A save never writes a file the reader would refuse (and move aside): it says so instead,
    and the file on disk stays as it was."""
    save_answers(tmp_path, "display", {"display.dp1": {"ringkasan": "Ringkasan"}})
    before = (tmp_path / "jawaban-display.json").read_bytes()
    with pytest.raises(AnswersFileError) as err:
        save_answers(tmp_path, "display", {"display.dp1": {"ringkasan": "x" * (F.MAX_FILE_BYTES + 1)}})
    assert "terlalu besar untuk disimpan" in str(err.value.message)
    assert (tmp_path / "jawaban-display.json").read_bytes() == before


# ------------------------------------------------------------------------------ the form's widgets

@FORMS
@given(S.exercise_and_answers())
def test_the_form_shows_any_answers_and_its_periksa_agrees(exercise_and_answers):
    import lablib.notebook.forms as forms

    exercise, answers = exercise_and_answers
    assume(S.storable(answers))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / f"jawaban-{exercise.stage}.json").write_bytes(S.answers_file_bytes(exercise.stage, answers))
        expected = score_folder(folder, exercise.stage).by_check()
        markup = _markup(answers)
        try:
            form = forms.Form(exercise, folder)
            assert_sendable(form.widget)
            result = form.check()
            assert form.last_error is None
            assert_shown_safely(form.results_html, markup)
            assert {(exercise.id, c.check_id): c.earned for c in result.checks} == {
                k: v for k, v in expected.items() if k[0] == exercise.id}
        finally:
            forms.reset_sessions()


# ------------------------------------------------------------------------------ the hostile corpus

HOSTILE = S.hostile_files()
FORM_SLOW = {"tabel-20000-baris", "tabel-20000-baris-log"}  # 200 rows of widgets each: seconds per form


def test_the_corpus_is_described():
    readme = (S.HOSTILE_DIR / "README.md").read_text(encoding="utf-8")
    missing = [f.name for f in HOSTILE if f"`{f.name}" not in readme]
    assert not missing, f"describe {missing} in tests/data/hostile/README.md"


@pytest.mark.parametrize("case", HOSTILE, ids=lambda c: c.name)
def test_a_hostile_file_reads_everywhere(case, tmp_path):
    path = tmp_path / f"jawaban-{case.stage}.json"
    path.write_bytes(case.data)
    start = time.monotonic()
    read_everywhere(case.stage, tmp_path)
    assert time.monotonic() - start < SECONDS
    path.write_bytes(case.data)
    summaries = "".join(folder_summary(ex, tmp_path).html for ex in stage_exercises(case.stage))
    expected = {
        "angka-5000-digit": "terlalu besar atau terlalu panjang",
        "angka-400-digit": "terlalu besar atau terlalu panjang",
        "angka-16-digit": "terlalu besar atau terlalu panjang",
        "angka-float-besar": "terlalu besar atau terlalu panjang",
        "nan-inf": "harus angka",
        "bersarang-50000": "bersarang lebih dari",
        "bersarang-900": "bersarang lebih dari",
        "bersarang-dibuat": "bersarang lebih dari",
        "tabel-20000-baris": "paling banyak 200",
        "tabel-20000-baris-log": "paling banyak 200",
        "teks-100000-karakter": "terlalu panjang",
        "teks-10mb": "terlalu besar",
        "berkas-terlalu-besar": "terlalu besar",
        "tipe-salah": "harus berupa daftar baris",
        "bom-utf8": "Anggaran APBD",
        "surrogat": "Antrean \ufffd panjang",
        "kendali-word": "No. 1\nTahun 2020\nHalaman 2",
        "html-skrip": "&lt;script&gt;",
    }.get(case.name)
    if expected:
        assert expected in summaries, expected
    assert len(summaries) < 40 * SHOW_CHARS * len(stage_exercises(case.stage)) + 3_000_000


@pytest.mark.parametrize("case", HOSTILE, ids=lambda c: c.name)
def test_a_hostile_file_draws_its_pictures(case, tmp_path):
    """The pictures drawn from a participant's answers (``lablib.notebook.pictures``) too."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from lablib.notebook.pictures import KINDS, picture, png

    path = tmp_path / f"jawaban-{case.stage}.json"
    path.write_bytes(case.data)
    try:
        answers = parse_answers_file(path, case.stage)["answers"]
    except AnswersFileError:
        answers = {}
    for kind, (_draw, exercise_id) in KINDS.items():
        if exercise_id.startswith(f"{case.stage}."):
            start = time.monotonic()
            figure = picture(kind, answers)
            png(figure, dpi=30)
            plt.close(figure)
            assert time.monotonic() - start < SECONDS


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name, marks=[pytest.mark.slow] if c.name in FORM_SLOW else [])
                                  for c in HOSTILE])
def test_a_hostile_file_opens_in_the_form(case, tmp_path):
    """The widget form of every exercise of the stage opens, shows at most MAX_TABLE_ROWS rows,
    and its Periksa gives the autograder's points."""
    import lablib.notebook.forms as forms

    (tmp_path / f"jawaban-{case.stage}.json").write_bytes(case.data)
    expected = score_folder(tmp_path, case.stage).by_check()
    try:
        for ex in stage_exercises(case.stage):
            start = time.monotonic()
            form = forms.Form(ex, tmp_path)
            assert time.monotonic() - start < SECONDS
            for control in form.controls.values():
                assert len(getattr(control, "cells", ())) <= F.MAX_TABLE_ROWS
            assert_sendable(form.widget)
            result = form.check()
            assert form.last_error is None
            assert_shown_safely(form.results_html)
            assert {(ex.id, c.check_id): c.earned for c in result.checks} == {
                k: v for k, v in expected.items() if k[0] == ex.id}
    finally:
        forms.reset_sessions()
    # Nothing the participant wrote is lost: a refused file was moved aside, not deleted.
    kept = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("jawaban-"))
    assert kept, kept


def test_rows_beyond_the_limit_stay_in_the_file_when_the_form_saves(tmp_path):
    """The form shows the first MAX_TABLE_ROWS rows of a 20,000-row table and says so; a change
    to a shown row is saved with every other row kept, in order."""
    import lablib.notebook.forms as forms

    case = next(c for c in HOSTILE if c.name == "tabel-20000-baris")
    (tmp_path / "jawaban-diagnose.json").write_bytes(case.data)
    try:
        form = forms.Form("diagnose.dg2", tmp_path)
        table = form.controls["mengapa"]
        assert len(table.cells) == F.MAX_TABLE_ROWS and table.add_button.disabled
        assert "hanya 200 baris pertama" in table.message.value
        form.widget_for("mengapa", 0, "jawaban").value = "diubah"
        assert form.save()
    finally:
        forms.reset_sessions()
    rows = parse_answers_file(tmp_path / "jawaban-diagnose.json", "diagnose")["answers"]["diagnose.dg2"]["mengapa"]
    assert len(rows) == 20_000 and rows[0] == {"jawaban": "diubah"} and rows[1:] == [{"jawaban": "x"}] * 19_999
