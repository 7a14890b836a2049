"""Drafts: the next follow-up mail, with a fresh reason to write, as an ``.eml``.

The course's PDCA: gather what the topic choice needs from the customer's events
(``facts``), choose a topic (``followup.topics``, pure, the same chooser `due`
suggests with), render a template (``render``, sandboxed Jinja2), run the Check
step (``check``, pure), build the message (``eml``) and write it into the
customer's drafts folder (``draft``); ``sent`` files a sent draft into OUT.
"""
