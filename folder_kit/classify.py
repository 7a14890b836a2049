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
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Literal

from folder_kit.config import Config
from folder_kit.dates import date_from_name
from folder_kit.layout import Grade, Kind, grade_of_folder, kind_of_folder

EventKind = Literal["out", "in", "quote", "pi", "order", "card", "grade"]
DateSource = Literal["header", "filename", "mtime"]
CONTACT_KINDS: tuple[EventKind, ...] = ("out", "in", "quote", "pi", "order")
MAIL_SUFFIXES = (".eml", ".msg")
CONTACT_FILE = "Contact.txt"

# Names that are never a contact: editors' lock and temp files, partial
# downloads, OS litter, and what sync tools leave behind while they work.
IGNORED_NAMES = frozenset({".ds_store", "thumbs.db", "desktop.ini", "icon\r", ".directory"})
IGNORED_PATTERNS = (
    "~$*",  # Office owner files
    ".~lock.*#",  # LibreOffice locks
    "~*.tmp",
    "*.tmp",
    "*.temp",
    "*.part",
    "*.partial",
    "*.crdownload",
    "*.download",
    "*.opdownload",
    "*.!ut",
    "*.swp",
    "*~",
    "*.sync-conflict-*",  # Syncthing
    "*(conflicted copy*",  # Dropbox, Nextcloud
    "*(冲突副本*",  # Dropbox/Nutstore, Chinese
    "*.driveupload",  # Google Drive
    "*.icloud",  # iCloud placeholders
)


def is_ignored(name: str) -> bool:
    """True for temporary, system, hidden and sync-tool files, which are never contact."""
    if name.startswith("."):
        return True
    folded = name.casefold()
    if folded in IGNORED_NAMES:
        return True
    return any(fnmatchcase(folded, pattern) for pattern in IGNORED_PATTERNS)


@dataclass(frozen=True)
class Place:
    """Where a file sits: which customer, which grade, which kind of folder."""

    grade: Grade
    grade_folder: str
    customer: str
    kind: Kind | Literal["card"]
    rel: str  # path inside the customer folder, "/"-separated


def place_of(parts: Sequence[str]) -> Place | None:
    """The place of a workspace-relative path given as parts, or None if it is not
    inside a customer's OUT/IN/报价/PI/定单/草稿 folder or its Contact.txt."""
    if len(parts) < 4:
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


def _keyword_pattern(word: str) -> str:
    """A keyword as a regex: Latin words whole (plural allowed), separators loose."""
    pieces = [re.escape(p) for p in re.split(r"[\s_\-.]+", word.strip()) if p]
    body = r"[\s_\-.]*".join(pieces)
    if word.isascii():
        return rf"(?<![a-z]){body}(?:e?s)?(?![a-z])"
    return body


def _alternation(labels: Mapping[str, Sequence[str]]) -> re.Pattern[str]:
    groups = []
    for i, (label, words) in enumerate(labels.items()):
        # The label itself is a keyword too: `log` writes "phone" and "price-update".
        alts = "|".join(_keyword_pattern(w) for w in (label, *words))
        groups.append(f"(?P<g{i}>{alts})")
    return re.compile("|".join(groups), re.IGNORECASE)


class Classifier:
    """Medium and topic from names and subjects, with the workspace's keyword lists."""

    def __init__(self, config: Config) -> None:
        self.media = list(config.medium_keywords)
        self.topics = list(config.topic_keywords)
        self._medium_re = _alternation(config.medium_keywords)
        self._topic_re = _alternation(config.topic_keywords)

    def medium(self, name: str) -> str:
        """``email`` for saved mail; else the leftmost medium keyword in the name; else ``file``."""
        if name.casefold().endswith(MAIL_SUFFIXES):
            return "email"
        m = self._medium_re.search(_stem(name))
        return self.media[int(m.lastgroup[1:])] if m and m.lastgroup else "file"

    def topic(self, *texts: str | None) -> str | None:
        """The topic of the leftmost topic keyword in the first text that has one."""
        for text in texts:
            if not text:
                continue
            m = self._topic_re.search(text)
            if m and m.lastgroup:
                return self.topics[int(m.lastgroup[1:])]
        return None


def _stem(name: str) -> str:
    dot = name.rfind(".")
    return name[:dot] if dot > 0 else name


@dataclass(frozen=True)
class FileFacts:
    """What the scan learned about a file; ``message_*`` only for mail it could read."""

    mtime: float
    message_date: dt.datetime | None = None
    message_subject: str | None = None


@dataclass(frozen=True)
class EventFields:
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
        when = facts.message_date
        if when.tzinfo is None:
            return when.isoformat(timespec="seconds"), when.date(), "header"
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
