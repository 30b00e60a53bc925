"""SQLite's WAL checkpoints, run by a thread of their own instead of inside a request's COMMIT.

In WAL mode SQLite copies the log back into the database file (a checkpoint, with two fsyncs) from
whichever COMMIT takes the log past `wal_autocheckpoint` pages: every few dozen writes, a request
paid for it on the event loop (about half of a PUT's COMMIT time, per the profiles in benchmarks/).
This thread checkpoints on its own connection instead, PASSIVE (it never waits for, nor blocks,
readers and the writer), while SQLite releases the GIL. The in-line checkpoint stays as a backstop
at a larger log size, should this thread fall behind.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine

log = logging.getLogger(__name__)

# Pages (4 KB) the log may reach before a COMMIT checkpoints in line after all.
BACKSTOP_PAGES = 10_000
INTERVAL_SECONDS = 0.5


class WalCheckpointer:
    def __init__(self, engine: Engine, interval_seconds: float = INTERVAL_SECONDS) -> None:
        self._engine = engine
        self._interval = interval_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.checkpoints = 0  # completed, for tests and diagnostics

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="sqlite-wal-checkpoints", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        try:
            with self._engine.connect() as connection:
                driver = connection.connection.driver_connection
                while not self._stop.wait(self._interval):
                    try:
                        driver.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()  # type: ignore[union-attr]
                    except Exception:  # a busy or failing checkpoint: the next one, or the backstop, catches up
                        log.debug("WAL checkpoint failed", exc_info=True)
                    else:
                        self.checkpoints += 1
        except Exception:  # no connection: COMMITs checkpoint in line (the backstop) as SQLite does by default
            log.warning("the WAL checkpoint thread stopped; checkpoints run in line", exc_info=True)
