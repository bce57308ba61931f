"""Hypothesis strategies generated from lablib's field kinds (``lablib.core.fields``).

Every field kind has an entry in ``KIND_STRATEGIES``: what a participant's form writes for it
(``valid``) and what a hand-edited file or a paste from Word could hold instead (``hostile``).
Strategies for an exercise or a stage are built by walking the curriculum
(``lablib.curriculum.all_exercises``), so a new exercise is covered the day it is added, and
``tests/test_properties.py`` fails when a field class has no entry here. A field class without
an entry (a subclass, say) falls back on its nearest parent's entry, or on "any JSON".

``generated_hostile_files`` makes the corpus cases too big to keep in git (see
``tests/data/hostile/README.md``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from hypothesis import strategies as st

from lablib.core import fields as F
from lablib.core.exercises import Exercise
from lablib.curriculum import all_exercises, stage_exercises

HOSTILE_DIR = Path(__file__).resolve().parent / "data" / "hostile"

# ------------------------------------------------------------------------------ any JSON

# Word and PDF leave these behind: vertical tab (Word's line break), form feed (page break),
# NUL, SOH, ESC, DEL, Unicode line separators, zero-width space, BOM, right-to-left override.
WORD_CHARACTERS = "\x0b\x0c\x00\x01\x1b\x7f\u2028\u2029\u200b\ufeff\u202e\r"
# Markup that must only ever be shown escaped; ``MARKUP_TAGS`` are the tag names it opens.
MARKUP = ("<script>alert(1)</script>", "<x-peserta>", "</dd></dl><img src=x onerror=alert(1)>",
          "&amp; &lt;", "\"'><svg onload=alert(1)>", "{{ jinja }}")
MARKUP_TAGS = frozenset({"script", "x-peserta", "img", "svg"})

surrogates = st.characters(categories=["Cs"])  # lone UTF-16 surrogates: not encodable as UTF-8
hostile_characters = st.one_of(
    st.characters(),  # any code point Hypothesis likes (no surrogates)
    surrogates,
    st.sampled_from(WORD_CHARACTERS),
)
hostile_texts = st.one_of(
    st.text(hostile_characters, max_size=30),
    st.sampled_from(MARKUP),
    st.builds(lambda s, n: s * n, st.sampled_from(["a", "kata ", "\ud800", "9"]),
              st.sampled_from([F.MAX_TEXT_CHARS, F.MAX_TEXT_CHARS + 1, 50_000])),
    st.sampled_from(["", "   ", "nan", "NaN", "Infinity", "-inf", "1e309", "²", "١٢٣", "0x1F", "1_000",
                     "9" * 5000, "-" + "9" * 400, "1.250.000,5", "12,5", "2025-13-45", "0000-00-00",
                     "2025-02-30", "9999-12-31T23:59:59", "  3 ", "Ya", "Tidak"]),
)
# Ints a file can hold (json reads up to 4,300 digits as an int) and floats including NaN and
# infinities; ``huge_ints`` beyond the file limit only exist in memory.
hostile_ints = st.one_of(
    st.integers(-10, 10),
    st.integers(),
    st.sampled_from([F.MAX_NUMBER - 1, F.MAX_NUMBER, -F.MAX_NUMBER, 2**53 + 1, 2**63, 10**400, -(10**400),
                     10**4299]),
)
huge_ints = st.sampled_from([10**5000, -(10**5000), 10**20000])
hostile_floats = st.one_of(
    st.floats(),  # NaN and infinities included
    st.sampled_from([float("nan"), float("inf"), float("-inf"), 1e300, -1e15, 1e15, 0.1 + 0.2, -0.0, 5e-324]),
)
json_scalars = st.one_of(st.none(), st.booleans(), hostile_ints, hostile_floats, hostile_texts)


def any_json(max_leaves: int = 12) -> st.SearchStrategy:
    """Any JSON value (NaN and infinities included), nested a few levels."""
    return st.recursive(
        json_scalars,
        lambda children: st.one_of(st.lists(children, max_size=4),
                                   st.dictionaries(st.text(max_size=6), children, max_size=4)),
        max_leaves=max_leaves,
    )


def nested(depth: int, leaf: object = 1) -> list:
    """A list nested ``depth`` deep, built without recursion."""
    value: object = leaf
    for _ in range(depth):
        value = [value]
    return value  # type: ignore[return-value]


deeply_nested = st.integers(F.MAX_NESTING_DEPTH, 3000).map(nested)


# ------------------------------------------------------------------------------ per field kind

@dataclass(frozen=True)
class KindStrategies:
    """How to make values of one field kind: what a form writes, and what a file may hold."""

    valid: Callable[[F.Field], st.SearchStrategy]
    hostile: Callable[[F.Field], st.SearchStrategy]


def _texts(field_: F.Field) -> st.SearchStrategy:
    limit = min(getattr(field_, "max_chars", 300), 300)
    return st.text(st.characters(exclude_categories=["Cs", "Cc"]), max_size=limit)


def _number_texts() -> st.SearchStrategy:
    """Numbers as Indonesians type them: ``1.250.000``, ``12,5``."""
    whole = st.integers(0, 10**12)
    return st.one_of(
        whole.map(lambda n: f"{n:,}".replace(",", ".")),
        st.tuples(whole, st.integers(0, 99)).map(lambda p: f"{p[0]},{p[1]}"),
    )


def _numbers(field_: F.Number) -> st.SearchStrategy:
    lo = field_.minimum if field_.minimum is not None else -(F.MAX_NUMBER - 1)
    hi = field_.maximum if field_.maximum is not None else F.MAX_NUMBER - 1
    ints = st.integers(int(lo), int(hi))
    if field_.integer:
        return st.one_of(st.none(), ints)
    return st.one_of(st.none(), ints, st.floats(lo, hi, allow_nan=False, allow_infinity=False), _number_texts())


def _hostile_numbers(_field: F.Field) -> st.SearchStrategy:
    return st.one_of(hostile_ints, hostile_floats, hostile_texts, st.booleans(), any_json(4),
                     st.sampled_from(["1" * 16, "-" + "9" * 41, "1.000.000.000.000.000", "1e15", "-1e14"]))


def _choices(field_: F.Choice) -> st.SearchStrategy:
    if field_.options:
        return st.one_of(st.none(), st.sampled_from(field_.options))
    return st.one_of(st.none(), _texts(field_))  # options come from a table the participant filled


def _hostile_choices(field_: F.Field) -> st.SearchStrategy:
    options = getattr(field_, "options", ()) or ("x",)
    return st.one_of(any_json(6), hostile_texts, st.sampled_from(options).map(lambda o: o + "\x0b"),
                     st.sampled_from(options).map(lambda o: [o]))


def _multi(field_: F.MultiChoice) -> st.SearchStrategy:
    return st.lists(st.sampled_from(field_.options), unique=True)


def _hostile_multi(field_: F.MultiChoice) -> st.SearchStrategy:
    known = st.sampled_from(field_.options)
    return st.one_of(any_json(8), st.lists(st.one_of(known, json_scalars), max_size=6),
                     st.lists(known, max_size=50), known)


def _dates(_field: F.Field) -> st.SearchStrategy:
    return st.one_of(st.none(), st.dates().map(lambda d: d.isoformat()))


def _hostile_dates(_field: F.Field) -> st.SearchStrategy:
    return st.one_of(any_json(6), hostile_texts, st.dates().map(lambda d: d.isoformat() + "\x0b"),
                     st.datetimes().map(lambda d: d.isoformat()))


def _scales(_field: F.Field) -> st.SearchStrategy:
    return st.one_of(st.none(), st.integers(1, 5))


def _hostile_scales(_field: F.Field) -> st.SearchStrategy:
    return st.one_of(any_json(6), hostile_ints, hostile_floats, st.sampled_from(["3", " 5 ", "²", "999", "3.0"]))


def _rows(field_: F.Table, cell: Callable[[F.Field], st.SearchStrategy], max_rows: int) -> st.SearchStrategy:
    row = st.fixed_dictionaries({}, optional={c.id: cell(c) for c in field_.columns})
    return st.lists(row, max_size=max_rows)


def _tables(field_: F.Table) -> st.SearchStrategy:
    return _rows(field_, valid_value, min(field_.max_rows or 6, 6))


def _hostile_tables(field_: F.Table) -> st.SearchStrategy:
    some_row = st.fixed_dictionaries({}, optional={c.id: hostile_value(c) for c in field_.columns})
    return st.one_of(
        _rows(field_, hostile_value, 4),
        st.lists(st.one_of(some_row, json_scalars, st.lists(json_scalars, max_size=3)), max_size=4),  # rows of the wrong type
        st.dictionaries(st.text(max_size=4), json_scalars, max_size=3),  # a table as an object
        json_scalars,
        st.integers(F.MAX_TABLE_ROWS - 1, F.MAX_TABLE_ROWS + 2).map(lambda n: [{}] * (n - 1) + [{"x": 1}]),
    )


KIND_STRATEGIES: dict[type[F.Field], KindStrategies] = {
    F.ShortText: KindStrategies(_texts, lambda f: st.one_of(hostile_texts, any_json(6))),
    F.LongText: KindStrategies(_texts, lambda f: st.one_of(hostile_texts, any_json(6))),
    F.Number: KindStrategies(_numbers, _hostile_numbers),
    F.DateField: KindStrategies(_dates, _hostile_dates),
    F.Choice: KindStrategies(_choices, _hostile_choices),
    F.MultiChoice: KindStrategies(_multi, _hostile_multi),
    F.Scale: KindStrategies(_scales, _hostile_scales),
    F.Table: KindStrategies(_tables, _hostile_tables),
    # The form never writes a computed value; a file may still hold a stale or hand-made one.
    F.Computed: KindStrategies(lambda f: st.none(), lambda f: st.one_of(hostile_texts, _hostile_numbers(f), any_json(6))),
}
ANY_JSON_KIND = KindStrategies(lambda f: any_json(), lambda f: any_json())


def field_classes() -> list[type[F.Field]]:
    """Every field class ``lablib.core.fields`` defines (``Field`` itself excepted)."""
    return [cls for cls in vars(F).values()
            if isinstance(cls, type) and issubclass(cls, F.Field) and cls is not F.Field
            and cls.__module__ == F.__name__]


def kind_strategies(field_: F.Field) -> KindStrategies:
    for cls in type(field_).__mro__:
        if cls in KIND_STRATEGIES:
            return KIND_STRATEGIES[cls]
    return ANY_JSON_KIND


def valid_value(field_: F.Field) -> st.SearchStrategy:
    return kind_strategies(field_).valid(field_)


def hostile_value(field_: F.Field) -> st.SearchStrategy:
    return kind_strategies(field_).hostile(field_)


def field_value(field_: F.Field) -> st.SearchStrategy:
    """A value of ``field_``: mostly what a form writes, often something hostile."""
    return st.one_of(valid_value(field_), hostile_value(field_))


# ------------------------------------------------------------------------------ exercises and stages

def exercise_entry(exercise: Exercise, value: Callable[[F.Field], st.SearchStrategy] = field_value,
                   ) -> st.SearchStrategy:
    """``{field_id: value}`` of one exercise (any field may be missing), now and then not an object."""
    entry = st.fixed_dictionaries({}, optional={f.id: value(f) for f in exercise.fields})
    return st.one_of(entry, entry, entry, json_scalars, st.lists(json_scalars, max_size=3))


def stage_answers(stage: str, value: Callable[[F.Field], st.SearchStrategy] = field_value,
                  ) -> st.SearchStrategy:
    """A stage's answers mapping ``{exercise_id: entry}``, with an unknown key now and then."""
    return st.fixed_dictionaries(
        {},
        optional={**{ex.id: exercise_entry(ex, value) for ex in stage_exercises(stage)},
                  f"{stage}.zz9": any_json(4), "catatan": json_scalars},
    )


def stage_and_answers(value: Callable[[F.Field], st.SearchStrategy] = field_value) -> st.SearchStrategy:
    stages = sorted({ex.stage for ex in all_exercises()})
    return st.sampled_from(stages).flatmap(lambda s: st.tuples(st.just(s), stage_answers(s, value)))


def exercise_and_answers(value: Callable[[F.Field], st.SearchStrategy] = field_value) -> st.SearchStrategy:
    """An exercise and its stage's answers (``{exercise_id: entry}``)."""
    return st.sampled_from(all_exercises()).flatmap(
        lambda ex: st.tuples(st.just(ex), stage_answers(ex.stage, value)))


def field_and_value() -> st.SearchStrategy:
    """Any field of any exercise (table columns included) with a value for it."""
    every = [f for ex in all_exercises() for f in ex.fields]
    every += [c for f in every if isinstance(f, F.Table) for c in f.columns]
    return st.sampled_from(every).flatmap(lambda f: st.tuples(st.just(f), field_value(f)))


# ------------------------------------------------------------------------------ values JSON can hold

def storable(value: object) -> bool:
    """Whether ``value`` can be written to an answers file and read back as it is: no int Python
    cannot write (over 4,300 digits), nesting within ``MAX_NESTING_DEPTH`` (with the file's own
    three levels), small enough for ``MAX_FILE_BYTES``."""
    stack = [(value, 4)]
    while stack:
        v, depth = stack.pop()
        if isinstance(v, int) and not isinstance(v, bool) and v.bit_length() > 14_000:
            return False
        if isinstance(v, (list, dict)):
            if depth >= F.MAX_NESTING_DEPTH:
                return False
            stack.extend((c, depth + 1) for c in (v.values() if isinstance(v, dict) else v))
    return True


def canonical(value: object) -> str:
    """One text per JSON value, NaN equal to NaN: for comparing what was saved with what loads."""
    return json.dumps(value, sort_keys=True, ensure_ascii=True)


def answers_file_bytes(stage: str, answers: dict) -> bytes:
    """An answers file as a participant's editor could write it (ASCII escapes: lone
    surrogates included), without going through lablib's save."""
    doc = {"schema_version": 1, "stage": stage, "saved_at": "2025-01-01T08:00:00.000+07:00", "answers": answers}
    return json.dumps(doc, ensure_ascii=True).encode("ascii")


# ------------------------------------------------------------------------------ the corpus

@dataclass(frozen=True)
class HostileFile:
    name: str
    stage: str
    data: bytes


def stored_hostile_files() -> Iterator[HostileFile]:
    """The corpus kept in ``tests/data/hostile/`` (its stage from its ``stage`` key)."""
    import re

    for path in sorted(HOSTILE_DIR.glob("*.json")):
        data = path.read_bytes()
        stage = re.search(rb'"stage":\s*"([a-z-]+)"', data[:300])
        assert stage, f"{path.name}: no stage key near the start"
        yield HostileFile(path.stem, stage.group(1).decode(), data)


def generated_hostile_files() -> Iterator[HostileFile]:
    """Corpus cases too big for git: a 10 MB text, a file just over the size limit, a list
    nested 50,000 deep written by hand (the stored ``bersarang-50000.json`` is the same)."""
    ten_mb = "Antrean panjang. " * (10 * 1024 * 1024 // 17)
    yield HostileFile("teks-10mb", "display", answers_file_bytes("display", {
        "display.dp1": {"ringkasan": ten_mb}}))
    over = F.MAX_FILE_BYTES + 1 - len(answers_file_bytes("design", {"design.ds4": {"input": ""}}))
    yield HostileFile("berkas-terlalu-besar", "design", answers_file_bytes("design", {
        "design.ds4": {"input": "x" * over}}))
    yield HostileFile("bersarang-dibuat", "deliver", (
        b'{"schema_version": 1, "stage": "deliver", "answers": {"deliver.dv3": {"skor": '
        + b"[" * 50_000 + b"]" * 50_000 + b"}}}"))


def hostile_files() -> list[HostileFile]:
    return [*stored_hostile_files(), *generated_hostile_files()]

