"""The thresholds of the taboo checks (``taboos:`` in folder-kit.yaml), each declared once.

A declaration holds what the config needs to read a threshold (its key, kind and
bounds), its default, and the line ``init`` writes for it into the template. The
checks themselves live in ``followup/taboos/``, one module each, and name the
thresholds they read; they are declared here, below them, because every command
reads folder-kit.yaml, and most never load the checks: `scan` must refuse a
mistyped threshold just as `check` does. A taboo registered from elsewhere (a test,
say) declares its own when registered (``declare``), before the config is read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar, cast

T = TypeVar("T")

# How a threshold is written and checked: counts of follow-ups, percentages of the
# grade's cadence, days, or a list of phrases.
Kind = Literal["count", "percent", "days", "words"]


@dataclass(frozen=True)
class Threshold(Generic[T]):
    """One setting under ``taboos:``."""

    key: str
    default: T
    kind: Kind
    low: int | None = None  # the bounds of a number; None: the kind's own
    high: int | None = None
    # The template's comment after it, by workspace language; None: not in the template.
    note: Mapping[str, str] | None = None
    # A comment line the template puts before it, for it and those that follow.
    heading: Mapping[str, str] | None = None

    def bounds(self) -> dict[str, int]:
        """The bounds the config checks, where they differ from the kind's."""
        bounds = {"low": self.low, "high": self.high}
        return {name: value for name, value in bounds.items() if value is not None}


DEFAULT_PUSHY_PHRASES: tuple[str, ...] = (
    "place the order",
    "place an order",
    "place your order",
    "confirm the order",
    "when will you order",
    "any order",
    "please order",
    "sign the contract",
    "尽快下单",
    "赶快下单",
    "请下单",
    "什么时候下单",
)

REPEAT_WINDOW = Threshold(
    "repeat_window",
    2,
    "count",
    note={
        "en": "same topic as one of the last N follow-ups",
        "zh": "与最近 N 次跟进同一话题 = 重复",
    },
)
GAVE_UP_AFTER = Threshold(
    "gave_up_after",
    3,
    "count",
    note={"en": "N follow-ups in a row with no reply", "zh": "连续 N 次跟进没有回复"},
)
CHANGE_APPROACH_AFTER = Threshold(
    "change_approach_after",
    11,
    "count",
    note={
        "en": "time to change colleague, contact or company",
        "zh": "屡战屡败：换同事、换客人、换公司",
    },
)
SINGLE_MEDIUM_RUN = Threshold(
    "single_medium_run",
    5,
    "count",
    note={"en": "the last N follow-ups all by one medium", "zh": "最近 N 次跟进全用同一种媒介"},
)
# Not a taboo: where `due` stops listing a customer as due now and lists it as
# dormant, to revive or move down a grade. In whole cadences of the grade.
DORMANT_AFTER = Threshold(
    "dormant_after",
    4,
    "count",
    note={
        "en": "silent for more than N cadences: dormant",
        "zh": "超过 N 个跟进周期没有联系 = 沉睡客户",
    },
)
PUSHY_PHRASES = Threshold("pushy_phrases", DEFAULT_PUSHY_PHRASES, "words")
# Shares of the grade's cadence are whole percentages, so no new kind of value.
GAVE_UP_SILENCE = Threshold(
    "gave_up_silence",
    200,
    "percent",
    note={
        "en": 'then nothing sent for more than this: "gave up"',
        "zh": "之后超过这么久没再跟进 = 放弃了",
    },
    heading={
        "en": "In percent of the grade's cadence (B: 7 days, so 200 = 14 days):",
        "zh": "以下按该等级跟进周期的百分比（B 为 7 天，200 = 14 天）· percent of the cadence:",
    },
)
TOO_SHORT = Threshold(
    "too_short",
    50,
    "percent",
    low=0,
    high=100,
    note={"en": "two follow-ups closer than this: too pushy", "zh": "两次跟进间隔短于此 = 太密"},
)
TOO_LONG = Threshold(
    "too_long",
    150,
    "percent",
    note={"en": "no contact for more than this: too long", "zh": "超过这么久没有任何联系 = 太久"},
)
EVAPORATED_AFTER = Threshold(
    "evaporated_after",
    100,
    "percent",
    note={
        "en": "a quote or PI with no reply for this long: evaporated",
        "zh": "报价或 PI 发出后这么久没回复 = 蒸发",
    },
)
LOOKBACK = Threshold(
    "lookback",
    90,
    "days",
    note={
        "en": "days of recent follow-ups the habit checks look at",
        "zh": "检查最近多少天内的跟进习惯 · days of follow-ups checked",
    },
)

# Every threshold by key, in the order the template and an unknown key's message list them.
THRESHOLDS: dict[str, Threshold[Any]] = {
    t.key: t
    for t in (
        REPEAT_WINDOW,
        GAVE_UP_AFTER,
        CHANGE_APPROACH_AFTER,
        SINGLE_MEDIUM_RUN,
        DORMANT_AFTER,
        PUSHY_PHRASES,
        GAVE_UP_SILENCE,
        TOO_SHORT,
        TOO_LONG,
        EVAPORATED_AFTER,
        LOOKBACK,
    )
}


def declare(threshold: Threshold[Any]) -> None:
    """Make ``threshold`` a key folder-kit.yaml accepts under ``taboos:``; declaring
    the same one again changes nothing, another one by the same key is refused."""
    known = THRESHOLDS.setdefault(threshold.key, threshold)
    if known is not threshold and known != threshold:
        raise ValueError(f"the taboo threshold {threshold.key} is declared twice")


class Taboos:
    """The thresholds as configured: the value given for each, or its default.

    Read a threshold by its declaration, ``taboos[TOO_SHORT]``: typed, and a
    misspelt one is an error mypy finds.
    """

    def __init__(self, **given: object) -> None:
        unknown = [key for key in given if key not in THRESHOLDS]
        if unknown:
            raise TypeError(f"unknown taboo thresholds: {', '.join(unknown)}")
        self._given = given

    def __getitem__(self, threshold: Threshold[T]) -> T:
        return cast(T, self._given.get(threshold.key, threshold.default))

    def values(self) -> dict[str, object]:
        """Every declared threshold's value, by key."""
        return {key: self._given.get(key, t.default) for key, t in THRESHOLDS.items()}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Taboos):
            return NotImplemented
        return self.values() == other.values()

    def __hash__(self) -> int:
        return hash(tuple(self.values().items()))

    def __repr__(self) -> str:
        given = ", ".join(f"{key}={value!r}" for key, value in self._given.items())
        return f"Taboos({given})"


def template_lines(lang: str) -> list[str]:
    """The ``taboos:`` section's lines for the folder-kit.yaml ``init`` writes: each
    threshold with a note, at its default, the note in the column of the others."""
    lines = []
    for t in THRESHOLDS.values():
        if t.note is None:
            continue
        if t.heading is not None:
            lines.append(f"  # {t.heading[lang]}")
        lines.append(f"{f'  {t.key}: {t.default}':<24}  # {t.note[lang]}")
    return lines
