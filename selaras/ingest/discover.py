"""Find the input files: data/raw/<kind>/** (the folder names the kind) and files at the
top of data/raw/ (classified by their headers later). data/raw/review/ belongs to the
reconcile stage. Hidden files, Office lock files (~$...) and symlinks that lead outside
data/raw are not read (the latter are reported)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from selaras.settings import KINDS, Settings

IGNORED_DIRS = {"review"}
_IGNORED_NAMES = {"thumbs.db", "desktop.ini"}


@dataclass(frozen=True)
class Found:
    path: Path  # as found under raw_dir (its target checked to lie inside raw_dir)
    source_file: str  # relative to raw_dir, POSIX style
    kind: str | None  # None: at the top of raw/, kind from the headers
    problem: str | None = None  # why it cannot be read (outside the data folder)


def _ignored(name: str) -> bool:
    return name.startswith((".", "~$", "~")) or name.lower() in _IGNORED_NAMES


def discover(settings: Settings) -> list[Found]:
    raw = settings.raw_dir
    if not raw.is_dir():
        return []
    root = raw.resolve()
    found: list[Found] = []
    for entry in sorted(raw.iterdir(), key=lambda p: p.name):
        if _ignored(entry.name):
            continue
        if entry.is_dir():
            kind = entry.name if entry.name in KINDS else None
            if entry.name in IGNORED_DIRS or kind is None:
                continue
            for path, linked_dir in _walk(entry):
                if linked_dir:
                    found.append(Found(path, path.relative_to(raw).as_posix(), kind, _LINKED_DIR))
                else:
                    found.append(_found(path, raw, root, kind))
        elif entry.is_file() or entry.is_symlink():
            found.append(_found(entry, raw, root, None))
    return found


_LINKED_DIR = (
    "Folder ini tautan (symlink); isinya tidak dibaca demi keamanan (bisa menunjuk ke luar data/raw). "
    "Salin berkasnya ke data/raw/<jenis>/."
)


def _walk(folder: Path) -> list[tuple[Path, bool]]:
    """(path, is a linked folder) below `folder`, sorted. Directory symlinks are reported,
    not followed (a loop or a link to elsewhere would otherwise pull in foreign files)."""
    out: list[tuple[Path, bool]] = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not _ignored(d))
        for name in dirnames:
            if (Path(dirpath) / name).is_symlink():
                out.append((Path(dirpath) / name, True))
        for name in sorted(filenames):
            if not _ignored(name):
                out.append((Path(dirpath) / name, False))
    return out


def _found(path: Path, raw: Path, root: Path, kind: str | None) -> Found:
    source_file = path.relative_to(raw).as_posix()
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return Found(path, source_file, kind, "Tautan (symlink) rusak atau berputar; berkas tidak dibaca.")
    if not real.is_relative_to(root):
        return Found(
            path,
            source_file,
            kind,
            "Berkas ini tautan (symlink) ke luar folder data/raw; demi keamanan tidak dibaca. "
            "Salin berkasnya ke data/raw.",
        )
    if not real.is_file():
        return Found(path, source_file, kind, "Bukan berkas biasa; tidak dibaca.")
    return Found(path, source_file, kind)
