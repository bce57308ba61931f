"""Carrying earlier stages' answers into a later stage's answers file.

Later stages build on the participant's own earlier work (the chosen problem carries into
Design, the indicators into Deliver, everything into Display). Each submission must still be
self-contained, because autograde and the reviewer see only one stage's folder. So the
earlier answers are *copied* into this stage's file under their own ids (the deliver file
gets a ``"design.ds2"`` entry), read-only from the sibling stage folders:

    <course>/diagnose/jawaban-diagnose.json  ->  <course>/design/jawaban-design.json

Only the ids listed in ``CARRY`` are written, never this stage's own exercises, so importing
again refreshes the copies and loses nothing the participant typed in this stage.
"""

from __future__ import annotations

import copy
import html
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lablib.core.answers import AnswersFileError, AnswerStore, parse_answers_file
from lablib.core.i18n import T, Text
from lablib.core.stages import get_stage
from lablib.curriculum.references import check_references

log = logging.getLogger(__name__)

# stage -> earlier exercises copied into its answers file (each id checked against the
# definitions when this module loads, below).
CARRY: dict[str, tuple[str, ...]] = {
    "design": ("diagnose.dg1", "diagnose.dg2", "diagnose.dg4"),
    "deliver": ("design.ds1", "design.ds2", "design.ds3"),
    "display": ("diagnose.dg1", "diagnose.dg2", "diagnose.dg4", "design.ds1", "design.ds2",
                "design.ds3", "design.ds4", "deliver.dv1", "deliver.dv2", "deliver.dv3"),
}
REFERENCES = check_references(dict.fromkeys(i for ids in CARRY.values() for i in ids))


@dataclass(frozen=True)
class ImportReport:
    """What an import did: ids copied, ids not found, and messages for the participant."""

    stage: str
    imported: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    messages: tuple[Text, ...] = ()
    path: Path | None = None  # the answers file written, None when nothing was written

    @property
    def ok(self) -> bool:
        return not self.missing

    def __str__(self) -> str:
        return "\n".join(str(m) for m in self.messages)

    def _repr_html_(self) -> str:
        colour, border = ("#e8f5e9", "#1b5e20") if self.ok else ("#fff3cd", "#c98a00")
        items = "".join(f"<li>{html.escape(str(m))}</li>" for m in self.messages)
        return (f'<div class="lablib-import" style="background:{colour};border:1px solid {border};'
                f'color:#1a1a1a;padding:6px 10px;border-radius:4px">'
                f'<ul style="margin:0;padding-left:1.2em">{items}</ul></div>')


def _stage_name(slug: str) -> str:
    """'Diagnose' from 'Diagnose: Mendiagnosis Masalah': short enough for a message."""
    return get_stage(slug).title.split(":", 1)[0]


def _code(exercise_id: str) -> str:
    return exercise_id.split(".", 1)[-1].upper()


def _codes(ids: list[str] | tuple[str, ...]) -> str:
    return ", ".join(_code(i) for i in ids)


def source_path(folder: str | os.PathLike, source_stage: str) -> Path:
    """Where an earlier stage's answers file sits: in the sibling folder named after the stage."""
    stage = get_stage(source_stage)
    return Path(folder).resolve().parent / stage.slug / stage.answers_filename


def collect_previous(folder: str | os.PathLike, stage: str) -> tuple[dict[str, Any], ImportReport]:
    """Read (never change) the earlier stages' files; return the entries to copy and a report.

    The report's ``path`` is ``None``: nothing has been written yet.
    """
    slug = get_stage(stage).slug
    wanted = CARRY.get(slug, ())
    if not wanted:
        return {}, ImportReport(slug, messages=(T(
            "Tahap ini tidak mengambil jawaban dari tahap sebelumnya.",
            "This stage does not take answers from earlier stages."),))
    entries: dict[str, Any] = {}
    missing: list[str] = []
    messages: list[Text] = []
    by_source: dict[str, list[str]] = {}
    for exercise_id in wanted:
        by_source.setdefault(exercise_id.split(".", 1)[0], []).append(exercise_id)
    for source, ids in by_source.items():
        found, lacking, notes = _read_source(folder, source, ids)
        entries.update(found)
        missing.extend(lacking)
        messages.extend(notes)
    return entries, ImportReport(slug, tuple(entries), tuple(missing), tuple(messages))


def _read_source(folder: str | os.PathLike, source: str, ids: list[str]) -> tuple[dict, list[str], list[Text]]:
    path = source_path(folder, source)
    name = _stage_name(source)
    if not path.exists():
        return {}, ids, [T(
            "Jawaban tahap {s} tidak ditemukan (dicari di '{p}'), jadi {c} belum diambil. Anda tetap "
            "dapat melanjutkan. Bila tahap {s} sudah Anda kerjakan, pastikan foldernya '{f}' berada di "
            "samping folder ini, lalu tekan tombol ini lagi.",
            "The answers of stage {s} were not found (looked in '{p}'), so {c} were not taken. You can "
            "carry on. If you have done stage {s}, make sure its folder '{f}' sits beside this one, then "
            "press this button again.").format(s=name, p=path, c=_codes(ids), f=get_stage(source).slug)]
    try:
        if path.parent.is_symlink():  # another folder's answers (e.g. another participant's), not theirs
            raise AnswersFileError(path, T("Folder tahap {s} adalah tautan simbolik ke folder lain, jadi "
                                           "jawabannya tidak dibaca.", "The folder of stage {s} is a symbolic "
                                           "link to another folder, so its answers were not read.").format(s=name))
        doc = parse_answers_file(path, source)  # a link, FIFO or hard-linked file is refused there
    except AnswersFileError as exc:
        return {}, ids, [exc.message + T(
            " Jawaban tahap {s} ({c}) tidak dapat diambil. Anda tetap dapat melanjutkan; minta "
            "fasilitator memeriksa file '{p}'.",
            " The answers of stage {s} ({c}) cannot be taken. You can carry on; ask your facilitator to "
            "look at the file '{p}'.").format(s=name, c=_codes(ids), p=path)]
    answers = doc["answers"]
    found = {i: copy.deepcopy(answers[i]) for i in ids if isinstance(answers.get(i), dict)}
    lacking = [i for i in ids if i not in found]
    notes: list[Text] = []
    if found:
        notes.append(T("Diambil dari tahap {s}: {c} (tersimpan {t}).",
                       "Taken from stage {s}: {c} (saved {t}).").format(
            s=name, c=_codes(list(found)), t=_short_time(doc.get("saved_at"))))
    if lacking:
        notes.append(T("{c} belum ada di jawaban tahap {s}. Anda tetap dapat melanjutkan; lengkapi dulu di "
                       "tahap {s} bila ingin memakainya di sini.",
                       "{c} not found in the answers of stage {s}. You can carry on; complete it in stage {s} "
                       "first if you want to use it here.").format(c=_codes(lacking), s=name))
    return found, lacking, notes


def _short_time(saved_at: object) -> str:
    text = str(saved_at or "?")
    return text[:19].replace("T", " ")


def import_previous(folder: str | os.PathLike | None, stage: str) -> ImportReport:
    """Copy the earlier stages' answers listed in ``CARRY`` into this stage's answers file.

    Entries of this stage's own exercises and unknown keys are kept; an imported copy is
    replaced only when the earlier stage still has that exercise. When forms of this stage are
    open in this kernel, the import goes through their shared answers so they show it at once
    and their next autosave does not undo it.
    """
    folder = Path(folder or os.getcwd())
    slug = get_stage(stage).slug
    entries, report = collect_previous(folder, slug)
    if not entries:
        return report
    _pin_before_copying(AnswerStore(folder, slug), entries)
    sessions = sys.modules.get("lablib.notebook.sessions")  # only loaded when a form exists in this kernel
    if sessions is not None and sessions.apply_import(folder, slug, entries):
        path = AnswerStore(folder, slug).path
        return ImportReport(slug, report.imported, report.missing, report.messages, path)
    store = AnswerStore(folder, slug)
    with store.locked():  # read and write with no other kernel's save of this stage in between
        loaded = store.load()  # a corrupt current file is moved aside, its notices passed on
        answers = dict(loaded.answers)
        if all(answers.get(k) == v for k, v in entries.items()) and store.path.exists():
            return ImportReport(slug, report.imported, report.missing, loaded.notices + report.messages, store.path)
        answers.update(entries)
        store.save(answers, snapshot=True)
    return ImportReport(slug, report.imported, report.missing, loaded.notices + report.messages, store.path)


def _pin_before_copying(store: AnswerStore, entries: dict[str, Any]) -> None:
    """Pin the answers file as it is before this carry-over changes it: the history never
    thins that version away (``lablib.core.answers.retained``). An import that changes nothing
    pins nothing, so opening a stage again and again adds no versions."""
    try:
        with store.locked():
            if not store.path.exists():
                return
            try:
                current = parse_answers_file(store.path, store.stage)["answers"]
            except AnswersFileError:
                return  # a bad file is moved aside by load(), never kept as a version
            if any(current.get(k) != v for k, v in entries.items()):
                store.pin("salin")
    except OSError:  # busy or unwritable: the import goes on as before and its save reports it
        log.debug("no pinned version of %s before the carry-over", store.path, exc_info=True)


def carried_differences(folder_of: Callable[[str], Path], stage: str) -> tuple[str, ...]:
    """The earlier exercises whose copy in a participant's submission of ``stage`` differs from
    their own submission of that earlier stage; ``folder_of(stage)`` is that participant's
    submitted folder of a stage (the trainer's ``Course.path("submitted", id, stage)``).

    Scores use the copy (it is what the participant saw when pressing "Periksa"), so a trainer
    is told about a difference instead of it being overwritten: it may be a revision made after
    the earlier stage was submitted, or an edit of the copy itself. Nothing to compare with (an
    earlier stage not submitted, an unreadable file) is no difference.
    """
    slug = get_stage(stage).slug
    later = _submitted_answers(folder_of(slug), slug)
    if later is None:
        return ()
    earlier: dict[str, dict[str, Any] | None] = {}  # each earlier stage's file, read once
    different = []
    for exercise_id in CARRY.get(slug, ()):
        source = exercise_id.split(".", 1)[0]
        if source not in earlier:
            earlier[source] = _submitted_answers(folder_of(source), source)
        theirs = earlier[source]
        if exercise_id in later and theirs is not None and later[exercise_id] != theirs.get(exercise_id):
            different.append(exercise_id)
    return tuple(different)


def _submitted_answers(folder: Path, stage: str) -> dict[str, Any] | None:
    path = Path(folder) / get_stage(stage).answers_filename
    if not path.is_file():
        return None
    try:
        return parse_answers_file(path, stage)["answers"]
    except AnswersFileError:
        return None


__all__ = ["CARRY", "ImportReport", "carried_differences", "collect_previous", "import_previous", "source_path"]
