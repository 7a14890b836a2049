"""`mail unmatched`: the correspondents of mail no customer claims, grouped as a
salesperson would turn them into prospects. Plain values in, plain values out."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from folder_kit.mail.matching import Directory, domain_of
from folder_kit.timeline.unmatched import Sighting

__all__ = ["SUBJECTS_SHOWN", "Correspondent", "group_unmatched", "suggested_name"]

SUBJECTS_SHOWN = 3  # the latest subjects of a group: enough to tell an inquiry from spam

# Second-level labels under a country's domain: "acme.co.uk" is Acme, not Co.
_GENERIC_LABELS = {"co", "com", "net", "org", "ac", "gov", "edu", "ltd", "plc", "or", "ne"}
_PLAIN = re.compile(r"[\w .&-]+")


@dataclass(frozen=True)
class Correspondent:
    """A company domain (or one free-mail address) seen in unmatched mail."""

    key: str  # the domain, or the address for a free-mail one
    addresses: tuple[str, ...]  # most messages first
    messages: int
    first: str  # YYYY-MM-DD
    last: str
    subjects: tuple[str, ...]  # the latest first

    def as_json(self) -> dict[str, object]:
        return {
            "key": self.key,
            "addresses": list(self.addresses),
            "messages": self.messages,
            "first": self.first,
            "last": self.last,
            "subjects": list(self.subjects),
        }

    @property
    def claim(self) -> str | None:
        """The `customer add` line that would claim this mail (a prospect, grade P),
        with the address most messages came from that a person answers; None when
        every address is a machine's (no-reply, mailer-daemon...): a card with one
        would address drafts to it."""
        person = next((a for a in self.addresses if not is_automated(a)), None)
        if person is None:
            return None
        name = suggested_name(self.key)
        return f'folder-kit customer add "{name}" --grade P --email {person}'


# The local parts of addresses no person reads: "no-reply@", "noreply-123@",
# "do_not_reply@", "mailer-daemon@", "postmaster@", "bounces+x@", "notifications@".
# (Not "info@" or "sales@": small companies answer those.)
_AUTOMATED = re.compile(
    r"(?:no|do[-_.]?not)[-_.]?reply|mailer[-_.]?daemon|postmaster|bounces?|notifications?"
    r"|newsletters?"
)


def is_automated(address: str) -> bool:
    """Whether mail to ``address`` (normalised) reaches no person."""
    local = address.partition("@")[0]
    found = _AUTOMATED.match(local)
    return found is not None and (
        found.end() == len(local) or local[found.end()] in "-_.+0123456789"
    )


def group_unmatched(sightings: Iterable[Sighting], directory: Directory) -> list[Correspondent]:
    """The groups of the sightings that no card claims now, most messages first
    (then the latest mail first, then by key)."""
    groups: dict[str, dict[str, list[Sighting]]] = {}
    for s in sightings:
        if directory.claimed(s.address) or directory.is_mine(s.address):
            continue
        groups.setdefault(directory.key_of(s.address), {}).setdefault(s.address, []).append(s)
    out = []
    for key, by_address in groups.items():
        messages: dict[str, Sighting] = {}
        for rows in by_address.values():
            for s in rows:
                messages.setdefault(s.message_id, s)
        days = sorted(s.day for s in messages.values())
        latest = sorted(messages.values(), key=lambda s: (s.day, s.subject), reverse=True)
        subjects = tuple(dict.fromkeys(s.subject for s in latest if s.subject))[:SUBJECTS_SHOWN]
        addresses = sorted(by_address, key=lambda a: (-len(by_address[a]), a))
        out.append(
            Correspondent(
                key=key,
                addresses=tuple(addresses),
                messages=len(messages),
                first=days[0],
                last=days[-1],
                subjects=subjects,
            )
        )
    # Stable sorts, last key first: by key, then the latest mail first, then most messages.
    out.sort(key=lambda c: c.key)
    out.sort(key=lambda c: c.last, reverse=True)
    out.sort(key=lambda c: c.messages, reverse=True)
    return out


def suggested_name(key: str) -> str:
    """A customer name to start from: "Acme Lighting" for acme-lighting.co.uk, the
    person's name as written before the @ for a free-mail address."""
    if "@" in key:
        local = key.split("@", 1)[0]
        words = re.split(r"[._\-+]+", local)
    else:
        labels = domain_of(f"@{key}").split(".")
        labels = labels[:-1] or labels  # the top-level domain
        if len(labels) > 1 and labels[-1] in _GENERIC_LABELS:
            labels = labels[:-1]
        words = labels[-1].split("-")
    name = " ".join(w[:1].upper() + w[1:] for w in words if w)
    return name if name and _PLAIN.fullmatch(name) else key
