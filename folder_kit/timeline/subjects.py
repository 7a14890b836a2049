"""What a mail or file says it is about, as a person would say it: its subject
without the reply and forward prefixes mail programs pile up in every language
salespeople meet, the mailing-list tags before it, and the date a file name
starts with.
"""

from __future__ import annotations

import re

# Reply and forward prefixes, as mail programs write them: English (Re, Fwd, Fw),
# German (AW, WG), Nordic (SV, VS, VB), Dutch (Antw, Doorst), Italian (R, Rif, I),
# French (TR), Spanish (RV), Portuguese (Res, Enc), Polish (Odp, PD), Turkish
# (YNT, İLT), Greek (ΑΠ, ΣΧΕΤ, ΠΡΘ), Russian (Отв), Chinese (答复, 回复, 转发,
# and their traditional forms) and Japanese (返信, 転送). A counter may follow
# (Re[2]:, Re(2):, Re^2:); the colon may be full-width, or the "_" a file name has
# in its place.
_PREFIX = (
    r"(?:re|fwd?|aw|wg|sv|vs|vb|antw|doorst|rif|r|i|tr|rv|res|enc|odp|pd|ynt|ilt|İlt"
    r"|απ|σχετ|πρθ|отв|答复|回复|转发|答覆|回覆|轉發|轉寄|返信|転送)"
)
# A file name holds no colon: filed mail and Windows write "Re_ Offer".
_REPLY = re.compile(rf"{_PREFIX}\s*(?:\[\d+\]|\(\d+\)|\^\d+)?\s*(?:[:：]|_(?=\s))", re.IGNORECASE)
# A mailing list's tag, [USRP-users], before the subject (or between prefixes).
_TAG = re.compile(r"\[[^\[\]]*\]")
# A leading day, as file names start with one: 2026-11-05, 20261105, 2026.11.05.
_DAY = re.compile(r"(?:19|20)\d\d(?:[-._]\d{1,2}[-._]\d{1,2}|\d{4})(?!\d)")
_SPACE = re.compile(r"\s+")
_SEPARATORS = " -_–—:·|"


def clean_subject(text: str) -> str:
    """``text`` (a subject, or a file name without its suffix) as a person would
    say it: "[USRP-users] Re: 答复: RE: Price list" is "Price list",
    "2026-11-05 new product" is "new product". Whitespace runs become one space.
    A subject that is nothing but prefixes and tags gives ""."""
    rest = _SPACE.sub(" ", text).strip()
    day = _DAY.match(rest)
    if day is not None and rest[day.end() : day.end() + 1] in ("", *_SEPARATORS):
        rest = rest[day.end() :].lstrip(_SEPARATORS)
    while True:
        found = _REPLY.match(rest) or _TAG.match(rest)
        if found is None:
            return rest
        rest = rest[found.end() :].lstrip()
