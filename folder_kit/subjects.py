"""A mail subject as a person reads it: without the reply and forward prefixes a
thread piles up, in the languages salespeople meet, and without mailing-list tags.

"[USRP-users] Re: 答复: Re: AW: How to use External LO on N310 device?" is
"How to use External LO on N310 device?". The one place that cleans a subject:
drafts build theirs from it, and lists may show a last subject with it.
"""

from __future__ import annotations

import re

# Reply and forward prefixes, each before a colon (ASCII or full-width): English
# (Re, Fw, Fwd), German (AW, WG), Nordic (SV, VS, Vs), Italian (Rif, R, I), French
# (TR, RE), Spanish and Portuguese (RV, Enc, Res), Dutch (Antw, Doorst), Polish
# (Odp, PD), Turkish (YNT), Finnish (VL), Chinese (答复, 回复, 转发) and
# Japanese (返信, 転送); "Re[2]:" and "Re(2):" as some clients count them.
_PREFIX_WORDS = (
    "re",
    "fw",
    "fwd",
    "aw",
    "wg",
    "sv",
    "vs",
    "vl",
    "rif",
    "r",
    "i",
    "tr",
    "rv",
    "enc",
    "res",
    "antw",
    "doorst",
    "odp",
    "pd",
    "ynt",
    "答复",
    "回复",
    "转发",
    "答覆",
    "回覆",
    "轉發",
    "返信",
    "転送",
)
_PREFIX = re.compile(
    r"^\s*(?:(?:" + "|".join(sorted(map(re.escape, _PREFIX_WORDS), key=len, reverse=True)) + r")"
    r"\s*(?:\[\d+\]|\(\d+\))?\s*[:：]"  # a word and its colon, maybe a count before it
    r"|\[[^\[\]\n]{1,40}\]"  # a list tag: [USRP-users]
    r"|【[^【】\n]{1,40}】"
    r")\s*",
    re.IGNORECASE,
)

SHORT_SUBJECT = 60  # characters: what a mail list shows of a subject


def clean_subject(subject: str) -> str:
    """``subject`` without its leading reply/forward prefixes and list tags, however
    many and however nested, its runs of white space made one space."""
    text = " ".join(subject.split())
    while True:
        m = _PREFIX.match(text)
        if m is None or m.end() == 0:
            break
        rest = text[m.end() :]
        if not rest.strip():  # "Re:" alone, or "[tag]" alone: keep what there is
            break
        text = rest
    return text.strip()


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
