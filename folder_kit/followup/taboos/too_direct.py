"""1. Too direct: a recent follow-up that only pushes for the order.

The phrases are the config's (``taboos: pushy_phrases``); `draft` checks its
mail for the same ones (``pushy_phrases_in``).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from folder_kit.followup.rules import Ev, Finding
from folder_kit.followup.taboos.registry import Seen, Taboo, file_name, times_text
from folder_kit.workspace.thresholds import PUSHY_PHRASES


@lru_cache(maxsize=8)
def _folded(phrases: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((p, p.casefold()) for p in phrases)


def pushy_phrases_in(text: str, phrases: Sequence[str]) -> list[str]:
    """The ``phrases`` that ``text`` holds, in their order, whatever the case."""
    folded = text.casefold()
    return [p for p, f in _folded(tuple(phrases)) if f in folded]


def check(s: Seen) -> Finding | None:
    phrases = s.taboos[PUSHY_PHRASES]
    pushy: list[tuple[Ev, str]] = []
    for e in s.recent:
        found = pushy_phrases_in(f"{e.subject or ''} {file_name(e.path)}", phrases)
        if found:
            pushy.append((e, found[0].casefold()))
    if not pushy:
        return None
    first, phrase = pushy[0]
    verb = "only pushes" if len(pushy) == 1 else "only push"
    return s.finding(
        "too-direct",
        f'{times_text(len(pushy))} {verb} for the order: "{phrase}" in {file_name(first.path)} '
        f"({first.day})",
        [e for e, _ in pushy],
        "Give the buyer a reason to answer instead: news, a new price, a product, "
        "an invitation. Pushing for the order is the quickest way to silence.",
        n=len(pushy),
        phrase=phrase,
        file=file_name(first.path),
        day=first.day,
    )


TABOO = Taboo(
    code="too-direct",
    names={"zh": "太直接：只催下单", "en": "too direct"},
    zh=(
        "{n} 次跟进只是催下单：{file}（{day}）里写着“{phrase}”",
        "给客户一个回复的理由：公司新闻、新价格、新产品、邀请。一味催单，客户只会沉默。",
    ),
    check=check,
    thresholds=(PUSHY_PHRASES,),
)
