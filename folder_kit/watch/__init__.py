"""Watching a workspace: the index kept current while the salesperson works.

The file-system watcher (watchdog) is only a hint; the scan is the truth, as in
Syncthing, watchman and git's fsmonitor. On start, one full reconcile; then each
file-system event only names a customer folder to reconcile again once its files
are quiet; a full reconcile also runs on a timer and at once after any sign of
loss (an inotify queue overflow, an observer thread that died, the workspace
coming back). What each reconcile adds or drops is reported as ``Change`` notes.

Modules: ``settle`` (when files are quiet; which folder an event names is
``workspace.locate``'s answer), ``changes`` (events before and after a reconcile), ``highlights`` (what
matters), ``observer`` (watchdog, inotify or polling), ``watcher`` (the loop and
its supervision), ``service`` (login services), ``notify`` (desktop
notifications), ``log`` (the rotating log of the background watcher).
"""
