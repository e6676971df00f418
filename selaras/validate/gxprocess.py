"""Great Expectations in a process of its own, so its cost overlaps other work.

Importing GE takes seconds of pure Python. Started when a run begins (`prestart`, called
by the pipeline when the validate step will run), the import runs on the second core while
ingest reads the files; later, Data Docs render there while this process writes the
quarantine workbooks. The process is one per interpreter and outlives a run (tests and a
long-lived Prefect process pay the import once); each validation session opens a fresh
GxRunner in it, so suites never leak from one configuration to the next.

`runner(config)` hands out the process, or a GxRunner in this process when the process is
busy with another session, cannot start or has died: results never depend on where GE ran.

May import: the standard library, selaras.validate.config and (lazily) selaras.validate.gx.
"""

from __future__ import annotations

import atexit
import functools
import logging
import multiprocessing
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from selaras.validate.config import ValidationConfig
    from selaras.validate.gx import GxRunner

log = logging.getLogger("selaras.validate")


def _serve(conn: Connection) -> None:
    """The child: import GE at once, then answer (method, args) requests in order."""
    from selaras.validate.gx import GxRunner

    runner: GxRunner | None = None
    while True:
        try:
            method, args = conn.recv()
        except (EOFError, OSError):  # the parent is gone
            return
        try:
            if method == "open":
                runner = GxRunner(*args)
                value: Any = None
            elif runner is None:
                raise RuntimeError("GxProcess: no session opened")
            elif method == "data_docs":
                value = runner.data_docs(*args)()
            else:
                value = getattr(runner, method)(*args)
            conn.send(("ok", value))
        except BaseException as exc:  # sent back, raised in the parent
            try:
                conn.send(("error", exc))
            except Exception:  # an exception that does not pickle: its text instead
                conn.send(("error", RuntimeError("".join(traceback.format_exception(exc)))))


class GxProcess:
    """The child process and its pipe; one request in flight at a time."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")  # never fork a process holding DuckDB's threads
        self._conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child,), name="selaras-gx", daemon=True)
        self.process.start()
        child.close()
        self.busy = threading.Lock()  # held by the session using the process
        self._waiting: Callable[[], Any] | None = None
        # At exit, close the pipe and let the child end by itself: killed (multiprocessing's
        # way with a daemon), it would leave the semaphores its imports made (tqdm's lock)
        # and Python would warn about "leaked semaphore objects" after every run.
        atexit.register(self.close)

    def close(self, timeout: float = 5.0) -> None:
        self.release()
        self.process.join(timeout)

    def release(self) -> None:
        """Close the pipe: the child reads EOF and ends by itself."""
        self._conn.close()

    @property
    def alive(self) -> bool:
        return self.process.is_alive()

    def submit(self, method: str, *args: object) -> Callable[[], Any]:
        """Send a request; returns the function that waits for its answer."""
        if self._waiting is not None:
            self._waiting()
        self._conn.send((method, args))
        answer: list = []

        def wait() -> Any:
            if not answer:
                answer.append(self._conn.recv())
                self._waiting = None
            status, value = answer[0]
            if status == "error":
                raise value
            return value

        self._waiting = wait
        return wait

    def call(self, method: str, *args: object) -> Any:
        return self.submit(method, *args)()


_process: GxProcess | None = None
_lock = threading.Lock()


def prestart() -> None:
    """Start the process now (it imports GE straight away), unless it runs already."""
    global _process
    with _lock:
        if _process is None or not _process.alive:
            try:
                _process = GxProcess()
            except OSError as exc:  # no process can be started here: GE runs in this process
                log.warning("proses Great Expectations tidak bisa dimulai (%s); validasi di proses ini", exc)
                _process = None


def release() -> None:
    """Let the process go: its pipe is closed, so it ends by itself (it exits on EOF) while
    this process goes on; the next `prestart` starts a new one. Its exit handler then finds
    it gone instead of waiting for it when this process ends."""
    global _process
    with _lock:
        if _process is not None:
            with _process.busy:  # never in the middle of a session
                _process.release()
            _process = None


#: What a pipe to a dead process raises.
_GONE = (EOFError, OSError)


class RemoteRunner:
    """The GxRunner interface (check, data_docs) answered by the process; should the
    process die, by a GxRunner in this process from then on."""

    def __init__(self, process: GxProcess, config: ValidationConfig) -> None:
        self.process = process
        self.config = config
        self._here: GxRunner | None = None
        process.call("open", config)

    def _local(self, exc: BaseException | None) -> GxRunner:
        if self._here is None:
            log.warning("proses Great Expectations berhenti (%s); validasi dilanjutkan di proses ini", exc)
            from selaras.validate.gx import GxRunner

            self._here = GxRunner(self.config)
        return self._here

    def _answer_here(self, exc: BaseException | None, method: str, args: tuple) -> Callable[[], Any]:
        runner = self._local(exc)
        if method == "data_docs":  # GxRunner.data_docs itself returns the function to wait on
            return runner.data_docs(*args)
        return functools.partial(getattr(runner, method), *args)

    def _ask(self, method: str, *args: object) -> Callable[[], Any]:
        """`method`'s answer as a function to wait on: from the process, or from a GxRunner
        here once the process is gone (also when it dies while answering)."""
        if self._here is not None:
            return self._answer_here(None, method, args)
        try:
            wait = self.process.submit(method, *args)
        except _GONE as exc:
            return self._answer_here(exc, method, args)

        def result() -> Any:
            try:
                return wait()
            except _GONE as exc:
                return self._answer_here(exc, method, args)()

        return result

    def check(self, *args: object):
        return self._ask("check", *args)()

    def data_docs(self, *args: object) -> Callable[[], Any]:
        return self._ask("data_docs", *args)


@contextmanager
def runner(config: ValidationConfig) -> Iterator[Callable[[], RemoteRunner | GxRunner]]:
    """For one validation session: a function giving its runner, created at the first call
    (a session whose files are all unchanged never needs GE). The process's runner when
    the process is free and alive, else a GxRunner in this process."""
    held: list[GxProcess] = []
    made: list = []

    def get() -> RemoteRunner | GxRunner:
        if made:
            return made[0]
        if _process is None or not _process.alive:
            prestart()
        process = _process
        if process is not None and process.busy.acquire(blocking=False):
            held.append(process)
            try:
                made.append(RemoteRunner(process, config))
                return made[0]
            except _GONE as exc:
                log.warning("proses Great Expectations tidak menjawab (%s); validasi di proses ini", exc)
        from selaras.validate.gx import GxRunner

        made.append(GxRunner(config))
        return made[0]

    try:
        yield get
    finally:
        for process in held:
            if process._waiting is not None:  # an answer nobody collected (the session raised)
                try:
                    process._waiting()
                except Exception:
                    log.debug("answer of the GE process dropped", exc_info=True)
            process.busy.release()
