"""The 5D curriculum as data: every exercise of every stage, in order.

Each stage module exports ``EXERCISES``; this package collects them. ``lablib.exercises``
validates them when they are first used.
"""

from __future__ import annotations

from . import deliver, design, diagnose, display, drum_up

EXERCISES = (*drum_up.EXERCISES, *diagnose.EXERCISES, *design.EXERCISES, *deliver.EXERCISES,
             *display.EXERCISES)
