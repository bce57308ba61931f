"""The cohort report: one self-contained HTML file (charts inline as PNG) and the same tables in Excel.

What a trainer and LAN's narasumber look at after a bimtek: progress per stage, score
distributions per stage, exercise and rubric criterion, the automatic checks most often
failed, scores by OPD, the cohort's innovation portfolio (bentuk, jenis, urusan, tahapan,
OECD facet) and an *estimate* of the Indeks Inovasi Daerah innovation indicators.

The HTML needs no network: no external CSS, script, font or image; charts are matplotlib
(Agg) PNGs embedded as base64. Every value that may come from a participant is escaped.
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import os
import re
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from markupsafe import Markup

from lablib.core import formatting
from lablib.core.files import replacing, write_text_atomic
from lablib.core.rubrics import LEVELS, MAX_LEVEL
from lablib.core.stages import STAGES, get_stage
from lablib.course.course import Course
from lablib.course.gradebook import (
    GradebookView,
    course_students,
    latest_answers,
    read_gradebook,
)
from lablib.course.grading import FAILED, GradeFailure, grading_failures
from lablib.course.roster import Participant
from lablib.course.status import UNREADABLE
from lablib.curriculum import all_exercises, stage_exercises
from lablib.curriculum.grade_ids import AUTO, RUBRIC, grade_names
from lablib.curriculum.maturity import pp38_stage
from lablib.curriculum.references import check_references
from lablib.reports.documents import (
    EMPTY,
    FilledAnswers,
    innovation_name,
    opd_of,
    text_of,
    value_of,
)
from lablib.reports.pages import render

REPORT_DIR = "laporan"

# the last one: the stage's last grading failed (its earlier scores are left out, as in status and export)
# the last: the trainer's account cannot read the participant's folder (lablib.course.status)
STATUS = ("belum mulai", "tersimpan", "dikumpulkan", "dinilai otomatis", "dinilai narasumber", FAILED,
          UNREADABLE)

# Every answer the report reads itself (the portfolio's OECD estimate, the IID estimate),
# checked against the definitions when this module loads; names and OPDs come through
# lablib.reports.documents, which checks its own.
REFERENCES = check_references((
    "design.ds1.tematik", "design.ds1.rb_isu_strategis", "design.ds1.rb_metode", "design.ds1.tujuan",
    "deliver.dv3.klaim.indikator", "deliver.dv3.klaim.level",
    "deliver.dv1.rasio_pengaduan", "deliver.dv1.log.hari_layanan",
))


# ============================================================================ cohort data

@dataclass(frozen=True)
class Innovation:
    """One participant's innovation as the portfolio, the IID estimate and the showcase see it."""

    person: Participant
    name: str
    opd: str
    answers: Mapping[str, Any] = field(repr=False)

    def text(self, ref: str) -> str:
        return text_of(self.answers, ref)

    def value(self, ref: str) -> Any:
        return value_of(self.answers, ref)


@dataclass
class Cohort:
    course: Course
    view: GradebookView
    people: list[Participant]
    answers: dict[str, dict[str, Any]]
    submitted: set[tuple[str, str]]
    stages: list[str]
    states: dict[tuple[str, str], str] = field(default_factory=dict)  # from ``lablib status``
    # stages whose last grading failed (``lablib.course.grading``); ``view`` has no record of them
    failures: dict[tuple[str, str], GradeFailure] = field(default_factory=dict)

    def status(self, pid: str, stage: str) -> str:
        if (pid, stage) in self.failures:
            return STATUS[5]
        rec = self.view.record(pid, stage)
        if rec is not None:
            return STATUS[4] if rec.reviewed else STATUS[3]
        state = self.states.get((pid, stage))
        if state in STATUS[:3] or state == UNREADABLE:
            return state
        return STATUS[2] if (pid, stage) in self.submitted else STATUS[0]

    def innovations(self) -> list[Innovation]:
        """Participants with any answers, each with what exists."""
        out = []
        for p in self.people:
            answers = self.answers.get(p.id) or {}
            if answers:
                out.append(Innovation(p, innovation_name(answers), opd_of(p, answers), answers))
        return out

    def opd(self, pid: str) -> str:
        # a dict, not a scan of the people: called per participant, a scan made the OPD table
        # quadratic (50 s at 4,000 participants)
        person = self._people_by_id.get(pid) or self.view.participant(pid)
        return opd_of(person, self.answers.get(pid) or {}) or "(OPD tidak diketahui)"

    @cached_property
    def _people_by_id(self) -> dict[str, Participant]:
        return {p.id: p for p in reversed(self.people)}  # the first of a repeated id wins, as before


def load_cohort(course: Course | str | os.PathLike) -> Cohort:
    """Read the gradebook, the roster and every participant's latest answers.

    A stage whose last grading failed has no record in the cohort's view: the gradebook still
    holds the scores of the grading before, which ``lablib status`` and ``export`` leave out too.
    """
    course = Course.of(course)
    failures = grading_failures(course)
    view = read_gradebook(course)
    view = replace(view, records={key: r for key, r in view.records.items() if key not in failures})
    ids = course_students(course, view)
    people = []
    for pid in ids:
        people.append(view.participant(pid))
    answers = {pid: FilledAnswers(latest_answers(course, pid)) for pid in ids}
    submitted = set()
    for pid in ids:
        for st in STAGES:
            if course.path("submitted", pid, st.slug).is_dir():
                submitted.add((pid, st.slug))
    stages = [s.slug for s in STAGES if stage_exercises(s.slug)]
    return Cohort(course, view, people, answers, submitted, stages, _course_states(course, view), failures)


def _course_states(course: Course, view: GradebookView | None = None) -> dict[tuple[str, str], str]:
    """Saved / submitted states as ``lablib status`` sees them (participants' folders, the
    exchange); ``{}`` when the course commands are not available or the course has no record."""
    from sqlalchemy.exc import SQLAlchemyError

    from lablib.core.errors import LablibError
    from lablib.course.status import status

    try:
        st = status(course, view=view)  # the gradebook already read, not read again
    # no lablib-course.json or an unusable gradebook (CourseError), an unreadable folder or record:
    # the report falls back to the submitted/ folders
    except (LablibError, OSError, ValueError, SQLAlchemyError):
        return {}
    return {(p.id, s.stage): s.state for p in st.participants for s in p.stages}


# ============================================================================ tables

@dataclass(frozen=True)
class ReportTable:
    key: str  # Excel sheet name (≤ 31 characters)
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    note: str = ""


def _num(x: float | None, digits: int = 2) -> float | None:
    return None if x is None else round(x, digits)


def _mean(xs: Sequence[float]) -> float | None:
    return _num(statistics.fmean(xs)) if xs else None


def progress_table(c: Cohort) -> ReportTable:
    rows = []
    for stage in c.stages:
        counts = Counter(c.status(p.id, stage) for p in c.people)
        scores = [r.score for r in c.view.stage_records(stage)]
        maximum = sum(ex.points for ex in stage_exercises(stage))
        rows.append((stage, *(counts.get(s, 0) for s in STATUS), _mean(scores), maximum))
    return ReportTable("Kemajuan", "Kemajuan per tahap",
                       ("Tahap", *(s.capitalize() for s in STATUS), "Rata-rata nilai", "Nilai maksimum"), tuple(rows))


def participants_table(c: Cohort) -> ReportTable:
    rows = []
    for p in c.people:
        per_stage = []
        for stage in c.stages:
            rec = c.view.record(p.id, stage)
            if (p.id, stage) in c.failures:
                per_stage.append(FAILED)  # no score: not the stale one, not 0
            else:
                # the stage total every output shows, rounded once (lablib.course.totals)
                per_stage.append(float(rec.total) if rec is not None else None)
        total = float(c.view.course_total(p.id))  # the sum of the stage totals, as status shows it
        name = innovation_name(c.answers.get(p.id) or {})
        rows.append((p.id, p.nama, c.opd(p.id), *per_stage, total, name or EMPTY))
    course_max = sum(ex.points for ex in all_exercises())
    failed = [f"{pid} {stage}: {f.label}" for (pid, stage), f in sorted(c.failures.items()) if stage in c.stages]
    note = (f"{FAILED.capitalize()} = penilaian terakhir gagal; nilai lama tidak dihitung. " + "; ".join(failed)
            if failed else "")
    return ReportTable("Peserta", "Nilai per peserta", ("ID", "Nama", "OPD", *c.stages, f"Total (maks {formatting.points(course_max)})",
                                                       "Inovasi"), tuple(rows), note=note)


def exercise_table(c: Cohort) -> ReportTable:
    rows = []
    for stage in c.stages:
        records = c.view.stage_records(stage)
        for ex in stage_exercises(stage):
            scores = [r.exercise_scores().get(ex.id, (0.0, 0.0))[0] for r in records]
            mean = _mean(scores)
            rows.append((stage, ex.code, ex.title, len(scores), mean, min(scores) if scores else None,
                         max(scores) if scores else None, ex.points,
                         _num(mean / ex.points * 100, 1) if mean is not None and ex.points else None))
    return ReportTable("Latihan", "Nilai per latihan", ("Tahap", "Kode", "Latihan", "Dinilai", "Rata-rata", "Min",
                                                        "Maks", "Poin maks", "Rata-rata (%)"), tuple(rows))


def criterion_table(c: Cohort) -> ReportTable:
    rows = []
    for stage in c.stages:
        records = c.view.stage_records(stage)
        for name, meaning in grade_names(stage).items():
            if meaning.kind != RUBRIC:
                continue
            levels = Counter()
            other = pending = 0
            for r in records:
                g = r.grades.get(name)
                if g is None or g.manual_score is None:
                    pending += 1
                elif g.level is None:
                    other += 1
                else:
                    levels[g.level] += 1
            reviewed = [lvl for lvl, n in levels.items() for _ in range(n)]
            crit = meaning.item
            rows.append((stage, meaning.exercise.code, crit.title, crit.points,
                         *(levels.get(lvl, 0) for lvl in range(MAX_LEVEL + 1)), other, pending, _mean(reviewed)))
    return ReportTable("Kriteria", "Level rubrik per kriteria",
                       ("Tahap", "Kode", "Kriteria", "Poin", *(f"Level {n} ({LEVELS[n].get('id')})"
                                                               for n in range(MAX_LEVEL + 1)),
                        "Nilai lain", "Belum dinilai", "Rata-rata level"), tuple(rows))


def failed_checks_table(c: Cohort) -> ReportTable:
    rows = []
    for stage in c.stages:
        records = c.view.stage_records(stage)
        for name, meaning in grade_names(stage).items():
            if meaning.kind != AUTO:
                continue
            graded = [r.grades[name] for r in records if name in r.grades]
            failed = sum(1 for g in graded if g.score < g.max_score - 1e-9)
            rows.append((stage, meaning.exercise.code, meaning.item.title, len(graded), failed,
                         _num(failed / len(graded) * 100, 1) if graded else None))
    rows.sort(key=lambda r: (-(r[4] or 0), -(r[5] or 0), r[0], r[1]))
    return ReportTable("Pemeriksaan", "Pemeriksaan otomatis yang paling sering gagal",
                       ("Tahap", "Kode", "Pemeriksaan", "Dinilai", "Gagal", "Gagal (%)"), tuple(rows))


def opd_table(c: Cohort) -> ReportTable:
    groups: dict[str, list[str]] = {}
    for p in c.people:
        groups.setdefault(c.opd(p.id), []).append(p.id)
    rows = []
    for opd, ids in sorted(groups.items()):
        per_stage = []
        for stage in c.stages:
            scores = [c.view.record(i, stage).score for i in ids if c.view.record(i, stage) is not None]
            per_stage.append(_mean(scores))
        totals = [float(c.view.course_total(i)) for i in ids]  # indexed: not a scan per participant
        rows.append((opd, len(ids), *per_stage, _mean(totals)))
    return ReportTable("OPD", "Nilai menurut OPD (rata-rata)", ("OPD", "Peserta", *c.stages, "Rata-rata total"),
                       tuple(rows))


# ---------------------------------------------------------------------------- matrix, comments

def _rubric_columns(stage: str) -> list[tuple[str, str, Any]]:
    """``[(grade name, short label "DS1.2", GradeName)]`` of a stage's rubric criteria, in order."""
    out, seen = [], Counter()
    for name, meaning in grade_names(stage).items():
        if meaning.kind == RUBRIC:
            seen[meaning.exercise.code] += 1
            out.append((name, f"{meaning.exercise.code}.{seen[meaning.exercise.code]}", meaning))
    return out


def _shown_grade(g) -> Any:
    """A matrix cell: the level (0–4); points that are no level as points; ``None`` if not reviewed."""
    if g is None or g.manual_score is None:
        return None
    return g.level if g.level is not None else f"{formatting.points(g.manual_score)} poin"


def matrix_tables(c: Cohort) -> list[ReportTable]:
    """Participant × criterion, one table per stage: the narasumber's level for every criterion.

    One stage per table keeps it within an A4 page's width (at most eight criteria a stage);
    the note names each column's criterion.
    """
    out = []
    for stage in c.stages:
        cols = _rubric_columns(stage)
        if not cols:
            continue
        rows = []
        for p in c.people:
            rec = c.view.record(p.id, stage)
            if rec is None:
                continue
            levels = [_shown_grade(rec.grades.get(name)) for name, _, _ in cols]
            rows.append((p.id, p.nama, *levels, float(rec.total)))  # the stage total every output shows
        legend = "; ".join(f"{label} = {m.item.title} ({formatting.points(m.item.points)} poin)" for _, label, m in cols)
        scale = ", ".join(f"{n} {LEVELS[n].get('id')}" for n in range(MAX_LEVEL + 1))
        out.append(ReportTable(f"Matriks {stage}"[:31], f"Level rubrik per peserta: {stage}",
                               ("ID", "Nama", *(label for _, label, _ in cols), "Nilai tahap"), tuple(rows),
                               note=f"Tahap {get_stage(stage).title}. Level {scale}; — = belum dinilai. {legend}."))
    return out


def comments_table(c: Cohort) -> ReportTable:
    """Every narasumber comment, by participant and criterion."""
    rows = []
    for p in c.people:
        for stage in c.stages:
            rec = c.view.record(p.id, stage)
            if rec is None:
                continue
            for name, label, meaning in _rubric_columns(stage):
                g = rec.grades.get(name)
                if g is not None and g.comment and g.comment.strip():
                    rows.append((p.id, p.nama, stage, f"{label} {meaning.item.title}", _shown_grade(g),
                                 g.comment.strip()))
    return ReportTable("Komentar", "Komentar narasumber", ("ID", "Nama", "Tahap", "Kriteria", "Level", "Komentar"),
                       tuple(rows))


# ---------------------------------------------------------------------------- portfolio

def _facts():
    from lablib.curriculum import facts

    return facts


def _choice_refs(options: Sequence[str]) -> list[str]:
    """Answer references of every single-choice field whose options are exactly ``options``."""
    from lablib.core.fields import Choice

    out = []
    for ex in all_exercises():
        for f in ex.fields:
            if isinstance(f, Choice) and tuple(f.options) == tuple(options):
                out.append(f"{ex.id}.{f.id}")
    return out


def _first(inn: Innovation, refs: Iterable[str]) -> str:
    for ref in refs:
        text = inn.text(ref)
        if text:
            return text
    return ""


# OECD OPSI facets. DS1 asks for the facet (optional field "fasad_oecd"); where a participant
# left it empty, the facet is *estimated* from the answers: the first rule that matches wins.
# Edit the rules here.
OECD_MISSION_TEMATIK = ("Penanggulangan kemiskinan", "Prioritas aktual presiden")
OECD_KEYWORDS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (3, ("antisipasi", "bencana", "perubahan iklim", "peringatan dini", "masa depan", "prakiraan")),
    (2, ("adaptif", "eksperimen", "purwarupa", "prototipe", "uji coba berulang", "belum pasti")),
)


def oecd_facet(inn: Innovation) -> tuple[str, bool]:
    """(facet, estimated?) of an innovation."""
    facets = _facts().OECD_FACETS
    declared = _first(inn, _choice_refs(facets))
    if declared:
        return declared, False
    if inn.text("design.ds1.tematik") in OECD_MISSION_TEMATIK:
        return facets[1], True
    words = " ".join(inn.text(f"design.ds1.{k}") for k in ("rb_isu_strategis", "rb_metode", "tujuan")).lower()
    for index, keys in OECD_KEYWORDS:
        if any(k in words for k in keys):
            return facets[index], True
    return facets[0], True


def portfolio_dimensions(inn: Innovation) -> dict[str, str]:
    f = _facts()
    out = {}
    for label, options in (("Bentuk", f.PP38_BENTUK), ("Jenis", f.PP38_JENIS), ("Urusan", f.URUSAN_PEMERINTAHAN),
                           ("Tahapan", f.PP38_TAHAPAN), ("Tematik", f.IID_TEMATIK), ("Inisiator", f.PP38_INISIATOR)):
        out[label] = _first(inn, _choice_refs(options)) or "(belum diisi)"
    # where the innovation is now (trial logged, proposal written), not DS1's Design-time "Inisiatif"
    out["Tahapan"] = pp38_stage(inn.answers).label
    facet, estimated = oecd_facet(inn)
    out["Facet OECD"] = facet + (" (perkiraan)" if estimated else "")
    return out


def portfolio_table(c: Cohort) -> ReportTable:
    counts: dict[str, Counter] = {}
    for inn in c.innovations():
        for dim, value in portfolio_dimensions(inn).items():
            counts.setdefault(dim, Counter())[value] += 1
    rows = [(dim, value, n) for dim, counter in counts.items() for value, n in counter.most_common()]
    return ReportTable("Portofolio", "Portofolio inovasi kohort", ("Dimensi", "Nilai", "Jumlah inovasi"), tuple(rows),
                       note="Facet OECD diperkirakan dari tematik dan kata kunci rancang bangun bila tidak ditanyakan.")


# ---------------------------------------------------------------------------- IID estimate

def iid_levels(inn: Innovation) -> dict[str, tuple[int, str]]:
    """``{indicator key: (level 1–3, source)}`` from DV3 claims and the DV1 trial data."""
    f = _facts()
    by_name = {i.name: i for i in f.IID_INDICATORS}
    out: dict[str, tuple[int, str]] = {}
    for row in inn.value("deliver.dv3.klaim") or []:
        ind = by_name.get(row.get("indikator"))
        level = row.get("level")
        if ind is not None and isinstance(level, int) and f.IID_LEVEL_MIN <= level <= f.IID_LEVEL_MAX:
            out[ind.key] = (level, "klaim DV3")
    pct = inn.value("deliver.dv1.rasio_pengaduan")
    if isinstance(pct, (int, float)) and "pengaduan" in {i.key for i in f.IID_INDICATORS}:
        p = int(pct + 0.5)
        level = next((n for n, (_, high, _) in enumerate(f.IID_COMPLAINT_BANDS, start=1) if p <= high),
                     len(f.IID_COMPLAINT_BANDS))
        out["pengaduan"] = (level, "data DV1")
    days = [r.get("hari_layanan") for r in inn.value("deliver.dv1.log") or []
            if isinstance(r.get("hari_layanan"), (int, float))]
    if days and "proses" in {i.key for i in f.IID_INDICATORS}:
        recent = statistics.fmean(days[-4:])
        d = int(recent + 0.5)
        level = next((lvl for bound, lvl in f.IID_SERVICE_DAYS_LEVELS if d <= bound), f.IID_SERVICE_DAYS_LEVELS[-1][1])
        out["proses"] = (level, "data DV1")
    return out


def iid_estimate(inn: Innovation) -> tuple[float, str, int]:
    """(estimated score 0–100, predikat, indicators with a level) of one innovation."""
    f = _facts()
    levels = iid_levels(inn)
    top = max(f.IID_LEVEL_MAX, 1)
    maximum = sum(i.weight * top for i in f.IID_INDICATORS)
    score = sum(i.weight * levels[i.key][0] for i in f.IID_INDICATORS if i.key in levels)
    value = round(score / maximum * 100, 2) if maximum else 0.0
    return value, predikat(value), len(levels)


def predikat(value: float) -> str:
    for low, high, label in _facts().IID_PREDIKAT:
        if low <= value <= high:
            return label
    return _facts().IID_PREDIKAT[-1][2] if value <= 0 else _facts().IID_PREDIKAT[0][2]


IID_NOTE = ("PERKIRAAN, bukan nilai resmi Kemendagri: skor aspek inovasi per inovasi = jumlah bobot × level "
            "indikator ÷ (jumlah bobot × 3) × 100, dari klaim penilaian mandiri (DV3) dan data uji coba (DV1, "
            "untuk waktu layanan dan penyelesaian pengaduan); indikator tanpa data dihitung 0. Bobot dari tabel "
            "lablib/curriculum/facts.py (belum terkonfirmasi). IID resmi menggabungkan aspek pemerintah daerah "
            "dan inovasi untuk satu daerah.")


def iid_table(c: Cohort) -> ReportTable:
    rows = []
    for inn in c.innovations():
        if not (inn.value("deliver.dv3.klaim") or inn.value("deliver.dv1.log")):
            continue
        value, label, n = iid_estimate(inn)
        rows.append((inn.person.id, inn.name or EMPTY, inn.opd or EMPTY, n, value, label))
    rows.sort(key=lambda r: -r[4])
    return ReportTable("IID (perkiraan)", "Perkiraan indikator inovasi IID per inovasi",
                       ("ID", "Inovasi", "OPD", "Indikator berlevel", "Skor perkiraan (0–100)", "Predikat perkiraan"),
                       tuple(rows), note=IID_NOTE)


def iid_indicator_table(c: Cohort) -> ReportTable:
    f = _facts()
    counts = {i.key: Counter() for i in f.IID_INDICATORS}
    for inn in c.innovations():
        for key, (level, _) in iid_levels(inn).items():
            counts[key][level] += 1
    rows = tuple((i.name, i.weight, *(counts[i.key].get(n, 0) for n in range(1, 4))) for i in f.IID_INDICATORS)
    return ReportTable("IID indikator", "Sebaran level per indikator IID (perkiraan)",
                       ("Indikator", "Bobot", "Level 1", "Level 2", "Level 3"), rows, note=IID_NOTE)


# ============================================================================ charts

def _figure(width: float, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _label(text: Any, limit: int = 40) -> str:
    from lablib.notebook.drawing import clean

    return clean(text, limit)


def _png(fig) -> str:
    import io

    from matplotlib.ticker import FuncFormatter, ScalarFormatter

    for ax in fig.axes:  # numeric tick labels as the tables write them (0,5; 1.000)
        for axis in (ax.xaxis, ax.yaxis):
            if type(axis.get_major_formatter()) is ScalarFormatter:
                axis.set_major_formatter(FuncFormatter(lambda v, _pos: formatting.number(v)))
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _no_data(fig, message: str = "Belum ada data") -> None:
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.text(0.5, 0.5, message, ha="center", va="center", color="#888888", fontsize=12)


COLORS = ("#c9c9c9", "#9ecae1", "#4292c6", "#08519c", "#e07b00")


def chart_progress(c: Cohort):
    fig = _figure(8, 0.55 * max(len(c.stages), 2) + 1.4)
    ax = fig.add_subplot()
    left = [0] * len(c.stages)
    for status, colour in zip(STATUS, ("#e0e0e0", "#c9c9c9", "#9ecae1", "#4292c6", "#08519c", "#d62728",
                                       "#9467bd")):
        counts = [sum(1 for p in c.people if c.status(p.id, s) == status) for s in c.stages]
        ax.barh(c.stages, counts, left=left, color=colour, label=status)
        left = [a + b for a, b in zip(left, counts)]
    ax.invert_yaxis()
    ax.set_xlabel("Peserta")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=5, fontsize=8, frameon=False)
    return fig


def chart_stage_scores(c: Cohort):
    fig = _figure(10, 2.6)
    axes = fig.subplots(1, len(c.stages), squeeze=False)[0]
    for ax, stage in zip(axes, c.stages):
        scores = [r.score for r in c.view.stage_records(stage)]
        maximum = sum(ex.points for ex in stage_exercises(stage))
        if scores:
            ax.hist(scores, bins=min(10, max(3, len(scores))), range=(0, maximum), color=COLORS[2])
        ax.set_xlim(0, maximum)
        ax.set_title(f"{stage} (n={len(scores)})", fontsize=9)
        ax.set_xlabel(f"nilai (maks {formatting.points(maximum)})", fontsize=8)
        ax.tick_params(labelsize=7)
    return fig


def chart_exercises(c: Cohort):
    data, labels = [], []
    for stage in c.stages:
        records = c.view.stage_records(stage)
        for ex in stage_exercises(stage):
            if records and ex.points:
                data.append([r.exercise_scores().get(ex.id, (0.0, 0.0))[0] / ex.points * 100 for r in records])
                labels.append(ex.code)
    fig = _figure(max(6, 0.55 * len(labels) + 2), 3.2)
    if not data:
        _no_data(fig)
        return fig
    ax = fig.add_subplot()
    ax.boxplot(data, tick_labels=labels, showmeans=True)
    ax.set_ylim(-5, 105)
    ax.set_ylabel("% dari poin latihan")
    ax.tick_params(axis="x", labelsize=8)
    return fig


def chart_criteria(t: ReportTable):
    rows = [r for r in t.rows if sum(r[4:4 + MAX_LEVEL + 1]) > 0]
    fig = _figure(9, 0.32 * max(len(rows), 3) + 1.4)
    if not rows:
        _no_data(fig, "Belum ada kriteria yang dinilai narasumber")
        return fig
    ax = fig.add_subplot()
    names = [_label(f"{r[1]} {r[2]}", 48) for r in rows]
    left = [0] * len(rows)
    for lvl in range(MAX_LEVEL + 1):
        counts = [r[4 + lvl] for r in rows]
        ax.barh(names, counts, left=left, color=COLORS[lvl], label=f"{lvl} {LEVELS[lvl].get('id')}")
        left = [a + b for a, b in zip(left, counts)]
    ax.invert_yaxis()
    ax.tick_params(axis="y", labelsize=7.5)
    ax.set_xlabel("Peserta")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=5, fontsize=8, frameon=False)
    return fig


def chart_failed(t: ReportTable, top: int = 10):
    rows = [r for r in t.rows if r[4]][:top]
    fig = _figure(9, 0.36 * max(len(rows), 3) + 1.0)
    if not rows:
        _no_data(fig, "Tidak ada pemeriksaan yang gagal")
        return fig
    ax = fig.add_subplot()
    ax.barh([_label(f"{r[1]} {r[2]}", 55) for r in rows], [r[5] for r in rows], color=COLORS[4])
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("% peserta yang gagal")
    ax.tick_params(axis="y", labelsize=7.5)
    return fig


# Bars a chart draws at most: one bar per OPD or per innovation made a national cohort's chart
# hundreds of inches tall and its drawing most of the report's time; the tables keep every row.
CHART_ROWS = 30


def chart_opd(t: ReportTable):
    rows = [r for r in t.rows if r[-1] is not None]
    shown = len(rows)
    if shown > CHART_ROWS:  # the largest OPDs, still in the table's order
        largest = {id(r) for r in sorted(rows, key=lambda r: -r[1])[:CHART_ROWS]}
        rows = [r for r in rows if id(r) in largest]
    fig = _figure(8, 0.35 * max(len(rows), 3) + 1.0)
    if not rows:
        _no_data(fig)
        return fig
    ax = fig.add_subplot()
    ax.barh([_label(r[0], 45) for r in rows], [r[-1] for r in rows], color=COLORS[3])
    ax.invert_yaxis()
    ax.set_xlabel("Rata-rata nilai kursus" + (f" ({CHART_ROWS} OPD terbesar dari {shown}; semua di tabel)"
                                             if shown > CHART_ROWS else ""))
    ax.tick_params(axis="y", labelsize=8)
    return fig


def chart_portfolio(t: ReportTable):
    dims = list(dict.fromkeys(r[0] for r in t.rows if r[0] in ("Bentuk", "Jenis", "Urusan", "Tahapan", "Facet OECD")))
    fig = _figure(11, 2.4 * max((len(dims) + 1) // 2, 1) + 0.4)
    if not dims:
        _no_data(fig, "Belum ada inovasi")
        return fig
    axes = fig.subplots((len(dims) + 1) // 2, 2, squeeze=False).ravel()
    for ax, dim in zip(axes, dims):
        rows = [r for r in t.rows if r[0] == dim][:8]
        ax.barh([_label(r[1], 38) for r in rows], [r[2] for r in rows], color=COLORS[2])
        ax.invert_yaxis()
        ax.set_title(dim, fontsize=9, loc="left")
        ax.tick_params(labelsize=7.5)
    for ax in axes[len(dims):]:
        ax.set_axis_off()
    return fig


def chart_iid(t: ReportTable):
    rows = t.rows[:CHART_ROWS]  # the table is sorted by estimate, highest first
    fig = _figure(9, 0.35 * max(len(rows), 3) + 1.2)
    if not rows:
        _no_data(fig, "Belum ada data Deliver")
        return fig
    ax = fig.add_subplot()
    ax.barh([_label(f"{r[0]}: {r[1]}", 50) for r in rows], [r[4] for r in rows], color=COLORS[3])
    for low, _, label in _facts().IID_PREDIKAT:
        if low > 1:
            ax.axvline(low, color=COLORS[4], lw=1, ls="--")
            ax.text(low, -0.7, _label(label, 20), fontsize=7, color=COLORS[4])
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("Skor perkiraan (0–100)" + (f"; {CHART_ROWS} tertinggi dari {len(t.rows)} (semua di tabel)"
                                              if len(t.rows) > CHART_ROWS else ""))
    ax.tick_params(axis="y", labelsize=7.5)
    return fig


# ============================================================================ HTML

_LONG_RUN = re.compile(r"\S{31,}")


def breakable(value: Any) -> Markup:
    """``value`` escaped, with a ``<wbr>`` every 16 characters inside a run of more than 30
    without a space (a 400-digit number, a pasted link), so a printed table can wrap it.

    >>> breakable("<b>" + "9" * 40)
    Markup('&lt;b&gt;9999999999999<wbr>9999999999999999<wbr>99999999999')
    """
    text = str(value)
    out, last = [], 0
    for m in _LONG_RUN.finditer(text):
        out.append(html.escape(text[last:m.start()]))
        run = m.group(0)
        out.append("<wbr>".join(html.escape(run[i:i + 16]) for i in range(0, len(run), 16)))
        last = m.end()
    out.append(html.escape(text[last:]))
    # Markup: every piece of the text went through html.escape; only lablib's own <wbr> is added
    return Markup("".join(out))


def _chart(fig, alt: str) -> dict:
    # Markup: base64 text has no character HTML would read as markup (A–Z a–z 0–9 + / =).
    return {"alt": alt, "png": Markup(_png(fig))}


@dataclass(frozen=True)
class Report:
    tables: tuple[ReportTable, ...]
    html: str


def review_team_tables(c: Cohort) -> list[ReportTable]:
    """Who graded what, inter-rater agreement and the moderation list (lablib.reports.agreement)."""
    from lablib.reports.agreement import team_tables

    return [ReportTable(key, title, headers, tuple(rows), note)
            for key, title, headers, rows, note in team_tables(c.course)]


def build_report(course: Course | str | os.PathLike, cohort: Cohort | None = None) -> Report:
    c = cohort or load_cohort(course)
    progress, people, exercises = progress_table(c), participants_table(c), exercise_table(c)
    criteria, failed, opd = criterion_table(c), failed_checks_table(c), opd_table(c)
    portfolio, iid, iid_ind = portfolio_table(c), iid_table(c), iid_indicator_table(c)
    matrices, comments = matrix_tables(c), comments_table(c)
    team = review_team_tables(c)
    tables = (progress, people, exercises, criteria, *matrices, comments, failed, opd, portfolio, iid, iid_ind, *team)

    def section(key: str, title: str, chart: dict | None = None, tables: Sequence[ReportTable] = (), *,
                limit: int | None = None, details: Sequence[tuple[str, ReportTable]] = ()) -> dict:
        """One ``<section>``: a chart, tables (the first ``limit`` rows) and tables folded in details."""
        return {"key": key, "title": title, "chart": chart, "tables": tables, "limit": limit, "details": details}

    sections = [
        section("kemajuan", "Kemajuan per tahap", _chart(chart_progress(c), "Kemajuan per tahap"), [progress]),
        section("nilai-tahap", "Sebaran nilai per tahap", _chart(chart_stage_scores(c), "Sebaran nilai per tahap")),
        section("latihan", "Nilai per latihan", _chart(chart_exercises(c), "Nilai per latihan"), [exercises]),
        section("kriteria", "Level rubrik per kriteria", _chart(chart_criteria(criteria), "Level rubrik"), [criteria]),
        section("matriks", "Matriks peserta × kriteria", tables=matrices),
        section("komentar", "Komentar narasumber", tables=[comments]),
        section("pemeriksaan", "Pemeriksaan otomatis yang paling sering gagal",
                _chart(chart_failed(failed), "Pemeriksaan paling sering gagal"), [failed], limit=15),
        section("opd", "Nilai menurut OPD", _chart(chart_opd(opd), "Nilai menurut OPD"), [opd]),
        section("portofolio", "Portofolio inovasi", _chart(chart_portfolio(portfolio), "Portofolio inovasi"),
                [portfolio]),
        section("iid", "Perkiraan indikator inovasi IID", _chart(chart_iid(iid), "Perkiraan IID"), [iid],
                details=[("Sebaran level per indikator", iid_ind)]),
        section("peserta", "Nilai per peserta", tables=[people]),
        section("penilai", "Penilai dan kesepakatan", details=[(t.title, t) for t in team]),
    ]
    kpi = {"people": len(c.people), "innovations": len(c.innovations()), "graded": sum(1 for _ in c.view.records)}
    page = render("report.html.j2", course_id=c.course.course_id, generated=_dt.datetime.now().astimezone(),
                  kpi=kpi, sections=sections, breakable=breakable)
    return Report(tables, page)


def write_excel(tables: Iterable[ReportTable], path: str | os.PathLike) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    from lablib.reports.safe import append_row, safe_str

    wb = Workbook()
    wb.remove(wb.active)
    for t in tables:
        ws = wb.create_sheet(t.key[:31])
        append_row(ws, [t.title])
        ws["A1"].font = Font(bold=True, size=12)
        if t.note:
            append_row(ws, [t.note])
            ws.cell(ws.max_row, 1).alignment = Alignment(wrap_text=False)
        append_row(ws, t.headers)
        head_row = ws.max_row
        for cell in ws[head_row]:
            cell.font = Font(bold=True)
        for r in t.rows:
            append_row(ws, r)  # participant text is text (never a formula), cleaned and cut
        ws.auto_filter.ref = f"A{head_row}:{get_column_letter(len(t.headers))}{max(ws.max_row, head_row)}"
        ws.freeze_panes = ws.cell(head_row + 1, 1)
        for i, h in enumerate(t.headers, start=1):
            longest = max([len(str(h))] + [min(len(safe_str(r[i - 1])), 60) for r in t.rows
                                            if r[i - 1] is not None] or [8])
            ws.column_dimensions[get_column_letter(i)].width = min(max(8, longest + 2), 60)
    path = Path(path)
    with replacing(path) as tmp:
        wb.save(tmp)
    return path


def write_report(course: Course | str | os.PathLike, out: str | os.PathLike | None = None) -> tuple[Path, Path]:
    """Write ``laporan-kohort.html`` and ``laporan-kohort.xlsx`` (default in ``<course>/laporan/``)."""
    course = Course.of(course)
    out_dir = Path(out) if out else course.root / REPORT_DIR
    if out_dir.suffix.lower() == ".html":
        html_path, out_dir = out_dir, out_dir.parent
    else:
        html_path = out_dir / "laporan-kohort.html"
    report = build_report(course)
    write_text_atomic(html_path, report.html)
    xlsx = write_excel(report.tables, html_path.with_suffix(".xlsx"))
    return html_path, xlsx


__all__ = [
    "Cohort",
    "Innovation",
    "Report",
    "ReportTable",
    "build_report",
    "iid_estimate",
    "iid_levels",
    "load_cohort",
    "oecd_facet",
    "portfolio_dimensions",
    "predikat",
    "write_excel",
    "write_report",
]

