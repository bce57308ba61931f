import dataclasses

import pytest

from lablib.core.checks import Check
from lablib.core.exercises import DefinitionError, Exercise
from lablib.core.fields import Choice, Number, ShortText, Table
from lablib.core.rubrics import Criterion
from lablib.curriculum import all_exercises, get_exercise

GOOD = {"id": "diagnose.dg9", "code": "DG9", "title": "Uji", "instructions": "Isi.",
            "fields": (ShortText("nama", "Nama"),),
            "checks": (Check("isi", "Terisi", 1, lambda a: []),),
            "criteria": (Criterion("c", "Kriteria", 2, ("a", "b", "c", "d", "e")),)}


def test_a_good_definition_validates():
    Exercise(**GOOD).validate()


@pytest.mark.parametrize("change,field,fragment", [
    ({"id": "dg9"}, None, "must look like"),
    ({"id": "nowhere.dg9"}, None, "stage 'nowhere'"),
    ({"code": "DG8"}, None, "does not match"),
    ({"fields": ()}, None, "no fields"),
    ({"fields": (ShortText("nama", "Nama"), ShortText("nama", "Lagi"))}, "nama", "defined twice"),
    ({"fields": (Number("angka", "Angka", minimum=3, maximum=1),)}, "angka", "above maximum"),
    ({"fields": (Choice("pilih", "Pilih", options_from="tabel.kolom"),)}, "pilih", "names no table column"),
    ({"fields": (Table("tabel", "Tabel", columns=(Table("dalam", "Dalam", columns=(ShortText("a", "A"),)),)),)},
     "tabel", "tables cannot nest"),
    ({"checks": (Check("isi", "Terisi", 0, lambda a: []),)}, None, "points must be positive"),
    ({"criteria": (Criterion("c", "K", 2, ("a", "b")),)}, None, "5 level descriptors"),
])
def test_bad_definitions_raise_naming_exercise_field_and_problem(change, field, fragment):
    with pytest.raises(DefinitionError) as err:
        Exercise(**{**GOOD, **change}).validate()
    assert err.value.field == field
    assert fragment in str(err.value)
    assert err.value.exercise == change.get("id", "diagnose.dg9")


def test_every_shipped_exercise_validates_and_ids_are_unique():
    exercises = all_exercises()
    assert exercises
    assert len({e.id for e in exercises}) == len(exercises)
    for ex in exercises:
        ex.validate()


def test_unknown_exercise_error_lists_known_ids():
    with pytest.raises(KeyError) as err:
        get_exercise("diagnose.dg99")
    assert "diagnose.dg1" in str(err.value)


def test_exercise_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        get_exercise("diagnose.dg1").title = "x"
