"""`folder-kit init`: the recommended tree, idempotent, never overwriting."""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any

import pytest
from conftest import Invoke
from helpers import assert_error, assert_ok, build_tree, read_tree

from folder_kit.workspace import scaffold as scaffold_module
from folder_kit.workspace.config import load_config
from folder_kit.workspace.layout import load_layout
from folder_kit.workspace.scaffold import config_template


def expected_tree(lang: str) -> dict[str, bytes | None]:
    tree: dict[str, bytes | None] = dict.fromkeys(load_layout(lang).folders())  # type: ignore[arg-type]
    tree["folder-kit.yaml"] = config_template(lang).encode("utf-8")  # type: ignore[arg-type]
    return tree


ZH_LISTING = """\
  产品/
    产品图片/
    认证证书/
    公司介绍/
    工艺流程/
    价格信息/
  模板/
    报价单/
    PI/
    结汇单据/
    开发信/
    邮件模板/
  内联/
    OUT/
    IN/
    报告/
    文件/
  客户/
    A-交易客户/
    B-在谈客户/
    C-潜力客户/
    D-行业客户/
    待开发客户/
  folder-kit.yaml
"""


def test_init_creates_the_full_zh_tree(invoke: Invoke, tmp_path: Path) -> None:
    root = tmp_path / "ws"
    result = invoke("init", str(root))
    assert_ok(result)
    assert read_tree(root) == expected_tree("zh")
    assert result.stdout == (
        f"Created in {root} (zh layout):\n"
        + ZH_LISTING
        + f"Next: put your name and company under `me:` in {root / 'folder-kit.yaml'}, "
        f'then `cd {root}` and `folder-kit customer add "ACME GmbH" --grade B`.\n'
    )
    config = load_config(root / "folder-kit.yaml")
    assert config.lang == "zh"


def test_init_defaults_to_the_current_folder(invoke: Invoke, cwd: Path) -> None:
    assert_ok(invoke("init"))
    assert read_tree(cwd) == expected_tree("zh")


def test_init_creates_missing_parents(invoke: Invoke, tmp_path: Path) -> None:
    root = tmp_path / "a" / "b" / "ws"
    assert_ok(invoke("init", str(root)))
    assert read_tree(root) == expected_tree("zh")


def test_init_lang_en_creates_the_english_tree(invoke: Invoke, tmp_path: Path) -> None:
    root = tmp_path / "ws"
    result = invoke("init", str(root), "--lang", "en")
    assert_ok(result)
    assert read_tree(root) == expected_tree("en")
    assert result.stdout.splitlines()[0] == f"Created in {root} (en layout):"
    assert "    B-Negotiating/" in result.stdout.splitlines()
    assert load_config(root / "folder-kit.yaml").lang == "en"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_second_init_changes_no_byte(invoke: Invoke, tmp_path: Path, lang: str) -> None:
    root = tmp_path / "ws"
    assert_ok(invoke("init", str(root), "--lang", lang))
    layout = load_layout(lang)  # type: ignore[arg-type]
    customer = f"{layout.grade_folder('B')}/ACME GmbH"
    build_tree(
        root,
        {
            customer: {"OUT": {"2026-03-05 offer.eml": b"Subject: offer\r\n\r\nhi"}, "IN": None},
            f"{layout.product_folder('price_lists')}/price 2026.xlsx": b"PK\x03\x04 not really",
            "notes.txt": "我的笔记\n",
            "folder-kit.yaml": f"# mine\nlang: {lang}\nme:\n  name: Li Lei\ncadence: {{B: 5}}\n",
        },
    )
    before = read_tree(root)
    result = invoke("init", str(root))
    assert_ok(result)
    assert read_tree(root) == before
    assert result.stdout == f"Nothing to do: {root} is already a complete workspace.\n"


def test_init_adds_only_what_is_missing(invoke: Invoke, tmp_path: Path) -> None:
    root = tmp_path / "ws"
    assert_ok(invoke("init", str(root)))
    (root / "产品" / "价格信息").rmdir()
    (root / "模板" / "开发信").rmdir()
    before = read_tree(root)
    result = invoke("init", str(root))
    assert_ok(result)
    after = read_tree(root)
    assert after == {**before, "产品/价格信息": None, "模板/开发信": None}
    assert result.stdout.splitlines()[1:3] == ["    价格信息/", "    开发信/"]


def test_init_dry_run_writes_nothing(invoke: Invoke, tmp_path: Path) -> None:
    root = tmp_path / "ws"
    before = read_tree(tmp_path)
    result = invoke("init", str(root), "--dry-run")
    assert_ok(result)
    assert read_tree(tmp_path) == before
    assert not root.exists()
    assert result.stdout == f"Would create in {root} (zh layout):\n" + ZH_LISTING


def test_init_dry_run_in_a_partial_workspace_lists_only_the_missing(
    invoke: Invoke, tmp_path: Path
) -> None:
    root = tmp_path / "ws"
    assert_ok(invoke("init", str(root)))
    (root / "客户" / "待开发客户").rmdir()
    before = read_tree(tmp_path)
    result = invoke("init", str(root), "--dry-run")
    assert_ok(result)
    assert read_tree(tmp_path) == before
    assert result.stdout == f"Would create in {root} (zh layout):\n    待开发客户/\n"


def test_init_into_a_file_is_an_error(invoke: Invoke, tmp_path: Path) -> None:
    target = tmp_path / "ws"
    target.write_text("not a folder")
    before = read_tree(tmp_path)
    result = invoke("init", str(target))
    assert_error(result, f"Error: {target} exists and is not a folder")
    assert read_tree(tmp_path) == before


def test_init_where_a_layout_folder_is_a_file_is_an_error(invoke: Invoke, tmp_path: Path) -> None:
    root = tmp_path / "ws"
    build_tree(root, {"客户": "a file where the customers folder should be"})
    before = read_tree(tmp_path)
    result = invoke("init", str(root))
    assert_error(result, f"Error: {root / '客户'} exists and is not a folder")
    assert read_tree(tmp_path) == before


def test_init_in_an_en_workspace_keeps_the_en_layout(invoke: Invoke, tmp_path: Path) -> None:
    root = tmp_path / "ws"
    assert_ok(invoke("init", str(root), "--lang", "en"))
    (root / "Customers" / "Prospects").rmdir()
    before = read_tree(root)
    result = invoke("init", str(root))
    assert_ok(result)
    assert read_tree(root) == {**before, "Customers/Prospects": None}
    assert not (root / "客户").exists()
    assert result.stdout.splitlines()[0] == f"Created in {root} (en layout):"


def test_init_with_a_broken_config_is_an_error(invoke: Invoke, tmp_path: Path) -> None:
    root = tmp_path / "ws"
    build_tree(root, {"folder-kit.yaml": "lang: fr\n"})
    before = read_tree(tmp_path)
    result = invoke("init", str(root))
    assert_error(
        result, f"Error: {root / 'folder-kit.yaml'}:1: lang: expected one of zh, en, got 'fr'"
    )
    assert read_tree(tmp_path) == before


def test_init_after_renaming_a_grade_folder_adds_no_second_folder(
    invoke: Invoke, tmp_path: Path
) -> None:
    """docs/domain.md: a user may rename B-在谈客户 to "B 在谈" and nothing breaks."""
    root = tmp_path / "ws"
    assert_ok(invoke("init", str(root)))
    (root / "客户" / "B-在谈客户").rename(root / "客户" / "B 在谈")
    before = read_tree(root)
    result = invoke("init", str(root))
    assert_ok(result)
    assert read_tree(root) == before


def test_init_on_the_sample_workspace_changes_no_byte(invoke: Invoke, sample_copy: Path) -> None:
    before = read_tree(sample_copy)
    assert_ok(invoke("init", str(sample_copy)))
    assert read_tree(sample_copy) == before


def test_init_lang_on_a_workspace_of_the_other_language_says_it_keeps_its_own(
    invoke: Invoke, tmp_path: Path
) -> None:
    root = tmp_path / "ws"
    assert_ok(invoke("init", str(root), "--lang", "en"))
    before = read_tree(root)
    result = invoke("init", str(root), "--lang", "zh")
    assert_ok(result)
    assert result.stdout == (
        f"{root} already has the en layout and keeps it (--lang zh is for a new workspace).\n"
        f"Nothing to do: {root} is already a complete workspace.\n"
    )
    assert read_tree(root) == before


def test_a_settings_file_that_is_a_folder_is_named(invoke: Invoke, tmp_path: Path) -> None:
    root = tmp_path / "ws"
    (root / "folder-kit.yaml").mkdir(parents=True)
    config = root / "folder-kit.yaml"
    assert_error(
        invoke("init", str(root)),
        f"Error: {config} is a folder, not the settings file; rename it and run init again",
    )
    assert_error(
        invoke("-w", str(root), "scan"),
        f"Error: {config} is a folder, not the settings file; rename it and run "
        f"`folder-kit init {root}`",
    )


def _full_disk(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def test_init_on_a_full_disk_leaves_nothing_that_blocks_a_retry(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`init --lang en` cut short left the English folders without folder-kit.yaml,
    and a plain `init` then added a Chinese tree beside them."""
    target = tmp_path / "ws"
    with monkeypatch.context() as m:
        m.setattr(scaffold_module, "write_new", _full_disk)
        assert_error(invoke("init", str(target), "--lang", "en"), "Error: No space left on device")
    assert not target.exists() or list(target.iterdir()) == []
    assert_ok(invoke("init", str(target)))
    assert load_config(target / "folder-kit.yaml").lang == "zh"
    assert (target / "客户").is_dir() and not (target / "Customers").exists()


def test_init_cut_short_after_its_settings_is_completed_by_the_next(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "ws"
    made: list[Path] = []
    real_mkdir = Path.mkdir

    def mkdir(self: Path, *args: Any, **kwargs: Any) -> None:
        if len(made) >= 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        made.append(self)
        real_mkdir(self, *args, **kwargs)

    with monkeypatch.context() as m:
        m.setattr(Path, "mkdir", mkdir)
        assert_error(invoke("init", str(target), "--lang", "en"), "Error: No space left on device")
    assert_ok(invoke("init", str(target)))  # follows the settings it finds: English
    assert not (target / "客户").exists()
    assert read_tree(target) == read_tree(_fresh_en(tmp_path, invoke))


def _fresh_en(tmp_path: Path, invoke: Invoke) -> Path:
    fresh = tmp_path / "fresh"
    assert_ok(invoke("init", str(fresh), "--lang", "en"))
    return fresh
