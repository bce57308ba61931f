"""The one family of expected failures: what the ``lablib`` command prints as a message.

Every failure a trainer can cause and fix (a bad roster, a folder that is not a course, a
review sheet of another course, a stage not released yet, ...) raises a subclass of
``LablibError``. The command line catches ``LablibError`` and prints its message on one
paragraph, without a traceback, and exits with status 1; anything else is a bug in lablib and
keeps its traceback. This module imports nothing from lablib, so every layer can use it.
"""

from __future__ import annotations

__all__ = ["LablibError"]


class LablibError(Exception):
    """An expected failure, shown to the trainer as a message (no traceback).

    The message is in Bahasa Indonesia, for the trainer: it names the object (file, folder,
    course, stage, participant, sheet cell), the value received, what was expected, and the
    next step to take. For example: ``"daftar peserta peserta.xlsx ditolak: baris 4: id
    '-rf' tidak boleh diawali '-'; perbaiki lalu jalankan lagi"``.

    Subclasses keep their older bases (``ValueError``, ``RuntimeError``) so code that caught
    those still does.

    >>> issubclass(LablibError, Exception)
    True
    """
