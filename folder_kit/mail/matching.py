"""Whose mail a message is: plain values in, a plain decision out.

docs/cli.md, "Whose mail is it": my addresses (and my domains: those of my
addresses, free-mail ones excepted) decide the direction; a customer is found
by an exact address of its card, else by its company domain (not a free-mail
domain, not mine, not one two customers' cards share), else by the thread (a
reference to mail already filed for it). No I/O here: the importer hands in
what the cards, the settings and the index say.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from folder_kit.workspace.config import DEFAULT_FREE_MAIL_DOMAINS
from folder_kit.workspace.contact import normal_address

__all__ = ["Decision", "Directory", "Parties", "decide", "domain_of", "normal"]

Direction = Literal["out", "in"]
Verdict = Literal["filed", "internal", "unmatched"]


# An address as it is compared: the index keeps the cards' addresses so.
normal = normal_address


def domain_of(address: str) -> str:
    """The domain of a normalised address ("" where it has none)."""
    at = address.rfind("@")
    return address[at + 1 :] if at >= 0 else ""


@dataclass(frozen=True, slots=True)
class Parties:
    """Who a message names, its addresses normalised (``normal``), and what it replies to."""

    sender: tuple[str, ...]  # From
    reply_to: tuple[str, ...]
    recipients: tuple[str, ...]  # To, Cc and Bcc
    references: tuple[str, ...] = ()  # mail keys: In-Reply-To first, then References, newest first


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do with a message: file it (for ``customers``, into OUT or IN), or not."""

    verdict: Verdict
    direction: Direction
    customers: tuple[str, ...] = ()  # customer keys, sorted
    correspondents: tuple[str, ...] = ()  # the addresses that are not mine
    by_thread: bool = False


class FreeMail:
    """The free-mail domains: exact names, and "provider.*" for all of a provider's."""

    def __init__(self, domains: Iterable[str]) -> None:
        self.exact = frozenset(d for d in domains if not d.endswith(".*"))
        self.providers = frozenset(d[:-2] for d in domains if d.endswith(".*"))

    def __contains__(self, domain: object) -> bool:
        if not isinstance(domain, str) or not domain:
            return False
        if domain in self.exact:
            return True
        labels = domain.split(".")
        # A provider's name under a top-level domain (gmx.de, gmx.net) or a country's
        # second-level one (yahoo.co.uk, yahoo.com.tw); a subdomain of a free-mail
        # domain (vip.qq.com) is free mail too.
        if labels[0] in self.providers and (
            len(labels) == 2 or (len(labels) == 3 and len(labels[2]) == 2)
        ):
            return True
        return any(".".join(labels[i:]) in self.exact for i in range(1, len(labels) - 1))


class Directory:
    """What the cards and the settings say about addresses, for ``decide``."""

    def __init__(
        self,
        *,
        cards: Iterable[tuple[str, str]],
        mine: Iterable[str],
        free_mail: Iterable[str] = (),
        match_domains: bool = True,
    ) -> None:
        """``cards``: (address, customer key) pairs, addresses normalised; ``mine``: my
        addresses; ``free_mail``: domains added to the built-in list."""
        self.free = FreeMail((*DEFAULT_FREE_MAIL_DOMAINS, *free_mail))
        self.mine = frozenset(normal(a) for a in mine)
        self.my_domains = frozenset(
            d for d in map(domain_of, self.mine) if d and d not in self.free
        )
        by_address: dict[str, set[str]] = {}
        by_domain: dict[str, set[str]] = {}
        for address, customer in cards:
            by_address.setdefault(address, set()).add(customer)
            domain = domain_of(address)
            if domain and domain not in self.free and domain not in self.my_domains:
                by_domain.setdefault(domain, set()).add(customer)
        self.by_address = {a: tuple(sorted(c)) for a, c in by_address.items()}
        # A domain two customers' cards share says nothing about which one writes.
        self.by_domain = (
            {d: next(iter(c)) for d, c in by_domain.items() if len(c) == 1} if match_domains else {}
        )

    def is_mine(self, address: str) -> bool:
        """Mine or a colleague's: one of my addresses, or any at my domains."""
        return address in self.mine or domain_of(address) in self.my_domains

    def customers_of(self, address: str) -> tuple[str, ...]:
        """The customers an address is: by their cards, else by their company domain."""
        found = self.by_address.get(address)
        if found is not None:
            return found
        customer = self.by_domain.get(domain_of(address))
        return (customer,) if customer is not None else ()

    def claimed(self, address: str) -> bool:
        """Whether a card names this address or (matching by domain) its domain."""
        return bool(self.customers_of(address))

    def key_of(self, address: str) -> str:
        """How unmatched correspondents are grouped: by domain, a free-mail address by itself."""
        domain = domain_of(address)
        return address if not domain or domain in self.free else domain


def decide(
    parties: Parties,
    directory: Directory,
    threads: Callable[[str], Collection[str]] | Mapping[str, Collection[str]],
) -> Decision:
    """Whose mail a message is. ``threads`` gives the customers a mail key was filed
    for (a mapping or a function); it is asked only when no address matches."""
    sent = any(directory.is_mine(a) for a in parties.sender)
    direction: Direction = "out" if sent else "in"
    candidates = parties.recipients if sent else (*parties.sender, *parties.reply_to)
    correspondents = tuple(dict.fromkeys(a for a in candidates if not directory.is_mine(a)))
    if sent and not correspondents:  # among me and my colleagues only
        return Decision("internal", direction)
    customers: set[str] = set()
    for address in correspondents:
        customers.update(directory.customers_of(address))
    if customers:
        return Decision("filed", direction, tuple(sorted(customers)), correspondents)
    lookup = threads.get if isinstance(threads, Mapping) else threads
    for reference in parties.references:
        found = lookup(reference)
        if found:
            return Decision("filed", direction, tuple(sorted(found)), correspondents, True)
    return Decision("unmatched", direction, (), correspondents)
