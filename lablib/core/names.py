"""Names that become paths, checked where they enter lablib.

A course id becomes a folder name in nbgrader's exchange and part of every gradebook row; a
participant id becomes a folder name (``submitted/<id>/``, the exchange) and an operating-system
login name. Each must be one safe path component: never empty, never ``.`` or ``..``, no ``/``
or ``\\``, no control character, not starting with ``-`` (it would read as a command option)
or ``.`` (a hidden file). Messages are in Bahasa Indonesia, for the trainer, and name the value.
"""

from __future__ import annotations

import re

from lablib.core.errors import LablibError

__all__ = [
    "MAX_NAME_LENGTH",
    "InvalidNameError",
    "check_course_id",
    "check_participant_id",
    "course_id_problem",
    "participant_id_problem",
]

MAX_NAME_LENGTH = 64
COURSE_ID_PATTERN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*")
PARTICIPANT_ID_PATTERN = re.compile(r"[a-z0-9_][a-z0-9._-]*")


class InvalidNameError(LablibError, ValueError):
    """A course id or participant id that cannot be a folder name; the message names the value."""


def shown(value: str, limit: int = 40) -> str:
    """``value`` as it can be printed in a message: control characters escaped, long values cut.

    >>> shown("a\\x00b")
    'a\\\\x00b'
    >>> shown("x" * 50, limit=10)
    'xxxxxxxxxx…'
    """
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in value)
    return text if len(text) <= limit else text[:limit] + "…"


def _component_problem(value: str, what: str) -> str | None:
    """What keeps ``value`` from being a single, visible path component (shared rules)."""
    if not value:
        return f"{what} kosong"
    if value in (".", ".."):
        return f"{what} '{value}' bukan nama folder"
    if "/" in value or "\\" in value:
        return f"{what} '{shown(value)}' tidak boleh berisi '/' atau '\\' (harus satu nama folder)"
    if any(not c.isprintable() for c in value):
        return f"{what} '{shown(value)}' berisi karakter kendali (mis. tab, baris baru atau NUL)"
    if value[0] in "-.":
        return f"{what} '{shown(value)}' tidak boleh diawali '{value[0]}'"
    if len(value) > MAX_NAME_LENGTH:
        return f"{what} '{shown(value, 20)}' terlalu panjang ({len(value)} karakter; maksimal {MAX_NAME_LENGTH})"
    return None


def _name_problem(value: object, what: str, pattern: re.Pattern[str], allowed: str, rule: str) -> str | None:
    if not isinstance(value, str):
        return f"{what} harus teks (bukan {type(value).__name__})"
    problem = _component_problem(value, what)
    if problem is None and not pattern.fullmatch(value):
        bad = _bad_characters(value, re.compile(allowed))
        problem = f"{what} '{shown(value)}' {rule} (bukan {bad})"
    return problem


def _bad_characters(value: str, allowed: re.Pattern[str]) -> str:
    bad = dict.fromkeys(c for c in value if not allowed.fullmatch(c))
    return " ".join(repr(c) for c in bad)


def course_id_problem(value: str) -> str | None:
    """Why ``value`` cannot be a course id, or ``None`` when it can.

    A course id is letters (a-z, A-Z), digits, ``-`` and ``_``, at most 64 characters, not
    starting with ``-``.

    >>> course_id_problem("bimtek-inovasi") is None
    True
    >>> course_id_problem("../kursus")
    "id kursus '../kursus' tidak boleh berisi '/' atau '\\\\' (harus satu nama folder)"
    >>> course_id_problem("bimtek 2025")
    "id kursus 'bimtek 2025' hanya boleh berisi huruf, angka, '-' dan '_' (bukan ' ')"
    """
    return _name_problem(value, "id kursus", COURSE_ID_PATTERN, r"[A-Za-z0-9_-]",
                         "hanya boleh berisi huruf, angka, '-' dan '_'")


def check_course_id(value: str) -> str:
    """``value`` when it is a safe course id; ``InvalidNameError`` (in Indonesian) otherwise.

    >>> check_course_id("bimtek-bangkep_2025")
    'bimtek-bangkep_2025'
    >>> check_course_id("..")
    Traceback (most recent call last):
        ...
    lablib.core.names.InvalidNameError: id kursus '..' bukan nama folder; pilih id kursus lain yang hanya berisi huruf, angka, '-' dan '_', misalnya 'bimtek-inovasi'
    >>> check_course_id("-rf")
    Traceback (most recent call last):
        ...
    lablib.core.names.InvalidNameError: id kursus '-rf' tidak boleh diawali '-'; pilih id kursus lain yang hanya berisi huruf, angka, '-' dan '_', misalnya 'bimtek-inovasi'
    """
    problem = course_id_problem(value)
    if problem:
        raise InvalidNameError(f"{problem}; pilih id kursus lain yang hanya berisi huruf, angka, '-' dan '_', "
                               "misalnya 'bimtek-inovasi'")
    return value


def participant_id_problem(value: str) -> str | None:
    """Why ``value`` cannot be a participant id, or ``None`` when it can.

    A participant id becomes a folder name and a login name: lower-case letters (a-z), digits,
    ``.``, ``-`` and ``_``, at most 64 characters, not starting with ``-`` or ``.``.

    >>> participant_id_problem("budi.santoso") is None
    True
    >>> participant_id_problem("--help")
    "id '--help' tidak boleh diawali '-'"
    >>> participant_id_problem("a/b")
    "id 'a/b' tidak boleh berisi '/' atau '\\\\' (harus satu nama folder)"
    >>> participant_id_problem("Budi")
    "id 'Budi' harus huruf kecil (a-z), angka, '-', '_' atau '.' (bukan 'B')"
    """
    return _name_problem(value, "id", PARTICIPANT_ID_PATTERN, r"[a-z0-9._-]",
                         "harus huruf kecil (a-z), angka, '-', '_' atau '.'")


def check_participant_id(value: str) -> str:
    """``value`` when it is a safe participant id; ``InvalidNameError`` (in Indonesian) otherwise.

    >>> check_participant_id("p01-disdukcapil")
    'p01-disdukcapil'
    """
    problem = participant_id_problem(value)
    if problem:
        raise InvalidNameError(f"{problem}; perbaiki id peserta di daftar peserta lalu jalankan lagi")
    return value
