"""The Check step: each problem a warning, none for a good mail. Pure, by tables."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from folder_kit.drafts.check import (
    Expected,
    check_draft,
    count_words,
    interval_warning,
    split_closing,
)
from folder_kit.followup.rules import Ev
from folder_kit.workspace.config import DEFAULT_PUSHY_PHRASES

SIGNATURE = "Li Lei | Sales Manager\nSuzhou Example Co., Ltd."
GOOD_SUBJECT = "New price list for ACME GmbH, 10 November 2026"
GOOD_BODY = (
    "Dear Anna Schmidt,\n\nOur price list has just been updated: please find it attached.\n\n"
    f"Best regards,\n{SIGNATURE}\n"
)
EXPECTED = Expected(
    contact_name="Anna Schmidt",
    signature=SIGNATURE,
    max_words=250,
    pushy_phrases=DEFAULT_PUSHY_PHRASES,
    recent_topics=("self-check", "quote"),
    topic="price-update",
    subject_topic="price-update",
    attachments=1,
)


@pytest.mark.parametrize(
    ("subject", "body", "expected", "warning"),
    [
        (GOOD_SUBJECT, GOOD_BODY, EXPECTED, None),
        ("Follow up", GOOD_BODY, replace(EXPECTED, subject_topic="price-update"), "not specific"),
        (  # a reply keeps their subject, however short: another would break the thread
            "Re: Ordine",
            GOOD_BODY,
            replace(EXPECTED, topic="reply", subject_topic=None, keeps_their_subject=True),
            None,
        ),
        (
            "Hello again from Suzhou",
            GOOD_BODY,
            replace(EXPECTED, subject_topic=None),
            "does not read as price-update: once sent, the timeline will file it as other",
        ),
        (
            GOOD_SUBJECT,
            GOOD_BODY.replace("Dear Anna Schmidt", "Dear Sir"),
            EXPECTED,
            "the salutation 'Dear Sir,' lacks Anna Schmidt",
        ),
        (GOOD_SUBJECT, GOOD_BODY.replace("Dear Anna Schmidt", "Dear Anna"), EXPECTED, None),
        (
            GOOD_SUBJECT,
            GOOD_BODY,
            replace(EXPECTED, contact_name=""),
            "the salutation has no name",
        ),
        (
            GOOD_SUBJECT,
            GOOD_BODY.replace(SIGNATURE, "Li"),
            EXPECTED,
            "there is no signature",
        ),
        (  # `me:` incomplete: its own warning says what to fill in
            GOOD_SUBJECT,
            GOOD_BODY.replace(SIGNATURE, "Li"),
            replace(EXPECTED, check_signature=False),
            None,
        ),
        (
            GOOD_SUBJECT,
            GOOD_BODY,
            replace(EXPECTED, missing_attachments=("catalogue.pdf",)),
            "the attachment catalogue.pdf is missing",
        ),
        (
            GOOD_SUBJECT,
            GOOD_BODY,
            replace(EXPECTED, attachments=0),
            "mentions an attachment, but nothing is attached",
        ),
        (
            GOOD_SUBJECT,
            GOOD_BODY.replace("updated:", "updated " + "and more " * 130 + ":"),
            EXPECTED,
            "over the limit of 250",
        ),
        (GOOD_SUBJECT, GOOD_BODY.replace("Our", "[product] Our"), EXPECTED, "'[product]'"),
        (GOOD_SUBJECT, GOOD_BODY.replace("Our", "{{ name }} Our"), EXPECTED, "'{{ name }}'"),
        (GOOD_SUBJECT, GOOD_BODY.replace("Our", "XXX Our"), EXPECTED, "'XXX'"),
        (
            GOOD_SUBJECT,
            GOOD_BODY.replace("attached.", "attached. When will you order?"),
            EXPECTED,
            "a pushy phrase: 'when will you order'",
        ),
        (
            GOOD_SUBJECT,
            GOOD_BODY,
            replace(EXPECTED, recent_topics=("price-update",)),
            "the same topic as one of the last 1 follow-ups (price-update)",
        ),
        (
            "新价格表（2026年11月10日）",
            f"王坤，您好！\n\n附件为新价格表，请查收。\n\n顺祝商祺！\n{SIGNATURE}\n",
            replace(EXPECTED, contact_name="王坤"),
            None,
        ),
        (
            "新价格表（2026年11月10日）",
            f"王坤，您好！\n\n请尽快下单。\n\n{SIGNATURE}\n",
            replace(EXPECTED, contact_name="王坤"),
            "a pushy phrase: '尽快下单'",
        ),
    ],
)
def test_check(subject: str, body: str, expected: Expected, warning: str | None) -> None:
    warnings = check_draft(subject=subject, body=body, expected=expected)
    if warning is None:
        assert warnings == []
    else:
        assert len(warnings) == 1 and warning in warnings[0], warnings


@pytest.mark.parametrize(
    ("text", "words"),
    [("Dear Anna, the list is attached.", 6), ("附件为新价格表", 7), ("UFO-200W 工矿灯", 4)],
)
def test_count_words(text: str, words: int) -> None:
    assert count_words(text) == words


@pytest.mark.parametrize(
    ("signature", "closing", "rest"),
    [
        ("Best regards,\nLinda Zhou", "Best regards,", "Linda Zhou"),
        ("Linda Zhou\nSales", "", "Linda Zhou\nSales"),
        ("顺祝商祺！\n周琳", "顺祝商祺！", "周琳"),
    ],
)
def test_split_closing(signature: str, closing: str, rest: str) -> None:
    assert split_closing(signature) == (closing, rest)


D = dt.date


@pytest.mark.parametrize(
    ("events", "today", "cadence", "warned"),
    [
        (["2026-12-01 out"], D(2026, 12, 3), 7, True),
        (["2026-12-01 out", "2026-12-02 in"], D(2026, 12, 3), 7, False),
        (["2026-12-01 out"], D(2026, 12, 5), 7, False),  # 4 of 7 days: past half
        (["2026-12-01 out"], D(2026, 12, 1), 7, True),  # a second mail the same day
        (["2026-12-01 out"], D(2026, 12, 3), 4, False),  # 2 of 4 days: not less than half
        # A reply the day of the follow-up answers it, unless their times say it came first.
        (["2026-12-01 out", "2026-12-01 in"], D(2026, 12, 3), 7, False),
        (
            ["2026-12-01T09:00:00+08:00 in", "2026-12-01T15:00:00+08:00 out"],
            D(2026, 12, 3),
            7,
            True,
        ),
        (
            ["2026-12-01T15:00:00+08:00 out", "2026-12-01T16:00:00+08:00 in"],
            D(2026, 12, 3),
            7,
            False,
        ),
        # No case without a last follow-up or a cadence: the draft asks only after one,
        # and a prospect written to has D's cadence.
    ],
)
def test_interval_too_short(events: list[str], today: dt.date, cadence: int, warned: bool) -> None:
    """The draft's warning is the taboo too-short of `check`, with the mail as the
    second follow-up: the same answers, the same times on one day."""
    timeline = []
    for line in events:
        date, kind = line.split()
        timeline.append(Ev(kind, D.fromisoformat(date[:10]), date=date))
    last_out = [e for e in timeline if e.kind == "out"][-1]
    found = interval_warning(
        last_out=last_out, events=timeline, today=today, cadence=cadence, percent=50
    )
    assert (found is not None) == warned, found


@pytest.mark.parametrize(
    ("name", "ctype"),
    [
        ("报价单 QT-1.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("Catalogue.PDF", "application/pdf"),
        ("UFO-200W.jpg", "image/jpeg"),
        ("notes.tar.gz", "application/octet-stream"),
        ("no suffix", "application/octet-stream"),
    ],
)
def test_attachment_mime_types_are_the_same_on_every_machine(name: str, ctype: str) -> None:
    from folder_kit.drafts.eml import mime_type

    assert mime_type(name) == ctype
