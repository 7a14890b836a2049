"""``init``: the recommended workspace tree, created where it is missing."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from folder_kit.errors import WorkspaceError
from folder_kit.files import check_no_links, write_new
from folder_kit.resources import read_template
from folder_kit.workspace.config import CONFIG_NAME, load_config
from folder_kit.workspace.find import config_kind, enclosing_workspace
from folder_kit.workspace.layout import Grade, Lang, grade_of_folder, load_layout
from folder_kit.workspace.thresholds import template_lines


@dataclass(frozen=True)
class Plan:
    """What ``init`` created (or, with dry_run, would create), workspace-relative."""

    root: Path
    lang: Lang
    created: tuple[str, ...]
    existing: tuple[str, ...]
    dry_run: bool


def _grades_present(customers: Path) -> set[Grade]:
    """Grades that already have a folder under 客户/, whatever it is called."""
    try:
        names = [e.name for e in os.scandir(customers) if e.is_dir()]
    except OSError:
        return set()
    return {g for g in map(grade_of_folder, names) if g is not None}


# The template's line that stands for the taboo thresholds, each declared once.
THRESHOLDS_LINE = "  # {thresholds}: the lines of folder_kit/workspace/thresholds.py\n"


def config_template(lang: Lang) -> str:
    text = read_template("workspace", f"folder-kit.{lang}.yaml")
    return text.replace(THRESHOLDS_LINE, "".join(f"{line}\n" for line in template_lines(lang)))


def scaffold(root: Path, *, lang: Lang = "zh", dry_run: bool = False) -> Plan:
    """Create every folder of the layout and a commented folder-kit.yaml.

    Idempotent: what exists is left byte for byte as it is, including a
    folder-kit.yaml the user has edited. An existing workspace of the other
    language keeps its own layout.
    """
    root = root.expanduser().absolute()
    if root.exists() and not root.is_dir():
        raise WorkspaceError(reason=f"{root} exists and is not a folder")
    outer = enclosing_workspace(root)
    if outer is not None:
        raise WorkspaceError(
            reason=f"{root} is inside the workspace {outer}; a workspace in a workspace "
            "would read the same customers twice — choose a folder outside it"
        )
    config_path = root / CONFIG_NAME
    not_a_file = config_kind(config_path)
    if not_a_file:
        raise WorkspaceError(
            reason=f"{config_path} is {not_a_file}, not the settings file; "
            "rename it and run init again"
        )
    if config_path.is_file():
        # Never mix two layouts in one workspace: follow the one it has.
        lang = load_config(config_path).lang
    layout = load_layout(lang)
    created: list[str] = []
    existing: list[str] = []
    renamed = _grades_present(root / layout.customers)
    for rel in layout.folders():
        target = root / rel
        check_no_links(root, target)  # 产品/ linked elsewhere: create nothing through it
        if target.is_dir():
            existing.append(rel + "/")
        elif target.exists():
            # Checked before anything is created: no half-built tree.
            raise WorkspaceError(reason=f"{target} exists and is not a folder")
        elif target.parent == root / layout.customers and grade_of_folder(target.name) in renamed:
            # The user renamed this grade folder ("B 在谈"): a second one would split the grade.
            existing.append(rel + "/")
        else:
            created.append(rel + "/")
    # folder-kit.yaml first: it says which layout the folders are, so a run cut
    # short (a full disk) is completed by the next `init`, never mixed with a tree
    # of the other language.
    folders = list(created)
    if os.path.lexists(config_path):
        existing.append(CONFIG_NAME)
    else:
        if not dry_run:
            root.mkdir(parents=True, exist_ok=True)
            write_new(config_path, config_template(lang).encode("utf-8"))
        created.append(CONFIG_NAME)
    if not dry_run:
        for rel in folders:
            (root / rel).mkdir(parents=True, exist_ok=True)
    return Plan(
        root=root, lang=lang, created=tuple(created), existing=tuple(existing), dry_run=dry_run
    )
