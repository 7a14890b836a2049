"""The ``folder-kit`` command line: thin commands over the library.

The group and its one error handler live here; each command family has a module
of its own. Library modules are imported inside the commands, so that
``--help`` stays fast and never loads watchdog or Jinja2. Only the CLI imports
click.
"""

from __future__ import annotations

import importlib
from typing import Any

import click

from folder_kit import __version__
from folder_kit.errors import FolderKitError, shown

# Here, not in common: `folder-kit --help` imports no command's modules.
WORKSPACE_HELP = (
    "The workspace folder (default: $FOLDER_KIT_WORKSPACE, else the nearest folder "
    "at or above here holding folder-kit.yaml)."
)

# The commands: (module in folder_kit.cli, attribute, the line `folder-kit --help`
# shows). A command's module is imported when it runs or its own help is asked, so
# that `folder-kit --help` imports none of them and `folder-kit scan` only its own
# (start-up time: `--help` must stay fast). Its one-line summary lives here for the
# same reason.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "init": ("workspace", "init", "Create the recommended workspace (safe to run again)."),
    "customer": ("workspace", "customer", "Add, move and list customers."),
    "scan": ("timeline", "scan_cmd", "Read new and changed files into the timeline."),
    "timeline": (
        "timeline",
        "timeline",
        "Contact events of one customer (NAME), or of all, oldest first.",
    ),
    "log": (
        "timeline",
        "log_cmd",
        "Record a contact made outside mail (a call, a visit, a chat).",
    ),
    "due": (
        "followup",
        "due_cmd",
        "Whom to follow up now, by grade then lateness; the dormant apart.",
    ),
    "check": (
        "followup",
        "check_cmd",
        "Taboos, evaporated quotes, remedies, grade suggestions.",
    ),
    "report": ("followup", "report_cmd", "The pipeline at a glance."),
    "draft": ("drafts", "draft", "Write the next follow-up of customer NAME as a mail draft."),
    "sent": (
        "drafts",
        "sent",
        "The draft DRAFT was sent: file it into OUT, so that it counts.",
    ),
    "mail": ("mail", "mail", "File the mail you already have into the customer folders."),
    "watch": ("watch", "watch", "Keep the timeline current as files are saved."),
    "service": ("watch", "service", "Run the watcher in the background at login."),
    "integrate": (
        "integrate",
        "integrate",
        'Add "Write a follow-up draft" to the file manager\'s menu of folders.',
    ),
}

# Values in messages are cut where they are written in; this bounds the whole line.
MAX_ERROR_LINE = 2000


def one_line(message: str) -> str:
    """An error message as one line: control characters visible, never endless."""
    return shown(message, limit=MAX_ERROR_LINE)


class FolderKitGroup(click.Group):
    """Loads each command when it is wanted (see COMMANDS), and turns every
    FolderKitError, and OS errors on user files, into one ``Error:`` line."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module, attribute, summary = entry
        command: click.Command = getattr(
            importlib.import_module(f"folder_kit.cli.{module}"), attribute
        )
        command.short_help = summary
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # As click writes them, from COMMANDS: listing them imports none.
        with formatter.section("Commands"):
            formatter.write_dl([(name, COMMANDS[name][2]) for name in self.list_commands(ctx)])

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
    type=click.Path(file_okay=False),
    help=WORKSPACE_HELP,
)
@click.version_option(__version__, prog_name="folder-kit")
def cli(workspace: str | None) -> None:
    """Your customer folders, as a follow-up system.

    Keep every customer in a folder under 客户/ (Customers/), in a grade
    folder A-D or 待开发客户 (Prospects); save the mail you send into its OUT
    folder and the replies into IN. folder-kit reads the folders and keeps a
    dated timeline of every contact: no data entry. `-w DIR` names the
    workspace, before or after the command.
    """


def main() -> None:
    """The command line. ``folder-kit`` starts here by way of ``folder_kit.__main__``,
    which sets up the garbage collector first."""
    from folder_kit.cli.console import prepare_streams

    prepare_streams()
    cli(prog_name="folder-kit")
