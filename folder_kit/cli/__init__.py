"""The ``folder-kit`` command line: thin commands over the library.

The group and its one error handler live here; each command family has a module
of its own. Library modules are imported inside the commands, so that
``--help`` stays fast and never loads watchdog or Jinja2. Only the CLI imports
click.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from folder_kit import __version__
from folder_kit.cli import drafts as draft_commands
from folder_kit.cli import followup as followup_commands
from folder_kit.cli import timeline as timeline_commands
from folder_kit.cli import workspace as workspace_commands
from folder_kit.cli.common import WORKSPACE_HELP
from folder_kit.errors import FolderKitError, shown

# Values in messages are cut where they are written in; this bounds the whole line.
MAX_ERROR_LINE = 2000


def one_line(message: str) -> str:
    """An error message as one line: control characters visible, never endless."""
    return shown(message, limit=MAX_ERROR_LINE)


class FolderKitGroup(click.Group):
    """Turns every FolderKitError, and OS errors on user files, into one ``Error:`` line."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except FolderKitError as e:
            raise click.ClickException(one_line(str(e))) from e
        except BrokenPipeError:
            raise  # `folder-kit timeline | head`: click ends quietly
        except OSError as e:
            where = f": {e.filename}" if e.filename else ""
            raise click.ClickException(one_line(f"{e.strerror or e}{where}")) from e
        except Exception as e:
            # The index is derived data: a damaged or locked one is the user's to
            # delete or wait for, not a crash (sqlite3 is not imported for --help).
            if type(e).__module__ == "sqlite3":
                raise click.ClickException(
                    one_line(f"the index could not be used ({e}); run `folder-kit scan --rebuild`")
                ) from e
            raise


@click.group(cls=FolderKitGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-w",
    "--workspace",
    type=click.Path(file_okay=False, path_type=Path),
    help=WORKSPACE_HELP,
)
@click.version_option(__version__, prog_name="folder-kit")
def cli(workspace: Path | None) -> None:
    """Your customer folders, as a follow-up system.

    Keep every customer in a folder under 客户/ (Customers/), in a grade
    folder A-D or 待开发客户 (Prospects); save the mail you send into its OUT
    folder and the replies into IN. folder-kit reads the folders and keeps a
    dated timeline of every contact: no data entry. `-w DIR` names the
    workspace, before or after the command.
    """


for command in (
    workspace_commands.init,
    workspace_commands.customer,
    timeline_commands.scan_cmd,
    timeline_commands.timeline,
    timeline_commands.log_cmd,
    followup_commands.due_cmd,
    followup_commands.check_cmd,
    followup_commands.report_cmd,
    draft_commands.draft,
    draft_commands.sent,
):
    cli.add_command(command)


def main() -> None:
    cli(prog_name="folder-kit")
