"""folder-kit in the file manager's context menu: "Write a follow-up draft" and
"Show timeline" on a customer folder, in Explorer, Finder, Nautilus, Nemo, Caja
and Dolphin.

``entries`` says what the menu holds and the command each entry runs; ``linux``,
``macos`` and ``windows`` build what each file manager reads, as pure functions;
``install`` writes it, records it in a manifest and takes back exactly that;
``launch`` is what an entry runs when it is clicked.
"""
