"""Answer sets shipped with lablib: the worked example as a model answer for every stage.

Model answers live in ``data/model-<stage>.json`` in the same ``{exercise_id: {...}}`` shape
as a participant's answers file, so tests and the demo save them exactly as a participant's
form would.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources

from lablib.core.stages import get_stage


@cache
def _model(stage: str) -> dict:
    get_stage(stage)
    ref = resources.files(__package__).joinpath("data", f"model-{stage}.json")
    if not ref.is_file():
        return {}
    doc = json.loads(ref.read_text(encoding="utf-8"))
    return {k: v for k, v in doc.items() if not k.startswith("_")}


def model_answers(stage: str) -> dict:
    """A fresh copy of the worked example's answers for ``stage`` (data fiktif)."""
    return copy.deepcopy(_model(stage))
