"""Holidays worth a greeting, by the customer's country, from the holidays library.

Names are shown as people say them: the configured name ("Christmas", "Eid
al-Fitr"), never the library's "(estimated)" or "(observed)" notes, and in
Chinese for a Chinese mail.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from folder_kit.kept import Json, Kept

# Chinese names of the default holidays worth greeting, for a Chinese mail.
ZH_NAMES = {
    "christmas": "圣诞节",
    "new year": "新年",
    "chinese new year": "春节",
    "spring festival": "春节",
    "lunar new year": "农历新年",
    "korean new year": "韩国新年",
    "chuseok": "中秋节",
    "mid-autumn festival": "中秋节",
    "eid al-fitr": "开斋节",
    "eid al-adha": "古尔邦节",
    "diwali": "排灯节",
    "deepavali": "排灯节",
    "thanksgiving": "感恩节",
    "easter": "复活节",
    "hanukkah": "光明节",
    "rosh hashanah": "犹太新年",
    "songkran": "宋干节",
}
# Days that stand for a holiday without being its day: a day off in lieu, an eve.
_NOT_THE_DAY = re.compile(
    r"\b(observed|in lieu|substitute[d]?|alternative holiday|eve|preceding|bridge)\b"
)
_NOTE = re.compile(r"\s*[(（][^)）]*[)）]")
# Words around a holiday's name that still mean the holiday itself ("Christmas
# Day", "Easter Monday"), or one of its days ("Second Day of Christmas"); any
# other word makes another holiday ("Islamic New Year" is no New Year).
_PLAIN_WORDS = frozenset({"day", "festival", "holiday", "sunday", "monday", "the"})
_DAY_OF_WORDS = _PLAIN_WORDS | {"of", "first", "second", "third", "fourth", "fifth"}


@dataclass(frozen=True)
class Holiday:
    name: str  # as people say it: "Christmas"
    name_zh: str  # for a Chinese mail: "圣诞节"
    day: dt.date
    country: str  # ISO code
    official: str  # the library's name, notes removed: "Christmas Day"


def _words(text: str) -> list[str]:
    text = text.casefold().replace("'s", "").replace("’s", "")
    return re.findall(r"[^\W_]+(?:-[^\W_]+)*", text)


def _holds(name: list[str], phrase: list[str]) -> bool:
    n = len(phrase)
    return any(name[i : i + n] == phrase for i in range(len(name) - n + 1))


def clean_name(name: str) -> str:
    """The library's name without its notes: "Eid al-Fitr (estimated)" -> "Eid al-Fitr"."""
    return _NOTE.sub("", name).strip()


def greeted_name(official: str, names: Sequence[str]) -> str | None:
    """The configured name a holiday goes by (the longest that fits), or None."""
    words = _words(official)
    fits = [
        n
        for n in names
        if _words(n) and _holds(words, _words(n)) and set(words) - set(_words(n)) <= _DAY_OF_WORDS
    ]
    return max(fits, key=lambda n: len(_words(n))) if fits else None


def upcoming_holidays(
    country: str | None,
    *,
    today: dt.date,
    names: Sequence[str],
    min_days: int = 3,
    lead_days: int = 14,
) -> list[Holiday]:
    """Holidays worth greeting in ``country`` whose day is ``min_days`` to
    ``lead_days`` days after ``today``, soonest first."""
    if not country or not names:
        return []
    found = holiday_days(country, today.year, names) + holiday_days(country, today.year + 1, names)
    low, high = today + dt.timedelta(days=min_days), today + dt.timedelta(days=lead_days)
    return sorted((h for h in found if low <= h.day <= high), key=lambda h: (h.day, h.name))


def holiday_days(country: str, year: int, names: Sequence[str]) -> list[Holiday]:
    """Each greeted holiday of ``country`` in ``year`` once, on its own day."""
    return list(_holiday_days(country, year, tuple(names)))


@cache  # `draft --due` asks for the same countries over and over
def _holiday_days(country: str, year: int, names: tuple[str, ...]) -> tuple[Holiday, ...]:
    calendar = _calendar(country, year, "en_US")
    if calendar is None:
        return ()
    local = _local_names(country, year)
    by_name: dict[str, list[tuple[dt.date, str]]] = {}
    for day, joined in sorted(calendar.items()):
        for official in str(joined).split("; "):
            if _NOT_THE_DAY.search(official.casefold()):
                continue
            name = greeted_name(clean_name(official), names)
            if name is not None:
                by_name.setdefault(name, []).append((day, clean_name(official)))
    out = []
    for name, days in by_name.items():
        for run in _runs(days):
            day, official = _the_day(name, run)
            zh = local.get(day) or ZH_NAMES.get(name.casefold(), name)
            out.append(Holiday(name, zh, day, country, official))
    return tuple(out)


def _runs(days: list[tuple[dt.date, str]]) -> Iterable[list[tuple[dt.date, str]]]:
    """Consecutive days of one holiday (Eid and its holidays, Spring Festival's week)."""
    run: list[tuple[dt.date, str]] = []
    for item in days:
        if run and (item[0] - run[-1][0]).days > 3:  # a weekend between days off
            yield run
            run = []
        run.append(item)
    if run:
        yield run


def _the_day(name: str, run: list[tuple[dt.date, str]]) -> tuple[dt.date, str]:
    """The day in a run that is the holiday itself ("Christmas Day", not "Second Day of Christmas")."""
    wanted = set(_words(name))
    for day, official in run:
        if set(_words(official)) - wanted <= _PLAIN_WORDS:
            return day, official
    return run[0]


def _calendar(country: str, year: int, language: str) -> dict[dt.date, str] | None:
    """The library's holidays of ``country`` in ``year``, named in ``language``; None
    for a country it does not know. Kept per user (``kept.Kept``): asking the
    library costs 80 ms of a 250 ms `due` in the sample workspace, importing it most."""
    key = f"{country} {year} {language}"
    known, kept = _CALENDARS.get(key, _a_calendar)
    if known:
        if not isinstance(kept, dict):
            return None
        with contextlib.suppress(ValueError):  # else a damaged copy: asked again
            return {dt.date.fromisoformat(d): str(n) for d, n in kept.items()}
    import holidays

    try:
        calendar = holidays.country_holidays(country, years=year, language=language)
    except NotImplementedError:  # a country the library does not know
        _CALENDARS.put(key, None)
        return None
    out = {day: str(name) for day, name in calendar.items()}
    _CALENDARS.put(key, {day.isoformat(): name for day, name in sorted(out.items())})
    return out


def _a_calendar(answer: Json) -> bool:
    """A kept calendar: None (no such country), or names by ISO day."""
    return answer is None or (
        isinstance(answer, dict) and all(isinstance(n, str) for n in answer.values())
    )


_CALENDARS = Kept("holidays", "holidays")


def _local_names(country: str, year: int) -> dict[dt.date, str]:
    """China's own names for its holidays (元旦, 春节, 中秋节); elsewhere ZH_NAMES."""
    if country != "CN":
        return {}
    calendar = _calendar(country, year, "zh_CN") or {}
    out = {}
    for day, joined in calendar.items():
        names = [clean_name(n) for n in str(joined).split("; ")]
        names = [n for n in names if "补假" not in n and "補假" not in n and "除夕" not in n]
        if names:
            out[day] = names[0]
    return out
