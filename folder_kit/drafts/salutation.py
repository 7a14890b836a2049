"""How a draft greets its reader: the contact's name as people write it on a card
("Mehlhose, Matthias", "Dr. Anna Schmidt", "王坤"), or the company when the card
names no one. Pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Honorifics as written before a name, with and without the period; the academic
# ones are kept in a salutation ("Dear Dr. Mehlhose,"), as the reader uses them.
_HONORIFICS = {
    "dr": "Dr.",
    "prof": "Prof.",
    "professor": "Prof.",
    "mr": "Mr",
    "mrs": "Mrs",
    "ms": "Ms",
    "miss": "Miss",
    "mx": "Mx",
    "dipl.-ing": "Dipl.-Ing.",
    "ing": "Ing.",
    "eng": "Eng.",
    "sir": "Sir",
}
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "phd", "md", "mba"})
# Legal forms a company name ends in, which a greeting leaves out.
_LEGAL = re.compile(
    r"[\s,]+(?:co\.?,?\s*ltd\.?|company\s+limited|limited|ltd\.?|inc\.?|incorporated|corp\.?"
    r"|corporation|llc|l\.l\.c\.|gmbh(?:\s*&\s*co\.?\s*kg)?|ag|kg|s\.?p\.?a\.?|s\.?r\.?l\.?"
    r"|s\.?a\.?|b\.?v\.?|n\.?v\.?|oy|ab|as|a/s|aps|plc|pty\.?\s*ltd\.?|sas|sarl|s\.?l\.?)\s*$",
    re.IGNORECASE,
)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_NOTE = re.compile(r"\([^()]*\)|（[^（）]*）")  # "Rob Kossler (R&D)": a note, not a name


@dataclass(frozen=True)
class PersonName:
    """A contact's name taken apart: honorifics, given and family name."""

    honorifics: tuple[str, ...] = ()
    given: str = ""
    family: str = ""

    @property
    def full(self) -> str:
        """Given name first, as a greeting or a To line writes it."""
        return " ".join(p for p in (self.given, self.family) if p)


def _honorific(word: str) -> str | None:
    return _HONORIFICS.get(word.casefold().rstrip("."))


def person_name(text: str) -> PersonName:
    """``text`` as a card holds it: "Last, First" (one comma, no suffix after it)
    turned round; honorifics in front taken off; a Chinese name kept whole."""
    text = " ".join(_NOTE.sub(" ", text).split()).strip(" ,;")
    if not text:
        return PersonName()
    if _CJK.search(text):
        return PersonName(family=text)  # 王坤: no space, family name first
    last, comma, first = text.partition(",")
    if comma and "," not in first and first.strip().casefold().rstrip(".") not in _SUFFIXES:
        text = f"{first.strip()} {last.strip()}".strip()
    words = text.split()
    titles: list[str] = []
    while len(words) > 1 and (title := _honorific(words[0])) is not None:
        titles.append(title)
        words.pop(0)
    if len(words) == 1:
        return PersonName(tuple(titles), family=words[0])
    return PersonName(tuple(titles), given=" ".join(words[:-1]), family=words[-1])


def display_name(text: str) -> str:
    """The name as a To line writes it: "Matthias Mehlhose" for "Mehlhose, Matthias"."""
    name = person_name(text)
    return " ".join((*name.honorifics, name.full)) if name.full else ""


def company_for_greeting(company: str) -> str:
    """The company without its legal form: "Science Radio Laboratories" for
    "Science Radio Laboratories, Inc."."""
    short = _LEGAL.sub("", company.strip())
    return short.strip(" ,") or company.strip()


def salutation(name: str, *, company: str, lang: str) -> str:
    """The first line of the mail: "Dear Dr. Mehlhose,", "Dear Anna Schmidt,",
    "Dear colleagues at ACME,"; in Chinese "王坤，您好！"."""
    person = person_name(name)
    firm = company_for_greeting(company) if company else ""
    if lang == "zh":
        if person.full:
            return f"{' '.join((*person.honorifics, person.full))}，您好！"
        return f"{firm}的各位同仁，您好！" if firm else "您好！"
    if not person.full:
        return f"Dear colleagues at {firm}," if firm else "Dear Sir or Madam,"
    if person.honorifics and person.family:
        # "Dear Dr. Mehlhose," "Dear Ms Walsh,": a title goes with the family name.
        return f"Dear {' '.join(person.honorifics)} {person.family},"
    return f"Dear {person.full},"
