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
from functools import lru_cache
from typing import Literal

from folder_kit.terms import LOG_MEDIA
from folder_kit.timeline.dates import date_from_name
from folder_kit.timeline.instants import Zone, day_of, instant, instant_in_future, text_in
from folder_kit.workspace.config import Config
from folder_kit.workspace.contact import CONTACT_FILE
from folder_kit.workspace.ignore import is_ignored
from folder_kit.workspace.layout import (
    kind_of_folder,
)

EventKind = Literal["out", "in", "quote", "pi", "order", "card", "grade"]
DateSource = Literal["header", "filename", "mtime"]
CONTACT_KINDS: tuple[EventKind, ...] = ("out", "in", "quote", "pi", "order")
MAIL_SUFFIXES = (".eml", ".msg")


# The letters of scripts written with spaces between words, casefolded and in NFC:
# Latin with its accents (Vietnamese too), Greek, Cyrillic, and combining marks
# (what casefolding "İ" leaves). A keyword in these scripts matches whole words
# only: "tel" is not in "hôtel", "order" not in "ordering". Chinese and Japanese
# have no spaces: their keywords match anywhere, so they must be whole words of
# two characters or more.
WORD_LETTERS = (
    "a-z\u00df-\u00f6\u00f8-\u00ff\u0100-\u024f\u0300-\u036f\u0370-\u03ff\u0400-\u04ff\u1e00-\u1eff"
)
_LETTERS = re.compile(f"[{WORD_LETTERS}]+")
# Words that end English compounds after a hyphen and are keywords on their own.
HYPHEN_ENDINGS = frozenset({"ups"})
# "#" ending a keyword stands for a document number after its words: "PO#" is
# "PO 4711", "PO#4711", "PO-4711", "PO4711", "PO No. 4711"; "order#" is "Order
# #10234", "order no. 4711". At least three digits: "Raspberry Pi 4" is no PI.
NUMBER_MARK = "#"
_NUMBER = r"[\s_\-.:#]*(?:(?:no|nr|n|num|number|n°|nº)\.?[\s_\-.:#]*)?[0-9]{3}"


class KeywordMatcher:
    """Finds the leftmost keyword of any label in a text.

    Keywords in scripts written with spaces (Latin, accented or not, Greek,
    Cyrillic) match whole words, a plural "s" allowed, and the words of a
    several-word keyword may be joined by spaces, ``_``, ``-`` or ``.``, or
    written together ("price list", "Price_List", "pricelist"); so "ups" does not
    fire inside "follow-ups". Chinese keywords match anywhere. A keyword with
    digits or signs ("ISO9001", "163.com") matches where no letter or digit
    continues it; one ending in ``#`` is its words followed by a number ("PO#").
    Words are looked up in a dict rather than tried one regex alternative at a
    time: a scan calls this for every file.

    ``label_words``: whether a one-word label is a keyword of its own too (the
    media: `log` writes "chat"); a label of several words always is
    ("price-update", which `log` writes).
    """

    def __init__(self, labels: Mapping[str, Sequence[str]], *, label_words: bool = True) -> None:
        self.labels = list(labels)
        # first word -> [(all words, label index)], longest keywords first
        self.words: dict[str, list[tuple[tuple[str, ...], int]]] = {}
        # (regex, label index, the keyword's length, can it occur in ASCII text)
        self.patterns: list[tuple[str, int, int, bool]] = []
        # The same of the keywords before a number ("PO#"), and their first words.
        self.numbered: list[tuple[str, int, int, bool]] = []
        self._numbered_words: set[str] = set()
        for i, (label, keywords) in enumerate(labels.items()):
            several = len(_split(label.casefold())) > 1
            for keyword in (label, *keywords) if label_words or several else keywords:
                self._add(keyword, i)
        for entries in self.words.values():
            entries.sort(key=lambda e: -len(e[0]))
        # Every word _at can take for the start of a keyword: a first word or its plural.
        self._forms = frozenset(
            form for word in self.words for form in (word, word + "s", word + "es")
        )
        # All other keywords in one alternation, searched once, longest first so
        # that at one position the longer keyword wins. Those with non-ASCII
        # characters cannot occur in an ASCII text, the common case: apart.
        self._subs = _alternation(self.patterns)
        self._ascii_subs = _alternation([p for p in self.patterns if p[3]])
        # Searched only in a text that holds one of their first words: one set
        # operation spares most names a regex search.
        self._numbers = _alternation(self.numbered)
        self._number_words = frozenset(self._numbered_words)
        # Answers by text: a thread's mails share a subject ("Re: Quotation QT-1437"),
        # and a look-up costs a twentieth of a search (a scan asks of every file).
        self._found: dict[str, str | None] = {}

    def _add(self, keyword: str, label: int) -> None:
        folded = unicodedata.normalize("NFC", keyword.casefold().strip())
        numbered = folded.endswith(NUMBER_MARK)
        parts = _split(folded.rstrip(NUMBER_MARK) if numbered else folded)
        if not numbered and parts and all(_LETTERS.fullmatch(p) for p in parts):
            self.words.setdefault(parts[0], []).append((parts, label))
            if len(parts) > 1:
                joined = "".join(parts)
                self.words.setdefault(joined, []).append(((joined,), label))
            return
        text = folded.rstrip(NUMBER_MARK).strip() if numbered else folded
        if not text:
            return
        pattern = re.escape(text)
        if numbered:
            pattern = r"[\s_\-.]*".join(re.escape(p) for p in parts) + _NUMBER
        # Not glued to a word or number it is part of: "ISO9001" is not in "ISO90012".
        if _LETTERS.match(text[0]) or text[0].isdigit():
            pattern = f"(?<![{WORD_LETTERS}0-9]){pattern}"
        # ...nor continued by one (after a number, more digits are more of the number).
        if not numbered and _LETTERS.match(text[-1]):
            pattern += f"(?![{WORD_LETTERS}])"
        elif not numbered and text[-1].isdigit():
            pattern += f"(?![{WORD_LETTERS}0-9])"
        entry = (pattern, label, len(text), text.isascii())
        if numbered and parts and _LETTERS.fullmatch(parts[0]):
            self.numbered.append(entry)
            self._numbered_words.add(parts[0])
        else:
            self.patterns.append(entry)

    def find(self, text: str) -> str | None:
        """The label of the leftmost keyword in ``text``, or None."""
        return self.find_folded(text.casefold())

    def find_folded(self, folded: str) -> str | None:
        """``find`` of a text already casefolded (casefolding twice changes nothing:
        a scan folds each name once for all its questions)."""
        found = self._found
        try:
            return found[folded]
        except KeyError:
            pass
        if len(found) >= _REMEMBERED:
            found.clear()  # bounded: a workspace's names are mostly one-offs
        label = found[folded] = self._search(folded)
        return label

    def _search(self, folded: str) -> str | None:
        ascii_text = folded.isascii()
        if not ascii_text and not unicodedata.is_normalized("NFC", folded):
            folded = unicodedata.normalize("NFC", folded)  # macOS names are decomposed
        best_pos = len(folded) + 1
        best: int | None = None
        subs = self._subs if not ascii_text else self._ascii_subs
        if subs is not None:
            pattern, sub_labels = subs
            m = pattern.search(folded)
            if m is not None and m.lastindex is not None:
                best_pos, best = m.start(), sub_labels[m.lastindex - 1]
        if best_pos == 0:
            return self.labels[best] if best is not None else None
        # Most words start no keyword: a text none of whose words does (nor its
        # plural) is ruled out by one set operation in C, and the loop below
        # skips such words with one look-up.
        tokens = _LETTERS.findall(folded)
        if self._numbers is not None and not self._number_words.isdisjoint(tokens):
            pattern, number_labels = self._numbers
            m = pattern.search(folded)
            if m is not None and m.lastindex is not None and m.start() < best_pos:
                best_pos, best = m.start(), number_labels[m.lastindex - 1]
        forms = self._forms
        if forms.isdisjoint(tokens):
            return self.labels[best] if best is not None else None
        # Where each word starts, found without a second regex pass: the text
        # between two words holds no letter, so a word's first occurrence after the
        # end of the one before it is where it is.
        end = 0
        for n, token in enumerate(tokens):
            start = folded.find(token, end)
            if start >= best_pos:
                break
            end = start + len(token)
            if token not in forms:
                continue
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


# Texts whose answer a matcher remembers at most (then it starts again).
_REMEMBERED = 8192


def _split(keyword: str) -> tuple[str, ...]:
    """The words of a casefolded keyword, however they are joined."""
    return tuple(p for p in re.split(r"[\s_\-.]+", keyword) if p)


def _alternation(
    patterns: list[tuple[str, int, int, bool]],
) -> tuple[re.Pattern[str], list[int]] | None:
    if not patterns:
        return None
    ordered = sorted(patterns, key=lambda p: -p[2])
    pattern = re.compile("|".join(f"({p[0]})" for p in ordered))
    return pattern, [p[1] for p in ordered]


def _plural(word: str, token: str) -> bool:
    # Not for two-letter keywords: "POS" is no plural of "PO".
    return len(word) > 2 and token in (word + "s", word + "es")


class Classifier:
    """Medium and topic from names and subjects, with the workspace's keyword lists."""

    def __init__(self, config: Config) -> None:
        self._media = KeywordMatcher(config.medium_keywords)
        # "order" and "quote" are topic names, yet "order" alone is no keyword: the
        # lists decide. (What `log` writes is read by _LOGGED.)
        self._topics = KeywordMatcher(config.topic_keywords, label_words=False)
        self._labels = frozenset(config.topic_keywords)

    def medium(self, name: str) -> str:
        """``email`` for saved mail; else the leftmost medium keyword in the name; else ``file``.

        An invitation to visit is no visit: its words are left out first, so
        ``visit invitation.txt`` is a file (topic visit-invite) and what `log`
        writes for a visit about one, ``visit visit-invite.txt``, is still a visit.
        """
        return self.medium_folded(name.casefold())

    def medium_folded(self, folded: str) -> str:
        """``medium`` of a name already casefolded."""
        if folded.endswith(MAIL_SUFFIXES):
            return "email"
        stem = _stem(folded)
        if "invit" in stem or "邀请" in stem:  # in every form _INVITATION knows
            stem = _INVITATION.sub(" ", stem)
        return self._media.find_folded(stem) or "file"

    def topic(self, *texts: str | None) -> str | None:
        """The topic of the leftmost topic keyword in the first text that has one."""
        for text in texts:
            if text:
                found = self.topic_in(text, text.casefold())
                if found is not None:
                    return found
        return None

    def topic_in(self, text: str, folded: str) -> str | None:
        """The topic of one text, given with its casefolded form."""
        if text[0] in _DIGITS:  # what `log` writes starts with its day
            logged = _LOGGED.match(text)
            if logged is not None and logged["topic"] in self._labels:
                return logged["topic"]
        return self._topics.find_folded(folded)


_DIGITS = frozenset("0123456789")
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


# An event's fields as the index keeps them: (kind, date, day, instant, date source,
# medium, topic, subject). A plain tuple: a scan makes one per file, and adds them to
# its rows.
Fields = tuple[EventKind, str, str, int | None, DateSource, str | None, str | None, str | None]

DEFAULT_TOPIC: Mapping[str, str] = {"quote": "quote", "pi": "order", "order": "order"}


def date_text(
    name: str, mtime: float, message_date: dt.datetime | None, zone: Zone = None
) -> tuple[str, str, int | None, DateSource]:
    """The event's date, first that exists: the message's own, a date in the name,
    the mtime; as (ISO date or time, the user's ISO day, the instant or None for a
    day alone, which source gave it). ``zone``: the user's (``instants.Zone``). A
    mail dated more than a day after its file was saved (the sender's clock was
    wrong) is dated when it arrived: the file's mtime."""
    if message_date is not None:
        at = instant(message_date)  # once: the future check and the row both need it
        if not instant_in_future(at, mtime):
            # With its own offset; none for a "-0000" zone. An ISO time starts with its
            # day. Mail dates have whole seconds but for some .msg: timespec only then.
            date = (
                message_date.isoformat()
                if not message_date.microsecond
                else message_date.isoformat(timespec="seconds")
            )
            return date, day_of(at, zone), at, "header"
    else:
        day = date_from_name(name)
        if day is not None:
            text = day.isoformat()
            return text, text, None, "filename"
    at = int(mtime // 1)
    date = text_in(at, zone)
    return date, date[:10], at, "mtime"


@lru_cache(maxsize=4096)
def contact_kind(folder: str) -> EventKind | None:
    """The event a file in ``folder`` stands for (the path of its folder inside the
    customer folder, "/"-separated, not ""), or None when no file there is contact:
    a folder of no kind, a 草稿/, or anything inside a 草稿/ kept in OUT or IN.

    A table filled as folders are met (cached): the same few folder names recur in
    every customer, and a scan asks this of every file.
    """
    top, _, below = folder.partition("/")
    kind = kind_of_folder(top)
    if kind is None or kind == "drafts":
        return None
    if below and any(kind_of_folder(p) == "drafts" for p in below.split("/")):
        return None
    return kind


def classify(
    folder: str,
    name: str,
    mtime: float,
    message_date: dt.datetime | None = None,
    subject: str | None = None,
    *,
    classifier: Classifier,
    folded: str | None = None,
    zone: Zone = None,
    screened: bool = False,
) -> Fields | None:
    """The event a file stands for, or None when it is not a contact.

    ``folder``: the file's folder inside the customer folder ("OUT", "IN/2025"; ""
    for the customer folder itself); ``mtime``, ``message_date`` and ``subject``:
    what the scan learned of the file (the last two from a mail it could read);
    ``folded``: the name casefolded, when the caller has it already; ``zone``: the
    user's, whose days events are counted in (``instants.Zone``); ``screened``:
    the caller has passed over the name already when ``is_ignored`` says so (a
    scan's walk does, before it stats the file), so it is not asked again here.
    Plain values in, a plain tuple out: the scan calls this for every file it reads.
    A mail dated by its arrival because its own date lies in the future is told by
    its date source, "mtime", with a ``message_date`` given.
    """
    # In the customer folder itself only its card is contact.
    kind = contact_kind(folder) if folder else "card" if name == CONTACT_FILE else None
    if kind is None:
        return None
    if folded is None:
        folded = name.casefold()
    if not screened and is_ignored(name, folded=folded):
        return None
    date, day, at, source = date_text(name, mtime, message_date, zone)
    if kind == "card":
        return "card", date, day, at, source, None, None, None
    topic = classifier.topic_in(subject, subject.casefold()) if subject else None
    if topic is None:
        stem = _stem(name)
        if stem:
            topic = classifier.topic_in(stem, _stem(folded))
        if topic is None:
            topic = DEFAULT_TOPIC.get(kind, "other")
    return kind, date, day, at, source, classifier.medium_folded(folded), topic, subject
