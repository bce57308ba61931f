"""One Indonesian style for numbers, points, percentages, rupiah and dates (lablib.core.formatting)."""

from __future__ import annotations

import datetime as dt
import doctest
from decimal import Decimal

import pytest

from lablib.core import formatting
from lablib.core.formatting import EMPTY, date, number, percent, points, rupiah, score, timestamp


def test_doctests():
    result = doctest.testmod(formatting)
    assert result.attempted >= 10 and result.failed == 0


@pytest.mark.parametrize("value,expected", [
    (83.625, "83,63"),  # half up; Python's round(83.625, 2) gives 83.62
    (0.125, "0,13"),
    (1.005, "1,01"),  # the number as written, not the binary 1.00499…
    (2.675, "2,68"),
    (0.5, "0,5"),
    (3.0, "3"),
    (0, "0"),
    (-0.004, "0"),  # no "-0"
    (-12.345, "-12,35"),
    (1234567.891, "1.234.567,89"),
    (1_000_000_000, "1.000.000.000"),
    (Decimal("0.10"), "0,1"),
])
def test_number(value, expected):
    assert number(value) == expected


def test_number_digits_and_rounding_half_up():
    assert round(83.625, 2) == 83.62  # what this module avoids
    assert number(2.5, digits=0) == "3" and number(3.5, digits=0) == "4"
    assert number(1 / 3, digits=4) == "0,3333"
    assert number(1e30) == "1" + ".000" * 10


def test_numpy_numbers_from_charts_and_tables():
    np = pytest.importorskip("numpy")
    assert number(np.float64(0.5)) == "0,5" and number(np.int64(1234)) == "1.234"
    assert rupiah(np.float32(1.5)) == "Rp1,50" and number(np.float64("nan")) == EMPTY


@pytest.mark.parametrize("value", [None, "12", True, float("nan"), float("inf"), [1]])
def test_not_a_number_is_empty(value):
    assert number(value) == EMPTY == "—"
    assert points(value) == percent(value) == rupiah(value) == EMPTY
    assert number(value, empty="") == ""


def test_points_and_scores_as_periksa_and_feedback_show_them():
    assert points(0.5) == "0,5" and points(1 / 3) == "0,33" and points(10) == "10"
    assert score(0, 0.5) == "0/0,5 poin"
    assert score(0.5, 0.5) == "0,5/0,5 poin"
    assert score(7.25, 10, unit="") == "7,25/10"
    assert score(None, 2) == "—/2 poin"


def test_percent():
    assert percent(12.5) == "12,5%"
    assert percent(88.24) == "88,2%" and percent(88.25) == "88,3%"
    assert percent(-78.57, 2) == "-78,57%"
    assert percent(0) == "0%"


@pytest.mark.parametrize("amount,expected", [
    (43_900_000, "Rp43.900.000"),
    (1e9, "Rp1.000.000.000"),
    (0, "Rp0"),
    (-75_000, "-Rp75.000"),
    (1250.5, "Rp1.250,50"),
    (1250.004, "Rp1.250"),
    (999.995, "Rp1.000"),
    (None, "—"),
])
def test_rupiah(amount, expected):
    assert rupiah(amount) == expected


def test_rupiah_of_the_documents_is_this_one():
    from lablib.reports.documents import rupiah as documents_rupiah

    assert documents_rupiah is rupiah


def test_dates_in_indonesian():
    assert date(dt.date(2019, 8, 14)) == "14 Agustus 2019"
    assert date(dt.datetime(2026, 1, 5, 23, 59)) == "5 Januari 2026"
    assert date("2024-03-01") == "1 Maret 2024"
    assert [date(dt.date(2025, m, 1)).split()[1] for m in range(1, 13)] == list(formatting._MONTHS)
    assert date(None) == date("") == EMPTY
    assert date("besok") == "besok"  # not a date: shown as written


def test_dates_without_babel_read_the_same(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "babel.dates", None)  # import fails
    assert date(dt.date(2019, 8, 14)) == "14 Agustus 2019"


def test_timestamps():
    assert timestamp(dt.datetime(2019, 8, 14, 9, 30)) == "14 Agustus 2019 pukul 09.30"
    assert timestamp("2019-08-14 16:05:59.123456") == "14 Agustus 2019 pukul 16.05"
    assert timestamp("2019-08-14T16:05:59Z") == "14 Agustus 2019 pukul 16.05"
    assert timestamp(None) == EMPTY


def test_core_layer_imports_nothing_else_of_lablib():
    import ast
    from pathlib import Path

    tree = ast.parse(Path(formatting.__file__).read_text(encoding="utf-8"))
    modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    modules |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not {m for m in modules if m.startswith("lablib")}
