"""Who a message names, from its bytes: From, Reply-To, To, Cc, Bcc, and the mail
it replies to (In-Reply-To, References), for ``matching.decide``."""

from __future__ import annotations

import io
import re
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses
from pathlib import Path

from folder_kit.mail.matching import Parties, normal
from folder_kit.timeline.mail import OLE_MAGIC, header_block_of, message_key, message_key_of

__all__ = ["read_key_and_parties", "read_parties"]

_MESSAGE_ID = re.compile(r"<([^<>]+)>")
_ADDRESS = re.compile(r"[^@\s<>,;:\"()\[\]]+@[^@\s<>,;:\"()\[\]]+\.[^@\s<>,;:\"()\[\].]+")
_PARSER = BytesHeaderParser(policy=compat32)


def read_parties(data: bytes, *, path: Path) -> Parties:
    """The parties of an ``.eml`` (its header block) or an Outlook ``.msg``.

    Raises MailError for a .msg that cannot be read (an .eml always gives
    something, if only nobody)."""
    if data.startswith(OLE_MAGIC):
        return _msg_parties(data, path)
    block = header_block_of(data)
    return _parties(_plain_fields(block) or _parsed_fields(block))


def read_key_and_parties(data: bytes) -> tuple[str, Parties] | None:
    """The key ``message_key_of`` gives an ``.eml`` and its parties, from one
    reading of its header block, for telling a message filed already at the
    least cost; None where that key is None (an Outlook .msg, no mail)."""
    if data.startswith(OLE_MAGIC):
        return None
    block = header_block_of(data)
    fields = _plain_fields(block)
    ids = fields["message-id"] if fields is not None else []
    # A plain block's first Message-ID is the field a scan keys the mail by;
    # anything else (no Message-ID: the hash of all the bytes) is left to it.
    key = (message_key(ids[0]) if ids else None) or message_key_of(data)
    if key is None:
        return None
    return key, _parties(fields or _parsed_fields(block))


def _parsed_fields(block: bytes) -> dict[str, list[str]]:
    headers = _PARSER.parsebytes(block + b"\n\n")
    return {name: [str(v) for v in headers.get_all(name, [])] for name in _WANTED}


def _parties(fields: dict[str, list[str]]) -> Parties:
    return Parties(
        sender=_addresses(fields["from"]),
        reply_to=_addresses(fields["reply-to"]),
        recipients=_addresses(fields["to"] + fields["cc"] + fields["bcc"]),
        references=_references(fields["in-reply-to"], fields["references"]),
    )


_WANTED = ("from", "reply-to", "to", "cc", "bcc", "in-reply-to", "references", "message-id")


def _plain_fields(block: bytes) -> dict[str, list[str]] | None:
    """The values of the fields wanted, as the feed parser (compat32) gives them,
    from a header block in the shape nearly all mail has: ASCII, lines ending
    in LF or CRLF, each a ``Name:`` field or the continuation of one. None for
    any other block, left to the parser itself: importing a source again reads
    the parties of every message, and the parser costs more than the rest."""
    if not block.isascii() or block.count(b"\r") != block.count(b"\r\n"):
        return None
    text = block.decode("ascii")
    if _PLAIN_BLOCK.fullmatch(text) is None:
        return None
    fields: dict[str, list[str]] = {name: [] for name in _WANTED}
    for name, value in _WANTED_FIELD.findall(text):
        # The parser's value: blanks after the colon left out, the line ends of
        # its continuation lines kept, the last one's not.
        fields[name.lower()].append(value.rstrip("\r\n"))
    return fields


_PLAIN_BLOCK = re.compile(r"[!-9;-~]+:.*(?:\n(?:[!-9;-~]+:|[ \t]).*)*")
_WANTED_FIELD = re.compile(
    r"(?:\A|\n)(from|reply-to|to|cc|bcc|in-reply-to|references|message-id):[ \t]*"
    r"(.*(?:\n[ \t].*)*)",
    re.IGNORECASE,
)


def _addresses(values: list[str]) -> tuple[str, ...]:
    found: dict[str, None] = {}
    plain = _plain_addresses(", ".join(values))  # joined as getaddresses joins them
    if plain is None:
        plain = [address for _, address in getaddresses(values)]
    for address in plain:
        address = normal(address)
        if _ADDRESS.fullmatch(address):
            found[address] = None
    return tuple(found)


# An address and a list of them in the shape nearly all mail has: "a@b.c" or
# "Name <a@b.c>", the name without quotes, comments or other specials, apart by
# commas. For those, the addresses are what email.utils.getaddresses gives, at
# a fraction of its cost (a test holds the two equal).
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_PLAIN_ADDRESS = rf"{_ATOM}(?:\.{_ATOM})*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
_PLAIN_ITEM = re.compile(
    rf"[ \t\r\n]*(?:({_PLAIN_ADDRESS})|[^()<>@,:;\"\[\]\\]*<({_PLAIN_ADDRESS})>)?[ \t\r\n]*"
)


def _plain_addresses(text: str) -> list[str] | None:
    """The addresses of a plain list (above), or None for one that is not."""
    found = []
    for item in text.split(","):
        match = _PLAIN_ITEM.fullmatch(item)
        if match is None:
            return None
        address = match.group(1) or match.group(2)
        if address:
            found.append(address)
    return found


def _references(in_reply_to: list[str], references: list[str]) -> tuple[str, ...]:
    """Mail keys, the one replied to first, then the References newest first."""
    keys: dict[str, None] = {}
    for value in in_reply_to:
        for found in _MESSAGE_ID.findall(value) or [value]:
            key = message_key(f"<{found}>")
            if key:
                keys[key] = None
    for value in references:
        for found in reversed(_MESSAGE_ID.findall(value)):
            key = message_key(f"<{found}>")
            if key:
                keys[key] = None
    return tuple(keys)


def _msg_parties(data: bytes, path: Path) -> Parties:
    from folder_kit.timeline.msg import read_msg

    msg = read_msg(io.BytesIO(data), path=path)
    # The Internet headers a received message keeps say who sent it to whom as it
    # was sent; the properties are all a sent one has.
    sender = _addresses([v for v in (msg.header("from"), msg.sender_address) if v])
    recipients = _addresses(
        [r.address for r in msg.recipients if r.address]
        + [v for name in ("to", "cc") if (v := msg.header(name))]
    )
    reply_to = _addresses([v] if (v := msg.header("reply-to")) else [])
    return Parties(
        sender=sender,
        reply_to=reply_to,
        recipients=recipients,
        references=_references(
            [v for v in (msg.in_reply_to, msg.header("in-reply-to")) if v],
            [v for v in (msg.references, msg.header("references")) if v],
        ),
    )
