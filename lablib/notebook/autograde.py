"""What nbgrader's autograder test cells call.

A test cell is ``lablib.grade_check("diagnose.dg1", "usg")``: it prints the check's message
to stdout (never stderr, which would cost the points) and returns the points earned, which
nbgrader reads as partial credit from the cell's ``execute_result``.

In the participant's app (the stage rendered by Voilà) the same cell runs too, before the form
is filled: there it prints nothing and returns ``None`` (no output at all), so the page shows no
✗ and no bare 0.0. Voilà puts ``SERVER_SOFTWARE=voila/<version>`` in its kernels' environment;
nbgrader's own runs (``NBGRADER_EXECUTION`` set) always grade, whatever the environment says.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from lablib.core.answers import AnswersFileError, AnswerStore, parse_answers_file
from lablib.core.calendar import load_calendar
from lablib.core.checks import Answers, run_check
from lablib.core.fields import clean_text
from lablib.core.i18n import T
from lablib.curriculum import get_exercise

_STALE_NOTE = T("(Sel penilaian otomatis: hasil di atas dihitung saat sel ini dijalankan. "
                "Untuk hasil terbaru, tekan Periksa pada formulir.)",
                "(Autograder cell: the result above is from when this cell ran. For the latest "
                "result, press Check on the form.)")


def in_app() -> bool:
    """Whether this kernel renders the participant's app (Voilà) rather than grading.

    >>> os.environ.get("NBGRADER_EXECUTION") is None and in_app() == os.environ.get(
    ...     "SERVER_SOFTWARE", "").startswith("voila/")
    True
    """
    if os.environ.get("NBGRADER_EXECUTION"):
        return False
    return os.environ.get("SERVER_SOFTWARE", "").startswith("voila/")


def grade_check(exercise_id: str, check_id: str, folder: str | os.PathLike | None = None) -> float | None:
    """Run one check on the answers file beside the notebook; print its message, return points.

    Called from the notebook's cell (no ``folder``) in the participant's app (``in_app``), it
    prints nothing and returns ``None``."""
    ex = get_exercise(exercise_id)
    check = ex.check(check_id)  # an unknown check fails here too, as it does under nbgrader
    if folder is None and in_app():  # the notebook's own cell; kernel-free grading passes a folder
        return None
    store = AnswerStore(Path(folder or os.getcwd()), ex.stage)
    answers: dict = {}
    note = ""
    # Read without moving anything: grading must never change a submission.
    if store.path.exists():
        try:
            answers = parse_answers_file(store.path, ex.stage)["answers"]
        except AnswersFileError as exc:
            note = f"   ! {exc.message}"
    else:
        note = f"   ! file jawaban '{store.path.name}' tidak ditemukan / answers file not found"
    result = run_check(ex, check, Answers(ex, answers, load_calendar(store.folder)))
    # Cleaned (lone surrogates, control characters): printing must never fail, or the cell would
    # lose its points for a character the participant pasted.
    print(clean_text(result.summary()), file=sys.stdout)
    if note:
        print(clean_text(note), file=sys.stdout)
    if not os.environ.get("NBGRADER_EXECUTION"):
        # In the participant's own kernel this cell usually ran before the form was filled;
        # say so, or a stale ✗ here contradicts a fresh ✓ from the form's Periksa button.
        print(f"   {_STALE_NOTE}", file=sys.stdout)
    return result.earned
