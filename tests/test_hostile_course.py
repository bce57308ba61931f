"""One participant's answers file can never break the cohort: every trainer command on a course
whose participants left hostile answers files behind.

The course is the shared test cohort (``tests/_cohort.py``) plus one participant per hostile
answers file of ``tests/data/hostile/`` (see its README) and a few made here (formula-like
texts, a 10 MB text, a 40,000-character innovation name). Each hostile file is placed where a
participant leaves it: in ``submitted/<id>/<stage>/``, in ``autograded/`` with a gradebook
submission as autograde leaves it (Diagnose, which holds most of the corpus, is then graded
again with real kernels by ``lablib grade diagnose --force``, and the raw bytes are written back
into ``autograded/``, as if edited by hand) and in the participant's working copy
(``<home>/<stage>/`` or ``<home>/<course_id>/<stage>/``, which ``lablib status --live`` reads).
Roster text (names, OPDs, posts) and a narasumber's comments are hostile too: formula-like
(``=``, ``+``, ``-``, ``@``, tab, CR), with control characters and a lone surrogate.

Every trainer command then runs through ``lablib.cli.main`` and must end with exit status 0
(or 1 with a one-line message), no traceback, every participant still listed, participant text
only ever escaped in HTML and never a formula in a workbook or at the start of a CSV cell.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import shutil
import traceback
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from _cohort import COURSE_ID, cohort_course, copy_course

from lablib.cli import main
from lablib.core.stages import STAGES, get_stage
from lablib.curriculum.samples import model_answers

pytestmark = pytest.mark.slow

CORPUS = Path(__file__).resolve().parent / "data" / "hostile"
FORMULAS = ('=HYPERLINK("http://x","klik")', "+1", "-1", "@cmd", "=1+1", "-2+3", "@SUM(A1:A2)", "\t=1+1",
            "\r=1+1", "=cmd|' /C calc'!A0")
WORD = "Dinas\x0bKesehatan\x0c\x01\x00"  # what a paste from Word or a PDF carries


@dataclass(frozen=True)
class Case:
    name: str
    stage: str
    data: bytes

    @property
    def student(self) -> str:
        return "h-" + self.name


def _stage_of(data: bytes) -> str:
    """A corpus file's stage: its ``stage`` key comes right after ``schema_version`` (the file
    itself may be too deep or too big to parse)."""
    m = re.search(rb'"stage"\s*:\s*"([a-z-]+)"', data[:400])
    assert m, data[:400]
    return get_stage(m.group(1).decode()).slug


def _formula_answers(stage: str) -> dict:
    """The model answers of ``stage`` with every text, in fields and table cells, formula-like."""
    n = iter(range(10**9))

    def walk(value):
        if isinstance(value, str):
            return FORMULAS[next(n) % len(FORMULAS)] + " " + value[:20]
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        return value

    return walk(model_answers(stage))


def _doc(stage: str, answers: dict) -> bytes:
    doc = {"schema_version": 1, "stage": stage, "saved_at": "2026-08-14T10:00:00.000+08:00", "answers": answers}
    return json.dumps(doc, ensure_ascii=True).encode("utf-8")


def hostile_cases() -> list[Case]:
    """Every file of the hostile corpus, plus the cases too big to keep in git or about spreadsheets."""
    cases = [Case(p.stem, _stage_of(p.read_bytes()), p.read_bytes()) for p in sorted(CORPUS.glob("*.json"))]
    ten_mb = model_answers("display")
    ten_mb["display.dp1"]["ringkasan"] = "=" + "kata " * 2_000_000
    long_name = model_answers("design")
    long_name["design.ds1"]["nama"] = FORMULAS[0] + "x" * 40_000
    long_name["design.ds1"]["tujuan"] = "tujuan " * 15_000
    cases += [Case("rumus-diagnose", "diagnose", _doc("diagnose", _formula_answers("diagnose"))),
              Case("rumus-design", "design", _doc("design", _formula_answers("design"))),
              Case("nama-panjang", "design", _doc("design", long_name)),
              Case("teks-10mb", "display", _doc("display", ten_mb))]
    return cases


# ------------------------------------------------------------------------------------ running

@dataclass(frozen=True)
class Run:
    args: tuple[str, ...]
    code: int | None
    out: str
    err: str
    crash: str = ""  # the traceback of an exception that escaped lablib.cli.main

    def check(self, *, may_refuse: bool = False, report_lines: bool = False) -> Run:
        """Exit 0, or 1 with one line on stderr when ``may_refuse`` (with ``report_lines``: a run that
        reports its failures on stdout, as ``grade`` does); never a traceback, never a character
        a terminal cannot print."""
        assert not self.crash, f"lablib {' '.join(self.args)} crashed:\n{self.crash[-6000:]}"
        assert "Traceback" not in self.err and "Traceback" not in self.out, self.err[-3000:]
        for text in (self.out, self.err):  # what a terminal can print: no lone surrogate, no control character
            text.encode("utf-8")
            assert not _CONTROL.search(text.replace("\r", "")), _CONTROL.search(text.replace("\r", ""))
        if self.code == 1 and may_refuse and report_lines:
            assert re.search(r"^GAGAL \S+: .+$", self.out, re.MULTILINE), self.out[-3000:]
        elif self.code == 1 and may_refuse:
            lines = [ln for ln in self.err.splitlines() if ln.strip()]
            assert len(lines) == 1 and lines[0].startswith(f"lablib {self.args[0]}:"), self.err
        else:
            assert self.code == 0, f"exit {self.code}\n--- stdout\n{self.out[-3000:]}\n--- stderr\n{self.err[-3000:]}"
        return self


def run(course: Path, *args: str) -> Run:
    """``lablib ARGS --course COURSE`` in this process, its output captured."""
    out, err = io.StringIO(), io.StringIO()
    code, crash = None, ""
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([*args, "--course", str(course)])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except Exception:
            crash = traceback.format_exc()
    return Run(tuple(args), code, out.getvalue(), err.getvalue(), crash)


# ------------------------------------------------------------------------------------ the course

@dataclass
class Hostile:
    course: Path
    cases: list[Case]
    students: list[str]  # everyone on the course record

    def stages(self) -> list[str]:
        """The stages with hostile submissions, in course order."""
        return [s.slug for s in STAGES if any(c.stage == s.slug for c in self.cases)]


def _enrol(course: Path, cases: list[Case], homes: Path) -> list[str]:
    """Add a participant per case to the course record, with hostile roster text; homes in ``homes``."""
    path = course / "lablib-course.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    record["homes"] = str(homes / "{id}")
    people = record["participants"]
    people[0]["nama"] = FORMULAS[0]  # ani
    people[1]["opd"] = WORD  # budi
    people[2]["nama"] = "Citra \ud800 Dewi"  # a lone surrogate (the record is JSON with ensure_ascii)
    for n, case in enumerate(cases):
        people.append({"id": case.student, "nama": f"{FORMULAS[n % len(FORMULAS)]} {case.name}",
                       "opd": (WORD, "=1+2", "+62 Dinas", "@Dinas", "-Bappeda")[n % 5],
                       "jabatan": FORMULAS[(n + 3) % len(FORMULAS)], "email": f"{case.student}@contoh.go.id"})
    path.write_text(json.dumps(record, ensure_ascii=True, indent=1), encoding="utf-8")
    return [p["id"] for p in people]


def _plant(course: Path, homes: Path, cases: list[Case]) -> None:
    """Each case's file in its participant's submission and working copy (both layouts)."""
    for n, case in enumerate(cases):
        name = get_stage(case.stage).answers_filename
        folder = course / "submitted" / case.student / case.stage
        shutil.copytree(course / "release" / case.stage, folder)
        (folder / name).write_bytes(case.data)
        (folder / "timestamp.txt").write_text("2026-08-14 10:00:00.000000 UTC", encoding="utf-8")
        work = homes / case.student / (COURSE_ID if n % 2 else "") / case.stage
        work.mkdir(parents=True)
        (work / name).write_bytes(case.data)
    # dedi never submitted: his working copies are hostile too
    for stage, case in (("diagnose", "bersarang-50000"), ("design", "kendali-word"), ("deliver", "nan-inf")):
        data = next(c.data for c in cases if c.name == case)
        (homes / "dedi" / stage).mkdir(parents=True, exist_ok=True)
        (homes / "dedi" / stage / get_stage(stage).answers_filename).write_bytes(data)
    # what nbgrader's submit leaves beside every submission (release_feedback needs it)
    for folder in (course / "submitted").glob("*/*"):
        secret = folder / "submission_secret.txt"
        if not secret.exists():
            secret.write_text(f"{folder.parent.name}-{folder.name}-secret", encoding="utf-8")


def _autograded(course: Path, cases: list[Case]) -> None:
    """Every submission as ``nbgrader autograde`` leaves it, without running kernels (the
    grading test runs them): the submission copied to ``autograded/``, the gradebook's
    submission with every automatic check scored 0 and every rubric criterion waiting."""
    from lablib.course.course import Course
    from lablib.curriculum.grade_ids import AUTO, describe_grade

    for folder in (course / "submitted").glob("*/*"):
        graded = course / "autograded" / folder.parent.name / folder.name
        if graded.exists():
            shutil.copy2(folder / "submission_secret.txt", graded / "submission_secret.txt")
        else:
            shutil.copytree(folder, graded)
    with Course.open(course).gradebook() as gb:
        for case in cases:
            gb.update_or_create_student(case.student)
            sub = gb.add_submission(case.stage, case.student, timestamp="2026-08-14 10:00:00.000000 UTC")
            for nb in sub.notebooks:
                for grade in nb.grades:
                    meaning = describe_grade(grade.name)
                    grade.needs_manual_grade = meaning is None or meaning.kind != AUTO
                    grade.auto_score = None if grade.needs_manual_grade else 0.0
                for comment in nb.comments:  # a narasumber's comment pasted from Word, formula-like
                    comment.manual_comment = f"{FORMULAS[0]}{WORD[5:]} {case.name}"
        gb.db.commit()


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> Hostile:
    base = tmp_path_factory.mktemp("hostile")
    course = copy_course(cohort_course(tmp_path_factory), base / "course")
    homes = base / "homes"
    cases = hostile_cases()
    students = _enrol(course, cases, homes)
    _plant(course, homes, cases)
    _autograded(course, cases)
    return Hostile(course, cases, students)


# ------------------------------------------------------------------------------------ checks

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


class _Tags(HTMLParser):
    """Every start tag of a page with its attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def check_html(path: Path) -> str:
    """The page as text; fails if it is not UTF-8, holds a control character or markup that is
    not lablib's own (a participant's ``<script>``, ``<img onerror>``, ``<iframe>`` …)."""
    text = path.read_bytes().decode("utf-8")  # strict: a lone surrogate could not have been written
    assert not _CONTROL.search(text), (path, _CONTROL.search(text))
    assert len(text) < 2_000_000, (path, len(text))  # long answers are shown cut, never whole
    for marker in ("<script>alert", "<img src=x", "<iframe", "<svg", "<style>*", "<u>", "<b>tebal", "</dd></dl><img"):
        assert marker not in text, (path, marker)
    parser = _Tags()
    parser.feed(text)
    names = [tag for tag, _ in parser.tags]
    assert not {"iframe", "svg", "u", "object", "embed"} & set(names), (path, set(names))
    assert names.count("style") <= 1 and names.count("script") <= 2, path
    for tag, attrs in parser.tags:
        assert not [a for a in attrs if a.startswith("on")], (path, tag, attrs)
        if tag == "img":
            assert (attrs.get("src") or "").startswith("data:image/png;base64,"), (path, attrs)
        if tag == "script":
            assert attrs in ({}, {"type": "application/json", "id": "showcase-data"}), (path, attrs)
    return text


def check_workbook(path: Path, user_text: set[str]) -> list[list]:
    """Every sheet's values; fails on any formula cell whose text is not lablib's own."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    values = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    text = str(cell.value)
                    assert not any(text.startswith(t[:12]) for t in user_text if t), (path, ws.title, cell.coordinate,
                                                                                      text[:80])
                    assert re.fullmatch(r"=(IF|SUM)\(.*\)", text), (path, ws.title, cell.coordinate, text[:80])
            values.append([c.value for c in row])
    return values


def check_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    for row in rows:
        for value in row:
            # only a number lablib wrote (a negative score) may start with "-"
            if value and value[0] in "=+-@\t\r" and not re.fullmatch(r"-\d+(\.\d+)?", value):
                pytest.fail(f"{path.name}: cell {value[:40]!r} would be read as a formula")
    return rows


def _user_text(h: Hostile) -> set[str]:
    record = json.loads((h.course / "lablib-course.json").read_text(encoding="utf-8"))
    return {p[k] for p in record["participants"] for k in ("nama", "opd", "jabatan")} | set(FORMULAS)


# ------------------------------------------------------------------------------------ tests

GRADED_STAGE = "diagnose"  # most of the corpus: huge numbers, deep nesting, surrogates, long tables


@pytest.fixture(scope="module")
def graded(planted) -> Run:
    """``lablib grade diagnose --force`` once (kernel-free; a file that needs a kernel gets one);
    the hostile bytes are then written back into ``autograded/`` (as if edited by hand) for the
    commands that read them."""
    result = run(planted.course, "grade", GRADED_STAGE, "--force", "--workers", "2")
    for case in planted.cases:
        folder = planted.course / "autograded" / case.student / case.stage
        if case.stage == GRADED_STAGE and folder.is_dir():
            (folder / get_stage(case.stage).answers_filename).write_bytes(case.data)
    return result


@pytest.fixture(scope="module")
def hostile(planted, graded) -> Hostile:
    """The course after grading: what every other command reads."""
    return planted


def test_grade_with_real_kernels_never_stops_the_cohort(hostile, graded):
    graded.check(may_refuse=True, report_lines=True)
    failed = _failed(graded)
    assert failed <= {c.student for c in hostile.cases}, failed  # only a hostile file's own participant
    for case in hostile.cases:
        if case.stage == GRADED_STAGE and case.student not in failed:
            assert (hostile.course / "autograded" / case.student / GRADED_STAGE / f"{GRADED_STAGE}.ipynb").is_file()
    summary = graded.out.splitlines()[0]
    assert re.match(rf"Tahap {GRADED_STAGE}: \d+ dinilai, 0 dilewati", summary), summary


def test_grade_grades_every_hostile_file(graded):
    assert "GAGAL" not in graded.out, graded.out


@pytest.mark.parametrize("live", [False, True])
def test_status_lists_everyone(hostile, live):
    result = run(hostile.course, "status", *(["--live"] if live else [])).check()
    for pid in hostile.students:
        assert re.search(rf"^{re.escape(pid)}\s", result.out, re.MULTILINE), pid
    assert not _CONTROL.search(result.out)


def _failed(graded: Run) -> set[str]:
    """Participants whose grading failed (no longer graded: no feedback for them)."""
    return set(re.findall(r"^GAGAL (\S+):", graded.out, re.MULTILINE))


def test_feedback_every_stage(hostile, graded):
    for stage in hostile.stages():
        result = run(hostile.course, "feedback", stage).check()
        for case in hostile.cases:
            if case.stage != stage or (stage == GRADED_STAGE and case.student in _failed(graded)):
                continue
            page = hostile.course / "umpan-balik" / case.student / stage / f"umpan-balik-{stage}.html"
            assert page.is_file(), (case.name, result.out)
            check_html(page)


def test_review_export_every_stage(hostile):
    from lablib.reports.review import FIRST_DATA_ROW

    text = _user_text(hostile)
    for stage in ("diagnose", "design", "deliver", "display", "drum-up"):
        result = run(hostile.course, "review", "export", stage).check(may_refuse=True)
        if result.code:
            continue  # a stage without rubric criteria
        path = hostile.course / "penilaian" / f"penilaian-{stage}.xlsx"
        rows = check_workbook(path, text)
        ids = {r[0] for r in rows[FIRST_DATA_ROW - 1:] if r and r[0]}
        assert set(hostile.students) <= ids, set(hostile.students) - ids


def test_export_csv_and_excel(hostile):
    run(hostile.course, "export").check()
    folder = hostile.course / "ekspor"
    for name in ("nilai-per-latihan.csv", "nilai-per-butir.csv", "nilai-rinci.csv"):
        rows = check_csv(folder / name)
        assert set(hostile.students) <= {r[0] for r in rows[1:]}, name
        assert "'" + FORMULAS[0] in {r[1] for r in rows}, name  # ani's name, as text (OWASP's quote)
    rows = check_workbook(folder / "nilai.xlsx", _user_text(hostile))
    assert set(hostile.students) <= {r[0] for r in rows}
    assert FORMULAS[0] in {r[1] for r in rows}  # the same name, a text cell in the workbook


def test_report_html_and_excel(hostile):
    run(hostile.course, "report").check()
    page = check_html(hostile.course / "laporan" / "laporan-kohort.html")
    for pid in hostile.students:
        assert f"<td>{pid}</td>" in page, pid
    rows = check_workbook(hostile.course / "laporan" / "laporan-kohort.xlsx", _user_text(hostile))
    assert set(hostile.students) <= {r[0] for r in rows}


def test_documents_for_everyone_with_answers(hostile):
    from docx import Document

    run(hostile.course, "documents").check()
    folder = hostile.course / "dokumen"
    for case in hostile.cases:
        for kind in ("profil-inovasi", "proposal-kipp"):
            page = folder / case.student / f"{kind}.html"
            if page.is_file():
                check_html(page)
                Document(str(page.with_suffix(".docx")))  # Word can open it
    made = {p.name for p in folder.iterdir()}
    assert {"ani", "budi", "citra", "h-rumus-design", "h-kendali-word", "h-nama-panjang", "h-html-skrip"} <= made


def test_showcase(hostile):
    # listed explicitly: by default the showcase shows only who submitted Display, and the point
    # here is the hostile text of every participant's card
    run(hostile.course, "showcase", "--participants", ",".join(hostile.students)).check()
    page = check_html(hostile.course / "pameran" / "pameran-inovasi.html")
    data = re.search(r'<script type="application/json" id="showcase-data">(.*?)</script>', page, re.DOTALL)
    cards = {card["id"]: card for card in json.loads(data.group(1))}
    assert {"ani", "budi", "citra", "h-rumus-design", "h-kendali-word", "h-nama-panjang"} <= set(cards)
    for card in cards.values():  # names are shown cut to a sensible length
        assert len(card["name"]) <= 201 and len(card["opd"]) <= 201, card["id"]


def test_nothing_is_removed_from_the_participants_files(hostile):
    """Runs last: after every command, each submission and working copy holds its bytes as planted."""
    homes = hostile.course.parent / "homes"
    for case in hostile.cases:
        name = get_stage(case.stage).answers_filename
        assert (hostile.course / "submitted" / case.student / case.stage / name).read_bytes() == case.data
        working = list((homes / case.student).rglob(name))
        assert [p.read_bytes() == case.data for p in working] == [True], case.name


def test_stock_nbgrader_autograde_gives_every_hostile_file_the_same_score(planted, graded, tmp_path):
    """The other grading path: plain ``nbgrader autograde`` on a copy of the course (the course's
    own config carries the protections) grades every hostile submission, with lablib's scores."""
    from conftest import nbgrader

    from lablib.course.grading import gradebook_rows

    stock = copy_course(planted.course, tmp_path / "stock")
    nbgrader("autograde", GRADED_STAGE, "--force", cwd=stock)

    def totals(course: Path) -> dict[str, float]:
        rows = gradebook_rows(course, GRADED_STAGE)
        return {s: round(sum(v[0] or 0 for v in r["grades"].values()), 4) for s, r in rows.items()}

    ours, theirs = totals(planted.course), totals(stock)
    hostile_ids = {c.student for c in planted.cases if c.stage == GRADED_STAGE}
    assert hostile_ids <= set(theirs), sorted(hostile_ids - set(theirs))  # nobody failed
    assert {s: ours.get(s) for s in hostile_ids} == {s: theirs[s] for s in hostile_ids}
    # `lablib grade` (kernel-free unless a file needs a kernel) left every row stock leaves, column by
    # column, and the same autograded notebooks
    from lablib.course.course import Course
    from lablib.course.verify import _normalised, compare, gradebook_snapshot

    ids = sorted(hostile_ids)
    assert compare(gradebook_snapshot(Course.open(planted.course).db_url, GRADED_STAGE, ids),
                   gradebook_snapshot(Course.open(stock).db_url, GRADED_STAGE, ids)) == []
    for student in ids:
        nb = Path("autograded") / student / GRADED_STAGE / f"{GRADED_STAGE}.ipynb"
        assert _normalised(planted.course / nb) == _normalised(stock / nb), student
