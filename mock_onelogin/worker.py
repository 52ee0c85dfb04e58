"""The background worker of a live server: drains the task queue as work arrives."""

from __future__ import annotations

import logging
import threading

from mock_onelogin.account import OneLoginAccount

log = logging.getLogger(__name__)


class DrainWorker(threading.Thread):
    """Wakes when a change queues a task (or every ``poll_s`` for retries coming due)."""

    def __init__(self, account: OneLoginAccount, poll_s: float) -> None:
        super().__init__(name="onelogin-provisioning-worker", daemon=True)
        self.account = account
        self.poll_s = poll_s
        self._stop_requested = threading.Event()

    def run(self) -> None:
        while not self._stop_requested.is_set():
            self.account.wake.wait(self.poll_s)
            self.account.wake.clear()
            if self._stop_requested.is_set():
                break
            try:
                self.account.drain()
            except Exception:  # a broken task must not kill the worker; it is logged
                log.exception("provisioning drain failed")

    def stop(self, timeout: float = 5.0) -> None:
        self._stop_requested.set()
        self.account.wake.set()
        self.join(timeout)
