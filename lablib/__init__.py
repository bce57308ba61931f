"""lablib: forms, answers, checks and grading for LAN RI's Laboratorium Inovasi (5D) bimtek.

The public API is deliberately small. Heavy libraries (pandas, matplotlib, ipywidgets) are
imported only when a function that needs them is called.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

# public name -> (module, attribute); resolved on first use so `import lablib` stays light.
_API = {
    "STAGES": ("lablib.core.stages", "STAGES"),
    "get_exercise": ("lablib.curriculum", "get_exercise"),
    "stage_exercises": ("lablib.curriculum", "stage_exercises"),
    "load_answers": ("lablib.core.answers", "load_answers"),
    "save_answers": ("lablib.core.answers", "save_answers"),
    "check": ("lablib.curriculum.scoring", "check_exercise"),
    "score_answers": ("lablib.curriculum.scoring", "score_answers"),
    "score_folder": ("lablib.curriculum.scoring", "score_folder"),
    "grade_check": ("lablib.notebook.autograde", "grade_check"),
    "form": ("lablib.notebook.forms", "form"),
    "import_previous": ("lablib.notebook.carry", "import_previous"),
    "import_button": ("lablib.notebook.forms", "import_button"),
    "picture": ("lablib.notebook.pictures", "picture"),
    "set_language": ("lablib.core.i18n", "set_language"),
}

__all__ = sorted(_API)  # noqa: PLE0605 (a list, built from the table above)


def __getattr__(name: str) -> Any:
    try:
        module, attr = _API[name]
    except KeyError:
        raise AttributeError(f"module 'lablib' has no attribute {name!r}") from None
    value = getattr(import_module(module), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
