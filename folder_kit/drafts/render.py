"""Rendering a draft template in a Jinja2 sandbox.

A template renders header lines (at least ``Subject:``; ``Attach:`` names a file
to attach), a blank line, then the body. It runs in a ``SandboxedEnvironment``
with ``StrictUndefined``: a template that reaches for Python internals, is broken,
or uses a variable it was not given is a TemplateError naming the file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from folder_kit.errors import TemplateError, UnreadableFileError
from folder_kit.files import read_regular
from folder_kit.followup.topics import en_date
from folder_kit.resources import read_template
from folder_kit.subjects import SHORT_SUBJECT, short_subject

HEADERS = ("subject", "attach")


@dataclass(frozen=True)
class Template:
    source: str
    label: str  # what an error names: the user's file, or the built-in one


@dataclass(frozen=True)
class Rendered:
    subject: str
    attach: tuple[str, ...]
    body: str


def find_template(topic: str, lang: str, *, override_dirs: tuple[Path, ...] = ()) -> Template:
    """The user's ``<topic>.<lang>.j2`` or ``<topic>.j2`` in 模板/邮件模板/, else the built-in one."""
    for folder in override_dirs:
        for name in (f"{topic}.{lang}.j2", f"{topic}.j2"):
            path = folder / name
            if path.is_file():
                try:
                    source = read_regular(path).decode("utf-8-sig")
                except UnreadableFileError as e:  # a link, a FIFO, a huge file
                    raise TemplateError(template=str(path), reason=f"it is {e.reason}") from None
                except UnicodeDecodeError:
                    raise TemplateError(template=str(path), reason="not UTF-8 text") from None
                return Template(source, str(path))
    name = f"{topic}.{lang}.j2"
    return Template(read_template("drafts", name), f"built-in drafts/{name}")


def zh_date(day: dt.date) -> str:
    """2026年12月25日."""
    return f"{day.year}年{day.month}月{day.day}日"


def en_month(day: dt.date) -> str:
    """December 2026."""
    return f"{day:%B %Y}"


def zh_month(day: dt.date) -> str:
    """2026年12月."""
    return f"{day.year}年{day.month}月"


def short(text: str, limit: int = SHORT_SUBJECT) -> str:
    """A subject cleaned of its Re:/AW:/答复: prefixes and list tags, cut at a word."""
    return short_subject(str(text), limit=limit)


# A sentence that ends on a name ending in "." ("Inc.") gets no second period;
# an ellipsis stays.
_DOUBLE_PERIOD = re.compile(r"(?<=[^\W\d_]\.)\.(?!\.)")


def tidy(text: str) -> str:
    """The rendered mail with the seams of its values closed: "Inc.." is "Inc."."""
    return _DOUBLE_PERIOD.sub("", text)


def render(template: Template, context: Mapping[str, Any]) -> Rendered:
    """Render ``template`` with ``context``; any failure is one TemplateError."""
    from jinja2 import StrictUndefined, TemplateSyntaxError
    from jinja2.exceptions import SecurityError, UndefinedError
    from jinja2.exceptions import TemplateError as JinjaError
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["en_date"] = en_date
    env.filters["zh_date"] = zh_date
    env.filters["en_month"] = en_month
    env.filters["zh_month"] = zh_month
    env.filters["short"] = short
    try:
        text = env.from_string(template.source).render(**context)
    except TemplateSyntaxError as e:
        raise TemplateError(template=template.label, reason=f"line {e.lineno}: {e.message}") from e
    except SecurityError as e:
        raise TemplateError(template=template.label, reason=f"refused by the sandbox: {e}") from e
    except UndefinedError as e:
        raise TemplateError(template=template.label, reason=f"{e.message}") from e
    except JinjaError as e:
        raise TemplateError(template=template.label, reason=str(e)) from e
    except Exception as e:  # a filter or test called with the wrong values, say
        raise TemplateError(template=template.label, reason=f"{type(e).__name__}: {e}") from e
    return parse_rendered(tidy(text), label=template.label)


def parse_rendered(text: str, *, label: str) -> Rendered:
    """Header lines, a blank line, the body."""
    lines = text.replace("\r\n", "\n").lstrip("\n").split("\n")
    subject = ""
    attach: list[str] = []
    i = 0
    for i, line in enumerate(lines):  # noqa: B007 - i is where the body starts
        if not line.strip():
            break
        key, sep, value = line.partition(":")
        key = key.strip().casefold()
        if not sep or key not in HEADERS:
            raise TemplateError(
                template=label,
                reason=f"header line {line!r} is not `Subject: ...` or `Attach: ...` "
                "(a blank line ends the headers)",
            )
        if key == "subject":
            subject = " ".join(value.split())
        elif value.strip():
            attach.append(value.strip())
    else:
        i = len(lines)
    if not subject:
        raise TemplateError(template=label, reason="renders no `Subject:` line")
    body = "\n".join(line.rstrip() for line in lines[i + 1 :]).strip("\n") + "\n"
    return Rendered(subject=subject, attach=tuple(attach), body=body)
