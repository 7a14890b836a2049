"""What a file in the workspace means: a pure function of its path, name and facts.

No I/O here: the scan gathers the facts (size, mtime, a mail's own date and
subject) and this module turns them into an event, or says the file is not a
contact. Tested with tables, without a file system.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Literal, NamedTuple

from folder_kit.terms import LOG_MEDIA
from folder_kit.timeline.dates import date_from_name
from folder_kit.workspace.config import Config
from folder_kit.workspace.contact import CONTACT_FILE
from folder_kit.workspace.ignore import is_ignored
from folder_kit.workspace.layout import (
    Grade,
    Kind,
    customers_folder_names,
    grade_of_folder,
    kind_of_folder,
)

EventKind = Literal["out", "in", "quote", "pi", "order", "card", "grade"]
DateSource = Literal["header", "filename", "mtime"]
CONTACT_KINDS: tuple[EventKind, ...] = ("out", "in", "quote", "pi", "order")
MAIL_SUFFIXES = (".eml", ".msg")


class Place(NamedTuple):
    """Where a file sits: which customer, which grade, which kind of folder."""

    grade: Grade
    grade_folder: str
    customer: str
    kind: Kind | Literal["card"]
    rel: str  # path inside the customer folder, "/"-separated


def place_of(parts: Sequence[str]) -> Place | None:
    """The place of a workspace-relative path given as parts, or None if it is not
    inside a customer's OUT/IN/报价/PI/定单/草稿 folder or its Contact.txt (a
    customer is a folder in a grade folder under 客户/ or Customers/, nowhere else)."""
    if len(parts) < 4 or parts[0] not in customers_folder_names():
        return None
    grade = grade_of_folder(parts[1])
    if grade is None:
        return None
    customer = unicodedata.normalize("NFC", parts[2])
    if len(parts) == 4 and parts[3] == CONTACT_FILE:
        return Place(grade, parts[1], customer, "card", CONTACT_FILE)
    if len(parts) < 5:
        return None
    kind = kind_of_folder(parts[3])
    if kind is None:
        return None
    return Place(grade, parts[1], customer, kind, "/".join(parts[3:]))


_LETTERS = re.compile(r"[a-z]+")
# Words that end English compounds after a hyphen and are keywords on their own.
HYPHEN_ENDINGS = frozenset({"ups"})


class KeywordMatcher:
    """Finds the leftmost keyword of any label in a text.

    Latin keywords match whole words, a plural "s" allowed, and the words of a
    several-word keyword may be joined by spaces, ``_``, ``-`` or ``.`` or
    written together ("price list", "Price_List", "pricelist"); so "ups" does
    not fire inside "follow-ups". Other keywords (Chinese, accented) match
    anywhere. Words are looked up in a dict rather than tried one regex
    alternative at a time: a scan calls this for every file.
    """

    def __init__(self, labels: Mapping[str, Sequence[str]]) -> None:
        self.labels = list(labels)
        # first word -> [(all words, label index)], longest keywords first
        self.words: dict[str, list[tuple[tuple[str, ...], int]]] = {}
        self.substrings: list[tuple[str, int]] = []
        for i, (label, keywords) in enumerate(labels.items()):
            # The label itself is a keyword too: `log` writes "phone" and "price-update".
            for keyword in (label, *keywords):
                self._add(keyword, i)
        for entries in self.words.values():
            entries.sort(key=lambda e: -len(e[0]))
        # All other keywords in one alternation, searched once, longest first so
        # that at one position the longer keyword wins. Those with non-ASCII
        # characters cannot occur in an ASCII text, the common case: apart.
        self._subs = _alternation(self.substrings)
        self._ascii_subs = _alternation([s for s in self.substrings if s[0].isascii()])

    def _add(self, keyword: str, label: int) -> None:
        folded = keyword.casefold().strip()
        parts = tuple(p for p in re.split(r"[\s_\-.]+", folded) if p)
        if parts and all(_LETTERS.fullmatch(p) for p in parts):
            self.words.setdefault(parts[0], []).append((parts, label))
            if len(parts) > 1:
                joined = "".join(parts)
                self.words.setdefault(joined, []).append(((joined,), label))
        elif folded:
            self.substrings.append((folded, label))

    def find(self, text: str) -> str | None:
        """The label of the leftmost keyword in ``text``, or None."""
        folded = text.casefold()
        best_pos = len(folded) + 1
        best: int | None = None
        subs = self._subs if not folded.isascii() else self._ascii_subs
        if subs is not None:
            pattern, sub_labels = subs
            m = pattern.search(folded)
            if m is not None and m.lastindex is not None:
                best_pos, best = m.start(), sub_labels[m.lastindex - 1]
        if best_pos == 0:
            return self.labels[best] if best is not None else None
        spans = [(m.group(), m.start()) for m in _LETTERS.finditer(folded)]
        tokens = [t for t, _ in spans]
        for n, (_, start) in enumerate(spans):
            if start >= best_pos:
                break
            # "follow-ups", "mock-ups": an English word ending, not the carrier. Only
            # such endings are refused after a hyphen: "Rossi-DHL", "ACME-Quotation" count.
            glued = start >= 2 and folded[start - 1] == "-" and folded[start - 2].isalpha()
            hit = self._at(tokens, n, glued=glued)
            if hit is not None:
                best = hit
                break
        return self.labels[best] if best is not None else None

    def _at(self, tokens: list[str], n: int, *, glued: bool) -> int | None:
        token = tokens[n]
        for candidate in (
            token,
            token[:-1] if token.endswith("s") else "",
            token[:-2] if token.endswith("es") else "",
        ):
            for parts, label in self.words.get(candidate, ()) if candidate else ():
                if len(parts) == 1:
                    if glued and token in HYPHEN_ENDINGS:
                        continue
                    if candidate == token or _plural(parts[0], token):
                        return label
                    continue
                if tokens[n : n + len(parts) - 1] == list(parts[:-1]) and n + len(parts) <= len(
                    tokens
                ):
                    last = tokens[n + len(parts) - 1]
                    if last == parts[-1] or _plural(parts[-1], last):
                        return label
        return None


def _alternation(keywords: list[tuple[str, int]]) -> tuple[re.Pattern[str], list[int]] | None:
    if not keywords:
        return None
    ordered = sorted(keywords, key=lambda k: -len(k[0]))
    pattern = re.compile("|".join(f"({re.escape(word)})" for word, _ in ordered))
    return pattern, [label for _, label in ordered]


def _plural(word: str, token: str) -> bool:
    # Not for two-letter keywords: "POS" is no plural of "PO".
    return len(word) > 2 and token in (word + "s", word + "es")


class Classifier:
    """Medium and topic from names and subjects, with the workspace's keyword lists."""

    def __init__(self, config: Config) -> None:
        self._media = KeywordMatcher(config.medium_keywords)
        self._topics = KeywordMatcher(config.topic_keywords)
        self._labels = frozenset(config.topic_keywords)

    def medium(self, name: str) -> str:
        """``email`` for saved mail; else the leftmost medium keyword in the name; else ``file``.

        An invitation to visit is no visit: its words are left out first, so
        ``visit invitation.txt`` is a file (topic visit-invite) and what `log`
        writes for a visit about one, ``visit visit-invite.txt``, is still a visit.
        """
        if name.casefold().endswith(MAIL_SUFFIXES):
            return "email"
        return self._media.find(_INVITATION.sub(" ", _stem(name).casefold())) or "file"

    def topic(self, *texts: str | None) -> str | None:
        """The topic of the leftmost topic keyword in the first text that has one."""
        for text in texts:
            if text:
                logged = _LOGGED.match(text)
                if logged is not None and logged["topic"] in self._labels:
                    return logged["topic"]
                found = self._topics.find(text)
                if found is not None:
                    return found
        return None


# What `log` writes: "2026-11-20 visit quote ...": its medium word is no topic word
# ("visit" is one for visit-invite), the topic's own name follows it.
_LOGGED = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2} (?:" + "|".join(LOG_MEDIA) + r") (?P<topic>[a-z-]+)(?: |$)"
)
# "visit invitation", "invitation to visit our factory", "来访邀请", "邀请参观工厂".
_INVITATION = re.compile(
    r"visit\w*[\s_\-.]*invit\w*"
    r"|invit\w*[\s_\-.]+(?:[a-z]+[\s_\-.]+){0,3}?visit\w*"
    r"|(?:来访|参观|拜访)\s*邀请|邀请\S{0,6}?(?:来访|参观|拜访)"
)


def _stem(name: str) -> str:
    dot = name.rfind(".")
    return name[:dot] if dot > 0 else name


class FileFacts(NamedTuple):
    """What the scan learned about a file; ``message_*`` only for mail it could read."""

    mtime: float
    message_date: dt.datetime | None = None
    message_subject: str | None = None


class EventFields(NamedTuple):
    kind: EventKind
    date: str  # ISO 8601: a day, or a time with its offset where one is known
    day: dt.date
    date_source: DateSource
    medium: str | None
    topic: str | None
    subject: str | None = None


DEFAULT_TOPIC: Mapping[str, str] = {"quote": "quote", "pi": "order", "order": "order"}


def event_date(name: str, facts: FileFacts) -> tuple[str, dt.date, DateSource]:
    """The event's date, first that exists: the message's own, a date in the name, mtime."""
    if facts.message_date is not None:
        when = facts.message_date  # with its own offset; none for a "-0000" zone
        return when.isoformat(timespec="seconds"), when.date(), "header"
    day = date_from_name(name)
    if day is not None:
        return day.isoformat(), day, "filename"
    local = dt.datetime.fromtimestamp(facts.mtime).astimezone()
    return local.isoformat(timespec="seconds"), local.date(), "mtime"


def classify(
    place: Place, name: str, facts: FileFacts, classifier: Classifier
) -> EventFields | None:
    """The event a file stands for, or None when it is not a contact."""
    if place.kind == "drafts" or is_ignored(name):
        return None
    if place.rel.count("/") > 1 and any(
        kind_of_folder(p) == "drafts" for p in place.rel.split("/")[1:-1]
    ):
        return None  # a 草稿/ kept inside OUT or IN holds drafts too
    date, day, source = event_date(name, facts)
    if place.kind == "card":
        return EventFields("card", date, day, source, None, None)
    kind: EventKind = place.kind
    topic = classifier.topic(facts.message_subject, _stem(name))
    if topic is None:
        topic = DEFAULT_TOPIC.get(kind, "other")
    return EventFields(
        kind=kind,
        date=date,
        day=day,
        date_source=source,
        medium=classifier.medium(name),
        topic=topic,
        subject=facts.message_subject,
    )
