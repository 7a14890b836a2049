"""The built wheel, installed into a fresh venv, works away from the checkout.

The wheel is built without build isolation and its dependencies come from the dev
venv's site-packages through a ``.pth`` line, so the test needs no registry. What
gets imported must be the installed wheel: not the checkout, not the editable install.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
LAYOUT = REPO / "templates" / "workspace" / "layout.yaml"


@dataclass(frozen=True)
class Installed:
    wheel: Path
    venv: Path
    python: Path
    script: Path
    site_packages: Path
    cwd: Path  # outside the repo, so nothing there shadows the installed package


def run(command: list[str | Path], *, cwd: Path) -> subprocess.CompletedProcess[str]:
    # No PYTHONPATH or PYTHONHOME from the caller: they could bring the checkout back in.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    result = subprocess.run(
        [str(c) for c in command],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        encoding="utf-8",  # folder-kit writes UTF-8 to a pipe, whatever the code page
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    tmp = tmp_path_factory.mktemp("wheel")
    dist = tmp / "dist"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    run([*pip, "wheel", "-q", "--no-build-isolation", "--no-deps", "-w", dist, REPO], cwd=tmp)
    (wheel,) = dist.glob("folder_kit-*.whl")

    venv = tmp / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=tmp)
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / ("python.exe" if os.name == "nt" else "python")
    # pip --python installs into the new venv as its own interpreter sees it: scripts get its
    # shebang, and with the .pth not written yet, the editable install is nowhere in sight.
    run([*pip, "--python", python, "install", "-q", "--no-deps", "--no-index", wheel], cwd=tmp)
    site_packages = Path(
        run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=tmp
        ).stdout.strip()
    )
    # A plain path line: site does not process .pth files inside a directory added this way,
    # so the dev venv's editable-install .pth (which adds the checkout) stays inert.
    dev_site_packages = sysconfig.get_paths()["purelib"]
    (site_packages / "dev-venv-dependencies.pth").write_text(dev_site_packages + "\n")

    cwd = tmp / "run"
    cwd.mkdir()
    script = bindir / ("folder-kit.exe" if os.name == "nt" else "folder-kit")
    return Installed(wheel, venv, python, script, site_packages, cwd)


def expected_folders(lang: str) -> set[str]:
    """Every folder ``init`` makes, read straight from the shipped layout.yaml."""
    names = yaml.safe_load(LAYOUT.read_text(encoding="utf-8"))[lang]
    out: set[str] = set()
    for top, children in (
        ("products", names["product_dirs"].values()),
        ("templates", names["template_dirs"].values()),
        ("internal", names["internal_dirs"]),
        ("customers", names["grades"].values()),
    ):
        out.add(names[top])
        out.update(f"{names[top]}/{child}" for child in children)
    return out


def folders_under(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_dir()}


def test_wheel_contains_templates(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as wheel:
        names = set(wheel.namelist())
        assert "folder_kit/templates/workspace/layout.yaml" in names
        assert "folder_kit/templates/report/report.html.j2" in names  # report --html
        assert "folder_kit/cli/__init__.py" in names
        assert "folder_kit/templates/drafts/price-update.zh.j2" in names
        layout = wheel.read("folder_kit/templates/workspace/layout.yaml")
    assert layout == LAYOUT.read_bytes()


def test_installed_wheel_is_what_gets_imported(installed: Installed) -> None:
    code = (
        "import folder_kit, folder_kit.cli, folder_kit.resources as r; "
        "print(folder_kit.__file__); print(r.template_root())"
    )
    module, templates = run([installed.python, "-c", code], cwd=installed.cwd).stdout.split("\n")[
        :2
    ]
    assert Path(module).is_relative_to(installed.site_packages / "folder_kit")
    assert Path(templates) == installed.site_packages / "folder_kit" / "templates"


def test_init_makes_the_zh_tree(installed: Installed) -> None:
    run([installed.python, "-m", "folder_kit", "init", "X"], cwd=installed.cwd)
    root = installed.cwd / "X"
    assert (root / "folder-kit.yaml").is_file()
    assert folders_under(root) == expected_folders("zh")
    assert {"产品/产品图片", "客户/A-交易客户", "客户/待开发客户"} <= folders_under(root)


def test_console_script_makes_the_en_tree(installed: Installed) -> None:
    run([installed.script, "init", "Y", "--lang", "en"], cwd=installed.cwd)
    root = installed.cwd / "Y"
    assert (root / "folder-kit.yaml").is_file()
    assert folders_under(root) == expected_folders("en")
    assert {"Products/Pictures", "Customers/A-Trading", "Customers/Prospects"} <= folders_under(
        root
    )


def test_draft_templates_load_from_the_installed_wheel(installed: Installed) -> None:
    code = (
        "import folder_kit.resources as r\n"
        "from folder_kit.drafts.render import find_template\n"
        "from folder_kit.terms import DRAFT_TOPICS\n"
        "for t in DRAFT_TOPICS:\n"
        "    for lang in ('en', 'zh'):\n"
        "        tpl = find_template(t, lang)\n"
        "        assert tpl.source.count('Subject:') == 1, (t, lang)\n"
        "print(r.template_root())\n"
    )
    out = run([installed.python, "-c", code], cwd=installed.cwd).stdout.strip()
    assert Path(out) == installed.site_packages / "folder_kit" / "templates"
