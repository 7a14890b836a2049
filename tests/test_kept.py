"""Answers libraries give are kept per user (``kept.Kept``), so that `due` and
`draft` do not import and ask them each time: the holidays library's calendars
(80 ms of a 250 ms `due` in the sample workspace) and pycountry's countries. The
same answers; a damaged copy asked again; nothing kept is no error."""

from __future__ import annotations

import datetime as dt
import json
import os
import pickle
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import holidays
import pytest

import folder_kit.followup.greetings as greetings
import folder_kit.workspace.config as config_module
import folder_kit.workspace.country as country_module
from folder_kit.errors import ConfigError
from folder_kit.kept import Kept
from folder_kit.workspace.config import load_config


@pytest.fixture(autouse=True)
def state() -> Path:
    """The state folder, there as a first scan leaves it (nothing is kept without)."""
    folder = Path(os.environ["FOLDER_KIT_STATE"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def fresh() -> Kept:
    """A store that has read nothing yet, as in a new process."""
    return Kept("holidays", "holidays")


@pytest.fixture
def calendars(monkeypatch: pytest.MonkeyPatch) -> Kept:
    """A store that has read nothing yet in this process (the state folder is the
    test's own: ``isolate``)."""
    store = fresh()
    monkeypatch.setattr(greetings, "_CALENDARS", store)
    return store


def kept_files(name: str = "holidays") -> list[Path]:
    return sorted(Path(os.environ["FOLDER_KIT_STATE"]).glob(f"{name}-*.json"))


def library(country: str, year: int, language: str) -> dict[dt.date, str]:
    calendar = holidays.country_holidays(country, years=year, language=language)
    return {day: str(name) for day, name in calendar.items()}


@pytest.mark.parametrize(
    ("country", "year", "language"),
    [("DE", 2026, "en_US"), ("CN", 2027, "zh_CN"), ("AE", 2026, "en_US"), ("US", 2027, "en_US")],
)
def test_a_kept_calendar_is_the_librarys(
    calendars: Kept, country: str, year: int, language: str
) -> None:
    first = greetings._calendar(country, year, language)
    assert first == library(country, year, language)
    (kept,) = kept_files()
    assert f"{country} {year} {language}" in json.loads(kept.read_text(encoding="utf-8"))
    again = fresh()  # another process: reads the file
    assert again.get(f"{country} {year} {language}", greetings._a_calendar)[0]
    assert greetings._calendar(country, year, language) == first


def test_a_country_the_library_does_not_know_is_kept_as_none(
    calendars: Kept,
) -> None:
    assert greetings._calendar("XX", 2026, "en_US") is None
    assert fresh().get("XX 2026 en_US", greetings._a_calendar) == (True, None)


@pytest.mark.parametrize(
    "damage",
    [
        b"\x00\xff not json",
        b"[1, 2]",
        json.dumps({"DE 2026 en_US": {"not a day": "Christmas Day"}}).encode(),
        json.dumps({"DE 2026 en_US": {"2026-12-25": 7}}).encode(),
        json.dumps({"DE 2026 en_US": "Christmas"}).encode(),
    ],
    ids=["bytes", "a-list", "not-a-day", "not-a-name", "not-a-calendar"],
)
def test_a_damaged_copy_is_asked_of_the_library_again(calendars: Kept, damage: bytes) -> None:
    greetings._calendar("DE", 2026, "en_US")
    (kept,) = kept_files()
    kept.write_bytes(damage)
    greetings._CALENDARS = fresh()
    assert greetings._calendar("DE", 2026, "en_US") == library("DE", 2026, "en_US")


def test_a_state_folder_that_cannot_be_written_is_no_error(
    calendars: Kept, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setenv("FOLDER_KIT_STATE", str(blocked / "state"))
    assert greetings._calendar("DE", 2026, "en_US") == library("DE", 2026, "en_US")


def test_a_second_due_does_not_import_the_library(workspace: Path) -> None:
    """Across processes, as a user runs `due` then `due` again."""
    card = "Company: ACME GmbH\nCountry: 德国\nEmail: anna@acme.example\n"
    folder = workspace / "客户" / "B-在谈客户" / "ACME GmbH"
    (folder / "OUT").mkdir(parents=True)
    (folder / "Contact.txt").write_text(card, encoding="utf-8")
    (folder / "OUT" / "2026-11-20 offer.txt").write_text("offer", encoding="utf-8")
    run = (
        "import sys\n"
        "from folder_kit.cli import main\n"
        "sys.argv = ['folder-kit', '-w', sys.argv[1], 'due', '--today', '2026-12-15', '--json']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as e:\n"
        "    assert not e.code, e.code\n"
        "print('holidays' in sys.modules, 'pycountry' in sys.modules)\n"
    )
    outputs = []
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-c", run, str(workspace)],
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=True,
        )
        outputs.append(done.stdout)
    assert '"suggested_topic": "holiday-greeting"' in outputs[0]  # from the calendar
    assert outputs[0].endswith("True True\n")
    assert outputs[1].endswith("False False\n")
    assert outputs[0].rsplit("\n", 2)[0] == outputs[1].rsplit("\n", 2)[0]


COUNTRIES = {
    "US": "US",
    "United States": "US",
    "美国": "US",
    "德国": "DE",
    "Germany": "DE",
    "Allemagne": "DE",
    "意大利": "IT",
    "Nowhere Land": None,
}


@pytest.fixture
def countries(monkeypatch: pytest.MonkeyPatch) -> Iterator[Kept]:
    store = Kept("countries", "pycountry")
    monkeypatch.setattr(country_module, "_KEPT", store)
    country_module.country_code.cache_clear()
    yield store
    country_module.country_code.cache_clear()


def test_a_kept_country_is_pycountrys(countries: Kept, monkeypatch: pytest.MonkeyPatch) -> None:
    assert {text: country_module.country_code(text) for text in COUNTRIES} == COUNTRIES
    assert kept_files("countries")
    # Another process: every answer from the file, pycountry not asked.
    monkeypatch.setattr(country_module, "_KEPT", Kept("countries", "pycountry"))
    country_module.country_code.cache_clear()

    def not_asked(key: str) -> str | None:
        raise AssertionError(f"asked pycountry for {key!r}")

    with monkeypatch.context() as m:
        m.setattr(country_module, "_looked_up", not_asked)
        assert {text: country_module.country_code(text) for text in COUNTRIES} == COUNTRIES


@pytest.mark.parametrize("damage", ["de", 7, ["DE"], "DEU"])
def test_a_damaged_country_is_asked_again(countries: Kept, damage: object) -> None:
    country_module.country_code("德国")
    (kept,) = kept_files("countries")
    kept.write_text(json.dumps({"德国": damage}), encoding="utf-8")
    country_module._KEPT = Kept("countries", "pycountry")
    country_module.country_code.cache_clear()
    assert country_module.country_code("德国") == "DE"


def test_nothing_is_kept_where_no_state_folder_is(
    calendars: Kept, state: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A command that made no state (a dry run, a state folder refused on a network
    drive) leaves none behind; its answers are the same."""
    monkeypatch.setenv("FOLDER_KIT_STATE", str(tmp_path / "not yet"))
    assert greetings._calendar("DE", 2026, "en_US") == library("DE", 2026, "en_US")
    text = "lang: en\ncadence: {B: 9}\n"
    config = tmp_path / "folder-kit.yaml"
    config.write_text(text, encoding="utf-8")
    assert load_config(config).cadence["B"] == 9
    assert not (tmp_path / "not yet").exists()


# --- what a file's bytes were parsed into (kept_parse) ---------------------------


def test_a_config_read_again_is_the_kept_one_until_its_bytes_change(
    state: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "folder-kit.yaml"
    config.write_text("lang: en\ncadence: {B: 9}\n", encoding="utf-8")
    first = load_config(config)
    (kept,) = (state / "parsed").glob("config-*.pickle")
    with monkeypatch.context() as m:  # the same bytes: not parsed again
        m.setattr(config_module, "parse_config", _not_called)
        assert load_config(config) == first
    config.write_text("lang: en\ncadence: {B: 10}\n", encoding="utf-8")  # same size
    assert load_config(config).cadence["B"] == 10
    assert list((state / "parsed").glob("config-*.pickle")) == [kept]  # one a workspace


def _not_called(*args: object, **kwargs: object) -> None:
    raise AssertionError("parsed again")


@pytest.mark.parametrize(
    "damage", [b"", b"not a pickle", pickle.dumps(("digest", "not a Config")), pickle.dumps(7)]
)
def test_a_damaged_kept_config_is_parsed_again(state: Path, tmp_path: Path, damage: bytes) -> None:
    config = tmp_path / "folder-kit.yaml"
    config.write_text("lang: en\ncadence: {B: 9}\n", encoding="utf-8")
    load_config(config)
    (kept,) = (state / "parsed").glob("config-*.pickle")
    kept.write_bytes(damage)
    assert load_config(config).cadence["B"] == 9


def test_a_broken_config_is_an_error_each_time_and_nothing_is_kept(
    state: Path, tmp_path: Path
) -> None:
    config = tmp_path / "folder-kit.yaml"
    config.write_text("cadence: [unclosed\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(ConfigError):
            load_config(config)
    assert not list(state.glob("parsed/config-*"))


def test_a_second_scan_does_not_import_the_yaml_library(workspace: Path) -> None:
    run = (
        "import sys\n"
        "from folder_kit.cli import main\n"
        "sys.argv = ['folder-kit', '-w', sys.argv[1], 'scan']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as e:\n"
        "    assert not e.code, e.code\n"
        "print('yaml' in sys.modules)\n"
    )
    outputs = [
        subprocess.run(
            [sys.executable, "-c", run, str(workspace)],
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=True,
        ).stdout
        for _ in range(2)
    ]
    assert outputs[0].endswith("True\n")
    assert outputs[1].endswith("False\n")
