"""``lablib.core.timestamps.parse_utc`` reads a submission timestamp as nbgrader does."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nbgrader.utils import parse_utc as nbgrader_parse_utc

from lablib.core import timestamps
from lablib.core.timestamps import parse_utc

moments = st.datetimes(min_value=dt.datetime(1970, 1, 1), max_value=dt.datetime(2200, 12, 31))


@settings(max_examples=300, deadline=None)
@given(moments, st.sampled_from(["%Y-%m-%d %H:%M:%S.%f %Z", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S %Z",
                                 "%Y-%m-%d %H:%M:%S"]))
def test_nbgrader_written_timestamps_read_the_same_without_dateutil(moment, form):
    text = moment.replace(tzinfo=dt.timezone.utc).strftime(form)
    assert parse_utc(text) == nbgrader_parse_utc(text)


@pytest.mark.parametrize("text", [
    "2026-08-14 10:00:00.5 UTC",            # a short fraction is tenths, not millionths
    "2026-08-14 10:00:00.000123 UTC",
    "2026-08-14 17:00:00.000000 +0700",     # an offset: dateutil's reading
    "2026-08-14 10:00:00.000000 WIB",       # a zone dateutil does not know: read as local, as nbgrader does
    "2026-08-14T10:00:00+07:00",            # ISO with T and an offset
    "2026-08-14 10:00:00.000000 Asia/Jakarta",
    "14 Aug 2026 10:00",
])
def test_every_other_form_goes_through_nbgraders_own_steps(text):
    assert parse_utc(text) == nbgrader_parse_utc(text)


def test_the_usual_form_does_not_import_dateutils_parser(monkeypatch):
    calls = []
    monkeypatch.setattr(timestamps, "_parse_with_dateutil", lambda text: calls.append(text))
    assert parse_utc("2026-08-14 10:00:00.123456 UTC") == dt.datetime(2026, 8, 14, 10, 0, 0, 123456)
    assert calls == []


@pytest.mark.parametrize("text", ["2026-13-01 10:00:00.000000 UTC", "bukan waktu", ""])
def test_text_that_is_no_timestamp_raises_value_error_like_nbgrader(text):
    with pytest.raises(ValueError):
        nbgrader_parse_utc(text)
    with pytest.raises(ValueError):
        parse_utc(text)
