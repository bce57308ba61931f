"""The gradebook rows kernel-free grading writes: what nbgrader's autograde writes, in batches.

``write_chunk`` writes, in one transaction, the rows of a chunk of submissions prepared by
``lablib.course.direct``, as nbgrader's ``Autograde`` and its preprocessors write them:

- ``Autograde.init_assignment``: the student (``update_or_create_student``: a row with only its
  id), the submission (``update_or_create_submission``: a new one mirrors the whole assignment,
  as ``Gradebook.add_submission`` does: a submitted notebook per notebook (not flagged, no
  penalty), a grade (``needs_manual_grade`` true) per grade and task cell and a comment per
  solution and task cell; an existing one gets the new timestamp, if any), and a zero
  (``auto_score`` 0, ``needs_manual_grade`` false) for every grade of a notebook not submitted;
- ``SaveAutoGrades``: each grade cell's ``auto_score``, and ``needs_manual_grade`` true when a
  manual score exists or there is no automatic score; task comments' ``auto_comment`` reset;
- ``AssignLatePenalties`` with nbgrader's ``LateSubmissionPlugin``: the penalty reset, then for
  a late submission under the "zero" method the notebook's score (``Grade.score``: the manual
  score if any, else the automatic one, plus extra credit), within [0, score].

Rows are found by name (never by nbgrader's ids, which are new UUIDs). Values are stored as
SQLAlchemy stores nbgrader's columns: on SQLite a date as ``YYYY-MM-DD HH:MM:SS.ffffff`` text and a
boolean as 0/1. A SQLite gradebook is written with the standard library's ``sqlite3``; another
database (PostgreSQL) through SQLAlchemy, with the same SQL.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Protocol


class Prepared(Protocol):
    """What ``write_chunk`` reads of one prepared submission (``lablib.course.direct.Prepared``)."""

    student: str
    timestamp: _dt.datetime | None
    scores: dict[str, dict[str, float | None]]
    missing: tuple[str, ...]


class _Notebook(Protocol):
    task_cells: frozenset[str]


class StagePlan(Protocol):
    """What ``write_chunk`` reads of the stage (``lablib.course.direct.StagePlan``)."""

    assignment_id: str
    duedate: _dt.datetime | None
    notebooks: Mapping[str, _Notebook]
    db_notebooks: dict[str, str]
    db_cells: dict[str, tuple[tuple[str, str, str], ...]]
    penalty_method: str


__all__ = ["Gradebook", "as_datetime", "as_interval", "open_gradebook", "write_chunk"]

_EPOCH = _dt.datetime(1970, 1, 1)


def as_datetime(value) -> _dt.datetime | None:
    """A DateTime column's value as read from either database."""
    if value is None or isinstance(value, _dt.datetime):
        return value
    return _dt.datetime.fromisoformat(str(value))


def as_interval(value) -> _dt.timedelta | None:
    """An Interval column's value (SQLAlchemy keeps one in SQLite as a moment after the epoch)."""
    if value is None or isinstance(value, _dt.timedelta):
        return value
    return as_datetime(value) - _EPOCH


class Gradebook:
    """Plain SQL with ``:name`` parameters on the course's gradebook."""

    def __init__(self, url: str):
        self.url = url
        self.sqlite = url.startswith("sqlite:///")
        self._conn = None
        self._engine = None

    def _connection(self):
        if self.sqlite:
            if self._conn is None:
                import sqlite3
                from pathlib import Path

                # mode=rw: a missing gradebook is an error, never a new empty file; autocommit outside
                # explicit transactions; wait for another writer as nbgrader's does
                uri = Path(self.url[len("sqlite:///"):]).resolve().as_uri() + "?mode=rw"
                self._conn = sqlite3.connect(uri, uri=True, timeout=60, isolation_level=None)
            return self._conn
        if self._engine is None:
            from sqlalchemy import create_engine

            self._engine = create_engine(self.url, future=True)
        return self._engine

    def _param(self, value):
        if self.sqlite and isinstance(value, _dt.datetime):
            return value.strftime("%Y-%m-%d %H:%M:%S.%f")  # SQLAlchemy's SQLite DATETIME format
        return value

    def _params(self, params: dict) -> dict:
        return {k: self._param(v) for k, v in params.items()}

    def rows(self, sql: str, params: dict | None = None) -> list[tuple]:
        """One read outside any transaction (no write lock taken)."""
        conn = self._connection()
        if self.sqlite:
            return conn.execute(sql, self._params(params or {})).fetchall()
        from sqlalchemy import text

        with conn.connect() as sa_conn:
            return [tuple(r) for r in sa_conn.execute(text(sql), self._params(params or {}))]

    @property
    def errors(self) -> tuple[type[BaseException], ...]:
        """What the database driver raises when the gradebook cannot be read or written."""
        import sqlite3

        if self.sqlite:
            return (sqlite3.Error,)
        from sqlalchemy.exc import SQLAlchemyError

        return (SQLAlchemyError,)

    @contextmanager
    def transaction(self) -> Iterator[_Transaction]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        conn = self._connection()
        if self.sqlite:
            conn.execute("BEGIN IMMEDIATE")  # the write lock first: no deadlock between two writers
            try:
                yield _Transaction(self, conn)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        else:
            with conn.begin() as sa_conn:
                yield _Transaction(self, sa_conn)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


class _Transaction:
    def __init__(self, gradebook: Gradebook, conn):
        self.gb, self.conn = gradebook, conn

    def rows(self, sql: str, params: dict | None = None) -> list[tuple]:
        params = self.gb._params(params or {})
        if self.gb.sqlite:
            return self.conn.execute(sql, params).fetchall()
        from sqlalchemy import text

        return [tuple(r) for r in self.conn.execute(text(sql), params)]

    def many(self, sql: str, rows: list[dict]) -> None:
        if not rows:
            return
        rows = [self.gb._params(r) for r in rows]
        if self.gb.sqlite:
            self.conn.executemany(sql, rows)
        else:
            from sqlalchemy import text

            self.conn.execute(text(sql), rows)


def open_gradebook(url: str) -> Gradebook:
    return Gradebook(url)


def in_list(values: Iterable, prefix: str) -> tuple[str, dict]:
    """``(":p0, :p1, ...", {"p0": ..., ...})`` for an ``IN (...)`` of ``values`` (never empty)."""
    values = list(values) or [None]
    return ", ".join(f":{prefix}{i}" for i in range(len(values))), {f"{prefix}{i}": v for i, v in enumerate(values)}


def _new_id() -> str:
    import uuid  # here: its import (platform, ctypes) costs an unchanged re-grade more than its checks

    return uuid.uuid4().hex  # nbgrader.api.new_uuid


def _grade_score(auto, manual, extra) -> float:
    """``nbgrader.api.Grade.score``: the manual score if any, else the automatic one, plus extra credit."""
    base = manual if manual is not None else auto
    return 0.0 if base is None else base + (extra if extra is not None else 0.0)


def write_chunk(gradebook: Gradebook, plan: StagePlan, items: Iterable[Prepared]) -> None:
    """Write the gradebook rows of prepared submissions, in one transaction."""
    items = list(items)
    if not items:
        return
    students = list(dict.fromkeys(p.student for p in items))
    with gradebook.transaction() as tx:
        marks, params = in_list(students, "s")
        known = {r[0] for r in tx.rows(f"SELECT id FROM student WHERE id IN ({marks})", params)}
        tx.many("INSERT INTO student (id, first_name, last_name, email, lms_user_id) VALUES (:id, NULL, NULL, NULL, NULL)",
                [{"id": s} for s in students if s not in known])
        subs = {r[1]: r for r in tx.rows(
            f"SELECT id, student_id, timestamp, extension FROM submitted_assignment "
            f"WHERE assignment_id = :a AND student_id IN ({marks})", {"a": plan.assignment_id, **params})}
        sub_rows, nb_rows, grade_rows, comment_rows, stamps = [], [], [], [], []
        sub_id: dict[str, str] = {}
        extension: dict[str, _dt.timedelta | None] = {}
        stamp_of: dict[str, _dt.datetime | None] = {}  # the submission's timestamp after this write
        for p in items:
            if p.student in subs:
                sid, _, stored, ext = subs[p.student]
                sub_id[p.student], extension[p.student] = sid, as_interval(ext)
                stamp_of[p.student] = p.timestamp if p.timestamp is not None else as_datetime(stored)
                if p.timestamp is not None:
                    stamps.append({"id": sid, "ts": p.timestamp})
                continue
            sid = sub_id[p.student] = _new_id()
            extension[p.student], stamp_of[p.student] = None, p.timestamp
            sub_rows.append({"id": sid, "a": plan.assignment_id, "s": p.student, "ts": p.timestamp})
            for nb_id, cells in plan.db_cells.items():
                snid = _new_id()
                nb_rows.append({"id": snid, "sa": sid, "nb": nb_id, "flagged": False})
                for cid, _, kind in cells:
                    if kind in ("grade", "task"):
                        grade_rows.append({"id": _new_id(), "nb": snid, "cell": cid, "needs": True})
                    if kind in ("solution", "task"):
                        comment_rows.append({"id": _new_id(), "nb": snid, "cell": cid})
        tx.many("INSERT INTO submitted_assignment (id, assignment_id, student_id, timestamp, extension) "
                "VALUES (:id, :a, :s, :ts, NULL)", sub_rows)
        tx.many("INSERT INTO submitted_notebook (id, assignment_id, notebook_id, flagged, late_submission_penalty) "
                "VALUES (:id, :sa, :nb, :flagged, NULL)", nb_rows)
        tx.many("INSERT INTO grade (id, notebook_id, cell_id, auto_score, manual_score, extra_credit, "
                "needs_manual_grade) VALUES (:id, :nb, :cell, NULL, NULL, NULL, :needs)", grade_rows)
        tx.many("INSERT INTO comment (id, notebook_id, cell_id, auto_comment, manual_comment) "
                "VALUES (:id, :nb, :cell, NULL, NULL)", comment_rows)
        tx.many("UPDATE submitted_assignment SET timestamp = :ts WHERE id = :id", stamps)
        _save_scores(tx, plan, items, sub_id, extension, stamp_of)


def _save_scores(tx: _Transaction, plan: StagePlan, items: list[Prepared], sub_id: dict[str, str],
                 extension: dict[str, _dt.timedelta | None], stamp_of: dict[str, _dt.datetime | None]) -> None:
    """Missing notebooks zeroed, ``SaveAutoGrades`` and ``AssignLatePenalties``, for the chunk."""
    cell_name = {cid: name for cells in plan.db_cells.values() for cid, name, _ in cells}
    nb_name = {nb_id: name for name, nb_id in plan.db_notebooks.items()}
    marks, params = in_list(sub_id.values(), "sa")
    by_sub: dict[str, dict[str, str]] = {}  # submission id -> notebook name -> submitted notebook id
    for snid, said, nb_id in tx.rows(f"SELECT id, assignment_id, notebook_id FROM submitted_notebook "
                                     f"WHERE assignment_id IN ({marks})", params):
        by_sub.setdefault(said, {})[nb_name.get(nb_id, "")] = snid
    marks, params = in_list([snid for m in by_sub.values() for snid in m.values()], "nb")
    grades: dict[str, list] = {}
    for gid, snid, cid, auto, manual, extra in tx.rows(
            f"SELECT id, notebook_id, cell_id, auto_score, manual_score, extra_credit FROM grade "
            f"WHERE notebook_id IN ({marks})", params):
        grades.setdefault(snid, []).append([gid, cell_name.get(cid), auto, manual, extra])
    comments: dict[str, list] = {}
    for comment_id, snid, cid in tx.rows(f"SELECT id, notebook_id, cell_id FROM comment WHERE notebook_id IN ({marks})",
                                         params):
        comments.setdefault(snid, []).append((comment_id, cell_name.get(cid)))
    grade_updates, comment_updates, penalties = [], [], []
    for p in items:
        nbs = by_sub.get(sub_id[p.student], {})
        for name in p.missing:  # Autograde.init_assignment: a notebook not submitted scores 0
            for g in grades.get(nbs.get(name, ""), []):
                g[2] = 0.0
                grade_updates.append({"id": g[0], "auto": 0.0, "needs": False})
        for name, scores in p.scores.items():
            snid = nbs.get(name)
            if snid is None:
                raise RuntimeError(f"submitted notebook {name} of {p.student} is missing from the gradebook")
            rows = {g[1]: g for g in grades.get(snid, [])}
            for grade_id, auto in scores.items():  # SaveAutoGrades._add_score
                g = rows.get(grade_id)
                if g is None:
                    raise RuntimeError(f"grade {grade_id} of {p.student} is missing from the gradebook")
                g[2] = auto
                grade_updates.append({"id": g[0], "auto": auto, "needs": g[3] is not None or auto is None})
            task_cells = plan.notebooks[name].task_cells
            comment_updates += [{"id": cid} for cid, cname in comments.get(snid, []) if cname in task_cells]
            penalties.append({"id": snid, "penalty": _late_penalty(plan, stamp_of[p.student], extension[p.student],
                                                                   grades.get(snid, []))})
    tx.many("UPDATE grade SET auto_score = :auto, needs_manual_grade = :needs WHERE id = :id", grade_updates)
    tx.many("UPDATE comment SET auto_comment = NULL WHERE id = :id", comment_updates)
    tx.many("UPDATE submitted_notebook SET late_submission_penalty = :penalty WHERE id = :id", penalties)


def _late_penalty(plan: StagePlan, timestamp: _dt.datetime | None, extension, grades: list) -> float | None:
    """``AssignLatePenalties`` with nbgrader's ``LateSubmissionPlugin``: ``None`` unless late and
    the method is "zero", then the notebook's score (never below 0)."""
    duedate = plan.duedate
    if duedate is not None and extension is not None:
        duedate = duedate + extension
    if timestamp is None or duedate is None:
        return None
    late = max(0.0, (timestamp - duedate).total_seconds())
    if late <= 0 or plan.penalty_method != "zero":
        return None
    # the plugin's penalty is the notebook's score; _check_late_penalty keeps it within [0, score]
    score = sum(_grade_score(auto, manual, extra) for _, _, auto, manual, extra in grades)
    return score if score > 0 else 0.0
