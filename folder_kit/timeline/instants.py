"""When events happened, and on which of the salesperson's days.

Customers write from other time zones, so an event that carries a time (a
mail's ``Date:``, a file's modification time) is ordered by its instant, not
by the text of its sender's clock. What a person sees and counts (the day of
an event, "days late", ``--today``) is a day of the salesperson's own zone:
``timezone:`` in folder-kit.yaml, else the machine's local zone.

One order of events, everywhere: by the user's day, then, within a day, events
known only by their day (a date in a file name, a ``log`` note) before the timed
ones, and timed ones by their instant. It is written once as a text ``stamp``
(``stamp`` here, ``STAMP_SQL`` for the index's rows) that sorts as that order.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import math
import os
import time
import zoneinfo
from functools import lru_cache

# The user's zone: a named zone (folder-kit.yaml's ``timezone:``), or None for the
# machine's local zone, read through the C library (TZ may be unset, or a POSIX rule).
Zone = dt.tzinfo | None

# A mail dated more than this after its file was saved was dated by a wrong clock.
FUTURE_SLACK_S = 86_400

# Instants are written into a stamp shifted to a fixed width of 12 digits, for every
# instant a Python datetime holds (years 1 to 9999), so that text sorts as numbers.
_SHIFT = 200_000_000_000
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

# The stamp of an index row of columns ``day`` and ``at`` (NULL: known by its day).
STAMP_SQL = "(day || ifnull(' ' || (at + 200000000000), ''))"


def stamp(day: str, at: int | None) -> str:
    """The order of an event of ``day`` (the user's, ISO) and instant ``at`` (None:
    known by its day only), as text: the day alone sorts before the same day with
    any time."""
    return day if at is None else f"{day} {at + _SHIFT}"


def instant(moment: dt.datetime) -> int:
    """Seconds since the epoch; a time without a zone is UTC (a mail's "-0000")."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return math.floor(moment.timestamp())


def instant_of_text(date: str) -> int | None:
    """The instant an event's ISO ``date`` text names; None for a day alone."""
    if "T" not in date:
        return None
    try:
        return instant(dt.datetime.fromisoformat(date))
    except ValueError:
        return None


def stamp_of_text(day: str, date: str) -> str:
    """``stamp`` of an event known by its day and ISO date text."""
    return stamp(day, instant_of_text(date))


def moment_in(at: int, zone: Zone) -> dt.datetime:
    """The instant ``at`` as an aware time in the user's zone."""
    try:
        if zone is None:
            return dt.datetime.fromtimestamp(at).astimezone()
        return dt.datetime.fromtimestamp(at, zone)
    except (OverflowError, OSError, ValueError):
        # Beyond what the C library converts (Windows before 1970): UTC, still the
        # right instant, and its day off by at most one.
        return _EPOCH + dt.timedelta(seconds=at)


def day_of(at: int, zone: Zone) -> str:
    """The user's day (ISO) of the instant ``at``."""
    try:
        if zone is None:
            return dt.date.fromtimestamp(at).isoformat()
        return dt.datetime.fromtimestamp(at, zone).date().isoformat()
    except (OverflowError, OSError, ValueError):
        return moment_in(at, zone).date().isoformat()


def text_in(at: int, zone: Zone) -> str:
    """The instant ``at`` as ISO text with the user's offset (a file's mtime)."""
    return moment_in(at, zone).isoformat(timespec="seconds")


def day_end(day: str) -> str:
    """A stamp after every event of ``day``: "now" when judging as of that day."""
    return day + "~"


def today_in(zone: Zone) -> dt.date:
    """The user's day now."""
    return dt.datetime.now(zone).date() if zone is not None else dt.date.today()


def user_zone(name: str | None) -> Zone:
    """The zone folder-kit.yaml names (checked when it was read), or None: local."""
    return None if name is None else _named(name)


@lru_cache(maxsize=8)
def _named(name: str) -> dt.tzinfo:
    return zoneinfo.ZoneInfo(name)


def zone_id(name: str | None) -> str:
    """What the index records of the zone its days were computed in, to tell a change.
    A named zone by its name; the local one by its offsets from UTC on the first day of
    every month in a span of years (TZ may be unset, or name no zone: only what the
    C library makes of it is known)."""
    if name is not None:
        return name
    # Cached by what the C library says of the zone now (cheap to ask): a change of
    # TZ and time.tzset() in this process gives another key.
    return _local_id(os.environ.get("TZ"), time.tzname, time.timezone, time.altzone)


@lru_cache(maxsize=4)
def _local_id(tz: str | None, names: tuple[str, str], standard: int, summer: int) -> str:
    offsets = []
    last = None
    for year in range(1990, 2041):
        for month in range(1, 13):
            offset = time.localtime(calendar.timegm((year, month, 1, 12, 0, 0))).tm_gmtoff
            if offset != last:
                offsets.append(f"{year}-{month:02d}{offset:+d}")
                last = offset
    return "local:" + hashlib.sha256(",".join(offsets).encode()).hexdigest()[:16]


def sent_in_future(message: dt.datetime, mtime: float) -> bool:
    """Whether a mail's own date lies after the moment its file was saved by more
    than a day: the sender's clock was wrong."""
    return instant_in_future(instant(message), mtime)


def instant_in_future(at: int, mtime: float) -> bool:
    """``sent_in_future`` of a mail whose instant ``at`` is known already (a scan
    computes each mail's once)."""
    return at > mtime + FUTURE_SLACK_S
