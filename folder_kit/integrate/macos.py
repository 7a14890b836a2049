"""Finder Quick Actions: one Automator workflow bundle per entry in ~/Library/Services.

A Quick Action is a folder ``<label>.workflow/Contents`` holding two property
lists: ``Info.plist`` declares the service to the system (its menu title, that
it takes folders, in Finder), ``document.wflow`` is the workflow Automator runs,
here a single "Run Shell Script" action that receives the folders as arguments.
"""

from __future__ import annotations

import plistlib
import shlex
import uuid
from pathlib import Path

from folder_kit.integrate.entries import ENTRIES, NAME, Entry, run_command

FOLDER_TYPE = "public.folder"  # what NSSendFileTypes names: Finder offers it on folders
WORKFLOW_INPUT = "com.apple.Automator.fileSystemObject.folder"
SERVICES_MENU = "com.apple.Automator.servicesMenu"
RUN_SHELL_SCRIPT = "/System/Library/Automator/Run Shell Script.action"


def _uuid(entry: Entry, part: str) -> str:
    """A fixed UUID per entry and part: the same bundle every install (idempotent)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{NAME}:{entry.action}:{part}")).upper()


def info_plist(entry: Entry) -> bytes:
    return plistlib.dumps(
        {
            "NSServices": [
                {
                    "NSMenuItem": {"default": entry.label},
                    "NSMessage": "runWorkflowAsService",
                    "NSRequiredContext": {"NSApplicationIdentifier": "com.apple.finder"},
                    "NSSendFileTypes": [FOLDER_TYPE],
                    "NSIconName": "NSActionTemplate",
                }
            ]
        }
    )


def shell_script(entry: Entry, *, python: str) -> str:
    command = " ".join(shlex.quote(a) for a in run_command(entry.action, python=python))
    return f'exec {command} "$@"\n'


def document_wflow(entry: Entry, *, python: str) -> bytes:
    """The workflow: Run Shell Script with /bin/sh, input passed as arguments."""
    parameters = {
        "COMMAND_STRING": shell_script(entry, python=python),
        "CheckedForUserDefaultShell": True,
        "inputMethod": 1,  # 0: to stdin, 1: as arguments
        "shell": "/bin/sh",
        "source": "",
    }
    arguments = {
        str(i): {"default value": value, "name": name, "required": "0", "type": "0", "uuid": str(i)}
        for i, (name, value) in enumerate(
            [
                ("inputMethod", 0),
                ("CheckedForUserDefaultShell", False),
                ("source", ""),
                ("COMMAND_STRING", ""),
                ("shell", "/bin/sh"),
            ]
        )
    }
    action = {
        "AMAccepts": {"Container": "List", "Optional": True, "Types": ["com.apple.cocoa.string"]},
        "AMActionVersion": "2.0.3",
        "AMApplication": ["Automator"],
        "AMParameterProperties": {key: {} for key in parameters},
        "AMProvides": {"Container": "List", "Types": ["com.apple.cocoa.string"]},
        "ActionBundlePath": RUN_SHELL_SCRIPT,
        "ActionName": "Run Shell Script",
        "ActionParameters": parameters,
        "BundleIdentifier": "com.apple.RunShellScript",
        "CFBundleVersion": "2.0.3",
        "CanShowSelectedItemsWhenRun": False,
        "CanShowWhenRun": True,
        "Category": ["AMCategoryUtilities"],
        "Class Name": "RunShellScriptAction",
        "InputUUID": _uuid(entry, "input"),
        "Keywords": ["Shell", "Script", "Command", "Run", "Unix"],
        "OutputUUID": _uuid(entry, "output"),
        "UUID": _uuid(entry, "action"),
        "UnlocalizedApplications": ["Automator"],
        "arguments": arguments,
        "isViewVisible": 1,
        "location": "309.000000:253.000000",
        "nibPath": f"{RUN_SHELL_SCRIPT}/Contents/Resources/Base.lproj/main.nib",
    }
    return plistlib.dumps(
        {
            "AMApplicationBuild": "523",
            "AMApplicationVersion": "2.10",
            "AMDocumentVersion": "2",
            "actions": [{"action": action, "isViewVisible": 1}],
            "connectors": {},
            "workflowMetaData": {
                "applicationBundleID": "com.apple.finder",
                "applicationBundleIDsByPath": {
                    "/System/Library/CoreServices/Finder.app": "com.apple.finder"
                },
                "applicationPath": "/System/Library/CoreServices/Finder.app",
                "applicationPaths": ["/System/Library/CoreServices/Finder.app"],
                "inputTypeIdentifier": WORKFLOW_INPUT,
                "outputTypeIdentifier": "com.apple.Automator.nothing",
                "presentationMode": 15,
                "processesInput": False,
                "serviceApplicationBundleID": "com.apple.finder",
                "serviceApplicationPath": "/System/Library/CoreServices/Finder.app",
                "serviceInputTypeIdentifier": WORKFLOW_INPUT,
                "serviceOutputTypeIdentifier": "com.apple.Automator.nothing",
                "serviceProcessesInput": False,
                "systemImageName": "NSActionTemplate",
                "useAutomaticInputType": False,
                "workflowTypeIdentifier": SERVICES_MENU,
            },
        }
    )


def files(*, home: Path, python: str) -> list[tuple[Entry, Path, bytes]]:
    """What install writes on macOS: (entry, path, bytes), two files a bundle."""
    out: list[tuple[Entry, Path, bytes]] = []
    for entry in ENTRIES:
        contents = home / "Library" / "Services" / f"{entry.label}.workflow" / "Contents"
        out.append((entry, contents / "Info.plist", info_plist(entry)))
        out.append((entry, contents / "document.wflow", document_wflow(entry, python=python)))
    return out
