"""The Check step of the course's PDCA, run on a draft before it is written.

Pure: the rendered mail and what it should hold in, a list of warnings out.
A draft from a full card and a configured sender has none. The taboos a draft
can break (too direct, too soon) are judged by `check`'s own rules, in
``followup/taboos/``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from folder_kit.followup.rules import Ev
from folder_kit.followup.taboos.too_direct import pushy_phrases_in
from folder_kit.followup.taboos.too_short import too_soon
from folder_kit.timeline.instants import day_end

# Subjects that say nothing: a mail with one of these is not opened first.
GENERIC_SUBJECTS = frozenset(
    {
        "hello",
        "hi",
        "follow up",
        "follow-up",
        "following up",
        "checking in",
        "greetings",
        "news",
        "update",
        "information",
        "re",
        "跟进",
        "问候",
        "你好",
        "您好",
        "更新",
        "消息",
    }
)
_PLACEHOLDER = re.compile(
    r"\{\{.*?\}\}|\{%.*?%\}|\{\{|\}\}|\{%|%\}|\[[^\]\n]{0,40}\]|【[^】\n]{0,40}】|<<[^>\n]*>>"
    r"|\b(?:XXX+|TODO|TBD|FIXME|N/A)\b|\?\?\?"
)
_MENTIONS_ATTACHMENT = re.compile(r"\battach(?:ed|ment|ments)?\b|附件|附上", re.IGNORECASE)
_LATIN_WORD = re.compile(r"[^\W_]+(?:['’.,-][^\W_]+)*")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class Expected:
    """What the mail must hold to pass the Check."""

    contact_name: str
    signature: str
    max_words: int
    pushy_phrases: Sequence[str]
    recent_topics: Sequence[str | None]  # of the last N follow-ups, newest first
    topic: str
    subject_topic: str | None  # what the scan will read the subject as
    missing_attachments: Sequence[str] = ()
    attachments: int = 0
    # False when `me:` is incomplete: that has a warning of its own, saying what to fill in.
    check_signature: bool = True
    # What the mail quotes from the data (the customer's subject, names, file names):
    # "[USRP-users]" or "TBD" there is the customer's, not a placeholder left.
    quoted: Sequence[str] = ()
    # A reply keeps the buyer's subject: it is filed by what they asked, whatever it reads as.
    keeps_their_subject: bool = False


_CLOSING = re.compile(
    r"^\s*(best|kind|warm|warmest)?\s*(regards|wishes)[,.!]*\s*$|^\s*(yours\s+)?sincerely[,.]*\s*$"
    r"|^\s*cheers[,.!]*\s*$|^\s*(此致|顺祝商祺|祝好|顺颂商祺)[！!，,。]*\s*$",
    re.IGNORECASE,
)


def split_closing(signature: str) -> tuple[str, str]:
    """A signature's leading closing line ("Best regards,") and the rest, which a
    Chinese template signs with its own closing."""
    first, _, rest = signature.strip("\n").partition("\n")
    if _CLOSING.match(first):
        return first.strip(), rest
    return "", signature.strip("\n")


def count_words(text: str) -> int:
    """Latin words and numbers, plus each Chinese character (about a word's worth)."""
    return len(_LATIN_WORD.findall(_CJK.sub(" ", text))) + len(_CJK.findall(text))


def check_draft(*, subject: str, body: str, expected: Expected) -> list[str]:
    warnings: list[str] = []
    plain = subject.strip().casefold().strip(".!:：！ ")
    # A reply keeps their subject, however short ("Re: Ordine"): a new one would
    # break the thread in their mail program.
    if not expected.keeps_their_subject and (plain in GENERIC_SUBJECTS or count_words(subject) < 3):
        warnings.append(f"the subject {subject!r} is not specific: say what the mail brings")
    if not expected.keeps_their_subject and expected.subject_topic != expected.topic:
        warnings.append(
            f"the subject {subject!r} does not read as {expected.topic}: once sent, the "
            f"timeline will file it as {expected.subject_topic or 'other'}"
        )
    first = next((line for line in body.splitlines() if line.strip()), "")
    if not expected.contact_name:
        warnings.append(
            "the salutation has no name: Contact.txt names no contact (add a `Name:` line)"
        )
    elif not _names_in(expected.contact_name, first):
        warnings.append(f"the salutation {first.strip()!r} lacks {expected.contact_name}")
    signature = split_closing(expected.signature)[1].strip()
    if expected.check_signature and (
        not signature or signature.splitlines()[0].strip() not in body
    ):
        warnings.append("there is no signature: fill in `me:` in folder-kit.yaml")
    for name in expected.missing_attachments:
        warnings.append(f"the attachment {name} is missing")
    if not expected.attachments and _MENTIONS_ATTACHMENT.search(body):
        warnings.append("the mail mentions an attachment, but nothing is attached")
    text = body.replace(signature, "") if signature else body
    words = count_words(text)
    if words > expected.max_words:
        warnings.append(
            f"the mail has {words} words, over the limit of {expected.max_words}: keep it concise"
        )
    for m in _PLACEHOLDER.finditer(f"{subject}\n{body}"):
        if not any(m.group() in text for text in expected.quoted):
            warnings.append(f"a placeholder is left: {m.group()!r}")
    for phrase in pushy_phrases_in(f"{subject}\n{body}", expected.pushy_phrases):
        warnings.append(f"a pushy phrase: {phrase!r}; give a reason to reply instead")
    if expected.topic in [t for t in expected.recent_topics if t]:
        n = len(expected.recent_topics)
        warnings.append(
            f"the same topic as one of the last {n} follow-ups ({expected.topic}): "
            "find a fresh reason"
        )
    return warnings


def _names_in(name: str, line: str) -> bool:
    """The salutation holds the contact's name, or a part of it ("Dear Ms Walsh")."""
    folded = line.casefold()
    parts = [p for p in re.split(r"[\s()（）,]+", name.casefold()) if len(p) > 1]
    return name.casefold() in folded or any(p in folded for p in parts)


def interval_warning(
    *,
    last_out: Ev,
    events: Sequence[Ev],
    today: dt.date,
    cadence: int,
    percent: int,
) -> str | None:
    """The taboo "interval too short", as `check` judges it, for the mail about to be
    written: the last follow-up went out less than ``percent`` % of a cadence ago,
    with no answer since."""
    # The mail about to be written goes out at the end of the day judged, after all of it.
    then = Ev("out", today, stamp=day_end(today.isoformat()))
    if not too_soon(last_out, then, events, cadence=cadence, percent=percent):
        return None
    gap = (today - last_out.day).days
    return (
        f"the last follow-up went out on {last_out.day}, {gap} day{'s' if gap != 1 else ''} ago, "
        f"with no answer since: less than {percent} % of the {cadence}-day cadence; "
        f"leave about {cadence} days between follow-ups"
    )
