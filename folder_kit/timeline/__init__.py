"""What the files mean over time: contact events, and the index that keeps them.

Classifying a file (``classify``, ``dates``, ``mail``), the derived SQLite index
(``index``), reconciling it with the folders (``scan``: its ``walk`` of the
customers, the ``reader`` of one customer, readers run in ``parallel`` on
``workers``), reading events back
(``events``) and recording a call or visit as a file (``record``). May import
``workspace/``; never ``followup/``, ``watch/``, ``drafts/`` or the CLI.
"""
