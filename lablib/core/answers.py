"""The answers store: one JSON file per participant per stage, in the assignment folder.

Why a side file: nbgrader re-executes notebooks in a fresh kernel, so widget state is lost;
a file in the assignment folder travels through submit → collect → autograde untouched
(the course config lists it in ``Autograde.exclude_overwriting`` and ``source/`` never ships
one). Saves are atomic (write a temporary file, fsync, rename). Earlier versions are kept in
``riwayat-jawaban/`` so a participant can go back. A corrupt or too-new file is moved aside,
never overwritten, and the newest good version is restored.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lablib.core.files import write_bytes_atomic
from lablib.core.i18n import T, Text
from lablib.core.stages import get_stage

if TYPE_CHECKING:
    from lablib.core.exercises import Exercise

SCHEMA_VERSION = 1
HISTORY_DIR = "riwayat-jawaban"
HISTORY_KEEP = 20
ANSWERS_MODE = 0o600  # the participant's own answers, and every earlier version of them
HISTORY_EVERY_SECONDS = 60  # autosaves within a minute share one history version


class AnswersFileError(ValueError):
    """An answers file cannot be used; ``message`` says what happened and what to do."""

    def __init__(self, path: Path, message: Text):
        super().__init__(f"{path}: {message.get('en')}")
        self.path, self.message = path, message


@dataclass(frozen=True)
class Version:
    path: Path
    saved_at: str


@dataclass(frozen=True)
class Loaded:
    """Answers read from disk, plus notices for the participant (e.g. a file was recovered)."""

    answers: dict[str, Any]
    saved_at: str | None
    notices: tuple[Text, ...] = ()


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).astimezone().isoformat(timespec="milliseconds")


def _stamp() -> str:
    return _dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")


def parse_answers_file(path: Path, stage: str) -> dict:
    """Read and validate an answers file; raise ``AnswersFileError`` naming the problem."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AnswersFileError(path, T("File jawaban tidak dapat dibaca ({e}).", "Cannot read the answers file ({e}).")
                               .format(e=exc.strerror or exc)) from None
    if not data.strip():
        raise AnswersFileError(path, T("File jawaban kosong.", "The answers file is empty."))
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AnswersFileError(path, T("File jawaban rusak (bukan JSON yang sah: {e}).",
                                       "The answers file is corrupt (not valid JSON: {e}).").format(e=exc)) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("answers"), dict):
        raise AnswersFileError(path, T("File jawaban rusak (bagian 'answers' tidak ditemukan).",
                                       "The answers file is corrupt (no 'answers' section)."))
    version = doc.get("schema_version")
    if not isinstance(version, int) or version < 1:
        raise AnswersFileError(path, T("File jawaban rusak (schema_version tidak sah: {v!r}).",
                                       "The answers file is corrupt (invalid schema_version {v!r}).").format(v=version))
    if version > SCHEMA_VERSION:
        raise AnswersFileError(path, T(
            "File jawaban dibuat oleh lablib yang lebih baru (versi skema {v}; versi ini membaca sampai {m}). "
            "Minta fasilitator memperbarui lablib.",
            "The answers file was written by a newer lablib (schema {v}; this one reads up to {m}). "
            "Ask your facilitator to update lablib.").format(v=version, m=SCHEMA_VERSION))
    if doc.get("stage") not in (None, stage):
        raise AnswersFileError(path, T("File jawaban ini milik tahap '{s}', bukan '{t}'.",
                                       "This answers file belongs to stage '{s}', not '{t}'.").format(
            s=doc.get("stage"), t=stage))
    return doc


class AnswerStore:
    """Reads and writes one stage's answers file in ``folder``."""

    def __init__(self, folder: str | os.PathLike, stage: str):
        self.folder = Path(folder)
        self.stage = get_stage(stage).slug
        self.path = self.folder / get_stage(stage).answers_filename
        self.history = self.folder / HISTORY_DIR

    # -- reading ---------------------------------------------------------------------------
    def load(self) -> Loaded:
        """Load the answers; a bad file is moved aside and the newest good version restored."""
        if not self.path.exists():
            return Loaded({}, None)
        try:
            doc = parse_answers_file(self.path, self.stage)
            return Loaded(doc["answers"], doc.get("saved_at"))
        except AnswersFileError as exc:
            return self._recover(exc)

    def _recover(self, exc: AnswersFileError) -> Loaded:
        aside = self.path.with_name(f"{self.path.stem}.rusak-{_stamp()}.json")
        os.replace(self.path, aside)
        notices = [exc.message, T("File itu disimpan sebagai '{n}' dan tidak dihapus.",
                                  "That file was kept as '{n}' and not deleted.").format(n=aside.name)]
        for version in self.versions():
            try:
                doc = parse_answers_file(version.path, self.stage)
            except AnswersFileError:
                continue
            notices.append(T("Jawaban dipulihkan dari versi tersimpan {t}. Periksa kembali isian terakhir Anda.",
                             "Answers were restored from the version saved at {t}. Check your latest entries.")
                           .format(t=version.saved_at))
            return Loaded(doc["answers"], doc.get("saved_at"), tuple(notices))
        notices.append(T("Tidak ada versi lama untuk dipulihkan; formulir dimulai kosong. "
                         "Bila perlu, tunjukkan file '{n}' kepada fasilitator.",
                         "No earlier version to restore; the form starts empty. If needed, show the "
                         "file '{n}' to your facilitator.").format(n=aside.name))
        return Loaded({}, None, tuple(notices))

    def versions(self) -> list[Version]:
        """Earlier saved versions, newest first."""
        if not self.history.is_dir():
            return []
        found = []
        for p in self.history.glob(f"{self.path.stem}-*.json"):
            m = re.search(r"-(\d{8}-\d{6}-\d{6})\.json$", p.name)
            if m:
                found.append(Version(p, _dt.datetime.strptime(m.group(1), "%Y%m%d-%H%M%S-%f")
                                     .strftime("%Y-%m-%d %H:%M:%S")))
        return sorted(found, key=lambda v: v.path.name, reverse=True)

    def restore(self, version: Version) -> dict:
        """Make an earlier version current (the current one stays in history) and return it."""
        doc = parse_answers_file(version.path, self.stage)
        self.save(doc["answers"], snapshot=True)
        return doc["answers"]

    # -- writing ---------------------------------------------------------------------------
    def save(self, answers: Mapping[str, Any], *, snapshot: bool = False) -> str:
        """Write atomically; returns the ``saved_at`` stamp. ``snapshot`` forces a history version."""
        saved_at = _now()
        doc = {"schema_version": SCHEMA_VERSION, "stage": self.stage, "saved_at": saved_at,
               "answers": dict(answers)}
        payload = json.dumps(doc, ensure_ascii=False, indent=1, default=_json_default).encode("utf-8")
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.path.exists():
            self._keep_history(force=snapshot)
        write_bytes_atomic(self.path, payload, mode=ANSWERS_MODE, durable=True)
        return saved_at

    def _keep_history(self, force: bool) -> None:
        versions = self.versions()
        if versions and not force:
            newest = _dt.datetime.strptime(versions[0].saved_at, "%Y-%m-%d %H:%M:%S")
            if (_dt.datetime.now() - newest).total_seconds() < HISTORY_EVERY_SECONDS:
                return
        try:
            parse_answers_file(self.path, self.stage)
        except AnswersFileError:
            return  # never copy a bad file over good history; load() moves it aside
        self.history.mkdir(exist_ok=True)
        target = self.history / f"{self.path.stem}-{_stamp()}.json"
        write_bytes_atomic(target, self.path.read_bytes(), mode=ANSWERS_MODE)
        for old in self.versions()[HISTORY_KEEP:]:
            old.path.unlink(missing_ok=True)


def _json_default(value: Any) -> Any:
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__} value {value!r} in an answers file")


def load_answers(folder: str | os.PathLike, stage: str) -> dict[str, Any]:
    """The answers saved in ``folder`` for ``stage`` (``{}`` when there are none)."""
    return AnswerStore(folder, stage).load().answers


def save_answers(folder: str | os.PathLike, stage: str, answers: Mapping[str, Any]) -> Path:
    """Save a stage's answers (``{exercise_id: {field_id: value}}``) atomically; returns the file."""
    store = AnswerStore(folder, stage)
    store.save(answers, snapshot=True)
    return store.path


def strip_unknown_answers(doc: dict, exercises: Iterable[Exercise]) -> list[str]:
    """Remove keys no exercise definition knows from an answers document, in place.

    Returns the removed keys (as paths like ``answers.diagnose.dg1.skor``).
    """
    from lablib.core.fields import Table

    removed = [k for k in doc if k not in ("schema_version", "stage", "saved_at", "answers")]
    for key in removed:
        del doc[key]
    answers = doc.get("answers")
    if not isinstance(answers, dict):
        return removed
    exercises = {ex.id: ex for ex in exercises}
    for ex_id in list(answers):
        ex = exercises.get(ex_id)
        if ex is None:
            removed.append(f"answers.{ex_id}")
            del answers[ex_id]
            continue
        values = answers[ex_id]
        if not isinstance(values, dict):
            continue
        fields = {f.id: f for f in ex.fields}
        for field_id in list(values):
            f = fields.get(field_id)
            if f is None:
                removed.append(f"answers.{ex_id}.{field_id}")
                del values[field_id]
            elif isinstance(f, Table) and isinstance(values[field_id], list):
                columns = {c.id for c in f.columns}
                for n, row in enumerate(values[field_id]):
                    if isinstance(row, dict):
                        for col in [c for c in row if c not in columns]:
                            removed.append(f"answers.{ex_id}.{field_id}[{n}].{col}")
                            del row[col]
    return removed
