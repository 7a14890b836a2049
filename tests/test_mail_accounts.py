"""`mail add` and `mail remove`: logging in to a real Dovecot, the providers' presets,
folder-kit.yaml edited in place (every byte of the user's kept), and the password
kept in a keyring (an in-memory one), never in the file, never printed."""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import keyring
import pytest
from conftest import Invoke
from dovecot import PASSWORD, USER, Dovecot
from helpers import assert_error, assert_ok
from keyring.backends import fail
from memory_keyring import MemoryKeyring

from folder_kit.mail.accounts import new_account
from folder_kit.mail.presets import PRESETS, preset_for
from folder_kit.workspace.config import Account, load_config, parse_config
from folder_kit.workspace.config_edit import with_entry, without_entry

SERVICE = "folder-kit imap 127.0.0.1"
WRONG = "wr0ng-授权码-Zq9"  # distinctive: found anywhere, it leaked


@pytest.fixture
def keys() -> Iterator[MemoryKeyring]:
    before = keyring.get_keyring()
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    yield memory
    keyring.set_keyring(before)


@pytest.fixture
def no_keyring() -> Iterator[None]:
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(before)


@pytest.fixture(scope="module")
def server() -> Iterator[Dovecot]:
    """Sent and Drafts marked \\Sent and \\Drafts, as Dovecot and most servers do."""
    with Dovecot() as dovecot:
        dovecot.append("INBOX", b"Subject: one\r\n\r\nhi\r\n")
        yield dovecot


@pytest.fixture(scope="module")
def unmarked() -> Iterator[Dovecot]:
    """QQ's folder names, none marked with a special use: found by name."""
    with Dovecot(folders={"Sent Messages": None, "Drafts": None, "Junk": None}) as dovecot:
        yield dovecot


@pytest.fixture(scope="module")
def tls() -> Iterator[Dovecot]:
    """TLS with a certificate of a CA of its own, and Exmail's Chinese folder names."""
    with Dovecot(folders={"已发送": "\\Sent", "草稿箱": "\\Drafts"}, tls=True) as dovecot:
        yield dovecot


def local(dovecot: Dovecot, name: str = "work") -> list[str]:
    return ["mail", "add", name, "--host", "127.0.0.1", "--port", str(dovecot.port),
            "--security", "none", "--user", USER]  # fmt: skip


def config_bytes(ws: Path) -> bytes:
    return (ws / "folder-kit.yaml").read_bytes()


def leaked(result: object, *texts: bytes | str, password: str = PASSWORD) -> bool:
    out = "".join(getattr(result, s) for s in ("stdout", "stderr"))
    return password in out or any(
        password in (t.decode("utf-8", "replace") if isinstance(t, bytes) else t) for t in texts
    )


# -- logging in: a real server --------------------------------------------------------


def test_add_logs_in_lists_the_folders_and_writes_them_beside_the_comments(
    invoke: Invoke, workspace: Path, server: Dovecot, keys: MemoryKeyring
) -> None:
    before = config_bytes(workspace)
    result = invoke(*local(server), "--password-stdin", "-w", str(workspace), input=PASSWORD + "\n")
    assert_ok(result)
    assert result.stdout.splitlines() == [
        f"Logged in to 127.0.0.1:{server.port} as {USER}.",
        "  reads INBOX: 1 message",
        "  reads Sent (sent mail): 0 messages",
        "  drafts go to Drafts (draft --push)",
        "Added mail account 'work' to folder-kit.yaml; its password is in the OS keyring.",
        "Next: folder-kit mail sync work",
    ]
    after = config_bytes(workspace)
    anchor = b"  free_mail_domains: []   # \xe5"  # the last line of the template's mail: section
    at = before.index(b"\n", before.index(anchor)) + 1
    block = (
        "  accounts:\n"
        "    work:\n"
        "      host: 127.0.0.1\n"
        f"      port: {server.port}\n"
        "      security: none\n"
        f"      user: {USER}\n"
        "      folders: [INBOX, Sent]\n"
        "      drafts_folder: Drafts\n"
    ).encode()
    assert after == before[:at] + block + before[at:]
    assert keys.passwords == {(SERVICE, USER): PASSWORD}
    assert not leaked(result, after)
    account = load_config(workspace / "folder-kit.yaml").mail.account("work")
    assert account == Account(
        name="work", host="127.0.0.1", user=USER, port=server.port, security="none",
        folders=("INBOX", "Sent"), drafts_folder="Drafts",
    )  # fmt: skip

    result = invoke("mail", "remove", "work", "-w", str(workspace))
    assert_ok(result)
    assert result.stdout.splitlines() == [
        "Removed mail account 'work' from folder-kit.yaml.",
        "Its password was removed from the OS keyring.",
        "The mail filed from it stays in the customer folders.",
    ]
    assert config_bytes(workspace) == before
    assert keys.passwords == {}


def test_a_wrong_password_is_one_error_and_writes_nothing(
    invoke: Invoke, workspace: Path, server: Dovecot, keys: MemoryKeyring
) -> None:
    before = config_bytes(workspace)
    result = invoke(*local(server), "--password-stdin", "-w", str(workspace), input=WRONG + "\n")
    line = assert_error(result)
    assert line.startswith(f"Error: mail account 'work': 127.0.0.1:{server.port} refused the login")
    assert "授权码" in line  # the hint: a client password, not the login password
    assert not leaked(result, password=WRONG)
    assert config_bytes(workspace) == before
    assert keys.passwords == {}  # kept only after a login that worked


def test_json_gives_the_account_as_written_and_the_folders_found(
    invoke: Invoke, workspace: Path, server: Dovecot, keys: MemoryKeyring
) -> None:
    args = [
        *local(server, "mine"),
        "--address",
        "LiLei@Example.cn",
        "--address",
        "sales@example.cn",
    ]
    args += ["--since", "2026-01-01", "--password-stdin", "--json", "-w", str(workspace)]
    result = invoke(*args, input=PASSWORD + "\n")
    assert_ok(result)
    assert json.loads(result.stdout) == {
        "name": "mine",
        "account": {
            "host": "127.0.0.1",
            "port": server.port,
            "security": "none",
            "user": USER,
            "addresses": ["lilei@example.cn", "sales@example.cn"],
            "folders": ["INBOX", "Sent"],
            "drafts_folder": "Drafts",
            "since": "2026-01-01",
        },
        "found": {
            "inbox": "INBOX",
            "sent": "Sent",
            "drafts": "Drafts",
            "folders": [{"name": "INBOX", "messages": 1}, {"name": "Sent", "messages": 0}],
        },
        "password": "keyring",
        "preset": None,
        "warnings": [],
    }
    assert not leaked(result, config_bytes(workspace))


def test_tls_with_a_company_ca_and_chinese_folder_names(
    invoke: Invoke, workspace: Path, tls: Dovecot, keys: MemoryKeyring
) -> None:
    before = config_bytes(workspace)
    args = ["mail", "add", "work", "--host", "localhost", "--port", str(tls.port),
            "--address", USER, "--password-stdin", "-w", str(workspace)]  # fmt: skip
    refused = invoke(*args, input=PASSWORD + "\n")
    line = assert_error(refused)
    assert f"the certificate of localhost:{tls.port} was refused" in line
    assert "ca_file" in line
    assert config_bytes(workspace) == before and keys.passwords == {}

    result = invoke(*args, "--ca-file", str(tls.ca_file), input=PASSWORD + "\n")
    assert_ok(result)
    assert "  reads 已发送 (sent mail): 0 messages" in result.stdout.splitlines()
    assert "  drafts go to 草稿箱 (draft --push)" in result.stdout.splitlines()
    text = config_bytes(workspace).decode("utf-8")
    assert "      folders: [INBOX, 已发送]\n      drafts_folder: 草稿箱\n" in text
    assert f"      ca_file: {tls.ca_file}\n" in text
    account = load_config(workspace / "folder-kit.yaml").mail.account("work")
    assert account is not None and account.security == "ssl" and account.user == USER
    assert keys.passwords == {("folder-kit imap localhost", USER): PASSWORD}


def test_without_special_use_flags_the_usual_names_are_found(
    invoke: Invoke, workspace: Path, unmarked: Dovecot, keys: MemoryKeyring
) -> None:
    result = invoke(
        *local(unmarked), "--password-stdin", "-w", str(workspace), input=PASSWORD + "\n"
    )
    assert_ok(result)
    account = load_config(workspace / "folder-kit.yaml").mail.account("work")
    assert account is not None
    assert account.folders == ("INBOX", "Sent Messages")
    assert account.drafts_folder == "Drafts"


def test_folders_named_are_checked_and_written_as_named(
    invoke: Invoke, workspace: Path, server: Dovecot, keys: MemoryKeyring
) -> None:
    before = config_bytes(workspace)
    args = [*local(server), "--folder", "INBOX", "--folder", "Archive", "--password-stdin"]
    result = invoke(*args, "-w", str(workspace), input=PASSWORD + "\n")
    assert_error(
        result,
        "Error: mail account 'work': no folder 'Archive' on the server "
        "(it has: Drafts, INBOX, Sent, Trash)",
    )
    assert config_bytes(workspace) == before and keys.passwords == {}

    args = [*local(server), "--folder", "inbox", "--folder", "Trash", "--password-stdin"]
    assert_ok(invoke(*args, "-w", str(workspace), input=PASSWORD + "\n"))
    account = load_config(workspace / "folder-kit.yaml").mail.account("work")
    assert account is not None and account.folders == ("inbox", "Trash")


def test_a_password_command_is_written_and_tried_and_no_secret_is_kept(
    invoke: Invoke, workspace: Path, server: Dovecot, keys: MemoryKeyring
) -> None:
    command = shlex.join([sys.executable, "-c", f"print({PASSWORD!r})"])
    result = invoke(*local(server), "--password-command", command, "-w", str(workspace))
    assert_ok(result)
    assert result.stdout.splitlines()[-2] == (
        "Added mail account 'work' to folder-kit.yaml; its password comes from password_command."
    )
    account = load_config(workspace / "folder-kit.yaml").mail.account("work")
    assert account is not None and account.password_command == command
    assert keys.passwords == {}
    assert not leaked(result)  # the command holds it, shown nowhere but the yaml's command line

    wrong = shlex.join([sys.executable, "-c", f"print({WRONG!r})"])
    result = invoke(*local(server, "other"), "--password-command", wrong, "-w", str(workspace))
    assert_error(result)
    assert not leaked(result, password=WRONG)
    assert load_config(workspace / "folder-kit.yaml").mail.account("other") is None


# -- the keyring ------------------------------------------------------------------------


def test_no_check_writes_what_was_given_with_the_providers_note(
    invoke: Invoke, workspace: Path, keys: MemoryKeyring
) -> None:
    args = ["mail", "add", "work", "--host", "exmail", "--address", "lilei@example.cn",
            "--no-check", "--password-stdin", "-w", str(workspace)]  # fmt: skip
    result = invoke(*args, input=PASSWORD + "\n")
    assert_ok(result)
    note = result.stdout.splitlines()[0]
    assert note.startswith("Tencent Exmail (腾讯企业邮): ") and "客户端专用密码" in note
    account = load_config(workspace / "folder-kit.yaml").mail.account("work")
    assert account == Account(
        name="work", host="imap.exmail.qq.com", user="lilei@example.cn", security="ssl",
        addresses=("lilei@example.cn",),
    )  # fmt: skip
    assert keys.passwords == {("folder-kit imap imap.exmail.qq.com", "lilei@example.cn"): PASSWORD}
    assert not leaked(result, config_bytes(workspace))


def test_without_a_keyring_nothing_is_written_and_password_command_is_named(
    invoke: Invoke, workspace: Path, server: Dovecot, no_keyring: None
) -> None:
    before = config_bytes(workspace)
    result = invoke(*local(server), "--password-stdin", "-w", str(workspace), input=PASSWORD + "\n")
    line = assert_error(result)
    assert line.startswith("Error: mail account 'work': this machine has no keyring")
    assert "give --password-command instead" in line
    assert config_bytes(workspace) == before


def test_without_a_password_given_the_keyring_is_asked(
    invoke: Invoke, workspace: Path, server: Dovecot, keys: MemoryKeyring
) -> None:
    before = config_bytes(workspace)
    line = assert_error(invoke(*local(server), "-w", str(workspace)))
    assert line.startswith("Error: mail account 'work': no password is stored for it")
    assert config_bytes(workspace) == before
    keys.passwords[(SERVICE, USER)] = PASSWORD  # kept there by an earlier account
    result = invoke(*local(server), "--json", "-w", str(workspace))
    assert_ok(result)
    assert json.loads(result.stdout)["password"] == "keyring"


def test_remove_keeps_a_password_another_account_logs_in_with(
    invoke: Invoke, workspace: Path, server: Dovecot, keys: MemoryKeyring
) -> None:
    for name in ("work", "archive"):
        args = [*local(server, name), "--password-stdin", "-w", str(workspace)]
        assert_ok(invoke(*args, input=PASSWORD + "\n"))
    result = invoke("mail", "remove", "work", "-w", str(workspace))
    assert_ok(result)
    assert "Its password stays in the keyring: archive logs in with it too." in result.stdout
    assert keys.passwords == {(SERVICE, USER): PASSWORD}
    assert [a.name for a in load_config(workspace / "folder-kit.yaml").mail.accounts] == ["archive"]


# -- refusals ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["--host", "imap.example.com", "--user", "u@example.com", "--security", "none"],
         "Error: --security none sends the password unencrypted: only for a server on this "
         "machine (localhost, 127.0.0.1); use ssl or starttls"),
        (["--host", "exmail"],
         "Error: give --user (the login name, usually your mail address) or --address"),
        (["--host", "exmail", "--address", "not an address"],
         "Error: --address 'not an address' is not one mail address; give one address, "
         "as name@domain; nothing was written"),
        (["--host", "exmail", "--user", "u", "--password-stdin", "--password-command", "x"],
         "Error: give --password-stdin or --password-command, not both"),
    ],
)  # fmt: skip
def test_bad_options_are_one_error_line(
    invoke: Invoke, workspace: Path, keys: MemoryKeyring, args: list[str], line: str
) -> None:
    before = config_bytes(workspace)
    result = invoke("mail", "add", "work", *args, "--no-check", "-w", str(workspace), input="x\n")
    assert_error(result, line)
    assert config_bytes(workspace) == before


def test_bad_name_and_taken_name(invoke: Invoke, workspace: Path, keys: MemoryKeyring) -> None:
    args = ["--host", "qq", "--user", "123@qq.com", "--no-check", "-w", str(workspace)]
    assert_error(
        invoke("mail", "add", "my work", *args),
        "Error: cannot name an account 'my work': an account name is letters, digits, "
        "'.', '_' or '-' (like work)",
    )
    assert_ok(invoke("mail", "add", "work", *args))
    before = config_bytes(workspace)
    assert_error(
        invoke("mail", "add", "work", *args),
        "Error: there is already a mail account 'work' in folder-kit.yaml; remove it first "
        "(folder-kit mail remove work) or choose another name",
    )
    assert config_bytes(workspace) == before


def test_remove_an_unknown_account_lists_the_accounts(invoke: Invoke, workspace: Path) -> None:
    assert_error(
        invoke("mail", "remove", "work", "-w", str(workspace)),
        "Error: no mail account 'work' in folder-kit.yaml (it has no accounts)",
    )
    for name in ("home", "office"):
        args = ["--host", "163", "--user", f"{name}@163.com", "--no-check", "-w", str(workspace)]
        assert_ok(invoke("mail", "add", name, *args))
    assert_error(
        invoke("mail", "remove", "work", "-w", str(workspace)),
        "Error: no mail account 'work' in folder-kit.yaml (accounts: home, office)",
    )


def test_remove_takes_drafts_account_with_it(
    invoke: Invoke, workspace: Path, keys: MemoryKeyring
) -> None:
    path = workspace / "folder-kit.yaml"
    path.write_text(
        "lang: zh\nmail:\n  drafts_account: work   # draft --push\n  accounts:\n"
        "    work: {host: imap.qq.com, user: a@qq.com}\n    home: {host: imap.163.com, user: b@163.com}\n",
        encoding="utf-8",
    )
    keys.passwords[("folder-kit imap imap.qq.com", "a@qq.com")] = "x"
    result = invoke("mail", "remove", "work", "-w", str(workspace))
    assert_ok(result)
    assert result.stdout.splitlines()[:2] == [
        "Removed mail account 'work' and mail.drafts_account, which named it, from folder-kit.yaml.",
        "Its password was removed from the OS keyring.",
    ]
    assert path.read_text(encoding="utf-8") == (
        "lang: zh\nmail:\n  accounts:\n    home: {host: imap.163.com, user: b@163.com}\n"
    )
    assert keys.passwords == {}


# -- presets ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "host", "port", "preset"),
    [
        ("exmail", "imap.exmail.qq.com", 993, "exmail"),
        ("QQ", "imap.qq.com", 993, "qq"),
        ("163", "imap.163.com", 993, "163"),
        ("126", "imap.126.com", 993, "126"),
        ("qiye163", "imap.qiye.163.com", 993, "qiye163"),
        ("163qiye", "imap.qiye.163.com", 993, "qiye163"),
        ("aliyun", "imap.qiye.aliyun.com", 993, "aliyun"),
        ("aliyun-personal", "imap.aliyun.com", 993, "aliyun-personal"),
        ("gmail", "imap.gmail.com", 993, "gmail"),
        ("outlook", "outlook.office365.com", 993, "outlook"),
        ("imap.qq.com", "imap.qq.com", 993, "qq"),  # typed out: the note still shows
        ("imap.example.com", "imap.example.com", 993, None),
        ("sina", "sina", 993, None),  # no preset: a host name
    ],
)
def test_presets(given: str, host: str, port: int, preset: str | None) -> None:
    account, found = new_account("work", host=given, user="u")
    assert (account.host, account.address_port, account.security) == (host, port, "ssl")
    assert (found.name if found else None) == preset


def test_a_preset_takes_the_port_and_security_given() -> None:
    account, _ = new_account("work", host="exmail", user="u", security="starttls")
    assert (account.host, account.address_port, account.security) == (
        "imap.exmail.qq.com", 143, "starttls"
    )  # fmt: skip
    account, _ = new_account("work", host="gmail", user="u", port=1993)
    assert (account.address_port, account.security) == (1993, "ssl")


def test_every_preset_says_what_password_it_wants() -> None:
    names = [n for p in PRESETS for n in (p.name, *p.aliases)]
    assert len(names) == len(set(names))
    for p in PRESETS:
        assert preset_for(p.host) is p
        assert "password" in p.note or "授权码" in p.note


# -- folder-kit.yaml edited in place ----------------------------------------------------

ACCOUNT = {"host": "imap.exmail.qq.com", "security": "ssl", "user": "lilei@example.cn",
           "folders": ["INBOX", "已发送", "[Gmail]/Sent Mail"],
           "password_command": "pass show 'mail/work' # 1: a"}  # fmt: skip

HAND_WRITTEN = {
    "comments and blank lines": (
        "# my settings\n\nlang: en   # English folders\n\nme:\n    name: Li Lei  # me\n"
        "    email: lilei@example.cn\n\n# exhibitions next year\nexhibitions: []\n# the end\n"
    ),
    "flow style": "{lang: zh, cadence: {A: 10, B: 5}}\n",
    "mail in flow style": "lang: zh\nmail: {match_domains: false, free_mail_domains: [x.cn]}\n",
    "a mail section with match_domains": (
        "lang: zh\nmail:\n    match_domains: false    # one customer per domain is not true for us\n"
        "    # free_mail_domains: [x.cn]\n\ndrafts:\n    max_words: 200\n"
    ),
    "accounts there": (
        "mail:\n  accounts:\n    # the old one\n    home:\n      host: imap.163.com\n"
        "      user: me@163.com  # mine\n      folders: [INBOX, 已发送]\n  interval: 600\n"
        "lang: zh\n"
    ),
    "accounts in flow style": "mail:\n  accounts: {home: {host: imap.163.com, user: me@163.com}}\n",
    "an empty accounts": "mail:\n  accounts: {}\n  match_domains: true\n",
    "CRLF line ends": "lang: zh\r\n# mail below\r\nmail:\r\n  match_domains: true\r\n",
    "a block scalar last": "me:\n  signature: |\n    Li Lei\n    Sales\n\n",
    "only comments": "# nothing yet\n",
    "empty": "",
}


@pytest.mark.parametrize("text", list(HAND_WRITTEN.values()), ids=list(HAND_WRITTEN))
def test_an_account_added_is_one_block_more_and_removed_gives_the_bytes_back(text: str) -> None:
    path = Path("folder-kit.yaml")
    added = with_entry(text, ("mail", "accounts", "work"), ACCOUNT)
    # One contiguous piece more, every byte of the user's where it was.
    start = next(
        (i for i, (a, b) in enumerate(zip(text, added, strict=False)) if a != b), len(text)
    )
    inserted = len(added) - len(text)
    assert added[:start] + added[start + inserted :] == text
    old, new = parse_config(text, path=path), parse_config(added, path=path)
    account = new.mail.account("work")
    assert account == Account(
        name="work", host="imap.exmail.qq.com", user="lilei@example.cn",
        folders=("INBOX", "已发送", "[Gmail]/Sent Mail"),
        password_command="pass show 'mail/work' # 1: a",
    )  # fmt: skip
    assert replace(new, mail=replace(new.mail, accounts=old.mail.accounts)) == old
    assert without_entry(added, ("mail", "accounts", "work")) == text


def test_the_block_follows_the_files_indentation() -> None:
    text = HAND_WRITTEN["a mail section with match_domains"]
    added = with_entry(text, ("mail", "accounts", "work"), {"host": "h", "user": "u"})
    assert added == text.replace(
        "    # free_mail_domains",
        "    accounts:\n        work:\n            host: h\n            user: u\n"
        "    # free_mail_domains",
    )
    flow = HAND_WRITTEN["mail in flow style"]
    assert with_entry(flow, ("mail", "accounts", "work"), {"host": "h", "user": "u"}) == (
        "lang: zh\nmail: {match_domains: false, free_mail_domains: [x.cn], "
        "accounts: {work: {host: h, user: u}}}\n"
    )


def test_the_block_goes_right_after_the_last_entry_before_comments_below_it() -> None:
    text = "me:\n  signature: |\n    Li Lei\n\n# the end\n"
    assert with_entry(text, ("mail", "accounts", "w"), {"host": "h", "user": "u"}) == (
        "me:\n  signature: |\n    Li Lei\n\nmail:\n  accounts:\n    w:\n      host: h\n"
        "      user: u\n# the end\n"
    )


def test_removing_a_hand_written_account_keeps_the_rest() -> None:
    text = HAND_WRITTEN["accounts there"]
    assert without_entry(text, ("mail", "accounts", "home")) == (
        "mail:\n  accounts:\n    # the old one\n  interval: 600\nlang: zh\n"
    )


def test_the_file_keeps_its_bom_and_a_broken_one_is_not_touched(
    invoke: Invoke, workspace: Path, keys: MemoryKeyring
) -> None:
    path = workspace / "folder-kit.yaml"
    path.write_bytes(b"\xef\xbb\xbflang: zh\r\n")
    args = ["--host", "qq", "--user", "1@qq.com", "--no-check", "-w", str(workspace)]
    assert_ok(invoke("mail", "add", "work", *args))
    assert path.read_bytes().startswith(b"\xef\xbb\xbflang: zh\r\nmail:\r\n  accounts:\r\n")
    assert_ok(invoke("mail", "remove", "work", "-w", str(workspace)))
    assert path.read_bytes() == b"\xef\xbb\xbflang: zh\r\n"
