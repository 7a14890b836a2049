"""`mail import` and `mail unmatched` through the CLI, on trees built from dicts."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import Invoke
from helpers import assert_error, assert_ok, build_tree, needs_fifo, read_tree, tree_diff
from realdata import EML, PST, msg_dir

from folder_kit.timeline.mail import message_key_of, read_message

ACME = "客户/B-在谈客户/ACME GmbH"
ROSSI = "客户/B-在谈客户/Rossi Srl"
BOB = "客户/C-潜力客户/Bob Private"
ME = "lilei@myco.cn"


def card(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def card_of(addresses: set[str]) -> str:
    """A card with one contact for each address."""
    return "\n---\n".join(f"Email: {a}" for a in sorted(addresses)) + "\n"


@pytest.fixture
def ws(workspace: Path) -> Path:
    (workspace / "folder-kit.yaml").write_text(
        (workspace / "folder-kit.yaml")
        .read_text(encoding="utf-8")
        .replace('  email: ""', f"  email: {ME}", 1),
        encoding="utf-8",
    )
    build_tree(
        workspace,
        {
            f"{ACME}/Contact.txt": card("Company: ACME GmbH", "Email: Anna@ACME.de"),
            f"{ACME}/OUT": None,
            f"{ACME}/IN": None,
            f"{ROSSI}/Contact.txt": card("Company: Rossi Srl", "Email: mario@rossi.it"),
            f"{BOB}/Contact.txt": card("Name: Bob", "Email: bob.private@gmail.com"),
        },
    )
    return workspace


def mail(
    sender: str,
    to: str,
    subject: str,
    mid: str | None,
    *,
    date: str | None = "Thu, 05 Mar 2026 10:00:00 +0100",
    extra: str = "",
    body: str = "Hello.\n",
) -> bytes:
    lines = [f"From: {sender}", f"To: {to}", f"Subject: {subject}"]
    if date:
        lines.append(f"Date: {date}")
    if mid:
        lines.append(f"Message-ID: <{mid}>")
    if extra:
        lines.append(extra)
    return ("\n".join(lines) + "\n\n" + body).encode()


def mbox(*messages: bytes) -> bytes:
    return b"".join(b"From x@y Thu Mar  5 10:00:00 2026\n" + m + b"\n" for m in messages)


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def imported(invoke: Invoke, ws: Path, *args: str) -> dict[str, object]:
    result = invoke("mail", "import", *args, "--json", "-w", str(ws))
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exc_info)
    out: dict[str, object] = json.loads(result.stdout)
    return out


def filed_paths(out: dict[str, object]) -> list[str]:
    filed = out["filed"]
    assert isinstance(filed, list)
    return sorted(f["path"] for f in filed)


INQUIRY = mail("Anna <anna@acme.de>", ME, "Inquiry: LED panels", "in1@acme.de")
OFFER = mail(ME, "anna@acme.de", "Offer LED panels", "out1@myco.cn")
REPLY_FROM_GMAIL = mail(
    "Anna <anna.home@gmail.com>",
    ME,
    "Re: Offer LED panels",
    "in2@gmail.com",
    date="Fri, 06 Mar 2026 09:00:00 +0100",
    extra="In-Reply-To: <out1@myco.cn>\nReferences: <out1@myco.cn>",
)
STRANGER = mail("Zhao <zhao@newbuyer.com>", ME, "RFQ 500 flood lights", "rfq@newbuyer.com")


def test_import_files_sent_and_received_mail_by_the_cards(
    invoke: Invoke, ws: Path, tmp_path: Path
) -> None:
    source = write(tmp_path / "export.mbox", mbox(INQUIRY, OFFER, STRANGER))
    before = read_tree(ws)
    out = imported(invoke, ws, str(source))
    assert out == {
        "messages": 3,
        "filed": [
            {
                "customer": "ACME GmbH",
                "kind": "in",
                "path": f"{ACME}/IN/2026-03-05 Inquiry - LED panels.eml",
                "message_id": "in1@acme.de",
            },
            {
                "customer": "ACME GmbH",
                "kind": "out",
                "path": f"{ACME}/OUT/2026-03-05 Offer LED panels.eml",
                "message_id": "out1@myco.cn",
            },
        ],
        "known": 0,
        "unmatched": 1,
        "internal": 0,
        "warnings": [],
    }
    added, removed, changed = tree_diff(before, read_tree(ws))
    assert (removed, changed) == (set(), set())
    assert added == set(filed_paths(out))
    # The bytes unchanged, and the scan reads them as the events named.
    assert (ws / f"{ACME}/IN/2026-03-05 Inquiry - LED panels.eml").read_bytes() == INQUIRY
    timeline = json.loads(invoke("timeline", "ACME", "--json", "-w", str(ws)).stdout)
    mail_events = [e for e in timeline if e["kind"] in ("in", "out")]
    assert [(e["kind"], e["date"][:10], e["date_source"]) for e in mail_events] == [
        ("in", "2026-03-05", "header"),
        ("out", "2026-03-05", "header"),
    ]


def test_the_text_output_says_what_was_filed(invoke: Invoke, ws: Path, tmp_path: Path) -> None:
    source = write(tmp_path / "export.mbox", mbox(INQUIRY, STRANGER))
    result = invoke("mail", "import", str(source), "-w", str(ws))
    assert_ok(result)
    assert result.stdout == (
        f"Filed {ACME}/IN/2026-03-05 Inquiry - LED panels.eml\n"
        "2 messages, 1 filed, 0 already filed, 0 internal, 1 unmatched.\n"
        "See who wrote the unmatched mail: folder-kit mail unmatched\n"
    )


def test_import_twice_files_nothing_the_second_time(
    invoke: Invoke, ws: Path, tmp_path: Path
) -> None:
    source = write(tmp_path / "export.mbox", mbox(INQUIRY, OFFER, REPLY_FROM_GMAIL, STRANGER))
    first = imported(invoke, ws, str(source))
    assert len(filed_paths(first)) == 3
    tree = read_tree(ws)
    again = imported(invoke, ws, str(source))
    assert (again["filed"], again["known"], again["unmatched"]) == ([], 3, 1)
    assert read_tree(ws) == tree


def test_a_filed_mail_is_filed_again_for_a_customer_it_concerns_now(
    invoke: Invoke, ws: Path, tmp_path: Path
) -> None:
    """Known for one customer is not known for all: a second customer who gains an
    address the mail was sent to gets it too when the source is imported again."""
    both = mail(ME, "anna@acme.de, luigi@rossi-new.it", "Offer for both", "both@myco.cn")
    source = write(tmp_path / "export.mbox", mbox(both, INQUIRY))
    first = imported(invoke, ws, str(source))
    assert filed_paths(first) == [
        f"{ACME}/IN/2026-03-05 Inquiry - LED panels.eml",
        f"{ACME}/OUT/2026-03-05 Offer for both.eml",
    ]
    card_path = ws / ROSSI / "Contact.txt"
    card_path.write_text(card_path.read_text() + "---\nEmail: luigi@rossi-new.it\n")
    again = imported(invoke, ws, str(source))
    assert filed_paths(again) == [f"{ROSSI}/OUT/2026-03-05 Offer for both.eml"]
    assert again["known"] == 1  # the inquiry


def test_with_the_state_folder_deleted_still_nothing_is_filed_twice(
    invoke: Invoke, ws: Path, tmp_path: Path
) -> None:
    source = write(tmp_path / "export.mbox", mbox(INQUIRY, OFFER, REPLY_FROM_GMAIL))
    imported(invoke, ws, str(source))
    tree = read_tree(ws)
    shutil.rmtree(os.environ["FOLDER_KIT_STATE"])
    again = imported(invoke, ws, str(source))
    assert (again["filed"], again["known"]) == ([], 3)
    assert read_tree(ws) == tree


def test_a_mail_saved_by_hand_is_not_filed_again(invoke: Invoke, ws: Path, tmp_path: Path) -> None:
    # Saved by the salesperson with CRLF line ends, under a name of their own, in 报价/:
    # the same Message-ID is the same mail.
    build_tree(ws, {f"{ACME}/报价/offer as sent.eml": OFFER.replace(b"\n", b"\r\n")})
    # And a mail without Message-ID, saved with LF where the export has CRLF.
    no_id = mail("anna@acme.de", ME, "Thanks", None)
    build_tree(ws, {f"{ACME}/IN/thanks.eml": no_id})
    source = write(tmp_path / "export.mbox", mbox(OFFER, no_id.replace(b"\n", b"\r\n")))
    tree = read_tree(ws)
    out = imported(invoke, ws, str(source))
    assert (out["filed"], out["known"]) == ([], 2)
    assert read_tree(ws) == tree


def test_an_import_cut_off_before_naming_leaves_no_file_and_the_next_cleans_up(
    invoke: Invoke, ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A power cut after the batch is written, before any file is named: nothing
    is filed, and the next import files everything and removes what was left."""
    from folder_kit.workspace import filing

    source = write(tmp_path / "export.mbox", mbox(INQUIRY, OFFER, STRANGER))
    tree = read_tree(ws)

    def cut(tmp: str, path: Path) -> None:
        raise KeyboardInterrupt  # the process ends here...

    with monkeypatch.context() as m:
        m.setattr(filing, "link_new", cut)
        m.setattr(filing.Filer, "_discard", lambda self, batch: None)  # ...cleaning nothing
        result = invoke("mail", "import", str(source), "-w", str(ws))
    assert result.exit_code != 0
    left = sorted(p for p in ws.rglob(".folder-kit-*.tmp"))
    assert [p.parent.name for p in left] == ["IN", "OUT"]
    assert {p.read_bytes() for p in left} == {INQUIRY, OFFER}  # written whole, not named
    assert {k: v for k, v in read_tree(ws).items() if ".folder-kit-" not in k} == tree
    for path in left:
        os.utime(path, (1_700_000_000, 1_700_000_000))  # from a run long over
    out = imported(invoke, ws, str(source))
    assert len(filed_paths(out)) == 2
    assert list(ws.rglob(".folder-kit-*.tmp")) == []


def test_dry_run_writes_nothing_not_even_the_unmatched_record(
    invoke: Invoke, ws: Path, tmp_path: Path
) -> None:
    source = write(tmp_path / "export.mbox", mbox(INQUIRY, STRANGER))
    imported(invoke, ws, "--dry-run", str(ws))  # a workspace holds no source mail: harmless
    tree = read_tree(ws)
    out = imported(invoke, ws, "--dry-run", str(source))
    assert filed_paths(out) == [f"{ACME}/IN/2026-03-05 Inquiry - LED panels.eml"]
    assert out["unmatched"] == 1
    assert read_tree(ws) == tree
    unmatched = invoke("mail", "unmatched", "--json", "-w", str(ws))
    assert_ok(unmatched)
    assert json.loads(unmatched.stdout) == []
    text = invoke("mail", "import", "--dry-run", str(source), "-w", str(ws))
    assert text.stdout.startswith(f"Would file {ACME}/IN/")


def test_unmatched_then_customer_add_then_import_files_the_earlier_mail(
    invoke: Invoke, ws: Path, tmp_path: Path
) -> None:
    second = mail("li@newbuyer.com", ME, "Samples?", "rfq2@newbuyer.com", date=None)
    free = mail("Eve <eve.buyer@gmail.com>", ME, "Price list please", "eve@gmail.com")
    source = write(tmp_path / "export.mbox", mbox(STRANGER, second, free))
    imported(invoke, ws, str(source))
    result = invoke("mail", "unmatched", "--json", "-w", str(ws))
    assert_ok(result)
    assert json.loads(result.stdout) == [
        {
            "key": "newbuyer.com",
            "addresses": ["li@newbuyer.com", "zhao@newbuyer.com"],
            "messages": 2,
            "first": "2026-03-05",
            "last": "2026-03-05",
            "subjects": ["Samples?", "RFQ 500 flood lights"],
        },
        {
            "key": "eve.buyer@gmail.com",
            "addresses": ["eve.buyer@gmail.com"],
            "messages": 1,
            "first": "2026-03-05",
            "last": "2026-03-05",
            "subjects": ["Price list please"],
        },
    ]
    text = invoke("mail", "unmatched", "-w", str(ws))
    assert_ok(text)
    claim = 'folder-kit customer add "Newbuyer" --grade P --email li@newbuyer.com'
    assert claim in text.stdout.splitlines()[-5]
    assert_ok(invoke(*shlex.split(claim)[1:], "-w", str(ws)))
    out = imported(invoke, ws, str(source))
    # Both messages of the domain are the new prospect's now; the free-mail one is not.
    assert filed_paths(out) == [
        "客户/待开发客户/Newbuyer/IN/2026-03-05 RFQ 500 flood lights.eml",
        "客户/待开发客户/Newbuyer/IN/2026-03-05 Samples_.eml",
    ]
    left = json.loads(invoke("mail", "unmatched", "--json", "-w", str(ws)).stdout)
    assert [g["key"] for g in left] == ["eve.buyer@gmail.com"]


def test_a_free_mail_domain_never_matches_by_domain(
    invoke: Invoke, ws: Path, tmp_path: Path
) -> None:
    other = mail("someone.else@gmail.com", ME, "Hi", "ge@gmail.com")
    bob = mail("Bob <Bob.Private@Gmail.com>", ME, "Hi from Bob", "bob@gmail.com")
    source = write(tmp_path / "export.mbox", mbox(other, bob))
    out = imported(invoke, ws, str(source))
    assert filed_paths(out) == [f"{BOB}/IN/2026-03-05 Hi from Bob.eml"]
    assert out["unmatched"] == 1


def test_a_domain_two_customers_share_matches_neither_by_domain(
    invoke: Invoke, ws: Path, tmp_path: Path
) -> None:
    build_tree(ws, {f"{ROSSI}/Contact.txt": card("Email: mario@rossi.it", "Email2: pia@acme.de")})
    carl = mail("carl@acme.de", ME, "Who am I", "carl@acme.de")
    anna = mail("anna@acme.de", ME, "Anna writes", "anna@acme.de")
    pia = mail("pia@acme.de", ME, "Pia writes", "pia@acme.de")
    source = write(tmp_path / "export.mbox", mbox(carl, anna, pia))
    out = imported(invoke, ws, str(source))
    assert filed_paths(out) == [
        f"{ACME}/IN/2026-03-05 Anna writes.eml",
        f"{ROSSI}/IN/2026-03-05 Pia writes.eml",
    ]
    assert out["unmatched"] == 1


def test_mail_to_two_customers_goes_to_both_and_internal_mail_nowhere(
    invoke: Invoke, ws: Path, tmp_path: Path
) -> None:
    both = mail(ME, "anna@acme.de, Mario <mario@rossi.it>", "Fair invitation", "fair@myco.cn")
    internal = mail(ME, "boss@myco.cn", "Weekly report", "report@myco.cn", extra="Cc: " + ME)
    colleague = mail("zhang@myco.cn", "anna@acme.de", "From a colleague", "col@myco.cn")
    source = write(tmp_path / "export.mbox", mbox(both, internal, colleague))
    out = imported(invoke, ws, str(source))
    assert filed_paths(out) == [
        f"{ACME}/OUT/2026-03-05 Fair invitation.eml",
        f"{ACME}/OUT/2026-03-05 From a colleague.eml",
        f"{ROSSI}/OUT/2026-03-05 Fair invitation.eml",
    ]
    assert (out["messages"], out["internal"], out["unmatched"], out["known"]) == (3, 1, 0, 0)


@pytest.mark.parametrize("order", ["inbox first", "sent first"])
def test_threads_are_found_whatever_the_order_of_the_sources(
    invoke: Invoke, ws: Path, tmp_path: Path, order: str
) -> None:
    # The reply to the reply comes first of all: a chain found in rounds.
    reply2 = mail(
        "anna.home@gmail.com",
        ME,
        "Re: Re: Offer LED panels",
        "in3@gmail.com",
        extra="In-Reply-To: <in2@gmail.com>",
    )
    inbox = write(tmp_path / "Inbox.mbox", mbox(reply2, REPLY_FROM_GMAIL))
    sent = write(tmp_path / "Sent.mbox", mbox(OFFER))
    paths = [inbox, sent] if order == "inbox first" else [sent, inbox]
    out = imported(invoke, ws, *map(str, paths))
    assert filed_paths(out) == [
        f"{ACME}/IN/2026-03-05 Re - Re - Offer LED panels.eml",
        f"{ACME}/IN/2026-03-06 Re - Offer LED panels.eml",
        f"{ACME}/OUT/2026-03-05 Offer LED panels.eml",
    ]
    assert (out["messages"], out["unmatched"]) == (3, 0)
    # A later import of the inbox alone finds the thread in the index.
    shutil.rmtree(ws / ACME / "IN")
    again = imported(invoke, ws, str(inbox))
    assert len(again["filed"]) == 2  # type: ignore[arg-type]


def test_a_message_without_date_is_named_by_its_from_line(
    invoke: Invoke, ws: Path, tmp_path: Path
) -> None:
    undated = mail("anna@acme.de", ME, "No date", "nd@acme.de", date=None)
    source = write(
        tmp_path / "export.mbox", b"From anna@acme.de Mon Feb  2 08:00:00 2026\n" + undated
    )
    out = imported(invoke, ws, str(source))
    assert filed_paths(out) == [f"{ACME}/IN/2026-02-02 No date.eml"]
    events = json.loads(invoke("timeline", "ACME", "--json", "-w", str(ws)).stdout)
    mine = [e for e in events if e["kind"] == "in"]
    assert [(e["date"], e["date_source"]) for e in mine] == [("2026-02-02", "filename")]


def test_a_name_taken_by_another_mail_gets_a_number(
    invoke: Invoke, ws: Path, tmp_path: Path
) -> None:
    build_tree(ws, {f"{ACME}/IN/2026-03-05 Inquiry - LED panels.eml": b"From: x@y\n\nmine\n"})
    source = write(tmp_path / "a.eml", INQUIRY)
    out = imported(invoke, ws, str(source))
    assert filed_paths(out) == [f"{ACME}/IN/2026-03-05 Inquiry - LED panels (2).eml"]
    assert (ws / f"{ACME}/IN/2026-03-05 Inquiry - LED panels.eml").read_bytes() == (
        b"From: x@y\n\nmine\n"
    )


def test_me_adds_my_addresses(invoke: Invoke, ws: Path, tmp_path: Path) -> None:
    sent = mail("li.lei@other-account.cn", "anna@acme.de", "From my other account", "o@x")
    source = write(tmp_path / "a.eml", sent)
    out = imported(invoke, ws, "--dry-run", str(source))
    assert filed_paths(out) == []  # from anna's point of view it is mail *from* li.lei
    out = imported(invoke, ws, "--me", "Li.Lei@other-account.cn", str(source))
    assert filed_paths(out) == [f"{ACME}/OUT/2026-03-05 From my other account.eml"]
    bad = invoke("mail", "import", "--me", "not an address", str(source), "-w", str(ws))
    assert_error(bad, "Error: --me 'not an address' is not a mail address")


def test_bad_paths_are_one_error_and_nothing_is_filed(
    invoke: Invoke, ws: Path, tmp_path: Path
) -> None:
    good = write(tmp_path / "export.mbox", mbox(INQUIRY))
    text = write(tmp_path / "notes.txt", b"just some notes\n")
    tree = read_tree(ws)
    missing = tmp_path / "missing.mbox"
    result = invoke("mail", "import", str(good), str(missing), "-w", str(ws))
    assert_error(result, f"Error: cannot read mail from {missing}: no such file or folder")
    result = invoke("mail", "import", str(good), str(text), "-w", str(ws))
    assert_error(
        result,
        f"Error: cannot read mail from {text}: not mail: neither an mbox, an .eml, a .msg "
        "nor an Outlook .pst file",
    )
    assert read_tree(ws) == tree


@needs_fifo
def test_a_fifo_is_one_error(invoke: Invoke, ws: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result = invoke("mail", "import", str(fifo), "-w", str(ws))
    assert_error(
        result, f"Error: cannot read mail from {fifo}: a FIFO (named pipe), not a file or folder"
    )


def test_a_broken_message_is_a_warning_and_the_rest_is_filed(
    invoke: Invoke, ws: Path, tmp_path: Path
) -> None:
    source = write(
        tmp_path / "export.mbox",
        mbox(INQUIRY) + b"From x@y Thu Mar  5 10:00:00 2026\n\x00\x01garbage\n\n" + mbox(OFFER),
    )
    out = imported(invoke, ws, str(source))
    assert len(filed_paths(out)) == 2
    assert out["warnings"] == [f"{source}, message 2: not a mail message (no header fields)"]
    result = invoke("mail", "import", str(source), "-w", str(ws))
    assert result.exit_code == 0
    assert result.stderr == f"Warning: {source}, message 2: not a mail message (no header fields)\n"


def test_a_folder_of_real_eml_files_is_filed_and_read_back(
    invoke: Invoke, ws: Path, tmp_path: Path
) -> None:
    """The real samples: each one's sender given a card, then filed as it was."""
    folder = tmp_path / "saved"
    shutil.copytree(EML, folder, ignore=shutil.ignore_patterns("NOTICE"))
    senders = set()
    for path in folder.glob("*.eml"):
        info = read_message(path)
        if info.sender and "@" in info.sender:
            senders.add(info.sender.rsplit("<", 1)[-1].rstrip(">").strip().lower())
    build_tree(ws, {"客户/D-行业客户/Senders/Contact.txt": card_of(senders)})
    out = imported(invoke, ws, str(folder))
    filed = out["filed"]
    assert isinstance(filed, list) and filed
    for entry in filed:
        data = (ws / entry["path"]).read_bytes()
        assert message_key_of(data) == entry["message_id"]
    again = imported(invoke, ws, str(folder))
    assert again["filed"] == []


def test_real_msg_files_stay_msg(invoke: Invoke, ws: Path, tmp_path: Path) -> None:
    from folder_kit.mail.parties import read_parties

    folder = tmp_path / "outlook"
    shutil.copytree(msg_dir(), folder)
    addresses = set()
    for path in folder.glob("*.msg"):
        parties = read_parties(path.read_bytes(), path=path)
        addresses.update(parties.sender + parties.recipients)
    assert addresses, "the samples name nobody"
    build_tree(ws, {"客户/D-行业客户/Outlook/Contact.txt": card_of(addresses)})
    out = imported(invoke, ws, str(folder))
    paths = filed_paths(out)
    assert paths and all(p.endswith(".msg") for p in paths)
    for entry in out["filed"]:  # type: ignore[attr-defined]
        written = (ws / entry["path"]).read_bytes()
        assert written in {p.read_bytes() for p in folder.glob("*.msg")}
        assert read_message(ws / entry["path"]).message_id == entry["message_id"]
    assert imported(invoke, ws, str(folder))["filed"] == []


def test_the_real_pst_is_filed_as_eml(invoke: Invoke, ws: Path, tmp_path: Path) -> None:
    pytest.importorskip("pypff", reason="reading a .pst needs the pst extra (libpff-python)")
    from folder_kit.mail.parties import read_parties
    from folder_kit.mail.sources import SourceMessage, read_source

    counts: dict[str, int] = {}
    for item in read_source(PST):
        if isinstance(item, SourceMessage):
            parties = read_parties(item.data, path=PST)
            for address in parties.sender:
                counts[address] = counts.get(address, 0) + 1
    busiest = max(counts, key=lambda a: counts[a])
    build_tree(ws, {"客户/D-行业客户/Enron/Contact.txt": card(f"Email: {busiest}")})
    out = imported(invoke, ws, str(PST))
    paths = filed_paths(out)
    assert len(paths) >= counts[busiest] and all(p.endswith(".eml") for p in paths)
    for entry in out["filed"]:  # type: ignore[attr-defined]
        assert message_key_of((ws / entry["path"]).read_bytes()) == entry["message_id"]
    assert imported(invoke, ws, str(PST))["filed"] == []


def test_mail_a_notes_gateway_wrapped_files_by_the_address_inside(invoke: Invoke, ws: Path) -> None:
    """The real .pst's mail from Jim Lokay came through Exchange's Notes gateway:
    its sender is IMCEANOTES-+22Jim+20Lokay+22+20+3Clokay+40bigfoot+2Ecom+3E...@ENRON.com.
    A card with lokay@bigfoot.com gets it; nothing unmatched is named so."""
    pytest.importorskip("pypff", reason="reading a .pst needs the pst extra (libpff-python)")
    build_tree(ws, {"客户/B-在谈客户/Jim Lokay/Contact.txt": card("Email: lokay@bigfoot.com")})
    out = imported(invoke, ws, str(PST))
    paths = filed_paths(out)
    assert paths and all(p.startswith("客户/B-在谈客户/Jim Lokay/IN/") for p in paths)
    heads = [(ws / p).read_bytes().split(b"\r\n\r\n", 1)[0].lower() for p in paths]
    assert all(b"bigfoot" in head for head in heads)
    wrapped = b"<imceanotes-+22jim+20lokay+22+20+3clokay+40bigfoot+2ecom+3e+40enron@enron.com>"
    assert any(wrapped in head for head in heads)
    result = invoke("mail", "unmatched", "--json", "-w", str(ws))
    assert result.exit_code == 0, result.stderr
    addresses = [a for entry in json.loads(result.stdout) for a in entry["addresses"]]
    # an encoded "<" is a wrapped address left wrapped
    assert addresses and not [a for a in addresses if "+3c" in a]


def test_mblaze_reads_every_filed_file(invoke: Invoke, ws: Path, tmp_path: Path) -> None:
    """An independent mail reader opens every .eml the import wrote."""
    mshow, mlist = shutil.which("mshow"), shutil.which("mlist")
    if mshow is None or mlist is None:
        pytest.skip("mblaze (mshow, mlist) is not installed")
    folder = tmp_path / "saved"
    shutil.copytree(EML, folder, ignore=shutil.ignore_patterns("NOTICE"))
    write(folder / "export.mbox", mbox(INQUIRY, OFFER, REPLY_FROM_GMAIL))
    # Every sender a contact of one customer, so that every message is filed.
    senders = set()
    for path in folder.glob("*.eml"):
        info = read_message(path)
        if info.sender and "@" in info.sender:
            senders.add(info.sender.rsplit("<", 1)[-1].rstrip(">").strip().lower())
    build_tree(ws, {"客户/D-行业客户/All/Contact.txt": card_of(senders)})
    out = imported(invoke, ws, str(folder))
    files = [ws / p for p in filed_paths(out) if p.endswith(".eml")]
    assert len(files) >= 3
    for path in files:
        listed = subprocess.run([mlist, str(path.parent)], capture_output=True, check=True)
        assert str(path).encode() in listed.stdout.splitlines()
        shown = subprocess.run([mshow, "-q", str(path)], capture_output=True, check=False)
        assert shown.returncode == 0, (path, shown.stderr)
        subject = read_message(path).subject
        header = subprocess.run(
            [mshow, "-h", "subject", "-q", "-H", str(path)], capture_output=True, check=False
        )
        assert header.returncode == 0, (path, header.stderr)
        if subject and subject.isascii():
            assert subject.encode() in header.stdout, (path, header.stdout)


def test_a_running_watcher_reports_imported_mail_like_any_saved_file(
    invoke: Invoke, ws: Path, tmp_path: Path
) -> None:
    from watching import watching

    source = write(tmp_path / "export.mbox", mbox(INQUIRY, OFFER, STRANGER))
    with watching(ws) as w:
        w.ready()
        out = imported(invoke, ws, str(source))
        wanted = set(filed_paths(out))
        assert len(wanted) == 2
        got = w.expect(lambda _: wanted <= {x["path"] for x in w.seen if x.get("change") == "new"})
        new = {x["path"]: x for x in got if x.get("change") == "new"}
        assert set(new) == wanted  # the filed mail, and no temporary file on the way
        assert {(x["kind"], x["date"][:10], x["date_source"]) for x in new.values()} == {
            ("in", "2026-03-05", "header"),
            ("out", "2026-03-05", "header"),
        }
        assert w.stop() == 0
    assert w.stderr == []


def test_unmatched_names_a_few_correspondents_of_a_company_on_its_line(
    invoke: Invoke, ws: Path, tmp_path: Path
) -> None:
    """A company with many correspondents (a large buyer's staff) gets one readable
    line: the five who wrote most, and how many more; --json lists them all."""
    many = [mail(f"p{n}@bigbuyer.com", ME, f"Question {n}", f"q{n}@bigbuyer.com") for n in range(8)]
    again = mail("p7@bigbuyer.com", ME, "Question again", "q7b@bigbuyer.com")
    imported(invoke, ws, str(write(tmp_path / "big.mbox", mbox(*many, again))))
    text = invoke("mail", "unmatched", "-w", str(ws))
    assert_ok(text)
    line = next(x for x in text.stdout.splitlines() if x.startswith("  from: "))
    assert line == (
        "  from: p7@bigbuyer.com, p0@bigbuyer.com, p1@bigbuyer.com, p2@bigbuyer.com, "
        "p3@bigbuyer.com and 3 more"
    )
    (group,) = json.loads(invoke("mail", "unmatched", "--json", "-w", str(ws)).stdout)
    assert len(group["addresses"]) == 8


def test_unmatched_mail_from_machines_alone_offers_no_customer(invoke: Invoke, ws: Path) -> None:
    """The real samples hold an "Urgent Request for Order Quotation" from
    do-not-reply@ncs.gov.ng: no `customer add` line would make it a prospect."""
    imported(invoke, ws, str(EML))
    result = invoke("mail", "unmatched", "-w", str(ws))
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("ncs.gov.ng "))
    block = lines[at + 1 : at + 4]
    assert "  (sent by machines only: no one to add)" in block
    assert not any("do-not-reply@" in line for line in lines if "customer add" in line)
