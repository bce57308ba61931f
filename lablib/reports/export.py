"""Grades per exercise and per check / rubric criterion, to CSV and Excel.

nbgrader's own export has assignment totals only. Here every grade cell of the gradebook is
mapped back to its exercise definition through its grade id (``auto-<code>-<check>`` for an
automatic check, ``rubrik-<code>-<criterion>`` for a narasumber criterion; see
``lablib.curriculum.grade_ids``). Every participant on the roster appears, including those who
never submitted (their items are blank, their totals 0). A rubric criterion the narasumber has
not scored yet is blank, not 0. Scores are read with ``lablib.course.gradebook.read_gradebook``,
as the cohort report reads them, and count extra credit as nbgrader does. A stage whose last
grading failed (``lablib.course.grading.grading_failures``) has blank scores and its status
reads ``gagal dinilai: <reason>``: the scores an earlier grading left in the gradebook are not
exported or counted, as ``lablib status`` and the cohort report leave them out.

Totals are the ones every output shows (``lablib.course.totals``): a stage total is the
gradebook's, rounded half up once; the course total is the sum of the stage totals; the
per-exercise columns (automatic, rubric, total) are apportioned by largest remainder so that
they add up to the stage total in the same row. Item scores are written as the gradebook has
them.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from lablib.core.files import replacing
from lablib.core.stages import STAGES
from lablib.course import totals
from lablib.course.course import Course
from lablib.course.gradebook import GradebookView, read_gradebook
from lablib.curriculum.grade_ids import AUTO, RUBRIC, grade_names, parse_grade_id
from lablib.reports.safe import append_row, csv_value

KIND_LABEL = {AUTO: "otomatis", RUBRIC: "rubrik"}  # the "jenis" column and the column names
FILES = ("nilai-per-latihan.csv", "nilai-per-butir.csv", "nilai-rinci.csv", "nilai.xlsx")


@dataclass(frozen=True)
class Item:
    """One gradable item: an automatic check or a rubric criterion."""

    stage: str
    code: str  # exercise code, e.g. "DG1" ("" when the grade id is not lablib's)
    kind: str  # KIND_LABEL of AUTO or RUBRIC
    item_id: str
    grade_id: str
    title: str
    max_score: float

    @property
    def column(self) -> str:
        return f"{self.code} {self.kind} {self.item_id} (maks {self.max_score:g})"


@dataclass(frozen=True)
class Grades:
    items: tuple[Item, ...]
    participants: tuple  # roster Participants (plus unknown ids that submitted)
    scores: dict  # {(participant, grade_id): float | None}
    stage_state: dict  # {(participant, stage): (state, late)}
    failed: dict = field(default_factory=dict)  # {(participant, stage): "gagal dinilai: <reason>"}
    stage_totals: dict = field(default_factory=dict)  # {(participant, stage): Decimal}, rounded once

    def stage_items(self, stage: str) -> list[Item]:
        return [i for i in self.items if i.stage == stage]

    def exercise_codes(self, stage: str) -> list[str]:
        codes: list[str] = []
        for i in self.stage_items(stage):
            if i.code not in codes:
                codes.append(i.code)
        return codes


def _definition_items(stage: str) -> dict[str, tuple[int, str, str, str, str]]:
    """``{grade_id: (order, code, kind label, item id, title)}`` from the exercise definitions."""
    return {name: (n, g.exercise.code, KIND_LABEL[g.kind], g.item_id, g.item.title)
            for n, (name, g) in enumerate(grade_names(stage).items())}


def _stage_items(view: GradebookView, stage: str) -> list[Item]:
    """The stage's graded cells as export items: lablib's in curriculum order, then any other."""
    defined = _definition_items(stage)
    found: dict[str, tuple[int, Item]] = {}
    for cell in view.stage_cells(stage):
        if cell.name in found:
            continue
        if cell.name in defined:
            order, code, kind, item_id, title = defined[cell.name]
        else:  # a cell of an older curriculum, or one added by hand in formgrader
            parsed = parse_grade_id(cell.name)
            order, title = 10_000, cell.name
            if parsed:
                code, kind, item_id = parsed.code, KIND_LABEL[parsed.kind], parsed.item_id
            else:
                code, kind, item_id = "", KIND_LABEL[RUBRIC if cell.task else AUTO], cell.name
        found[cell.name] = (order, Item(stage, code, kind, item_id, cell.name, title, cell.max_score))
    return [i for _, i in sorted(found.values(), key=lambda t: (t[0], t[1].grade_id))]


def read_grades(course: Course | str | os.PathLike) -> Grades:
    """Every item and every participant's score on it, from the gradebook.

    Read through ``lablib.course.gradebook.read_gradebook``, as the cohort report and the
    feedback pages read it, so an item's score is nbgrader's (``Grade.score``: the manual score
    if set, else the automatic one, plus any extra credit) and the totals here are nbgrader's
    and the report's.
    """
    from lablib.course.grading import grading_failures
    from lablib.course.status import GRADED, SUBMITTED, UNREADABLE, status

    course = Course.of(course)
    failed = {key: f.label for key, f in grading_failures(course).items()}
    view = read_gradebook(course)
    st = status(course, view=view)
    # a stage whose last grading failed: the gradebook still holds the scores of the grading before
    view = replace(view, records={key: r for key, r in view.records.items() if key not in failed})
    items: list[Item] = []
    for stage in STAGES:
        items += _stage_items(view, stage.slug)
    scores = {(student, name): (g.score if g.scored else None)
              for (student, _), record in view.records.items() for name, g in record.grades.items()}
    people = {p.id: p for p in course.participants}
    for pid in [*view.participants, *(p.id for p in st.participants)]:
        people.setdefault(pid, view.participant(pid))
    stage_state = {}
    for p in st.participants:
        for s in p.stages:
            state = {GRADED: "dinilai", SUBMITTED: "dikumpulkan, belum dinilai",
                     UNREADABLE: UNREADABLE}.get(s.state, "belum mengumpulkan")
            stage_state[(p.id, s.stage)] = (failed.get((p.id, s.stage), state), s.late)
    stage_totals = {key: r.total for key, r in view.records.items()}
    return Grades(tuple(items), tuple(people.values()), scores, stage_state, failed, stage_totals)


def _sum(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(sum(present), 4) if present else None


def tables(grades: Grades) -> dict[str, tuple[list[str], list[list]]]:
    """The three export tables: ``{sheet name: (header, rows)}``."""
    base = ["id", "nama", "opd", "jabatan", "email"]
    auto, rubric = KIND_LABEL[AUTO], KIND_LABEL[RUBRIC]
    stages = [s.slug for s in STAGES if grades.stage_items(s.slug)] or [s.slug for s in STAGES]

    per_ex_head = list(base)
    for slug in stages:
        per_ex_head.append(f"{slug}: status")
        for code in grades.exercise_codes(slug):
            per_ex_head += [f"{code} {auto}", f"{code} {rubric}", f"{code} total"]
        per_ex_head.append(f"{slug}: total")
    per_ex_head.append("total kursus")
    per_item_head = base[:3] + [i.column for i in grades.items]
    long_head = base[:3] + ["tahap", "latihan", "jenis", "butir", "judul", "skor", "maks", "status", "terlambat"]

    # {stage: [(code, {kind: grade ids})]}, once: not filtered again for every participant
    groups = {slug: [(code, {kind: [i.grade_id for i in grades.stage_items(slug) if i.code == code and i.kind == kind]
                             for kind in (auto, rubric)}) for code in grades.exercise_codes(slug)]
              for slug in stages}
    per_ex, per_item, long_rows = [], [], []
    for p in grades.participants:
        ident = [p.id, p.nama, p.opd, p.jabatan, p.email]
        row, stage_totals = list(ident), []
        for slug in stages:
            state, late = grades.stage_state.get((p.id, slug), ("belum mengumpulkan", False))
            row.append(state + (" (terlambat)" if late else ""))
            exact = [{kind: _sum([grades.scores.get((p.id, gid)) for gid in ids[kind]]) for kind in (auto, rubric)}
                     for _code, ids in groups[slug]]
            total = grades.stage_totals.get((p.id, slug))
            if total is None:  # not graded (or its last grading failed): blank, not 0
                for values in exact:
                    row += [values[auto], values[rubric], _sum([values[auto], values[rubric]])]
                row.append(None if (p.id, slug) in grades.failed else 0.0)
                continue
            stage_totals.append(total)
            # rounded once, and the exercise columns add up to the stage total beside them
            shown = totals.apportion([_sum([v[auto], v[rubric]]) or 0.0 for v in exact], total)
            for values, both in zip(exact, shown):
                if values[auto] is None and values[rubric] is None:
                    row += [None, None, None]
                    continue
                a, r = totals.apportion([values[auto] or 0.0, values[rubric] or 0.0], both)
                row += [None if values[auto] is None else float(a),
                        None if values[rubric] is None else float(r), float(both)]
            row.append(float(total))
        row.append(float(totals.course_total(stage_totals)))
        per_ex.append(row)
        per_item.append(ident[:3] + [grades.scores.get((p.id, i.grade_id)) for i in grades.items])
        for i in grades.items:
            state, late = grades.stage_state.get((p.id, i.stage), ("belum mengumpulkan", False))
            long_rows.append(ident[:3] + [i.stage, i.code, i.kind, i.item_id, i.title,
                                          grades.scores.get((p.id, i.grade_id)), i.max_score, state,
                                          "ya" if late else ""])
    return {"Per latihan": (per_ex_head, per_ex), "Per butir": (per_item_head, per_item),
            "Rinci": (long_head, long_rows)}


@dataclass(frozen=True)
class ExportResult:
    folder: Path
    files: tuple[Path, ...]
    participants: int
    items: int

    def __str__(self) -> str:
        return (f"Nilai {self.participants} peserta, {self.items} butir (cek otomatis dan kriteria rubrik) "
                f"diekspor ke {self.folder}:\n" + "\n".join(f"  {f.name}" for f in self.files))


def export(course: Course | str | os.PathLike, out: str | os.PathLike | None = None) -> ExportResult:
    """Write the export tables as CSV files (UTF-8 with BOM, for Excel) and one Excel workbook.

    Participant and roster text is written as text in both: a value that a spreadsheet would
    read as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is
    a text cell in the workbook and starts with ``'`` in the CSV files (OWASP's advice against
    CSV injection; ``lablib.reports.safe``). Numbers stay numbers.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    course = Course.of(course)
    folder = Path(out).resolve() if out else course.root / "ekspor"
    folder.mkdir(parents=True, exist_ok=True)
    grades = read_grades(course)
    sheets = tables(grades)
    written = []
    for (_name, (head, rows)), filename in zip(sheets.items(), FILES[:3]):
        path = folder / filename
        with replacing(path) as tmp, tmp.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            # roster text that a spreadsheet would read as a formula starts with ' (csv_value)
            writer.writerow([csv_value(v) for v in head])
            writer.writerows([[csv_value(v) for v in r] for r in rows])
        written.append(path)
    wb = Workbook()
    wb.remove(wb.active)
    for name, (head, rows) in sheets.items():
        ws = wb.create_sheet(name)
        append_row(ws, head)
        for r in rows:
            append_row(ws, r)  # text is stored as text, never as a formula
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "D2"
        for n, title in enumerate(head, start=1):
            ws.column_dimensions[get_column_letter(n)].width = min(max(10, len(str(title)) + 2), 40)
    xlsx = folder / FILES[3]
    with replacing(xlsx) as tmp:
        wb.save(tmp)
    written.append(xlsx)
    return ExportResult(folder, tuple(written), len(grades.participants), len(grades.items))
