"""The tally dates each figure by its day in settings.timezone, worked out once an hour where the
hour is one day there: the same days as converting every figure on its own, in zones whose
midnight falls inside a UTC hour (30 and 45 minutes off the hour) and across DST changes."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from alerts.tally.figures import _DayOf
from storage.tally import when_text


@pytest.mark.parametrize("zone", ["America/Caracas", "Asia/Kolkata", "Asia/Kathmandu", "America/St_Johns",
                                  "Europe/Madrid", "Australia/Lord_Howe"])
def test_the_day_of_each_figure_is_its_day_in_the_zone(zone: str) -> None:
    tz = ZoneInfo(zone)
    day_of = _DayOf(tz)
    rng = random.Random(7)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    moments = [start + timedelta(seconds=rng.randrange(366 * 86400)) for _ in range(5_000)]
    for day in range(0, 366, 4):  # each minute around the zone's midnights
        local_midnight = datetime(2026, 1, 1, tzinfo=tz) + timedelta(days=day)
        moments += [local_midnight.astimezone(UTC) + timedelta(minutes=m) for m in range(-61, 62)]
    for hour in range(366 * 24):  # each minute of the hours around a change of the zone's offset
        at = start + timedelta(hours=hour)
        if at.astimezone(tz).utcoffset() != (at + timedelta(hours=1)).astimezone(tz).utcoffset():
            moments += [at + timedelta(minutes=m) for m in range(-60, 121)]
    for moment in moments:
        text = when_text(moment)
        assert day_of(text) == moment.astimezone(tz).date().isoformat(), (zone, text)
    assert len(day_of.hours) < len(moments) / 4  # worked out by the hour, not by the figure
