"""Customers: one folder each, inside a grade folder under 客户/."""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, Protocol

from folder_kit.errors import (
    AddressError,
    CustomerExistsError,
    ExportPlaceError,
    FolderInUseError,
    NotACustomerFolderError,
    TargetExistsError,
    UnknownCustomerError,
    UnsafeNameError,
    UsageError,
)
from folder_kit.files import check_no_links, rename_new, umask, write_new
from folder_kit.workspace.contact import (
    CONTACT_FILE,
    NOT_ONE,
    SMTPUTF8,
    Contact,
    mail_address,
    normal_address,
    read_card,
    render_card,
)
from folder_kit.workspace.find import Workspace
from folder_kit.workspace.history import append_history, change_at, check_history
from folder_kit.workspace.ignore import is_ignored
from folder_kit.workspace.layout import (
    CUSTOMER_KINDS,
    GRADES,
    Grade,
    Kind,
    grade_of_folder,
    kind_of_folder,
)
from folder_kit.workspace.locate import locate
from folder_kit.workspace.names import (
    check_line,
    check_text,
    folder_name,
    match_key,
    normalize_name,
    search_key,
)


@dataclass(frozen=True)
class Customer:
    name: str  # the folder name, as `customer list` shows it
    grade: Grade
    path: Path

    @property
    def key(self) -> str:
        """The name as the index keys it: NFC (macOS hands out NFD)."""
        return customer_key(self.name)

    @property
    def grade_folder(self) -> str:
        return self.path.parent.name

    @property
    def contact_path(self) -> Path:
        return self.path / CONTACT_FILE


# --- What a customer is --------------------------------------------------------
#
# The one definition every command shares: the scan walks the tree with these
# functions, `customer list`, `log` and `move` act on what the scan found, and
# `customer add` refuses a name the scan would not read.


class Problem(NamedTuple):
    """Something under 客户/ that is not read, and why; shown as a scan warning."""

    where: str  # workspace-relative, "/"-separated
    message: str
    grade_folder: str = ""  # the grade folder whose listing found it; "" for 客户/ itself


class Entry(Protocol):
    """What the rules ask of a folder entry (an ``os.DirEntry``, or one found by name)."""

    @property
    def name(self) -> str: ...
    @property
    def path(self) -> str: ...
    def is_symlink(self) -> bool: ...
    def is_dir(self, *, follow_symlinks: bool = True) -> bool: ...


class GradeFolder(NamedTuple):
    grade: Grade
    name: str  # as on disk
    path: str


class Found(NamedTuple):
    """A customer folder in a grade folder, before duplicates are settled."""

    grade: Grade
    grade_folder: str
    name: str  # as on disk
    path: str


def customer_key(name: str) -> str:
    return name if name.isascii() else unicodedata.normalize("NFC", name)


def printable(name: str) -> str:
    """A file name that may hold undecodable bytes, safe to show and to store."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def valid_name(name: str) -> bool:
    """False for a name holding bytes that are not UTF-8 (decoded as surrogates)."""
    if name.isascii():
        return True
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def link_problem(root: Path, path: str, *, grade_folder: str = "") -> Problem:
    try:
        target = os.readlink(path)
    except OSError:
        target = "?"
    rel = printable(Path(path).relative_to(root).as_posix())
    return Problem(
        rel,
        f"skipped symbolic link {rel} -> {printable(target)} (links are not followed)",
        grade_folder,
    )


def judge_grade_entry(root: Path, base_rel: str, entry: Entry) -> GradeFolder | Problem | None:
    """What an entry of 客户/ is: a grade folder to read, a problem to report, or
    nothing at all (hidden, temporary, a stray file)."""
    name = entry.name
    if name.startswith(".") or is_ignored(name):
        return None
    grade = grade_of_folder(name)
    rel = f"{base_rel}/{printable(name)}"
    if grade is None:
        if entry.is_dir(follow_symlinks=False):
            return Problem(
                rel,
                f"{rel} is not a grade folder (its name must start with A, B, C or D, "
                "or be 待开发客户/Prospects): the customers in it are not read",
            )
        return None
    if not valid_name(name):
        return Problem(rel, f"skipped {rel}: folder name is not valid UTF-8; rename it")
    if entry.is_symlink():
        return link_problem(root, entry.path)
    if not entry.is_dir(follow_symlinks=False):
        return None
    return GradeFolder(grade, name, entry.path)


def judge_customer_entry(root: Path, folder: GradeFolder, entry: Entry) -> Found | Problem | None:
    """What an entry of a grade folder is: a customer folder, a problem, or nothing."""
    if is_ignored(entry.name):
        return None
    if entry.is_symlink():
        return link_problem(root, entry.path, grade_folder=folder.name)
    if entry.is_dir(follow_symlinks=False):
        return Found(folder.grade, folder.name, entry.name, entry.path)
    return None


def settle_customers(found: list[Found], base_rel: str) -> tuple[list[Found], list[Problem]]:
    """The customers among ``found``: names that are not UTF-8 are refused, and of
    two folders for one customer (one name in two grade folders, or NFC and NFD
    spellings of it) the first in grade order is read. Sorted by grade, then name."""
    found = sorted(found, key=lambda f: (GRADES.index(f.grade), f.name))
    kept: list[Found] = []
    problems: list[Problem] = []
    seen: dict[str, Found] = {}
    for f in found:
        shown = f"{base_rel}/{f.grade_folder}/{printable(f.name)}"
        if not valid_name(f.name):
            message = f"skipped {shown}: folder name is not valid UTF-8; rename it"
            problems.append(Problem(shown, message, f.grade_folder))
            continue
        key = customer_key(f.name)
        first = seen.get(key)
        if first is None:
            seen[key] = f
            kept.append(f)
            continue
        if first.grade_folder == f.grade_folder:
            message = (
                f"{base_rel}/{f.grade_folder} holds two folders named {key!r}, spelled "
                "with different Unicode forms (as macOS and Windows write accents); "
                "only one is read — merge them"
            )
        else:
            message = (
                f"customer {key!r} is in two grade folders ({first.grade_folder} and "
                f"{f.grade_folder}); only {first.grade_folder} is read — merge or delete "
                "one of them"
            )
        problems.append(Problem(shown, message, f.grade_folder))
    return kept, problems


def grade_folders(root: Path, base: Path) -> tuple[list[GradeFolder] | None, list[Problem]]:
    """The grade folders in the customers folder ``base``, by name, and what is
    there but not read; None when ``base`` itself is a link or cannot be read (its
    customers are then unknown, not gone). The walk of 客户/ every reader shares:
    ``find_customers`` and the scan."""
    base_rel = base.name
    if os.path.islink(base):
        return None, [link_problem(root, str(base))]
    try:
        with os.scandir(base) as it:
            top = sorted(it, key=_entry_name)
    except FileNotFoundError:
        return [], []
    except OSError as e:
        return None, [Problem(base_rel, f"cannot read folder {base_rel}: {e.strerror or e}")]
    folders: list[GradeFolder] = []
    problems: list[Problem] = []
    for entry in top:
        judged = judge_grade_entry(root, base_rel, entry)
        if isinstance(judged, Problem):
            problems.append(judged)
        elif judged is not None:
            folders.append(judged)
    return folders, problems


def customers_in(
    root: Path, base_rel: str, folder: GradeFolder
) -> tuple[list[Found] | None, list[Problem]]:
    """The customer folders in a grade folder (duplicates not yet settled) and what
    is there but not read; None when it cannot be listed now (a network drive):
    its customers are then unknown, not gone."""
    try:
        with os.scandir(folder.path) as it:
            entries = list(it)
    except FileNotFoundError:
        return [], []
    except OSError as e:
        where = f"{base_rel}/{printable(folder.name)}"
        message = f"cannot read folder {where}: {e.strerror or e}"
        return None, [Problem(where, message, folder.name)]
    found: list[Found] = []
    problems: list[Problem] = []
    for entry in entries:
        judged = judge_customer_entry(root, folder, entry)
        if isinstance(judged, Problem):
            problems.append(judged)
        elif judged is not None:
            found.append(judged)
    return found, problems


def _entry_name(entry: os.DirEntry[str]) -> str:
    return entry.name


def find_customers(ws: Workspace) -> tuple[list[Customer], list[Problem]]:
    """Every customer folder in every grade folder, and what could not be read,
    by the rules the scan keeps. Sorted by grade, then name as `customer list` shows."""
    base = ws.customers_dir
    folders, problems = grade_folders(ws.root, base)
    found: list[Found] = []
    for folder in folders or ():
        in_folder, more = customers_in(ws.root, base.name, folder)
        problems += more
        found += in_folder or ()
    kept, duplicates = settle_customers(found, base.name)
    customers = [Customer(name=f.name, grade=f.grade, path=Path(f.path)) for f in kept]
    customers.sort(key=lambda c: (GRADES.index(c.grade), match_key(c.name)))
    return customers, problems + duplicates


def kind_folder(ws: Workspace, customer: Customer, kind: Kind) -> Path:
    """The customer's folder of ``kind`` (草稿/ or Drafts/, OUT, ...): the one there,
    in either language, else the layout's name for a new one."""
    try:
        for child in sorted(customer.path.iterdir()):
            if child.is_dir() and not child.is_symlink() and kind_of_folder(child.name) == kind:
                return child
    except OSError:
        pass
    return customer.path / ws.layout.customer_dirs[kind]


def list_customers(ws: Workspace) -> list[Customer]:
    """Every customer folder in every grade folder, sorted by grade then name."""
    return find_customers(ws)[0]


class CardNames(NamedTuple):
    """What a customer's Contact.txt names it by, beside its folder."""

    company: str | None = None  # the real name
    people: tuple[str, ...] = ()  # the contacts' names
    addresses: tuple[str, ...] = ()  # every address on it (``contact.card_addresses``)


def resolve_customer(
    ws: Workspace,
    query: str,
    *,
    cwd: Path | None = None,
    customers: Sequence[Customer] | None = None,
    cards: Mapping[str, CardNames] | None = None,
) -> Customer:
    """The customer a user means by a folder name, a company name, a path, or the
    way people remember a customer: a contact's name, an e-mail address, a domain.

    Tries, in order: a path to (or inside) a customer folder; the folder name;
    the portable folder name of what was typed (``Maersk A/S``); the company
    name in Contact.txt; an address on a card (``rob@acme.de``), or a domain of
    one (``acme.de``, ``nd.edu``: its subdomains too); a unique part of the folder
    or company name; then a contact's name, its words in any order and each a
    whole word (``Rob Kossler`` finds ``Kossler, Rob``). ``customers`` and
    ``cards`` (by customer key) are what the index holds; without them the
    folders are listed and every Contact.txt is read. A blank ``query`` is
    refused: `log ''` must not pick a folder named "   ".
    """
    if not query.strip():
        raise UsageError(
            "NAME is empty: give the customer's name as `customer list` shows it, "
            "or . inside its folder"
        )
    if customers is None:
        customers = list_customers(ws)
    by_path = _by_path(ws, customers, query, cwd or Path.cwd())
    if by_path is not None:
        return by_path
    key = match_key(query)
    try:
        portable = match_key(folder_name(query))
    except UnsafeNameError:
        portable = key
    for wanted in (key, portable):
        hits = [c for c in customers if match_key(c.name) == wanted]
        if hits:
            return _one(query, hits)
    if cards is None:
        cards = {c.key: _card_names(c) for c in customers}
    known = {c.key: cards.get(c.key) or CardNames() for c in customers}
    real = {c.key: known[c.key].company or "" for c in customers}
    hits = [c for c in customers if real[c.key] and match_key(real[c.key]) == key]
    if hits:
        return _one(query, hits)
    at = _address_match(query)
    if at is not None:
        hits = [c for c in customers if any(map(at, known[c.key].addresses))]
        if hits:
            return _one(query, hits)
    # A part of a name, accents aside: "Muller" finds "Müller & Söhne GmbH".
    part = search_key(query)
    hits = [
        c
        for c in customers
        if part and (part in search_key(c.name) or part in search_key(real[c.key]))
    ]
    if hits:
        return _one(query, hits)
    words = _words(query)
    hits = [
        c
        for c in customers
        if words and any(words <= _words(person) for person in known[c.key].people)
    ]
    if hits:
        return _one(query, hits)
    # Suggest customers, each once and by the name `customer list` shows, scored
    # by its folder, company or a contact's name, whichever is closest (folded,
    # accents aside).
    spellings = {
        c.name: [c.name, *([real[c.key]] if real[c.key] else []), *known[c.key].people]
        for c in customers
    }
    raise UnknownCustomerError(name=query, matches=_closest(part, spellings))


def _card_names(customer: Customer) -> CardNames:
    """What a customer's Contact.txt names it by, read from the file."""
    from folder_kit.workspace.contact import card_addresses

    card = read_card(customer.contact_path)
    people = tuple(dict.fromkeys(c.name for c in card.contacts if c.name))
    return CardNames(card.company or None, people, card_addresses(card))


# A domain as typed for one: ``nd.edu``, ``@acme.de``; an address: ``rob@acme.de``.
_DOMAIN = re.compile(r"@?(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9-]*[a-z]", re.ASCII)
_ADDRESS_TYPED = re.compile(r"[^@\s<>]+@[^@\s<>]+")


def _address_match(query: str) -> Callable[[str], bool] | None:
    """What a card's (normalised) address must be for ``query`` to name it: the
    address itself, or one at the domain (or a subdomain of it); None when
    ``query`` is neither an address nor a domain."""
    typed = normal_address(query).removeprefix("mailto:").strip("<>")
    if _ADDRESS_TYPED.fullmatch(typed):
        return typed.__eq__
    if _DOMAIN.fullmatch(typed):
        domain = typed.lstrip("@")
        return lambda address: (
            (address.endswith("@" + domain) or address.endswith("." + domain)) and "@" in address
        )
    return None


def _words(name: str) -> frozenset[str]:
    """The words of a person's name, folded, accents and punctuation aside:
    "Kossler, Rob" and "rob kossler" have the same."""
    return frozenset(re.findall(r"\w+", search_key(name)))


def _closest(part: str, spellings: dict[str, list[str]]) -> list[str]:
    """Up to three names whose spellings are like ``part``, as a whole or at their
    start ("Mueler" for "mueller gmbh"), best first."""
    import difflib  # only when a name finds no customer: not for every command

    def score(text: str) -> float:
        key = search_key(text)
        whole = difflib.SequenceMatcher(None, part, key).ratio()
        start = difflib.SequenceMatcher(None, part, key[: len(part) + 2]).ratio()
        return max(whole, start)

    scored = sorted(
        ((max(score(s) for s in names), shown) for shown, names in spellings.items()),
        key=lambda s: (-s[0], s[1]),
    )
    return [shown for value, shown in scored[:3] if value >= 0.6]


def _by_path(
    ws: Workspace, customers: Sequence[Customer], query: str, cwd: Path
) -> Customer | None:
    """The customer whose folder ``query`` names or lies in, when it names a folder.

    A folder that exists but is no customer's is an error, not a name to match:
    `log .` run from the wrong folder must not pick a customer whose name has a dot.
    """
    candidate = (cwd / query).expanduser()
    try:
        is_folder = candidate.is_dir()
    except OSError:  # a name too long to be a path, say
        return None
    if not is_folder:
        return None
    target = candidate.resolve()
    # Both sides resolved: a workspace reached through a link, or typed in another
    # case on Windows, is still this one.
    where = locate(
        str(target), root=str(ws.root.resolve()), customers=str(ws.customers_dir.resolve())
    )
    if where.level == "customer":
        key = customer_key(where.customer)
        for customer in customers:
            if customer.key == key and customer.grade_folder == where.grade_folder:
                return customer
    if query in (".", "..") or "/" in query or os.sep in query:
        raise NotACustomerFolderError(path=str(target))
    return None


def _one(query: str, hits: list[Customer]) -> Customer:
    if len(hits) == 1:
        return hits[0]
    raise UnknownCustomerError(
        name=query, matches=[f"{c.name} ({c.grade})" for c in hits], ambiguous=True
    )


@dataclass(frozen=True)
class AddResult:
    customer: Customer
    created: tuple[Path, ...]
    dry_run: bool


def add_customer(
    ws: Workspace,
    name: str,
    *,
    grade: Grade,
    email: str = "",
    contact_name: str = "",
    country: str = "",
    dry_run: bool = False,
) -> AddResult:
    """Create a customer folder, its subfolders and its Contact.txt.

    The folder name is the portable form of ``name``; the real name goes into
    Contact.txt. An existing customer of that name, in any grade, is refused.
    """
    # The name's blanks and line breaks fold into single spaces (normalize_name); the
    # other fields must be one line each, or Contact.txt would read back otherwise.
    check_text(name=name)
    check_line(email=email, contact_name=contact_name, country=country)
    email, contact_name, country = _checked_email(email), contact_name.strip(), country.strip()
    company = normalize_name(name)
    folder = folder_name(name)
    for existing in list_customers(ws):
        if match_key(existing.name) == match_key(folder):
            raise CustomerExistsError(name=name, path=ws.relative(existing.path))
    grade_dir = _grade_dir(ws, grade)
    path = grade_dir / folder
    if path.parent != grade_dir:  # belt and braces: the name must stay one component
        raise TargetExistsError(
            path=str(path), hint="the name does not stay inside its grade folder"
        )
    check_no_links(ws.root, path)
    layout = ws.layout
    subfolders = [path / layout.customer_dirs[kind] for kind in CUSTOMER_KINDS if kind != "drafts"]
    created = (path, *subfolders, path / CONTACT_FILE)
    customer = Customer(name=folder, grade=grade, path=path)
    if dry_run:
        return AddResult(customer=customer, created=created, dry_run=True)
    grade_dir.mkdir(parents=True, exist_ok=True)
    if os.path.lexists(path):
        raise CustomerExistsError(name=name, path=ws.relative(path))
    # Built whole in a hidden folder beside it, then given its name: a full disk
    # leaves no customer without its card (a retry would find it "already there").
    contact = Contact(company=company, country=country, name=contact_name, email=email)
    card = render_card([contact], lang=ws.config.lang).encode("utf-8")
    import shutil  # only when writing: both are slow to import (shutil 2 ms of every scan)
    import tempfile

    building = Path(tempfile.mkdtemp(dir=grade_dir, prefix=".folder-kit-new-"))
    try:
        os.chmod(building, 0o777 & ~umask())  # mkdtemp makes 0700
        for sub in subfolders:
            (building / sub.name).mkdir()
        write_new(building / CONTACT_FILE, card)
        try:
            rename_new(building, path)
        except TargetExistsError:
            raise CustomerExistsError(name=name, path=ws.relative(path)) from None
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return AddResult(customer=customer, created=created, dry_run=False)


def _checked_email(value: str) -> str:
    """``--email`` as the card keeps it: one address, full-width characters made
    ASCII, an international domain kept readable (drafts write its ASCII form)."""
    address = mail_address(value)
    if address.problem:
        hints = {
            SMTPUTF8: "ask the customer for an address in ASCII",
            NOT_ONE: "give one address, as name@domain",
        }
        if address.addr:  # several addresses
            hint = "give one address, and add the other people to Contact.txt after a line ---"
        else:
            hint = hints.get(address.problem, "correct the domain")
        raise AddressError(option="--email", value=value, reason=address.problem, hint=hint)
    if address.name:
        raise AddressError(
            option="--email",
            value=value,
            reason="holds a name",
            hint="give the address alone, and the name with --contact-name",
        )
    return address.typed


def _grade_dir(ws: Workspace, grade: Grade) -> Path:
    """The folder that holds ``grade``: the layout's own name, else one the user
    renamed ("B 在谈" is still grade B), else the layout's name, to be created."""
    own = ws.customers_dir / ws.layout.grades[grade]
    # The scan never follows links; nor does anything folder-kit writes.
    check_no_links(ws.root, own)
    if own.is_dir():
        return own
    try:
        entries = sorted(os.scandir(ws.customers_dir), key=lambda e: e.name)
    except OSError:
        return own
    for entry in entries:
        if entry.is_dir(follow_symlinks=False) and grade_of_folder(entry.name) == grade:
            return Path(entry.path)
    return own


@dataclass(frozen=True)
class MoveResult:
    customer: Customer
    source: Path
    moved: bool
    dry_run: bool
    note_error: str = ""  # why the grade note was not written (the scan writes it later)


# ERROR_ACCESS_DENIED, ERROR_SHARING_VIOLATION: what Windows answers a rename of a
# folder that some process has open, or has as its working folder.
_IN_USE = (5, 32)


def _leave(folder: Path, *, for_: Path) -> None:
    """Step out of ``folder`` when it holds this process's working folder (`customer
    move .` run inside it): Windows renames no folder a process is working in, and
    the user means the customer, not the place the command ran."""
    try:
        here = Path.cwd().resolve()
        folder = folder.resolve()
    except OSError:
        return
    if here == folder or folder in here.parents:
        os.chdir(for_)


def _twin(grade_dir: Path, name: str) -> Path | None:
    """What in ``grade_dir`` holds ``name``: itself, or a spelling of it one key
    (an NFD "Müller" beside an NFC one would hide one customer's events)."""
    target = grade_dir / name
    if os.path.lexists(target):
        return target
    key = customer_key(name)
    try:
        with os.scandir(grade_dir) as entries:
            return next((Path(e.path) for e in entries if customer_key(e.name) == key), None)
    except OSError:
        return None


def move_customer(
    ws: Workspace, customer: Customer, *, grade: Grade, dry_run: bool = False
) -> MoveResult:
    """Move a customer folder to another grade folder in one rename."""
    if customer.grade == grade:
        return MoveResult(customer=customer, source=customer.path, moved=False, dry_run=dry_run)
    grade_dir = _grade_dir(ws, grade)
    target = grade_dir / customer.path.name
    check_no_links(ws.root, customer.path)
    check_no_links(ws.root, grade_dir)
    # A history note that is a link or a FIFO is refused before anything moves.
    check_history(customer.path)
    taken = _twin(grade_dir, customer.path.name)
    if taken is not None:
        raise TargetExistsError(
            path=ws.relative(taken), hint="move or rename that folder first; nothing was moved"
        )
    moved = Customer(name=customer.name, grade=grade, path=target)
    if not dry_run:
        grade_dir.mkdir(parents=True, exist_ok=True)
        _leave(customer.path, for_=ws.root)
        try:
            rename_new(customer.path, target)
        except TargetExistsError:  # made meanwhile
            raise TargetExistsError(
                path=ws.relative(target), hint="move or rename that folder first; nothing was moved"
            ) from None
        except PermissionError as e:
            if getattr(e, "winerror", None) in _IN_USE:
                raise FolderInUseError(path=ws.relative(customer.path)) from e
            raise
        # The move itself leaves no trace on disk; note it where a rebuilt index finds it.
        try:
            append_history(target, change_at(dt.datetime.now(), customer.grade, grade))
        except OSError as e:  # a full disk: the move happened all the same
            return MoveResult(moved, customer.path, True, dry_run, note_error=e.strerror or str(e))
    return MoveResult(customer=moved, source=customer.path, moved=True, dry_run=dry_run)


def check_export_place(ws: Workspace, path: Path) -> None:
    """Refuse to write an export (``report --html``, ``due --ics``) at ``path`` when it
    lies in the customers folder: the scan would read a page in OUT/ as a follow-up
    and one in IN/ as a reply, and a page about every customer does not belong in
    one customer's folder (which is what gets shared and synced)."""
    try:
        # The folder resolved (links, "..", a relative path typed inside a customer
        # folder), as the scan's own paths are; the file itself need not exist.
        target = path.absolute().parent.resolve() / path.name
        root = ws.root.resolve()
        base = ws.customers_dir.resolve()
    except (OSError, RuntimeError):
        return  # a folder that cannot be resolved: writing there fails on its own
    where = locate(str(target), root=str(root), customers=str(base))
    if where.level in ("customer", "grades"):
        raise ExportPlaceError(
            path=str(path), customers=ws.customers_dir.name, instead=str(ws.root / path.name)
        )
