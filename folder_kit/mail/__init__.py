"""Mail from outside the workspace: exports and accounts whose messages are filed.

Reading the sources (``sources``: mbox files, Maildirs, folders of ``.eml`` and
``.msg`` files, Outlook ``.pst`` files through ``pst``). May import
``workspace/`` and ``timeline/``; never ``followup/``, ``watch/``, ``drafts/`` or
the CLI.
"""
