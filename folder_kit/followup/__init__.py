"""The follow-up engine: whom to follow up when, which habits hurt, the pipeline at a glance.

``rules`` is the pure core (plain values in and out, ``today`` passed in, no I/O):
due dates from the grade cadences, the course's taboos, evaporated quotes, the
change-approach ladder, grade suggestions and the follow-up distributions.
``pipeline`` is the thin loading layer: it brings the index up to date, reads
it (in SQL where that is the natural shape) and hands plain values to the
core. ``topics`` chooses the next follow-up's topic (pure, with ``greetings``
for holidays); ``products`` reads the 产品/ files it draws on, once per command.
`due` suggests with it and `draft` writes with it. ``ics`` and ``page`` turn results into a calendar file and an HTML page.

May import the top-level modules, ``workspace/`` and ``timeline/``; never
``watch/``, ``drafts/`` or the CLI (``drafts/`` builds on this package).
"""
