"""What a lablib notebook's cells show when nbgrader runs them: rendered without a kernel.

A generated assignment (``lablib.notebook.assignments``) has four kinds of code cell, each one
call of lablib's public API with string literals: ``import lablib``, ``lablib.form(...)``,
``lablib.import_button(...)`` and ``lablib.grade_check(...)``. Under nbgrader's execution
(``NBGRADER_EXECUTION`` set) none of them shows a widget: ``form`` displays the static summary of
the saved answers, ``import_button`` prints a note and ``grade_check`` prints the check's message
and returns its points. ``parse_cell`` recognises such a cell and ``run_cell`` produces the
outputs a kernel would have produced, by calling the same functions the cells call, in this
process. Kernel-free grading (``lablib.course.direct``) uses them; a cell that is anything else
(a trainer's own code) is ``None`` for ``parse_cell``, and such a notebook is graded in kernels.

This module never imports ipywidgets (the back office imports it).
"""

from __future__ import annotations

import ast
import contextlib
import io
import os
from dataclasses import dataclass

from lablib.core.i18n import T

__all__ = ["IMPORT_HEADLESS", "CellError", "Call", "parse_cell", "run_cell"]

# What ``lablib.import_button`` prints where no widget can be shown (``lablib.notebook.forms``).
IMPORT_HEADLESS = T("(Tombol 'Ambil jawaban tahap sebelumnya' hanya aktif saat notebook dibuka di "
                    "JupyterLab.)",
                    "(The 'Take answers from earlier stages' button only works when the notebook is "
                    "open in JupyterLab.)")

# IPython's text/plain for ``display(HTML(...))``: the repr of the HTML object
_HTML_PLAIN = "<IPython.core.display.HTML object>"
_CALLS = {"form": 1, "import_button": 1, "grade_check": 2}  # lablib.<name>(<n string literals>)


@dataclass(frozen=True)
class Call:
    """One statement of a cell: ``import lablib`` (``name="import"``) or ``lablib.<name>(*args)``."""

    name: str
    args: tuple[str, ...] = ()
    is_result: bool = False  # the cell's last expression: its value becomes the execute_result


class CellError(Exception):
    """A call raised in this process: the kernel would have shown a traceback (and nbgrader
    scored the cell 0); the caller grades that notebook in a real kernel instead."""


def parse_cell(source: str) -> tuple[Call, ...] | None:
    """The calls of a code cell lablib generates, or ``None`` for any other code.

    >>> parse_cell('# Pemeriksaan otomatis\\nlablib.grade_check("diagnose.dg1", "usg")')
    (Call(name='grade_check', args=('diagnose.dg1', 'usg'), is_result=True),)
    >>> parse_cell("import lablib")
    (Call(name='import', args=(), is_result=False),)
    >>> parse_cell("import os; os.system('x')") is None
    True
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    calls: list[Call] = []
    for n, node in enumerate(tree.body):
        last = n == len(tree.body) - 1
        if isinstance(node, ast.Import) and [(a.name, a.asname) for a in node.names] == [("lablib", None)]:
            calls.append(Call("import"))
            continue
        if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)):
            return None
        call = node.value
        func = call.func
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                and func.value.id == "lablib" and func.attr in _CALLS):
            return None
        if call.keywords or len(call.args) != _CALLS[func.attr] or \
                not all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in call.args):
            return None
        calls.append(Call(func.attr, tuple(a.value for a in call.args), is_result=last))  # type: ignore[union-attr]
    return tuple(calls)


def run_cell(calls: tuple[Call, ...], folder: str | os.PathLike, execution_count: int) -> list[dict]:
    """The outputs (nbformat dicts) a kernel started in ``folder`` shows for these calls.

    stdout is one stream output (as ipykernel sends one print burst); ``form`` gives a
    ``display_data`` with the summary's HTML; a result other than ``None`` gives an
    ``execute_result`` with its ``repr`` (IPython's plain text of a number). Anything written
    to stderr, or an exception, raises ``CellError``: the kernel's traceback and nbgrader's
    reading of stderr cannot be reproduced here faithfully.
    """
    from lablib.notebook.autograde import grade_check
    from lablib.notebook.summary import folder_summary

    outputs: list[dict] = []
    out, err = io.StringIO(), io.StringIO()
    result = None

    def flush() -> None:
        text = out.getvalue()
        if text:
            outputs.append({"name": "stdout", "output_type": "stream", "text": text})
            out.seek(0)
            out.truncate()

    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            for call in calls:
                value = None
                if call.name == "form":
                    summary = folder_summary(call.args[0], folder)
                    flush()
                    outputs.append({"data": {"text/html": summary.html, "text/plain": _HTML_PLAIN},
                                    "metadata": {}, "output_type": "display_data"})
                elif call.name == "import_button":
                    from lablib.core.stages import get_stage

                    get_stage(call.args[0])
                    print(IMPORT_HEADLESS)
                elif call.name == "grade_check":
                    value = grade_check(call.args[0], call.args[1], folder)
                if call.is_result:
                    result = value
    # whatever a check raises on a participant's answers: the kernel would show a traceback
    except Exception as exc:  # noqa: BLE001
        raise CellError(f"{type(exc).__name__}: {exc}") from exc
    if err.getvalue():
        raise CellError(f"stderr: {err.getvalue()[:200]}")
    flush()
    if result is not None:
        outputs.append({"data": {"text/plain": repr(result)}, "execution_count": execution_count,
                        "metadata": {}, "output_type": "execute_result"})
    return outputs
