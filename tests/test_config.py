"""folder-kit.yaml: defaults, the shipped templates, and exact error messages."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from folder_kit.errors import ConfigError
from folder_kit.workspace.config import (
    CONFIG_NAME,
    DEFAULT_CADENCE,
    DEFAULT_MEDIUM_KEYWORDS,
    DEFAULT_TOPIC_KEYWORDS,
    Config,
    Exhibition,
    load_config,
)
from folder_kit.workspace.scaffold import config_template
from folder_kit.workspace.thresholds import (
    CHANGE_APPROACH_AFTER,
    GAVE_UP_AFTER,
    REPEAT_WINDOW,
    SINGLE_MEDIUM_RUN,
)

KNOWN_TOP = "lang, timezone, me, cadence, taboos, keywords, exhibitions, holidays, drafts, mail"


def write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / CONFIG_NAME
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def test_defaults_follow_the_seed() -> None:
    config = Config()
    assert config.lang == "zh"
    assert dict(config.cadence) == {"A": 14, "B": 7, "C": 21, "D": 28}
    assert config.taboos[REPEAT_WINDOW] == 2
    assert config.taboos[GAVE_UP_AFTER] == 3
    assert config.taboos[CHANGE_APPROACH_AFTER] == 11
    assert config.taboos[SINGLE_MEDIUM_RUN] == 5
    assert config.exhibitions == ()
    assert config.holidays.greet is True
    assert config.me.signature_text() == ""


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_shipped_template_is_exactly_the_defaults(tmp_path: Path, lang: str) -> None:
    """The commented template and the code's defaults cannot drift apart."""
    path = write(tmp_path, config_template(lang))  # type: ignore[arg-type]
    config = load_config(path)
    assert config.lang == lang
    assert config.path == path
    assert replace(config, lang="zh", path=None) == Config()


def test_empty_file_gives_the_defaults(tmp_path: Path) -> None:
    path = write(tmp_path, "")
    assert load_config(path) == Config(path=path)


def test_comments_only_gives_the_defaults(tmp_path: Path) -> None:
    path = write(tmp_path, "# nothing yet\n\n")
    assert load_config(path) == Config(path=path)


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, "\ufeffme:\n  name: 李雷\ncadence: {B: 5}\n")
    config = load_config(path)
    assert config.me.name == "李雷"
    assert config.cadence["B"] == 5


def test_non_utf8_bytes_are_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "me:\n  name: 李雷\n".encode("gb18030"))
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value) == f"{path}: not UTF-8 text"


def test_missing_file_is_an_error_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / CONFIG_NAME
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value).startswith(f"{path}: cannot read: ")


def test_full_config_is_read(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
lang: en
me:
  name: Li Lei
  title: Sales Manager
  company: Suzhou Example Co., Ltd.
  email: lilei@example.cn
  phone: +86 512 0000 0000
  signature: |
    Li Lei | Sales Manager
cadence: {A: 10, B: 5}
exhibitions:
  - {name: Canton Fair, city: Guangzhou, start: 2027-04-15, end: 2027-04-19, booth: "12.1 D05"}
""",
    )
    config = load_config(path)
    assert config.lang == "en"
    assert config.me.name == "Li Lei"
    assert config.me.phone == "+86 512 0000 0000"
    assert config.me.signature_text() == "Li Lei | Sales Manager"
    assert dict(config.cadence) == {**DEFAULT_CADENCE, "A": 10, "B": 5}
    assert config.exhibitions == (
        Exhibition(
            name="Canton Fair",
            city="Guangzhou",
            start=dt.date(2027, 4, 15),
            end=dt.date(2027, 4, 19),
            booth="12.1 D05",
        ),
    )


def test_unquoted_number_is_text_where_text_is_expected(tmp_path: Path) -> None:
    path = write(tmp_path, "me:\n  phone: 8651200000000\n")
    assert load_config(path).me.phone == "8651200000000"


def test_custom_topic_keywords_replace_only_that_label(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "keywords:\n  topic:\n    price-update: [调价通知, price memo]\n",
    )
    config = load_config(path)
    assert config.topic_keywords["price-update"] == ("调价通知", "price memo")
    for label, words in DEFAULT_TOPIC_KEYWORDS.items():
        if label != "price-update":
            assert config.topic_keywords[label] == words
    assert dict(config.medium_keywords) == dict(DEFAULT_MEDIUM_KEYWORDS)


def test_custom_medium_keywords_replace_only_that_label(tmp_path: Path) -> None:
    path = write(tmp_path, "keywords:\n  medium:\n    phone: [打电话]\n")
    config = load_config(path)
    assert config.medium_keywords["phone"] == ("打电话",)
    assert config.medium_keywords["fax"] == DEFAULT_MEDIUM_KEYWORDS["fax"]
    assert dict(config.topic_keywords) == dict(DEFAULT_TOPIC_KEYWORDS)


# (yaml text, "line: key: reason" as the error shows it after the file name)
BAD_CONFIGS = {
    "unknown top-level key": (
        "lang: zh\ncadance:\n  B: 7\n",
        f"2: cadance: unknown key (known keys: {KNOWN_TOP})",
    ),
    "unknown nested key": (
        "me:\n  name: Li Lei\n  nmae: Li\n",
        "3: me.nmae: unknown key (known keys: name, title, company, email, phone, website, signature)",
    ),
    "unknown cadence grade": (
        "cadence: {P: 3}\n",
        "1: cadence.P: unknown key (known keys: A, B, C, D)",
    ),
    "cadence not a number": (
        "cadence:\n  A: 14\n  B: seven\n",
        "3: cadence.B: expected a whole number, got 'seven'",
    ),
    "cadence is a boolean": (
        "cadence:\n  A: yes\n",
        "2: cadence.A: expected a whole number, got 'yes'",
    ),
    "cadence 0": (
        "cadence: {A: 14, B: 0}\n",
        "1: cadence.B: expected a number of days from 1 to 3650, got 0",
    ),
    "cadence negative": (
        "cadence:\n  D: -28\n",
        "2: cadence.D: expected a number of days from 1 to 3650, got -28",
    ),
    "a share of the cadence over 100 %": (
        "taboos:\n  too_short: 500\n",
        "2: taboos.too_short: expected a percentage from 0 to 100, got 500",
    ),
    "lang fr": (
        "# settings\nlang: fr\n",
        "2: lang: expected one of zh, en, got 'fr'",
    ),
    "duplicate top-level key": (
        "lang: zh\nme:\n  name: a\nlang: en\n",
        "4: lang: appears twice",
    ),
    "duplicate nested key": (
        "me:\n  name: a\n  name: b\n",
        "3: me.name: appears twice",
    ),
    "unclosed bracket": (
        "cadence: [1, 2\nlang: zh\n",
        "2: invalid YAML: while parsing a flow sequence expected ',' or ']', but got ':' "
        "(a [ or { is not closed on this line or the one above)",
    ),
    "bad indentation": (
        "me:\n  name: a\n title: b\n",
        "3: invalid YAML: while parsing a block mapping expected <block end>, "
        "but found '<block mapping start>' (check the indentation of this line against the "
        "line above)",
    ),
    "tab indentation": (
        "lang:\tzh\n",
        "1: invalid YAML: while scanning for the next token found character '\\t' "
        "that cannot start any token (indent with spaces, not tabs)",
    ),
    "two documents": (
        "lang: zh\n---\nlang: en\n",
        "2: invalid YAML: expected a single document in the stream but found another document",
    ),
    "python tag at top level": (
        "!!python/object/apply:os.system ['touch {marker}']\n",
        "1: (top level): expected a mapping of `key: value` lines",
    ),
    "python tag nested": (
        "me:\n  name: !!python/object/apply:os.system ['touch {marker}']\n",
        "2: me.name: the tag !!python/object/apply:os.system is not allowed here",
    ),
    "python tag on a key": (
        "me:\n  !!python/object/apply:os.system ['touch {marker}']: x\n",
        "2: me: the tag !!python/object/apply:os.system is not allowed here",
    ),
    "python tag on the top-level mapping": (
        "!!python/object/apply:os.system\nlang: zh\n",
        "1: (top level): the tag !!python/object/apply:os.system is not allowed here",
    ),
    "python tag on a nested mapping": (
        "me: !!python/object/new:os.system\n  name: x\n",
        "1: me: the tag !!python/object/new:os.system is not allowed here",
    ),
    "exhibition missing end": (
        "exhibitions:\n  - name: Canton Fair\n    city: Guangzhou\n    start: 2027-04-15\n",
        "2: exhibitions[0].end: missing",
    ),
    "exhibition ends before it starts": (
        "exhibitions:\n"
        "  - {name: A, city: B, start: 2027-01-01, end: 2027-01-02}\n"
        "  - {name: Canton Fair, city: Guangzhou, start: 2027-04-15, end: 2027-04-10}\n",
        "3: exhibitions[1].end: ends before it starts",
    ),
    "exhibition date is not a date": (
        "exhibitions:\n  - {name: X, city: Y, start: soon, end: 2027-04-10}\n",
        "2: exhibitions[0].start: expected a date as YYYY-MM-DD, got 'soon'",
    ),
    "keyword list with an empty string": (
        'keywords:\n  topic:\n    quote: [报价, ""]\n',
        "3: keywords.topic.quote: '': a keyword needs a letter or digit, or it matches every file",
    ),
    "keyword that is only punctuation": (
        'keywords:\n  medium:\n    phone: [".", tel]\n',
        "3: keywords.medium.phone: '.': a keyword needs a letter or digit, or it matches every "
        "file",
    ),
    "impossible date": (
        "exhibitions:\n  - {name: a, city: b, start: 2027-04-31, end: 2027-05-01}\n",
        "2: exhibitions[0].start: invalid value: day is out of range for month",
    ),
    "control character": (
        "me:\n  name: a\x01b\n",
        "2: invalid YAML: unacceptable character #x0001: special characters are not allowed",
    ),
    "keywords not a list": (
        "keywords:\n  topic:\n    quote: 报价\n",
        "3: keywords.topic.quote: expected a list, like [word, other word]",
    ),
    "unknown topic label": (
        "keywords:\n  topic:\n    prices: [price]\n",
        "3: keywords.topic.prices: unknown key (known keys: "
        + ", ".join(DEFAULT_TOPIC_KEYWORDS)
        + ")",
    ),
    "a list where a mapping is expected": (
        "me: [Li Lei, Sales]\n",
        "1: me: expected a mapping of `key: value` lines",
    ),
    "a list for cadence": (
        "cadence:\n  - 14\n",
        "2: cadence: expected a mapping of `key: value` lines",
    ),
    "a mapping where a list is expected": (
        "exhibitions:\n  name: Canton Fair\n",
        "2: exhibitions: expected a list of exhibitions",
    ),
    "a scalar file": (
        "hello\n",
        "1: (top level): expected a mapping of `key: value` lines",
    ),
    "a date where text is expected": (
        "me:\n  name: 2027-01-01\n",
        "2: me.name: expected text, got '2027-01-01'; put it in quotes to keep it as text",
    ),
    "drafts max_words too small": (
        "drafts:\n  max_words: 5\n",
        "2: drafts.max_words: expected a number of words from 20 to 5000, got 5",
    ),
    "a key with a line break and an escape": (
        '"a\\nb\\e[2J": 1\n',
        f"1: a\\nb\\x1b[2J: unknown key (known keys: {KNOWN_TOP})",
    ),
    # Counts are checked as counts, not as spans of days.
    "a count far too large": (
        "taboos:\n  repeat_window: 5000\n",
        "2: taboos.repeat_window: expected a count from 1 to 100, got 5000",
    ),
    "a count of zero": (
        "taboos:\n  gave_up_after: 0\n",
        "2: taboos.gave_up_after: expected a count from 1 to 100, got 0",
    ),
    # Values as the user wrote them, never a Python repr, never long.
    "a list where a number is expected": (
        "cadence:\n  A: [1, 2]\n",
        "2: cadence.A: expected a whole number, got a list",
    ),
    "a mapping where text is expected": (
        "me:\n  name: {first: Li}\n",
        "2: me.name: expected text, got a mapping",
    ),
    "a float where a number is expected": (
        "cadence:\n  A: 1.5\n",
        "2: cadence.A: expected a whole number, got '1.5'",
    ),
    "a long lang value is cut": (
        "lang: " + "x" * 100_000 + "\n",
        "1: lang: expected one of zh, en, got '" + "x" * 59 + "… (100000 characters)'",
    ),
    "a date as text that is no day": (
        'exhibitions:\n  - {name: a, city: b, start: "2027-02-30", end: 2027-05-01}\n',
        "2: exhibitions[0].start: '2027-02-30' is not a day of the calendar",
    ),
    "a date in words": (
        'exhibitions:\n  - {name: a, city: b, start: "April 15", end: 2027-05-01}\n',
        "2: exhibitions[0].start: expected a date as YYYY-MM-DD, got 'April 15'",
    ),
    # YAML's own traps: limits refused with one line, before anything is expanded.
    "deep nesting": (
        "me:\n  name: " + "[" * 600 + "]" * 600 + "\n",
        "2: nested more than 50 levels deep",
    ),
    "deep block nesting": (
        "".join("  " * i + f"k{i}:\n" for i in range(60)),
        "50: nested more than 50 levels deep",
    ),
    "an alias bomb in a known key": (
        "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{n}: &{n} [" + ", ".join([f"*{p}"] * 10) + "]\n"
            for p, n in zip("abcdefgh", "bcdefghi", strict=True)
        )
        + "taboos:\n  pushy_phrases: *i\n",
        "4: holds more than 10000 values once its aliases (*name) are expanded; "
        "write the values out instead",
    ),
    "an alias bomb behind lang": (
        "x: &a [y, y, y, y, y, y, y, y, y, y]\n"
        "z: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "w: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
        "v: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
        "lang: *d\n",
        "4: holds more than 10000 values once its aliases (*name) are expanded; "
        "write the values out instead",
    ),
    "mail: a domain without a dot": (
        "mail:\n  free_mail_domains: [example.com, localhost]\n",
        "2: mail.free_mail_domains: 'localhost' is not a mail domain (like example.com)",
    ),
    "mail: domains as one word": (
        "mail:\n  free_mail_domains: gmail.com\n",
        "2: mail.free_mail_domains: expected a list, like [example.com, other.cn]",
    ),
    "mail: match_domains as a word": (
        "mail:\n  match_domains: sometimes\n",
        "2: mail.match_domains: expected true or false, got 'sometimes'",
    ),
    "mail: a key of a later version": (
        "mail:\n  match_domain: false\n",
        "2: mail.match_domain: unknown key (known keys: match_domains, free_mail_domains, "
        "accounts, drafts_account, interval)",
    ),
    "mail: an account without a host": (
        "mail:\n  accounts:\n    work:\n      user: me@example.cn\n",
        "4: mail.accounts.work.host: missing",
    ),
    "mail: an account with no encryption to a remote server": (
        "mail:\n  accounts:\n    work:\n      host: imap.163.com\n      user: a@163.com\n      security: none\n",
        "6: mail.accounts.work.security: none sends the password unencrypted: only for a server on this machine (localhost, 127.0.0.1); use ssl or starttls",
    ),
    "mail: an account with a bad security": (
        "mail:\n  accounts:\n    w:\n      host: h.example\n      user: u\n      security: tls\n",
        "6: mail.accounts.w.security: expected one of ssl, starttls, none, got 'tls'",
    ),
    "mail: an account's name with a space": (
        "mail:\n  accounts:\n    my work:\n      host: h.example\n      user: u\n",
        "4: mail.accounts.my work: an account name is letters, digits, '.', '_' or '-' (like work)",
    ),
    "mail: a password in the file": (
        "mail:\n  accounts:\n    w:\n      host: h.example\n      user: u\n      password: x\n",
        "6: mail.accounts.w.password: a password is never kept in folder-kit.yaml; remove it, "
        "then run `folder-kit mail add w ... --password-stdin` (the OS keyring) or set "
        "password_command:",
    ),
    "mail: drafts go to an account that is not there": (
        "mail:\n  accounts:\n    w:\n      host: h.example\n      user: u\n  drafts_account: home\n",
        "6: mail.drafts_account: no account 'home' (accounts: w)",
    ),
    "mail: a sync that never waits": (
        "mail:\n  interval: 0\n",
        "2: mail.interval: expected a number of seconds from 1 to 86400, got 0",
    ),
    "an alias that holds itself": (
        "me: &a\n  name: *a\n",
        "1: an alias (*name) refers to its own anchor",
    ),
}


@pytest.mark.parametrize(("text", "where_what"), BAD_CONFIGS.values(), ids=BAD_CONFIGS.keys())
def test_bad_config_names_file_line_and_key(tmp_path: Path, text: str, where_what: str) -> None:
    marker = tmp_path / "pwned"
    path = write(tmp_path, text.replace("{marker}", str(marker)))
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value) == f"{path}:{where_what}"
    assert info.value.path == path
    assert not marker.exists(), "a YAML tag ran code"


LINE_BREAKS = {
    "me.name with CRLF and a header": (
        'me:\n  name: "Linda\\r\\nBcc: x@evil.example"\n',
        "2: me.name: holds a line break or control character (\\r); write it on one line",
    ),
    "me.email with LF and Attach": (
        'me:\n  email: "a@b.cn\\nAttach: 客户/B-在谈客户/Other/OUT/offer.eml"\n',
        "2: me.email: holds a line break or control character (\\n); write it on one line",
    ),
    "an exhibition's city": (
        'exhibitions:\n  - {name: Fair, city: "Köln\\u2028Attach: x", start: 2027-01-01, '
        "end: 2027-01-02}\n",
        "2: exhibitions[0].city: holds a line break or control character (\\u2028); "
        "write it on one line",
    ),
    "an exhibition's booth": (
        "exhibitions:\n  - name: Fair\n    city: Köln\n    start: 2027-01-01\n"
        '    end: 2027-01-02\n    booth: "A1\\x85B2"\n',
        "6: exhibitions[0].booth: holds a line break or control character (\\x85); "
        "write it on one line",
    ),
    "a keyword": (
        'keywords:\n  topic:\n    order: ["purchase\\norder"]\n',
        "3: keywords.topic.order: holds a line break or control character (\\n); "
        "write it on one line",
    ),
}


@pytest.mark.parametrize(("text", "where_what"), LINE_BREAKS.values(), ids=LINE_BREAKS.keys())
def test_a_single_line_setting_refuses_a_line_break(
    tmp_path: Path, text: str, where_what: str
) -> None:
    """Such a value lands in a mail header or a template line: a line break there
    injected `Bcc:` or `Attach:` (another customer's mail attached)."""
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value) == f"{path}:{where_what}"


def test_the_signature_may_span_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "me:\n  signature: |\n    Linda\n    ACME Lighting\n")
    assert load_config(path).me.signature == "Linda\nACME Lighting\n"


def test_a_date_in_quotes_is_a_date(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'exhibitions:\n  - {name: Canton Fair, city: Guangzhou, start: "2027-04-15", '
        "end: '2027-04-19'}\n",
    )
    show = load_config(path).exhibitions[0]
    assert (show.start, show.end) == (dt.date(2027, 4, 15), dt.date(2027, 4, 19))


def test_a_few_aliases_are_still_fine(tmp_path: Path) -> None:
    path = write(tmp_path, "cadence: {A: &two 14, B: *two}\n")
    assert load_config(path).cadence["B"] == 14


def test_an_empty_section_is_no_error(tmp_path: Path) -> None:
    """`me:` with nothing under it yet, as a salesperson leaves it after init."""
    path = tmp_path / "folder-kit.yaml"
    path.write_text("me:\ntaboos:\n", encoding="utf-8")
    assert load_config(path) == Config(path=path)


def test_mail_settings_are_read(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "mail:\n  match_domains: false\n  free_mail_domains: [Mail.Example.COM, '@corp.cn', gmx.*]\n",
    )
    mail = load_config(path).mail
    assert mail.match_domains is False
    assert mail.free_mail_domains == ("mail.example.com", "corp.cn", "gmx.*")
    assert Config().mail.match_domains is True
