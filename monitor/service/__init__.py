"""The service: `monitor run` (long-running) and `monitor poll-once` (one pass).

`Service` (core.py) wires the stages together and runs them; each of its other concerns is a


class of its own, in the module named for it, that `Service` is built from:

    state.py         ServiceState       what the service holds, built once
    polls.py         Polls              one feed polled, classified and queued; the one pass
    housekeeping.py  Housekeeping       the timed jobs: folds, digests, tally, retention, beat
    views.py         StatusViews        /healthz and the status page
    reload.py        ConfigReload       feeds.yaml watched, read and applied
    controls.py      OperatorControls   pause, resume (the admin chat's)
    commands.py      poll_once, run_service: the two commands

Each class builds on the ones whose methods it calls (Polls on ServiceState, Housekeeping on
Polls, StatusViews and ConfigReload on Housekeeping), so each part's `self` is typed whole.
"""

from monitor.service.commands import poll_once, run_service
from monitor.service.config_rows import sync_config
from monitor.service.core import Service
from monitor.service.progress import Progress
from monitor.service.reload import log_cautions

__all__ = ["Progress", "Service", "log_cautions", "poll_once", "run_service", "sync_config"]
