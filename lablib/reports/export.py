"""Grades per exercise and per check / rubric criterion, to CSV and Excel.

nbgrader's own export has assignment totals only. Here every grade cell of the gradebook is
mapped back to its exercise definition through its grade id (``auto-<code>-<check>`` for an
automatic check, ``rubrik-<code>-<criterion>`` for a narasumber criterion). Every participant
on the roster appears, including those who never submitted (their items are blank, their
totals 0). A rubric criterion the narasumber has not scored yet is blank, not 0.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

from lablib.core.files import replacing
from lablib.core.stages import STAGES
from lablib.course.folder import load_course

AUTO, RUBRIC = "otomatis", "rubrik"
FILES = ("nilai-per-latihan.csv", "nilai-per-butir.csv", "nilai-rinci.csv", "nilai.xlsx")


@dataclass(frozen=True)
class Item:
    """One gradable item: an automatic check or a rubric criterion."""

    stage: str
    code: str  # exercise code, e.g. "DG1" ("" when the grade id is not lablib's)
    kind: str  # AUTO or RUBRIC
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

    def stage_items(self, stage: str) -> list[Item]:
        return [i for i in self.items if i.stage == stage]

    def exercise_codes(self, stage: str) -> list[str]:
        codes: list[str] = []
        for i in self.stage_items(stage):
            if i.code not in codes:
                codes.append(i.code)
        return codes


def _definition_items(stage: str) -> dict[str, tuple[int, str, str, str, str]]:
    """``{grade_id: (order, code, kind, item id, title)}`` from the exercise definitions."""
    from lablib.curriculum import stage_exercises
    from lablib.notebook.assignments import task_grade_id, test_grade_id

    found, n = {}, 0
    for ex in stage_exercises(stage):
        for c in ex.checks:
            found[test_grade_id(ex, c.id)] = (n, ex.code, AUTO, c.id, c.title)
            n += 1
        for c in ex.criteria:
            found[task_grade_id(ex, c.id)] = (n, ex.code, RUBRIC, c.id, c.title)
            n += 1
    return found


def read_grades(course_dir: str | os.PathLike) -> Grades:
    """Every item and every participant's score on it, from the gradebook."""
    from nbgrader.api import Gradebook, MissingEntry

    from lablib.course.roster import Participant
    from lablib.pipeline import GRADED, SUBMITTED, parse_grade_id, status

    info = load_course(course_dir)
    st = status(info.root)
    items: list[Item] = []
    scores: dict = {}
    with Gradebook(info.db_url(), info.course_id) as gb:
        for stage in STAGES:
            try:
                assignment = gb.find_assignment(stage.slug)
            except MissingEntry:
                continue
            defined = _definition_items(stage.slug)
            stage_items = []
            for nb in assignment.notebooks:
                for cell in list(nb.grade_cells) + list(nb.task_cells):
                    if cell.name in {i.grade_id for _, i in stage_items}:
                        continue
                    if cell.name in defined:
                        order, code, kind, item_id, title = defined[cell.name]
                    else:
                        parsed = parse_grade_id(cell.name)
                        kind = (AUTO if parsed[0] == "auto" else RUBRIC) if parsed else \
                            (RUBRIC if cell.name in {t.name for t in nb.task_cells} else AUTO)
                        order, code, item_id, title = 10_000, parsed[1] if parsed else "", \
                            parsed[2] if parsed else cell.name, cell.name
                    stage_items.append((order, Item(stage.slug, code, kind, item_id, cell.name, title,
                                                    float(cell.max_score or 0))))
            items += [i for _, i in sorted(stage_items, key=lambda t: (t[0], t[1].grade_id))]
            for sub in gb.assignment_submissions(stage.slug):
                for nb in sub.notebooks:
                    for g in nb.grades:
                        value = g.manual_score if g.manual_score is not None else g.auto_score
                        scores[(sub.student_id, g.name)] = None if value is None else float(value)
    roster = list(info.participants)
    known = {p.id for p in roster}
    roster += [Participant(p.id, "", "") for p in st.participants if p.id not in known]
    stage_state = {}
    for p in st.participants:
        for s in p.stages:
            state = {GRADED: "dinilai", SUBMITTED: "dikumpulkan, belum dinilai"}.get(s.state, "belum mengumpulkan")
            stage_state[(p.id, s.stage)] = (state, s.late)
    return Grades(tuple(items), tuple(roster), scores, stage_state)


def _sum(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(sum(present), 4) if present else None


def tables(grades: Grades) -> dict[str, tuple[list[str], list[list]]]:
    """The three export tables: ``{sheet name: (header, rows)}``."""
    base = ["id", "nama", "opd", "jabatan", "email"]
    stages = [s.slug for s in STAGES if grades.stage_items(s.slug)] or [s.slug for s in STAGES]

    per_ex_head = list(base)
    for slug in stages:
        per_ex_head.append(f"{slug}: status")
        for code in grades.exercise_codes(slug):
            per_ex_head += [f"{code} {AUTO}", f"{code} {RUBRIC}", f"{code} total"]
        per_ex_head.append(f"{slug}: total")
    per_ex_head.append("total kursus")
    per_item_head = base[:3] + [i.column for i in grades.items]
    long_head = base[:3] + ["tahap", "latihan", "jenis", "butir", "judul", "skor", "maks", "status", "terlambat"]

    per_ex, per_item, long_rows = [], [], []
    for p in grades.participants:
        ident = [p.id, p.nama, p.opd, p.jabatan, p.email]
        row, course_total = list(ident), 0.0
        for slug in stages:
            state, late = grades.stage_state.get((p.id, slug), ("belum mengumpulkan", False))
            row.append(state + (" (terlambat)" if late else ""))
            stage_total = 0.0
            for code in grades.exercise_codes(slug):
                values = {kind: _sum([grades.scores.get((p.id, i.grade_id)) for i in grades.stage_items(slug)
                                      if i.code == code and i.kind == kind]) for kind in (AUTO, RUBRIC)}
                both = _sum([values[AUTO], values[RUBRIC]])
                row += [values[AUTO], values[RUBRIC], both]
                stage_total += both or 0.0
            row.append(round(stage_total, 4))
            course_total += stage_total
        row.append(round(course_total, 4))
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


def export(course_dir: str | os.PathLike, out: str | os.PathLike | None = None) -> ExportResult:
    """Write the export tables as CSV files (UTF-8 with BOM, for Excel) and one Excel workbook."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    info = load_course(course_dir)
    folder = Path(out).resolve() if out else info.root / "ekspor"
    folder.mkdir(parents=True, exist_ok=True)
    grades = read_grades(info.root)
    sheets = tables(grades)
    written = []
    for (_name, (head, rows)), filename in zip(sheets.items(), FILES[:3]):
        path = folder / filename
        with replacing(path) as tmp, tmp.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(head)
            writer.writerows([["" if v is None else v for v in r] for r in rows])
        written.append(path)
    wb = Workbook()
    wb.remove(wb.active)
    for name, (head, rows) in sheets.items():
        ws = wb.create_sheet(name)
        ws.append(head)
        for r in rows:
            ws.append(r)
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
