"""Bilingual text: every participant-facing string is Indonesian first, English on request.

The language is a process-wide setting (``set_language``) read by ``Text.__str__``, so a
message object can be created once (in an exercise definition) and shown in either
language later.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

_LANGUAGES = ("id", "en")
_current = os.environ.get("LABLIB_LANG", "id") if os.environ.get("LABLIB_LANG") in _LANGUAGES else "id"


def set_language(lang: str) -> None:
    """Choose the language of participant-facing text: ``"id"`` (default) or ``"en"``."""
    global _current
    if lang not in _LANGUAGES:
        raise ValueError(f"language must be one of {_LANGUAGES} (not {lang!r})")
    _current = lang


def get_language() -> str:
    return _current


@dataclass(frozen=True)
class Text:
    """A message in Bahasa Indonesia with its English translation."""

    id: str
    en: str = ""

    def __str__(self) -> str:
        return self.get()

    def get(self, lang: str | None = None) -> str:
        lang = lang or _current
        if lang == "en" and self.en:
            return self.en
        return self.id

    def format(self, **values: object) -> Text:
        return Text(self.id.format(**values), (self.en or self.id).format(**values))

    def __add__(self, other: Text) -> Text:
        return Text(self.id + other.id, (self.en or self.id) + (other.en or other.id))


def T(indonesian: str, english: str = "") -> Text:
    """Short constructor used in definitions: ``T("Isi nama OPD.", "Fill in the OPD name.")``."""
    return Text(indonesian, english)
