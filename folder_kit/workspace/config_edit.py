"""Editing folder-kit.yaml in place: one entry added or removed, every other byte kept.

The file is the user's: its comments, order, blank lines, quoting and line endings
are theirs. So it is not loaded and dumped again (a round-trip library such as
ruamel.yaml re-emits the whole document, and re-indents, re-wraps or re-spaces
what it did not change): the text is cut where the composed YAML nodes say an
entry begins and ends, and the result is read back with load_config's own reader
before it replaces the file, atomically. An entry added and then removed gives
back the file's bytes exactly.
"""

from __future__ import annotations

import codecs
import datetime as dt
import os
import re
import stat
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TypeAlias

import yaml

from folder_kit.errors import ConfigError
from folder_kit.files import write_replacing
from folder_kit.workspace.config import Config, config_text, parse_config, read_config_bytes

# What an entry's value may be: written as YAML, a mapping as a block, a list in
# flow style ([INBOX, Sent]) as the spec's examples write them.
Value: TypeAlias = str | int | bool | dt.date | Sequence[str] | Mapping[str, "Value"]

DEFAULT_STEP = 2  # the indentation of a nested mapping, where the file shows none
_WIDE = 1 << 30  # never wrap a value written


def with_entry(text: str, keys: Sequence[str], value: Value) -> str:
    """``text`` with ``keys[-1]: value`` added at the end of the mapping that
    ``keys[:-1]`` names; the mappings on the way are created where missing.

    Raises ValueError when the entry exists, or when a key on the way holds
    something that is no mapping (load_config refuses such a file anyway)."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    newline = "\r\n" if "\r\n" in text else "\n"
    step = _indent_step(root)
    node: yaml.Node | None = root
    owner: yaml.Node | None = None  # the key whose value `node` is
    depth = 0
    while depth < len(keys) and isinstance(node, yaml.MappingNode):
        found = _index(node, keys[depth])
        if found is None:
            break
        owner, node = node.value[found]
        depth += 1
    if depth == len(keys):
        raise ValueError(f"{'.'.join(keys)} exists")
    key = keys[depth]
    for outer in reversed(keys[depth + 1 :]):
        value = {outer: value}
    if node is None:  # an empty file, or only comments
        return _appended(text, _block(key, value, 0, step, newline), newline)
    if isinstance(node, yaml.MappingNode) and node.flow_style:
        entry = _flow({key: value})[1:-1]
        if node.value:
            at = node.value[-1][1].end_mark.index
            return text[:at] + ", " + entry + text[at:]
        at = node.end_mark.index - 1  # the closing brace
        return text[:at] + entry + text[at:]
    if isinstance(node, yaml.MappingNode):
        column = node.value[0][0].start_mark.column
        at = _entry_end(text, node.value[-1][1])
        block = _block(key, value, column, step, newline)
        if at == len(text):
            return _appended(text, block, newline)
        return text[:at] + block + text[at:]
    if owner is not None and node.tag == "tag:yaml.org,2002:null":
        # `mail:` with nothing under it yet (or `mail: ~`): the block goes below.
        column = owner.start_mark.column + step
        start, end = node.start_mark.index, node.end_mark.index
        at = _after_line(text, end)
        block = _block(key, value, column, step, newline)
        if at == len(text) and not text.endswith("\n"):
            block = newline + block
        return text[:start] + text[end:at] + block + text[at:]
    raise ValueError(f"{'.'.join(keys[:depth])} is not a mapping")


def without_entry(text: str, keys: Sequence[str]) -> str:
    """``text`` without the entry ``keys`` names (its lines, with the comments
    inside it). A mapping it leaves empty goes too, where nothing but its key was
    written there (no comment of the user's), so that an entry added by
    :func:`with_entry` and removed again leaves the file as it was.

    Raises KeyError when there is no such entry."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    chain: list[tuple[yaml.MappingNode, int]] = []
    node: yaml.Node | None = root
    for key in keys:
        found = _index(node, key) if isinstance(node, yaml.MappingNode) else None
        if found is None or not isinstance(node, yaml.MappingNode):
            raise KeyError(".".join(keys))
        chain.append((node, found))
        node = node.value[found][1]
    level = len(chain) - 1
    while level > 0:
        mapping, i = chain[level]
        if len(mapping.value) != 1:
            break
        outer, j = chain[level - 1]
        outer_start, outer_end = _span(text, outer, j)
        start, end = _span(text, mapping, i)
        rest = text[outer_start:start] + text[end:outer_end]
        if not _bare(rest, text, outer, outer.value[j][0]):
            break
        level -= 1
    start, end = _span(text, *chain[level])
    return text[:start] + text[end:]


def rewrite_config(
    path: Path, edit: Callable[[str], str], *, meant: Callable[[Config], bool] | None = None
) -> Config:
    """Apply ``edit`` to the text of folder-kit.yaml at ``path`` and replace the
    file with the result, atomically, keeping its BOM and permissions; returns
    the new Config. Nothing is written unless the result reads back as a valid
    config (that ``meant`` accepts), and not over a file that changed meanwhile."""
    data = read_config_bytes(path)
    text = config_text(data, path=path)
    parse_config(text, path=path)  # the file as it is: its own error, naming its line
    edited = edit(text)
    try:
        config = parse_config(edited, path=path)
    except ConfigError as e:  # a file shaped in a way this edit does not foresee
        raise ConfigError(
            path=path,
            reason=f"cannot be edited safely (the result would not read back: {e.message}); "
            "nothing was written: edit it by hand",
        ) from e
    if meant is not None and not meant(config):
        raise ConfigError(
            path=path,
            reason="cannot be edited safely (the result would not read back as meant); "
            "nothing was written: edit it by hand",
        )
    bom = codecs.BOM_UTF8 if data.startswith(codecs.BOM_UTF8) else b""
    mode = stat.S_IMODE(os.stat(path).st_mode)
    if read_config_bytes(path) != data:
        raise ConfigError(
            path=path,
            reason="changed while folder-kit was editing it; nothing was written: try again",
        )
    write_replacing(path, bom + edited.encode("utf-8"), mode=mode)
    return config


# -- where entries are ------------------------------------------------------------


def _index(mapping: yaml.MappingNode, key: str) -> int | None:
    for i, (k, _) in enumerate(mapping.value):
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            return i
    return None


def _span(text: str, mapping: yaml.MappingNode, i: int) -> tuple[int, int]:
    """Where the ``i``-th entry of ``mapping`` is written: its whole lines in a block
    mapping, ``key: value`` and one comma beside it in a flow one."""
    key, value = mapping.value[i]
    if not mapping.flow_style:
        start = _line_start(text, key.start_mark.index)
        if text[start : key.start_mark.index].strip(" "):
            start = key.start_mark.index  # not alone on its line (`- key: value`)
        return start, _entry_end(text, value)
    if i + 1 < len(mapping.value):  # the comma after it, up to the next key
        return key.start_mark.index, mapping.value[i + 1][0].start_mark.index
    if i > 0:  # the last: the comma before it, from the end of the value before
        return mapping.value[i - 1][1].end_mark.index, value.end_mark.index
    return key.start_mark.index, value.end_mark.index


def _content_end(node: yaml.Node) -> int:
    """Where what ``node`` holds ends: a block collection ends with its last value
    (the parser's own end is at the next token, past any comments below it)."""
    if isinstance(node, yaml.MappingNode) and not node.flow_style and node.value:
        return _content_end(node.value[-1][1])
    if isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
        return _content_end(node.value[-1])
    return int(node.end_mark.index)


def _entry_end(text: str, value: yaml.Node) -> int:
    """The start of the line after ``value`` (a comment on its last line included)."""
    end = _content_end(value)
    if end > 0 and text[end - 1] == "\n":  # a block scalar (|, >) ends with its lines
        return end
    return _after_line(text, end)


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _after_line(text: str, index: int) -> int:
    end = text.find("\n", index)
    return len(text) if end < 0 else end + 1


def _bare(rest: str, text: str, outer: yaml.MappingNode, key: yaml.Node) -> bool:
    """Whether ``rest``, what is left of an entry of ``outer`` once its one child is
    gone, is only what :func:`with_entry` writes for a mapping it creates: ``key:``
    on a line of its own in a block mapping, ``key: {}`` in a flow one. A comment,
    or a ``{}`` the user wrote in a block mapping, is theirs, and stays."""
    written = re.escape(text[key.start_mark.index : key.end_mark.index])
    if outer.flow_style:
        return re.fullmatch(rf"\s*,?\s*{written}\s*:\s*\{{\s*\}}\s*,?\s*", rest) is not None
    return re.fullmatch(rf"[ ]*{written}[ ]*:[ ]*\r?\n?", rest) is not None


def _indent_step(root: yaml.Node | None) -> int:
    """How far the file indents a nested mapping (its first one says)."""
    if isinstance(root, yaml.MappingNode) and not root.flow_style:
        for key, value in root.value:
            if isinstance(value, yaml.MappingNode) and not value.flow_style and value.value:
                step = value.value[0][0].start_mark.column - key.start_mark.column
                if step > 0:
                    return int(step)
    return DEFAULT_STEP


# -- writing values ---------------------------------------------------------------


def _flow(value: object) -> str:
    """``value`` in YAML's flow style, on one line, quoted where it must be."""
    written = yaml.safe_dump(
        value, default_flow_style=True, allow_unicode=True, sort_keys=False, width=_WIDE
    )
    return written.removesuffix("\n...\n").rstrip("\n")


def _scalar(value: object) -> str:
    return _flow([value])[1:-1]


def _block(key: str, value: Value, column: int, step: int, newline: str) -> str:
    return "".join(line + newline for line in _block_lines(key, value, column, step))


def _block_lines(key: str, value: Value, column: int, step: int) -> list[str]:
    pad = " " * column
    if isinstance(value, Mapping):
        lines = [f"{pad}{_scalar(key)}:"]
        for k, v in value.items():
            lines += _block_lines(k, v, column + step, step)
        return lines
    if isinstance(value, list | tuple):
        return [f"{pad}{_scalar(key)}: {_flow(list(value))}"]
    return [f"{pad}{_scalar(key)}: {_scalar(value)}"]


def _appended(text: str, block: str, newline: str) -> str:
    if text and not text.endswith("\n"):
        return text + newline + block
    return text + block
