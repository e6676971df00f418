"""Small files written together. A tiny file (one kelurahan's CSV of three proposals) costs
about eight DuckDB statements and a commit when it is written alone, which is most of its
cost; a batch writes hundreds of them in one transaction and a handful of statements.

A file joins the batch only once it was read and accounted for without error, so the batch
holds nothing that would not have been written anyway. When the batch's own write fails,
it is rolled back and every file is written alone, so one bad file fails alone, as it would
have without the batch."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import duckdb

from selaras.ingest import load
from selaras.warehouse import transaction

if TYPE_CHECKING:
    from selaras.ingest.process import FileResult

log = logging.getLogger("selaras.ingest")

# A file this small (bytes on disk) is held for the batch; larger ones are written alone,
# streaming, as they are read.
SMALL_FILE_BYTES = 1 << 20
# The batch is written when it holds this many files or rows (memory stays bounded).
MAX_FILES = 1000
MAX_ROWS = 50_000


@dataclass
class _Held:
    pending: load.PendingFile
    result: FileResult  # reported for the file; its superseded count is set on write
    fail: Callable[[Exception], FileResult]  # records the file as failed


class Batch:
    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self._held: list[_Held] = []
        self._ids: set[str] = set()
        self._sources: set[str] = set()
        self._rows = 0

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *_: Any) -> None:
        if exc_type is None:
            self.flush()
            return
        try:  # the stage fails, but the files read before the failure are in, as written alone
            self.flush()
        except Exception:  # noqa: BLE001 - the error on its way says more
            log.exception("held small files could not be written after an earlier error")

    @staticmethod
    def takes(size_bytes: int) -> bool:
        return size_bytes <= SMALL_FILE_BYTES

    def holds(self, file_id: str) -> bool:
        return file_id in self._ids

    def holds_source(self, source_file: str) -> bool:
        """A file of that name waits here (its write will supersede that name's record)."""
        return source_file in self._sources

    def add(
        self, pending: load.PendingFile, result: FileResult, fail: Callable[[Exception], FileResult]
    ) -> None:
        self._held.append(_Held(pending, result, fail))
        self._ids.add(pending.file_id)
        self._sources.add(pending.record["source_file"])
        self._rows += pending.rows
        if len(self._held) >= MAX_FILES or self._rows >= MAX_ROWS:
            self.flush()

    def flush(self) -> None:
        """Write every held file: together, or (when that fails) each alone."""
        held, self._held, self._ids, self._sources, self._rows = self._held, [], set(), set(), 0
        if not held:
            return
        try:
            with transaction(self.con):
                counts = load.write_batch(self.con, [h.pending for h in held])
        except Exception as exc:  # noqa: BLE001 - one file's problem: find it by writing them alone
            log.warning("batch of %s small files failed (%s); writing each alone", len(held), exc)
            errors = []
            for h in held:  # every file gets its chance, even if recording one failure fails
                try:
                    self._write_alone(h)
                except Exception as err:  # noqa: BLE001 - raised below, after the others
                    errors.append(err)
            if errors:
                raise errors[0] from exc
            return
        for h, count in zip(held, counts, strict=True):
            h.result.superseded = count

    def _write_alone(self, h: _Held) -> None:
        try:
            with transaction(self.con):
                h.result.superseded = load.write_pending(self.con, h.pending)
        except Exception as exc:  # noqa: BLE001 - as a file written directly: recorded as failed
            failed = h.fail(exc)
            vars(h.result).update(vars(failed))
