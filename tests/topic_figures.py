"""How well topics are told from mail subjects and file names, on hand-labelled truth.

Tables in tests/data/topics/: ``subjects.tsv`` (subjects and names in the
buyers' languages, mailing-list and real subjects among them, each with its true
topic or none), ``heldout.tsv`` (more of them, which the keyword lists were not
tuned on) and ``sample_workspace.tsv`` (every contact event of
sample_workspace/, as ``folder-kit timeline --json`` gives it on a copy).

Precision: topics given that are right / topics given. Coverage: topics given that
are right / items that have a topic. Run it to print both and every mistake:

    .venv/bin/python tests/topic_figures.py
    PYTHONPATH=/other/tree .venv/bin/python tests/topic_figures.py   # that tree's code
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

DATA = Path(__file__).parent / "data" / "topics"
SAMPLE_WORKSPACE = Path(__file__).parent.parent / "sample_workspace"
NONE = ("-", "other")  # how each table writes "no topic"


@dataclass
class Figures:
    """What a classifier gave against the truth, item by item."""

    given: int = 0  # items that got a topic
    right: int = 0  # of those, the true one
    labelled: int = 0  # items that have a true topic
    wrong: list[tuple[str, str, str]] = field(default_factory=list)  # (item, got, truth)
    missed: list[tuple[str, str]] = field(default_factory=list)  # (item, truth)

    @property
    def precision(self) -> float:
        return self.right / self.given if self.given else 1.0

    @property
    def coverage(self) -> float:
        return self.right / self.labelled if self.labelled else 1.0

    def add(self, item: str, got: str | None, truth: str) -> None:
        truths = set(truth.split("|")) - set(NONE)
        got = None if got in NONE else got
        self.labelled += bool(truths)
        if got is None:
            if truths:
                self.missed.append((item, truth))
            return
        self.given += 1
        if got in truths:
            self.right += 1
        else:
            self.wrong.append((item, got, truth))

    def line(self, name: str) -> str:
        return (
            f"{name}: precision {self.right}/{self.given} = {self.precision:.1%}, "
            f"coverage {self.right}/{self.labelled} = {self.coverage:.1%}"
        )


def rows(name: str) -> Iterable[list[str]]:
    """The tab-separated rows of a table in tests/data/topics/, comments left out."""
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            yield line.split("\t")


def subjects(table: str = "subjects.tsv") -> Figures:
    """The topic of each subject of ``table`` by the default keyword lists."""
    from folder_kit.timeline.classify import Classifier
    from folder_kit.workspace.config import Config

    classifier = Classifier(Config())
    figures = Figures()
    for truth, _lang, _source, text in rows(table):
        figures.add(text, classifier.topic(text), truth)
    return figures


def sample_workspace() -> Figures:
    """The topic of each event ``timeline --json`` lists for a copy of sample_workspace/."""
    truth = {path: topic for topic, path in rows("sample_workspace.tsv")}
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "ws"
        shutil.copytree(SAMPLE_WORKSPACE, copy, symlinks=True)
        env = {**os.environ, "FOLDER_KIT_STATE": str(Path(tmp) / "state")}
        out = subprocess.run(
            [sys.executable, "-m", "folder_kit", "-w", str(copy), "timeline", "--json"],
            env=env,
            cwd=tmp,  # with -m the working folder comes first on the path: not a tree's
            capture_output=True,
            check=True,
        ).stdout
    figures = Figures()
    seen = set()
    for event in json.loads(out):
        if event["kind"] in ("card", "grade"):
            continue
        seen.add(event["path"])
        figures.add(event["path"], event["topic"], truth[event["path"]])
    if seen != set(truth):
        raise AssertionError(f"events and truth differ: {sorted(seen ^ set(truth))}")
    return figures


def main() -> None:
    for name, figures in (
        ("subjects.tsv", subjects()),
        ("heldout.tsv", subjects("heldout.tsv")),
        ("sample_workspace", sample_workspace()),
    ):
        print(figures.line(name))
        for item, got, truth in figures.wrong:
            print(f"  wrong  {got:<17} (true: {truth})  {item}")
        for item, truth in figures.missed:
            print(f"  missed {truth:<17}  {item}")


if __name__ == "__main__":
    main()
