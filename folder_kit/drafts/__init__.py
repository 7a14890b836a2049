"""Drafts: the next follow-up mail, with a fresh reason to write, as an ``.eml``.

The course's PDCA: choose a topic (``topics``, pure), gather its data
(``facts``), render a template (``render``, sandboxed Jinja2), run the Check
step (``check``, pure), build the message (``eml``) and write it into the
customer's drafts folder (``draft``); ``sent`` files a sent draft into OUT.
"""
