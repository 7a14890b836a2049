"""Reading folder-kit.yaml's YAML into a Config: the loader, its limits, and the
readers of each section (``_Reader``). Imported only when a text must be parsed:
``config.load_config`` keeps what it gave for the same bytes (``kept.kept_parse``).
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar, cast

import yaml

from folder_kit.errors import ConfigError, quoted, shown, visible
from folder_kit.workspace.config import (
    ACCOUNT_NAME,
    ACCOUNT_NAME_RULE,
    DEFAULT_CADENCE,
    DEFAULT_MEDIUM_KEYWORDS,
    DEFAULT_TOPIC_KEYWORDS,
    NO_SECURITY_RULE,
    SECURITIES,
    Account,
    Config,
    Drafts,
    Exhibition,
    Holidays,
    Mail,
    Me,
    Taboos,
    is_loopback,
)
from folder_kit.workspace.layout import GRADES, LANGS, Grade, Lang
from folder_kit.workspace.names import line_break_in
from folder_kit.workspace.thresholds import THRESHOLDS, Threshold


def parse(text: str, *, path: Path) -> Config:
    # The pure-Python loader on purpose: its error messages are the same on every
    # machine, with or without libyaml (and the file is small).
    try:
        loader = _LimitedLoader(text)
        root = loader.get_single_node()
        if root is not None:
            _check_size(root)
    except _TooBig as e:
        raise ConfigError(path=path, line=e.line, reason=e.reason) from e
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark is not None else None
        reason = " ".join(p for p in (e.context, e.problem) if p) or "invalid YAML"
        hint = _yaml_hint(reason)
        reason = f"invalid YAML: {reason}" + (f" ({hint})" if hint else "")
        raise ConfigError(path=path, line=line, reason=reason) from e
    except yaml.YAMLError as e:  # a control character, say: the reader gives its offset
        position = getattr(e, "position", None)
        line = text.count("\n", 0, position) + 1 if isinstance(position, int) else None
        reason = str(e).splitlines()[0]
        raise ConfigError(path=path, line=line, reason=f"invalid YAML: {reason}") from e
    try:
        if root is None:
            return Config(path=path)
        return replace(_Reader(path, loader).config(root), path=path)
    finally:
        loader.dispose()


# A settings file a person writes nests four levels deep and holds a few hundred
# values. Far more is an accident or an attack: 600 levels overflow the composer's
# recursion, and a few nested aliases ("billion laughs") stand for billions of values.
MAX_DEPTH = 50
MAX_VALUES = 10_000


class _TooBig(yaml.YAMLError):
    def __init__(self, reason: str, line: int | None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


class _LimitedLoader(yaml.SafeLoader):
    """The safe loader, refusing nesting deeper than MAX_DEPTH while it composes."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise _TooBig(f"nested more than {MAX_DEPTH} levels deep", mark.line + 1)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _check_size(root: yaml.Node) -> None:
    """Refuse a tree that, with its aliases expanded, holds more than MAX_VALUES
    nodes, or that holds itself. Counted without expanding: each node once."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        children = _children(node)
        if done:
            on_path.discard(id(node))
            size = 1 + sum(sizes[id(c)] for c in children)
            if size > MAX_VALUES:
                raise _TooBig(
                    f"holds more than {MAX_VALUES} values once its aliases (*name) are "
                    "expanded; write the values out instead",
                    node.start_mark.line + 1,
                )
            sizes[id(node)] = size
            continue
        if id(node) in sizes:
            continue
        if id(node) in on_path:
            raise _TooBig("an alias (*name) refers to its own anchor", node.start_mark.line + 1)
        on_path.add(id(node))
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in sizes)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _yaml_hint(problem: str) -> str:
    """What a salesperson editing in Notepad most likely did, for the parser's words."""
    if "'\\t'" in problem:
        return "indent with spaces, not tabs"
    if "mapping values are not allowed" in problem:
        return 'a value holding ": " needs quotes, like  name: "Li: Lei"'
    if "flow sequence" in problem or "flow mapping" in problem:
        return "a [ or { is not closed on this line or the one above"
    if "block" in problem:
        return "check the indentation of this line against the line above"
    return ""


T = TypeVar("T")

_STANDARD_TAGS = {
    f"tag:yaml.org,2002:{t}"
    for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
}


_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# A domain as a person writes it in a list: labels of letters, digits and hyphens
# (any script: international domains too), or "provider.*".
_MAIL_DOMAIN = re.compile(r"(?:[^\W_](?:[\w-]*[^\W_])?\.)+(?:[^\W_](?:[\w-]*[^\W_])?|\*)")


class _Collection:
    """A list or mapping found where one value belongs; never equal to a value."""

    def __init__(self, node: yaml.Node) -> None:
        self.node = node

    def __str__(self) -> str:
        return described(self.node)


def described(node: yaml.Node) -> str:
    """A value as the user wrote it, for a message: never a Python repr, never long."""
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if node.tag == "tag:yaml.org,2002:null":
        return "nothing"
    return quoted(node.value, limit=60)


# The readers of the top-level keys of folder-kit.yaml, by key, with whether the
# reader gives several Config fields (a mapping of them) rather than the field of
# its own name. A new section is its dataclass, its field in Config, and its reader,
# a method of _Reader marked @_section: nothing else lists the sections.
_SectionReader = Callable[["_Reader", yaml.Node, str], Any]
_SECTIONS: dict[str, tuple[_SectionReader, bool]] = {}


def _section(name: str, *, spread: bool = False) -> Callable[[_SectionReader], _SectionReader]:
    def register(read: _SectionReader) -> _SectionReader:
        _SECTIONS[name] = (read, spread)
        return read

    return register


class _Reader:
    """Turns a composed YAML node tree into a Config, naming lines and keys in errors."""

    def __init__(self, path: Path, loader: yaml.SafeLoader) -> None:
        self.path = path
        self.loader = loader

    def error(self, node: yaml.Node, key: str, reason: str) -> ConfigError:
        return ConfigError(path=self.path, line=node.start_mark.line + 1, key=key, reason=reason)

    def check_tag(self, node: yaml.Node, key: str) -> None:
        if node.tag not in _STANDARD_TAGS:
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            raise self.error(node, key, f"the tag {tag} is not allowed here")

    def value(self, node: yaml.Node, key: str) -> Any:
        """A scalar's value; a list or mapping where a single value is expected gives
        a stand-in that every check refuses (it is never constructed: no expansion)."""
        self.check_tag(node, key)
        if not isinstance(node, yaml.ScalarNode):
            return _Collection(node)
        try:
            return self.loader.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError) as e:  # ValueError: a date like 2027-04-31
            raise self.error(node, key, f"invalid value: {shown(e)}") from e

    def mapping(
        self, node: yaml.Node, key: str, allowed: tuple[str, ...] | None
    ) -> dict[str, tuple[yaml.Node, str]]:
        """A mapping's children by key, each with its dotted name; unknown keys refused."""
        if key and isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null":
            return {}  # `me:` with nothing under it yet
        if not isinstance(node, yaml.MappingNode):
            raise self.error(node, key or "(top level)", "expected a mapping of `key: value` lines")
        self.check_tag(node, key or "(top level)")
        out: dict[str, tuple[yaml.Node, str]] = {}
        for key_node, value_node in node.value:
            name = self.value(key_node, key)
            name = str(name)
            dotted = f"{key}.{name}" if key else name
            if allowed is not None and name not in allowed:
                known = ", ".join(allowed)
                raise self.error(key_node, dotted, f"unknown key (known keys: {known})")
            if name in out:
                raise self.error(key_node, dotted, "appears twice")
            out[name] = (value_node, dotted)
        return out

    def typed(self, node: yaml.Node, key: str, kind: type[T], what: str) -> T:
        value = self.value(node, key)
        if kind is int and isinstance(value, bool):
            raise self.error(node, key, f"expected {what}, got {described(node)}")
        if kind is str and isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)  # a phone number written without quotes
        if not isinstance(value, kind):
            hint = ""
            if kind is str and isinstance(value, dt.date):
                hint = "; put it in quotes to keep it as text"
            raise self.error(node, key, f"expected {what}, got {described(node)}{hint}")
        return value

    def text(self, node: yaml.Node, key: str) -> str:
        if self.value(node, key) is None:
            return ""
        return self.typed(node, key, str, "text")

    def line(self, node: yaml.Node, key: str) -> str:
        """Text that must stay on one line: it ends up in a mail header or a
        template line, where a line break would add a header (`Bcc:`, `Attach:`)."""
        value = self.text(node, key)
        bad = line_break_in(value)
        if bad is not None:
            raise self.error(
                node,
                key,
                f"holds a line break or control character ({visible(bad)}); write it on one line",
            )
        return value

    def number(self, node: yaml.Node, key: str, *, low: int, high: int, what: str) -> int:
        value = self.typed(node, key, int, "a whole number")
        if not low <= value <= high:
            raise self.error(node, key, f"expected {what} from {low} to {high}, got {value}")
        return value

    def days(self, node: yaml.Node, key: str, *, low: int = 1, high: int = 3650) -> int:
        return self.number(node, key, low=low, high=high, what="a number of days")

    def percent(self, node: yaml.Node, key: str, *, low: int = 1, high: int = 1000) -> int:
        """A share of the grade's cadence, in percent."""
        return self.number(node, key, low=low, high=high, what="a percentage")

    def count(self, node: yaml.Node, key: str, *, low: int = 1, high: int = 100) -> int:
        """How many follow-ups or contacts: a count, not a span of days."""
        return self.number(node, key, low=low, high=high, what="a count")

    def date(self, node: yaml.Node, key: str) -> dt.date:
        value = self.value(node, key)
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str) and _ISO_DAY.fullmatch(value.strip()):
            try:  # written in quotes: "2027-04-15" is the same day
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                raise self.error(
                    node, key, f"{quoted(value)} is not a day of the calendar"
                ) from None
        raise self.error(node, key, f"expected a date as YYYY-MM-DD, got {described(node)}")

    def words(self, node: yaml.Node, key: str) -> tuple[str, ...]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.error(node, key, "expected a list, like [word, other word]")
        self.check_tag(node, key)
        out = []
        for item in node.value:
            word = self.line(item, key).strip()
            if not any(ch.isalnum() for ch in word):
                raise self.error(
                    item,
                    key,
                    f"{quoted(word)}: a keyword needs a letter or digit, or it matches every file",
                )
            out.append(word)
        return tuple(out)

    def section(
        self,
        node: yaml.Node,
        key: str,
        cls: Callable[..., T],
        fields: Mapping[str, Callable[..., Any]],
    ) -> T:
        children = self.mapping(node, key, tuple(fields))
        return cls(**{name: fields[name](n, k) for name, (n, k) in children.items()})

    def config(self, root: yaml.Node) -> Config:
        values: dict[str, Any] = {}
        for name, (node, key) in self.mapping(root, "", tuple(_SECTIONS)).items():
            read, spread = _SECTIONS[name]
            if spread:
                values.update(read(self, node, key))
            else:
                values[name] = read(self, node, key)
        return Config(**values)

    def flag(self, node: yaml.Node, key: str) -> bool:
        return self.typed(node, key, bool, "true or false")

    def threshold(self, threshold: Threshold[Any], node: yaml.Node, key: str) -> Any:
        if threshold.kind == "words":
            return self.words(node, key)
        read = {"count": self.count, "percent": self.percent, "days": self.days}[threshold.kind]
        return read(node, key, **threshold.bounds())

    # The top-level sections, in the order an unknown key's message lists them.

    @_section("lang")
    def lang(self, node: yaml.Node, key: str) -> Lang:
        value = self.value(node, key)
        if not isinstance(value, str) or value not in LANGS:
            raise self.error(
                node, key, f"expected one of {', '.join(LANGS)}, got {described(node)}"
            )
        return value

    @_section("timezone")
    def timezone(self, node: yaml.Node, key: str) -> str | None:
        """The zone whose days the user counts in, by its IANA name (a salesperson at a
        fair abroad keeps home days); checked against the time-zone database."""
        value = self.value(node, key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.error(node, key, f"expected a time zone name, got {described(node)}")
        name = value.strip()
        try:
            zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            raise self.error(
                node,
                key,
                f"unknown time zone {quoted(name, limit=60)}; "
                "expected an IANA name such as Asia/Shanghai or Europe/Berlin",
            ) from None
        return name

    @_section("me")
    def me(self, node: yaml.Node, key: str) -> Me:
        fields = {f: self.line for f in Me.__dataclass_fields__}
        return self.section(node, key, Me, {**fields, "signature": self.text})

    @_section("cadence")
    def cadence(self, node: yaml.Node, key: str) -> Mapping[Grade, int]:
        children = self.mapping(node, key, tuple(g for g in GRADES if g != "P"))
        cadence = dict(DEFAULT_CADENCE)
        for grade, (n, k) in children.items():
            cadence[cast(Grade, grade)] = self.days(n, k)
        return cadence

    @_section("taboos")
    def taboos(self, node: yaml.Node, key: str) -> Taboos:
        """The thresholds declared in ``thresholds`` (a registered taboo adds its own)."""
        children = self.mapping(node, key, tuple(THRESHOLDS))
        return Taboos(
            **{name: self.threshold(THRESHOLDS[name], n, k) for name, (n, k) in children.items()}
        )

    @_section("keywords", spread=True)
    def keywords(self, node: yaml.Node, key: str) -> dict[str, Mapping[str, tuple[str, ...]]]:
        children = self.mapping(node, key, ("medium", "topic"))
        out: dict[str, Mapping[str, tuple[str, ...]]] = {}
        for name, defaults, dest in (
            ("medium", DEFAULT_MEDIUM_KEYWORDS, "medium_keywords"),
            ("topic", DEFAULT_TOPIC_KEYWORDS, "topic_keywords"),
        ):
            if name not in children:
                continue
            n, k = children[name]
            lists = {
                label: self.words(ln, lk)
                for label, (ln, lk) in self.mapping(n, k, tuple(defaults)).items()
            }
            # Lists given replace the defaults for that label; the others keep theirs.
            out[dest] = {**defaults, **lists}
        return out

    @_section("exhibitions")
    def exhibitions(self, node: yaml.Node, key: str) -> tuple[Exhibition, ...]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.error(node, key, "expected a list of exhibitions")
        self.check_tag(node, key)
        out = []
        for i, item in enumerate(node.value):
            k = f"{key}[{i}]"
            children = self.mapping(item, k, ("name", "city", "start", "end", "booth"))
            for required in ("name", "city", "start", "end"):
                if required not in children:
                    raise self.error(item, f"{k}.{required}", "missing")
            show = Exhibition(
                name=self.line(*children["name"]),
                city=self.line(*children["city"]),
                start=self.date(*children["start"]),
                end=self.date(*children["end"]),
                booth=self.line(*children["booth"]) if "booth" in children else "",
            )
            if show.end < show.start:
                raise self.error(children["end"][0], f"{k}.end", "ends before it starts")
            out.append(show)
        return tuple(out)

    @_section("holidays")
    def holidays(self, node: yaml.Node, key: str) -> Holidays:
        return self.section(
            node,
            key,
            Holidays,
            {
                "greet": self.flag,
                "lead_days": self.days,
                "min_days": lambda n, k: self.days(n, k, low=0, high=60),
                "names": self.words,
            },
        )

    @_section("drafts")
    def drafts(self, node: yaml.Node, key: str) -> Drafts:
        return self.section(
            node,
            key,
            Drafts,
            {
                "max_words": lambda n, k: self.number(
                    n, k, low=20, high=5000, what="a number of words"
                )
            },
        )

    @_section("mail")
    def mail(self, node: yaml.Node, key: str) -> Mail:
        mail = self.section(
            node,
            key,
            Mail,
            {
                "match_domains": self.flag,
                "free_mail_domains": self.domains,
                "accounts": self.accounts,
                "drafts_account": self.line,
                "interval": lambda n, k: self.number(
                    n, k, low=1, high=86_400, what="a number of seconds"
                ),
            },
        )
        if mail.drafts_account is not None and mail.account(mail.drafts_account) is None:
            children = self.mapping(node, key, None)
            n, k = children["drafts_account"]
            names = ", ".join(a.name for a in mail.accounts) or "none yet"
            raise self.error(n, k, f"no account {quoted(mail.drafts_account)} (accounts: {names})")
        return mail

    def accounts(self, node: yaml.Node, key: str) -> tuple[Account, ...]:
        """``mail.accounts``: a mapping of account names to their settings."""
        out = []
        for name, (n, k) in self.mapping(node, key, None).items():
            if not ACCOUNT_NAME.fullmatch(name):
                raise self.error(n, k, ACCOUNT_NAME_RULE)
            fields = tuple(f for f in Account.__dataclass_fields__ if f != "name")
            secret = self.mapping(n, k, None).get("password")
            if secret is not None:
                raise self.error(
                    secret[0],
                    secret[1],
                    "a password is never kept in folder-kit.yaml; remove it, then run "
                    f"`folder-kit mail add {name} ... --password-stdin` (the OS keyring) "
                    "or set password_command:",
                )
            children = self.mapping(n, k, fields)
            for required in ("host", "user"):
                if required not in children:
                    raise self.error(n, f"{k}.{required}", "missing")
            values: dict[str, Any] = {}
            for field_name, (cn, ck) in children.items():
                if field_name == "port":
                    values[field_name] = self.number(cn, ck, low=1, high=65535, what="a port")
                elif field_name == "security":
                    value = self.value(cn, ck)
                    if value not in SECURITIES:
                        raise self.error(
                            cn, ck, f"expected one of {', '.join(SECURITIES)}, got {described(cn)}"
                        )
                    values[field_name] = value
                elif field_name == "addresses":
                    values[field_name] = tuple(a.lower() for a in self.words(cn, ck))
                elif field_name == "folders":
                    values[field_name] = self.words(cn, ck)
                elif field_name == "since":
                    values[field_name] = self.date(cn, ck)
                else:
                    values[field_name] = self.line(cn, ck).strip() or None
            if not values.get("host") or not values.get("user"):
                missing = "host" if not values.get("host") else "user"
                raise self.error(n, f"{k}.{missing}", "empty")
            account = Account(name=name, **values)
            if account.security == "none" and not is_loopback(account.host):
                cn, ck = children["security"]
                raise self.error(cn, ck, NO_SECURITY_RULE)
            out.append(account)
        return tuple(out)

    def domains(self, node: yaml.Node, key: str) -> tuple[str, ...]:
        """A list of mail domains ("example.com", or "provider.*" for all its countries)."""
        if not isinstance(node, yaml.SequenceNode):
            raise self.error(node, key, "expected a list, like [example.com, other.cn]")
        self.check_tag(node, key)
        out = []
        for item in node.value:
            domain = self.line(item, key).strip().lower().removeprefix("@")
            if not _MAIL_DOMAIN.fullmatch(domain):
                raise self.error(
                    item, key, f"{quoted(domain)} is not a mail domain (like example.com)"
                )
            out.append(domain)
        return tuple(out)
