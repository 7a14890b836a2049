"""The domain's fixed words: the media and topics of a contact.

Kept apart from ``config`` (which loads PyYAML) so that the command line can
offer them in ``--help`` without loading anything.
"""

from __future__ import annotations

# How a contact was made; "file" is any other file in OUT/IN.
MEDIA = ("email", "phone", "fax", "courier", "chat", "visit", "file")
# What `folder-kit log` can record: every medium but a bare file.
LOG_MEDIA = ("phone", "fax", "courier", "chat", "visit", "email")

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
# What `draft --topic` can write about.
DRAFT_TOPICS = (*FOLLOW_UP_TOPICS, "first-contact")
