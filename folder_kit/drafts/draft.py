"""Writing the next follow-up draft of a customer into its drafts folder (草稿/)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from folder_kit.drafts.check import Expected, check_draft, interval_warning, split_closing
from folder_kit.drafts.eml import Attachment, Mail, build_eml
from folder_kit.drafts.facts import customer_facts
from folder_kit.drafts.render import Template, find_template, render
from folder_kit.drafts.salutation import company_for_greeting, display_name, salutation
from folder_kit.drafts.waiting import Waiting, waiting_drafts
from folder_kit.errors import UsageError, quoted
from folder_kit.files import inside, read_regular
from folder_kit.followup.products import all_product_files, product_folder
from folder_kit.followup.topics import Choice, FileFact, choose_topic, forced_topic
from folder_kit.subjects import clean_subject
from folder_kit.timeline.classify import Classifier
from folder_kit.timeline.events import (
    Event,
    customer_named,
    fresh_index,
    indexed_customers,
    load_events,
)
from folder_kit.timeline.index import Index
from folder_kit.workspace.config import Account
from folder_kit.workspace.contact import (
    NOT_ONE,
    SMTPUTF8,
    Address,
    Card,
    Contact,
    mail_address,
    read_card,
)
from folder_kit.workspace.country import country_code, mail_language
from folder_kit.workspace.customers import Customer
from folder_kit.workspace.filing import file_into, planned_path
from folder_kit.workspace.find import Workspace
from folder_kit.workspace.layout import LANGS, load_layout
from folder_kit.workspace.thresholds import PUSHY_PHRASES, REPEAT_WINDOW, TOO_SHORT


@dataclass(frozen=True)
class DraftResult:
    customer: str
    topic: str
    reason: str
    path: str  # workspace-relative
    to: str
    subject: str
    attachments: tuple[str, ...]
    warnings: tuple[str, ...]
    body: str
    # True: nothing was written, because the draft at ``path`` is waiting to be sent.
    waiting: bool = False

    def as_json(self) -> dict[str, object]:
        return {
            "customer": self.customer,
            "topic": self.topic,
            "reason": self.reason,
            "path": self.path,
            "to": self.to,
            "subject": self.subject,
            "attachments": list(self.attachments),
            "warnings": list(self.warnings),
            "waiting": self.waiting,
        }


def pick_contact(card: Card, wanted: str | None) -> Contact:
    """The primary contact, or the one ``--contact`` names: its number (1 is the
    primary), or a part of its name or email."""
    contacts = card.contacts or (Contact(),)
    if wanted is None:
        return contacts[0]
    if wanted.strip().isdigit():
        n = int(wanted)
        if 1 <= n <= len(contacts):
            return contacts[n - 1]
    else:
        key = wanted.casefold().strip()
        hits = [
            c for c in contacts if key and (key in c.name.casefold() or key in c.email.casefold())
        ]
        if len(hits) == 1:
            return hits[0]
    shown = "; ".join(f"{i}: {c.name or c.email or '(no name)'}" for i, c in enumerate(contacts, 1))
    raise UsageError(f"--contact {wanted!r} names no one contact in Contact.txt ({shown})")


def override_dirs(ws: Workspace) -> tuple[Path, ...]:
    """模板/邮件模板/ (Templates/Email Templates/), in the workspace's language first."""
    out = []
    for lang in (ws.config.lang, *LANGS):
        layout = load_layout(lang)
        path = ws.root / layout.templates / layout.template_dirs["email_templates"]
        if path.is_dir() and path not in out:
            out.append(path)
    return tuple(out)


def me_warning(ws: Workspace, account: Account | None = None) -> str | None:
    me = ws.config.me_for_drafts(account)
    missing = [f for f in ("name", "company", "email") if not getattr(me, f)]
    if not missing:
        return None
    return (
        f"folder-kit.yaml: `me:` has no {', '.join(missing)}: fill in those lines under `me:` "
        "(name, title, company, email, phone) so drafts are signed and sent from you"
    )


def _context(
    ws: Workspace,
    *,
    customer: Customer,
    company: str,
    contact: Contact,
    country: str | None,
    choice: Choice,
    today: dt.date,
    lang: str,
    account: Account | None = None,
) -> dict[str, Any]:
    me = ws.config.me_for_drafts(account)

    def file(f: FileFact | None) -> dict[str, Any] | None:
        return (
            None
            if f is None
            else {"name": f.name, "stem": Path(f.name).stem, "path": f.path, "day": f.day}
        )

    show = choice.exhibition
    holiday = choice.holiday
    last_in = choice.last_in
    return {
        "lang": lang,
        "today": today,
        "topic": choice.topic,
        "reason": choice.reason,
        "salutation": salutation(contact.name, company=company, lang=lang),
        "customer": {
            "name": company,
            "short": company_for_greeting(company),
            "folder": customer.name,
            "grade": customer.grade,
            "country": country or "",
        },
        "contact": {
            "name": contact.name,
            "display": display_name(contact.name),
            "title": contact.title,
            "email": contact.email,
        },
        "me": {
            "name": me.name,
            "title": me.title,
            "company": me.company,
            "email": me.email,
            "phone": me.phone,
            "website": me.website,
            "signature": me.signature_text(),
            # The signature without a closing line of its own ("Best regards,").
            "signature_body": split_closing(me.signature_text())[1],
        },
        "price_list": file(choice.price_list),
        "files": [file(f) for f in choice.files],
        "attachments": [f.name for f in choice.attachments],
        "exhibition": None
        if show is None
        else {
            "name": show.name,
            "city": show.city,
            "start": show.start,
            "end": show.end,
            "booth": show.booth,
        },
        "holiday": None
        if holiday is None
        else {"name": holiday.name, "name_zh": holiday.name_zh, "day": holiday.day},
        "last": None
        if choice.last_sent is None
        else {
            **(file(choice.last_sent) or {}),
            "subject": clean_subject(choice.last_subject),
            "what": choice.last_sent.what,
        },
        # A reply: their mail, its subject without its Re:/AW:/答复: and list tags.
        "last_in": None
        if last_in is None
        else {
            **(file(last_in) or {}),
            "subject": clean_subject(last_in.subject),
            "days_ago": (today - last_in.day).days,
        },
        # A revival: the day of the last contact, long ago.
        "silence": None if choice.silent_since is None else {"since": choice.silent_since},
    }


# What mail servers commonly accept in one attachment; a larger "product file" is
# not one to mail, and is refused before it is read.
MAX_ATTACHMENT = 25 * 1024 * 1024


def _resolve_attachment(ws: Workspace, named: str) -> Path | None:
    """A file a template names: a workspace-relative path, or a file name in 产品/;
    never a file outside the workspace (an absolute path, ``..``, a link)."""
    direct = inside(ws.root, named)
    if direct is not None and direct.is_file():
        return direct
    for key in ws.layout.product_dirs:
        folder = product_folder(ws, key)
        found = inside(ws.root, folder.relative_to(ws.root) / named) if folder else None
        if found is not None and found.is_file():
            return found
    return None


def _in_products(ws: Workspace, path: Path) -> bool:
    """Whether ``path`` lies in 产品/ (Products/), the only folder attachments come from."""
    top = path.relative_to(ws.root).parts[0]
    return any(top == load_layout(lang).products for lang in LANGS)


def _too_soon(
    ws: Workspace, customer: Customer, events: Sequence[Event], today: dt.date
) -> str | None:
    from folder_kit.followup.rules import Ev, cadence_of

    known = [
        Ev(e.kind, day, date=e.date, stamp=e.stamp)
        for e in events
        if e.kind in ("in", "out") and (day := dt.date.fromisoformat(e.day)) <= today
    ]
    outs = [e for e in known if e.kind == "out"]
    if not outs:
        return None
    return interval_warning(
        last_out=outs[-1],
        events=known,
        today=today,
        cadence=cadence_of(customer.grade, ws.config.cadence, has_out=True),
        percent=ws.config.taboos[TOO_SHORT],
    )


@dataclass(frozen=True)
class Prepared:
    """A draft rendered and checked, not yet written."""

    result: DraftResult
    customer: Customer
    stem: str
    keep: int  # the stem's date, never cut to fit the path
    data: Callable[[], bytes]


def prepare_draft(
    ws: Workspace,
    index: Index,
    customer: Customer,
    events: Sequence[Event],
    *,
    today: dt.date,
    now: dt.datetime,
    topic: str | None = None,
    contact: str | None = None,
    products: Mapping[str, tuple[FileFact, ...]] | None = None,
    avoid: Collection[str] = (),
    account: Account | None = None,
) -> Prepared:
    """The draft of ``customer`` (its ``events``, read from ``index``), rendered and
    checked. ``products``: the 产品/ files (``facts.all_product_files``), when
    gathered already; ``avoid``: topics not to write about (drafts waiting);
    ``account``: the mail account it is pushed to (``me_for_drafts``)."""
    card = read_card(customer.contact_path)
    person = pick_contact(card, contact)
    company = card.company or customer.name
    country = country_code(person.country or card.primary.country)
    lang = mail_language(language=person.language or card.primary.language, country=country)
    facts = customer_facts(
        ws, index, customer, events, country=country, today=today, products=products
    )
    window = ws.config.taboos[REPEAT_WINDOW]
    choice = (
        forced_topic(facts, topic, today=today)
        if topic is not None
        else choose_topic(facts, today=today, repeat_window=window, avoid=avoid)
    )
    template: Template = find_template(choice.topic, lang, override_dirs=override_dirs(ws))
    context = _context(
        ws,
        customer=customer,
        company=company,
        contact=person,
        country=country,
        choice=choice,
        today=today,
        lang=lang,
        account=account,
    )
    mail = render(template, context)
    files: list[Path] = [ws.root / f.path for f in choice.attachments]
    missing: list[str] = []
    refused: list[str] = []
    for named in mail.attach:
        found = _resolve_attachment(ws, named)
        if found is None:
            missing.append(named)
        elif not _in_products(ws, found):  # another customer's mail, the settings...
            refused.append(
                f"Attach: {named} is not in {ws.layout.products}/: only product files are attached"
            )
        elif found not in files:
            files.append(found)
    subject_topic = Classifier(ws.config).topic(mail.subject)
    warnings = [*card.warnings, *refused]
    incomplete_me = me_warning(ws, account)
    if incomplete_me is not None:
        warnings.append(incomplete_me)
    if country is None:
        warnings.append(
            f"Contact.txt of {customer.name} gives no country (a `Country:` line): "
            "no holidays of theirs, and the mail's language is guessed"
        )
    for key in choice.missing:
        warnings.append(_missing_warning(ws, key))
    if choice.topic == "first-contact" and facts.last_in is not None:
        warnings.append(
            f"{customer.name} wrote to you on {facts.last_in.day}: a first letter ignores "
            "their mail; `--topic reply` answers it"
        )
    if not person.email:
        warnings.append(f"Contact.txt of {customer.name} has no email: the draft has no To")
    to = mail_address(person.email)
    if to.problem:
        warnings.append(_recipient_warning(ws.relative(customer.contact_path), person.email, to))
    me = ws.config.me_for_drafts(account)
    sender = mail_address(me.email)
    if sender.problem:
        warnings.append(_sender_warning(me.email, sender))
    pushy: tuple[str, ...] = ws.config.taboos[PUSHY_PHRASES]
    warnings += check_draft(
        subject=mail.subject,
        body=mail.body,
        expected=Expected(
            contact_name=person.name,
            signature=me.signature_text(),
            max_words=ws.config.drafts.max_words,
            pushy_phrases=pushy,
            recent_topics=facts.recent_topics[:window],
            topic=choice.topic,
            subject_topic=subject_topic,
            missing_attachments=missing,
            attachments=len(files),
            check_signature=incomplete_me is None,
            quoted=_quoted(context),
            keeps_their_subject=choice.topic == "reply",
        ),
    )
    if (w := _too_soon(ws, customer, events, today)) is not None:
        warnings.append(w)
    stem = f"{today.isoformat()} {choice.topic}"
    keep = len(today.isoformat())
    path = planned_path(ws, customer, "drafts", stem=stem, suffix=".eml", keep=keep)
    to_name = display_name(person.name) or to.name

    def data() -> bytes:
        return build_eml(
            Mail(
                sender_name=me.name or sender.name,
                sender=sender.addr,
                to_name=to_name,
                to=to.addr,
                subject=mail.subject,
                body=mail.body,
                date=now,
                topic=choice.topic,
                attachments=[
                    Attachment(f.name, read_regular(f, limit=MAX_ATTACHMENT)) for f in files
                ],
            )
        )

    result = DraftResult(
        customer=customer.name,
        topic=choice.topic,
        reason=choice.reason,
        path=ws.relative(path),
        to=f"{to_name} <{to.addr}>" if to_name and to.addr else to.addr,
        subject=mail.subject,
        attachments=tuple(ws.relative(f) for f in files),
        warnings=tuple(warnings),
        body=mail.body,
    )
    return Prepared(result=result, customer=customer, stem=stem, keep=keep, data=data)


def _quoted(context: Mapping[str, Any]) -> list[str]:
    """What the mail quotes from the data rather than from its template: the
    subjects, names and file names, where a bracket or a "TBD" is the customer's."""
    out: list[str] = [context["customer"]["name"], context["contact"]["name"]]
    for key in ("last", "last_in", "price_list"):
        value = context.get(key)
        if value:
            out += [str(value.get("subject", "")), str(value.get("name", ""))]
    out += [f["name"] for f in context["files"] if f]
    out += list(context["attachments"])
    return [text for text in out if text]


# What each 产品/ folder a mail draws on holds, as a warning names it.
_PRODUCT_WHAT = {
    "company_profile": "company profile",
    "price_lists": "price list",
    "pictures": "product picture",
    "certificates": "certificate",
}


def _missing_warning(ws: Workspace, key: str) -> str:
    """A file the mail would refer to is not there: said before it is sent without it."""
    folder = product_folder(ws, key)
    where = (
        ws.relative(folder)
        if folder is not None
        else f"{ws.layout.products}/{ws.layout.product_dirs[key]}"
    )
    what = _PRODUCT_WHAT.get(key, key)
    return (
        f"{where}/ holds no {what}: the mail goes without one and does not mention it; "
        f"put your {what} there to attach it"
    )


def _recipient_warning(card: str, value: str, to: Address) -> str:
    """What is wrong with the contact's Email field, and what the draft did about it."""
    if to.addr:
        done = (
            f"the draft goes to the first, {to.addr}: give each person a contact of "
            "their own, after a line ---"
        )
    elif to.problem == SMTPUTF8:
        done = "the draft has no To: ask the customer for an address in ASCII, or type this one into the draft"
    elif to.problem == NOT_ONE:
        done = "the draft has no To: write one address, as name@domain"
    else:
        done = "the draft has no To: correct the address"
    return f"{card}: Email {quoted(value)} {to.problem}; {done}"


def _sender_warning(value: str, sender: Address) -> str:
    done = (
        f"drafts are from the first, {sender.addr}"
        if sender.addr
        else "drafts have no From address: write one address, as name@domain"
    )
    return f"folder-kit.yaml: `me: email:` {quoted(value)} {sender.problem}; {done}"


def write_prepared(ws: Workspace, prepared: Prepared) -> DraftResult:
    """Write the .eml atomically under a name not taken yet; never overwrites."""
    path = file_into(  # data built first: a missing attachment leaves nothing behind
        ws,
        prepared.customer,
        "drafts",
        stem=prepared.stem,
        suffix=".eml",
        data=prepared.data,
        keep=prepared.keep,
    )
    result = prepared.result
    if ws.relative(path) != result.path:
        from dataclasses import replace

        result = replace(result, path=ws.relative(path))
    return result


def waiting_result(ws: Workspace, customer: Customer, waiting: Sequence[Waiting]) -> DraftResult:
    """What `draft` says instead of writing a second draft: the newest one waiting."""
    from folder_kit.errors import MailError
    from folder_kit.timeline.mail import read_message

    last = waiting[-1]
    try:
        info = read_message(last.path)
        subject, to = info.subject or "", info.to or ""
    except MailError:
        subject, to = "", ""
    more = f" (and {len(waiting) - 1} older)" if len(waiting) > 1 else ""
    return DraftResult(
        customer=customer.name,
        topic=last.topic,
        reason=f"a draft written on {last.day} is waiting{more}: send it (then "
        "`folder-kit sent` it), delete it, or ask for another reason with --again",
        path=ws.relative(last.path),
        to=to,
        subject=subject,
        attachments=(),
        warnings=(),
        body="",
        waiting=True,
    )


def write_draft(
    ws: Workspace,
    name: str,
    *,
    today: dt.date,
    now: dt.datetime | None = None,
    topic: str | None = None,
    contact: str | None = None,
    cwd: Path | None = None,
    again: bool = False,
    account: Account | None = None,
) -> DraftResult:
    """Choose the topic, render, check and write the next follow-up of NAME.

    One draft per customer at a time: while one `draft` wrote waits unsent in its
    drafts folder, nothing is written and the result says so (``waiting``);
    ``again`` writes one more, about a reason none of the waiting ones is about.
    """
    with fresh_index(ws) as index:
        customer = customer_named(ws, index, name, cwd=cwd)
        waiting = waiting_drafts(ws, customer)
        if waiting and not again:
            if contact is not None:  # a --contact that names no one is an error still
                pick_contact(read_card(customer.contact_path), contact)
            return waiting_result(ws, customer, waiting)
        prepared = prepare_draft(
            ws,
            index,
            customer,
            load_events(ws, index, customer=customer.key),
            today=today,
            now=now or dt.datetime.now().astimezone(),
            topic=topic,
            contact=contact,
            avoid={w.topic for w in waiting},
            account=account,
        )
    return write_prepared(ws, prepared)


def write_due_drafts(
    ws: Workspace,
    *,
    today: dt.date,
    now: dt.datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
    again: bool = False,
) -> list[DraftResult]:
    """One draft for every customer due by ``today``, most overdue first; a customer
    with a draft waiting gets none (its result says ``waiting``), unless ``again``.

    Every draft is rendered and checked before the first is written, so a
    broken template stops the run with nothing half done.
    """
    from folder_kit.followup.pipeline import due_in

    products = all_product_files(ws)
    when = now or dt.datetime.now().astimezone()
    planned: list[Prepared | DraftResult] = []
    with fresh_index(ws) as index:
        items = due_in(ws, index, today=today, products=products)
        by_name = {c.name: c for c in indexed_customers(ws, index)}
        for item in items:
            customer = by_name.get(item.customer)
            if customer is None:
                continue
            waiting = waiting_drafts(ws, customer)
            if waiting and not again:
                planned.append(waiting_result(ws, customer, waiting))
                continue
            events = load_events(ws, index, customer=customer.key)
            planned.append(
                prepare_draft(
                    ws,
                    index,
                    customer,
                    events,
                    today=today,
                    now=when,
                    products=products,
                    avoid={w.topic for w in waiting},
                )
            )
    results = []
    to_write = sum(1 for p in planned if isinstance(p, Prepared))
    n = 0
    for p in planned:
        if isinstance(p, DraftResult):
            results.append(p)
            continue
        results.append(write_prepared(ws, p))
        n += 1
        if progress is not None:
            progress(n, to_write)
    return results
