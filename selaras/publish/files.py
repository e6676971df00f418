"""Atomic file replacement for the publication: temp names beside the final file, fsync,
clean-up of a killed publish's leftovers, and telling a full disk from other errors.

May import: the standard library only.
"""

from __future__ import annotations

import errno
import logging
import os
from pathlib import Path

log = logging.getLogger("selaras.publish")

_DISK_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


def is_disk_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError) and exc.errno in _DISK_FULL:
        return True
    text = str(exc).lower()
    return any(s in text for s in ("no space left", "disk full", "disk quota", "file too large"))


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    if os.name != "posix":  # Windows cannot open a directory; NTFS journals the rename
        return
    fsync_file(path)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def temp_name(final: Path) -> Path:
    """`.name.<pid>.tmp` beside `final`: same file system (so the rename is atomic),
    hidden, and tells which process wrote it."""
    return final.with_name(f".{final.name}.{os.getpid()}.tmp")


def remove_stale_temps(folder: Path, pattern: str) -> list[Path]:
    """Our temp files (`pattern`) left by a publish that was killed (its process is gone)."""
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    for path in folder.glob(pattern):
        parts = path.name.split(".")
        pid = next((int(p) for p in reversed(parts) if p.isdigit()), None)
        if pid is not None and (pid == os.getpid() or not _pid_alive(pid)):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def cleanup(paths: list[Path]) -> None:
    """Remove temp files (and a DuckDB file's WAL) after a failed publish."""
    for path in paths:
        for p in (path, path.with_name(path.name + ".wal")):
            try:
                p.unlink(missing_ok=True)
            except OSError:
                log.warning("publish: could not remove %s", p)
