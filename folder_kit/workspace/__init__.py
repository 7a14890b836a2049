"""The folders on disk and what the user edits in them.

The tree and its names (``layout``), folder-kit.yaml (``config``), Contact.txt
(``contact``) and the country and language typed there (``country``), portable folder names (``names``), ``init`` (``scaffold``), the
customers and where they are (``customers``), which customer a path is in
(``locate``), finding the workspace (``find``),
the grade-move note (``history``) and the names that are never contact
(``ignore``). Imports nothing from ``timeline/`` or above.
"""
