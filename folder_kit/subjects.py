"""A mail subject as a person reads it: without the reply and forward prefixes a
thread piles up, in the languages salespeople meet, and without mailing-list tags.

"[USRP-users] Re: 答复: Re: AW: How to use External LO on N310 device?" is
"How to use External LO on N310 device?". The one place that cleans a subject:
drafts build theirs from it, and `due` shows the last subject with it.
"""

from __future__ import annotations

import re

# Reply and forward prefixes, as mail programs write them: English (Re, Fwd, Fw),
# German (AW, WG), Nordic (SV, VS, VB, VL), Dutch (Antw, Doorst), Italian (R, Rif,
# I), French (TR), Spanish (RV), Portuguese (Res, Enc), Polish (Odp, PD), Turkish
# (YNT, İLT), Greek (ΑΠ, ΣΧΕΤ, ΠΡΘ), Russian (Отв), Chinese (答复, 回复, 转发, and
# their traditional forms) and Japanese (返信, 転送). A counter may follow (Re[2]:,
# Re(2):, Re^2:); the colon may be full-width, or the "_" a file name has in its
# place (filed mail and Windows write "Re_ Offer").
_PREFIX_WORDS = (
    "re", "fw", "fwd", "aw", "wg", "sv", "vs", "vb", "vl", "antw", "doorst", "rif", "r",
    "i", "tr", "rv", "res", "enc", "odp", "pd", "ynt", "ilt", "İlt", "απ", "σχετ", "πρθ",
    "отв", "答复", "回复", "转发", "答覆", "回覆", "轉發", "轉寄", "返信", "転送",
)  # fmt: skip
_PREFIX = "(?:" + "|".join(sorted(map(re.escape, _PREFIX_WORDS), key=len, reverse=True)) + ")"
_REPLY = re.compile(rf"{_PREFIX}\s*(?:\[\d+\]|\(\d+\)|\^\d+)?\s*(?:[:：]|_(?=\s))", re.IGNORECASE)
# A mailing list's tag before the subject (or between prefixes): [USRP-users], 【通知】.
_TAG = re.compile(r"\[[^\[\]\n]{0,40}\]|【[^【】\n]{0,40}】")
# A leading day, as file names start with one: 2026-11-05, 20261105, 2026.11.05.
_DAY = re.compile(r"(?:19|20)\d\d(?:[-._]\d{1,2}[-._]\d{1,2}|\d{4})(?!\d)")
_SEPARATORS = " -_–—:·|"


def clean_subject(subject: str) -> str:
    """``subject`` (a mail's, or a file name without its suffix) as a person would
    say it: "[USRP-users] Re: 答复: RE: Price list" is "Price list", "2026-11-05 new
    product" is "new product". Leading prefixes and tags go however many and however
    nested; runs of white space become one space. A subject that is nothing but
    prefixes and tags gives ""."""
    rest = " ".join(subject.split())
    day = _DAY.match(rest)
    if day is not None and rest[day.end() : day.end() + 1] in ("", *_SEPARATORS):
        rest = rest[day.end() :].lstrip(_SEPARATORS)
    while True:
        found = _REPLY.match(rest) or _TAG.match(rest)
        if found is None:
            return rest
        rest = rest[found.end() :].lstrip()


def stem(path: str) -> str:
    """A "/"-separated path's file name without its suffix, as ``PurePath.stem``
    gives it (without building a path object per customer)."""
    name = path.rpartition("/")[2]
    dot = name.rfind(".")
    return name[:dot] if 0 < dot < len(name) - 1 else name


SHORT_SUBJECT = 60  # characters: what a mail list shows of a subject


def short_subject(subject: str, *, limit: int = SHORT_SUBJECT) -> str:
    """``clean_subject``, cut at a word boundary to at most ``limit`` characters,
    with "…" where it was cut."""
    text = clean_subject(subject)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    # At a word boundary not too far back; else inside the word (a long CJK run has none).
    if text[limit - 1] != " " and space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—/(") + "…"
