"""The domain's fixed words: the media and topics of a contact.

Kept apart from ``config`` (which loads PyYAML) so that the command line can
offer them in ``--help`` without loading anything.
"""

from __future__ import annotations

# How a contact was made; "file" is any other file in OUT/IN.
MEDIA = ("email", "phone", "fax", "courier", "chat", "visit", "file")
# What `folder-kit log` can record: every medium but a bare file.
LOG_MEDIA = ("phone", "fax", "courier", "chat", "visit", "email")

# What a self-check completes: the last thing sent in writing. An `out` by one of
# these media (a mail, a fax, a document: any other file in OUT/), or a quotation
# or proforma invoice; not a call, a visit, a chat or a parcel, which leave
# nothing written to correct or complete.
WRITTEN_MEDIA = ("email", "fax", "file")
WRITTEN_KINDS = ("quote", "pi")
# How a self-check names it, by kind, then by medium (anything else is "document").
WRITTEN_AS = {"quote": "quotation", "pi": "proforma invoice", "email": "mail", "fax": "fax"}


def written_as(kind: str, medium: str | None) -> str:
    """What a self-check calls the thing it completes: "mail", "fax", "document",
    "quotation" or "proforma invoice"."""
    return WRITTEN_AS.get(kind) or WRITTEN_AS.get(medium or "", "document")


# The course's seven reasons to write again.
FOLLOW_UP_TOPICS = (
    "self-check",
    "price-update",
    "product-update",
    "company-news",
    "exhibition-invite",
    "visit-invite",
    "holiday-greeting",
)
# What `folder-kit log` can record; "other" is what no keyword matched.
LOG_TOPICS = (*FOLLOW_UP_TOPICS, "first-contact", "quote", "order")
TOPICS = (*LOG_TOPICS, "other")
# What `draft --topic` can write about: a reply answers a customer who wrote and
# was never written back to (it keeps their subject, so it is filed by what they asked).
DRAFT_TOPICS = (*FOLLOW_UP_TOPICS, "first-contact", "reply")
