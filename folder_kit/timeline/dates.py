"""Dates written by people: inside a file name, or typed as a CLI option.

A file name is the second source of an event's date (after the message's own
date, before the modification time), so reading one must not mistake an order or
invoice number for a day.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from folder_kit.errors import UsageError, quoted

# The days folder-kit reads from a file name, and so the days it judges: a year
# outside them is an order or invoice number, never a day.
FIRST_DAY = dt.date(1990, 1, 1)
LAST_DAY = dt.date(2099, 12, 31)
READABLE_YEARS = f"the years {FIRST_DAY.year} to {LAST_DAY.year}"
_YEAR = r"(?P<{0}>199[0-9]|20[0-9]{{2}})"

# One pattern, alternatives tried at each position from the left, so the first
# date in the name wins whatever its form. Digit look-arounds keep an 8-digit run
# that belongs to a longer number (PO123456789, 2026112699) from counting. The
# look-behind and a look-ahead for a year's first digits come before the
# alternatives, so a position that starts no year is passed over at once (a scan
# asks this of every file not dated otherwise: 1.0 -> 0.5 us a name).
_NAME_DATE = re.compile(
    r"(?<![0-9])(?=19|20)(?:"
    + "|".join(
        (
            # 2026-11-26, 2026.11.26, 2026_11_26, 2026-1-5: one separator, used twice
            rf"{_YEAR.format('y1')}(?P<sep>[-._])(?P<m1>[0-9]{{1,2}})"
            rf"(?P=sep)(?P<d1>[0-9]{{1,2}})(?![0-9])",
            # 20261126: exactly eight digits
            rf"{_YEAR.format('y2')}(?P<m2>[0-9]{{2}})(?P<d2>[0-9]{{2}})(?![0-9])",
            # 2026年11月26日, 2026年1月5号
            rf"{_YEAR.format('y3')}\s*年\s*(?P<m3>[0-9]{{1,2}})\s*月"
            rf"\s*(?P<d3>[0-9]{{1,2}})(?:\s*[日号]|(?![0-9]))",
        )
    )
    + ")"
)

# A match's last group (its ``lastindex``: each alternative ends with its day) ->
# the numbers of that alternative's year, month and day groups.
_GROUPS = {
    _NAME_DATE.groupindex[f"d{n}"]: tuple(_NAME_DATE.groupindex[f"{g}{n}"] for g in "ymd")
    for n in "123"
}

_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def date_from_name(name: str) -> dt.date | None:
    """The first valid calendar date written in a file name, or None."""
    # NFKC turns full-width digits and punctuation (２０２６．１１．２６) into ASCII.
    text = name if name.isascii() else unicodedata.normalize("NFKC", name)  # ASCII: as it is
    pos = 0
    while (match := _NAME_DATE.search(text, pos)) is not None:
        # The alternative that matched, told by its last group (its day).
        year, month, day = _GROUPS[match.lastindex or 0]
        try:
            return dt.date(int(match[year]), int(match[month]), int(match[day]))
        except ValueError:
            pass  # 2026-13-45: not a day; look further along the name
        pos = match.start() + 1
    return None


def parse_judging_day(text: str) -> dt.date:
    """A ``--today`` value: a ``YYYY-MM-DD`` day in the readable years (a file
    dated later could not be read, and days near the calendar's end overflow)."""
    day = parse_iso_day(text)
    if not FIRST_DAY <= day <= LAST_DAY:
        raise UsageError(f"--today {day.isoformat()} is outside {READABLE_YEARS}")
    return day


def parse_iso_day(text: str) -> dt.date:
    """A ``YYYY-MM-DD`` option value (``--date``, ``--today``) as a date."""
    candidate = text.strip()
    if _ISO_DAY.fullmatch(candidate):
        try:
            return dt.date.fromisoformat(candidate)
        except ValueError:
            pass
    raise UsageError(f"not a date: {quoted(text, limit=60)} (expected YYYY-MM-DD)")


_DAY_CHARS = re.compile(
    r"[0-9]{4}\s*(?:[-._]|年)\s*[0-9]{1,2}\s*(?:[-._]|月)\s*[0-9]{1,2}\s*[日号]?|[0-9]{8}"
)


def parse_day(text: str) -> dt.date:
    """A day typed by a person (``log --date``): ``YYYY-MM-DD``, or any form a file
    name may carry it in — ``20261126``, ``2026.11.26``, ``2026年11月26日``."""
    candidate = unicodedata.normalize("NFKC", text).strip()
    if _DAY_CHARS.fullmatch(candidate):
        day = date_from_name(candidate)
        if day is not None:
            return day
    return parse_iso_day(text)
