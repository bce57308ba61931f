"""Answer references (``"diagnose.dg1.masalah_terpilih"``) are checked when a module declares them.

Every module that reads answers by name declares the names once, at module level, through
``lablib.curriculum.references``; a name the definitions do not have fails when the module is
imported, with a ``DefinitionError`` naming the reference, instead of showing "—" everywhere.
"""

from __future__ import annotations

import ast
import importlib
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lablib.core.exercises import DefinitionError
from lablib.core.stages import STAGES
from lablib.curriculum.references import FieldRef, check_references, exercise_ref, field_ref

CONSUMERS = (
    "lablib.notebook.carry",
    "lablib.notebook.pictures",
    "lablib.reports.documents",
    "lablib.reports.report",
    "lablib.reports.review",
    "lablib.reports.showcase",
)
_SLUGS = "|".join(re.escape(s.slug) for s in STAGES)
_REFERENCE = re.compile(rf"(?:{_SLUGS})\.[a-z]{{2}}\d+(?:\.[a-z0-9_]+){{0,2}}")


def _literal_references(path: Path) -> set[str]:
    """String constants in a module's source that look like answer references (f-strings'
    fixed parts are not whole references and are left out)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    in_fstrings = {id(v) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for v in node.values}
    return {node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in in_fstrings
            and _REFERENCE.fullmatch(node.value)}


def _covered(declared: tuple[str, ...]) -> set[str]:
    """The declared references, the fields of declared columns and the declared exercises."""
    out = set(declared)
    for ref in declared:
        if ref.count(".") >= 2:
            r = field_ref(ref)
            out |= {r.field_path, r.exercise_id}
    return out


@pytest.mark.parametrize("name", CONSUMERS)
def test_every_consumer_imports_with_its_references_valid_and_declares_what_it_reads(name):
    module = importlib.import_module(name)  # raises DefinitionError if a declared reference is wrong
    declared = module.REFERENCES
    assert declared and check_references(declared) == declared
    literals = _literal_references(Path(module.__file__))
    undeclared = sorted(literals - _covered(declared))
    assert not undeclared, f"{name} reads {undeclared} without declaring them in its REFERENCES"


def test_a_field_reference_names_its_exercise_field_and_column():
    ref = field_ref("diagnose.dg1.masalah.nama")
    assert ref == FieldRef("diagnose.dg1", "masalah", "nama")
    assert (str(ref), ref.field_path) == ("diagnose.dg1.masalah.nama", "diagnose.dg1.masalah")
    assert ref.exercise.code == "DG1" and ref.field.id == "masalah" and ref.column.id == "nama"
    assert field_ref("design.ds1.nama").column is None
    assert exercise_ref("design.ds2") == "design.ds2"


@pytest.mark.parametrize(("reference", "expected"), [
    ("diagnose.dg1.akar", ["'diagnose.dg1.akar'", "no field 'akar'", "masalah_terpilih"]),
    ("diagnose.dg9.nama", ["'diagnose.dg9.nama'", "no defined exercise", "diagnose.dg1"]),
    ("pelatihan.dg1.nama", ["'pelatihan.dg1.nama'", "no defined exercise"]),
    ("diagnose.dg1.masalah.skor", ["'diagnose.dg1.masalah.skor'", "no column 'skor'", "nama"]),
    ("design.ds1.nama.huruf", ["'design.ds1.nama.huruf'", "'nama', which is not a table"]),
    ("diagnose.dg1", ["'diagnose.dg1'", "is not '<stage>.<exercise>.<field>'"]),
    ("diagnose.dg1.masalah.nama.x", ["is not '<stage>.<exercise>.<field>'"]),
])
def test_a_wrong_reference_raises_a_definition_error_naming_it(reference, expected):
    with pytest.raises(DefinitionError) as err:
        field_ref(reference)
    for text in expected:
        assert text in str(err.value)


def test_a_wrong_exercise_reference_raises():
    with pytest.raises(DefinitionError, match=r"'design\.ds9' names no defined exercise"):
        exercise_ref("design.ds9")
    with pytest.raises(DefinitionError, match="is not an exercise id"):
        exercise_ref("design")


def test_check_references_reports_every_wrong_reference_at_once():
    with pytest.raises(DefinitionError) as err:
        check_references(["diagnose.dg1.masalah_terpilih", "diagnose.dg1.akar", "design.ds9", "design.ds1.nama.x"])
    message = str(err.value)
    assert message.startswith("3 answer references are not defined")
    for wrong in ("'diagnose.dg1.akar'", "'design.ds9'", "'design.ds1.nama.x'"):
        assert wrong in message
    assert "masalah_terpilih'" not in message.split("its fields")[0]
    assert (err.value.exercise, err.value.field) == ("diagnose.dg1", "akar")


_RENAME = """
import dataclasses
import lablib.curriculum as curriculum

registry = curriculum._registry()
ex = registry[{exercise!r}]
registry[ex.id] = dataclasses.replace(ex, fields=tuple(
    dataclasses.replace(f, id=f.id + "_baru") if f.id == {field!r} else f for f in ex.fields))
import {module}
"""


@pytest.mark.parametrize(("module", "exercise", "field", "reference"), [
    ("lablib.reports.showcase", "diagnose.dg2", "akar_masalah", "diagnose.dg2.akar_masalah"),
    ("lablib.notebook.pictures", "design.ds3", "rab", "design.ds3.rab.uraian"),
])
def test_a_renamed_field_fails_when_its_reader_is_imported(module, exercise, field, reference):
    code = textwrap.dedent(_RENAME.format(exercise=exercise, field=field, module=module))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    error = proc.stderr[proc.stderr.index("\nlablib.core.exercises.DefinitionError: "):]
    assert f"answer reference '{reference}' names no field '{field}'" in error, proc.stderr
