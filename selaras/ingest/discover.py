"""Find the input files: data/raw/<kind>/** (the folder names the kind; any other
sub-folder is read too and its path kept in the file's name) and files at the top of
data/raw/ (classified by their headers later). data/raw/review/ belongs to the reconcile
stage. Hidden files and symlinks that lead outside data/raw are not read (the latter are
reported). Archive folders (arsip/, lama/, old/, backup/) and names starting with `_` or
`~$` (set aside, Office lock files) are not read either, but listed, so a planner sees
that an old Renja in arsip/ was left out on purpose."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from selaras.settings import KINDS, Settings

IGNORED_DIRS = {"review"}
_IGNORED_NAMES = {"thumbs.db", "desktop.ini"}
#: Sub-folders that hold superseded files: listed as set aside, never loaded.
ARCHIVE_DIRS = frozenset({"arsip", "lama", "old", "backup", "archive", "bak"})
ARCHIVE_PREFIXES = ("_", "~$")


@dataclass(frozen=True)
class Found:
    path: Path  # as found under raw_dir (its target checked to lie inside raw_dir)
    source_file: str  # relative to raw_dir, POSIX style
    kind: str | None  # None: at the top of raw/, kind from the headers
    problem: str | None = None  # why it cannot be read (outside the data folder)
    set_aside: str | None = None  # why it is deliberately not read (an archive folder, `_name`)


def _ignored(name: str) -> bool:
    """Hidden files and system clutter: not read and not worth a line in the summary."""
    return (name.startswith(("~", ".")) and not name.startswith("~$")) or name.lower() in _IGNORED_NAMES


def _archived(name: str, is_dir: bool) -> str | None:
    """Why a file or folder is set aside, or None."""
    if is_dir and name.lower() in ARCHIVE_DIRS:
        return f"folder arsip '{name}/'"
    if name.startswith("~$"):
        return "berkas kunci Office (~$...)"
    if name.startswith("_"):
        return "nama diawali '_' (disisihkan)"
    return None


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
            for path, linked_dir, aside in _walk(entry):
                source = path.relative_to(raw).as_posix()
                if aside:
                    found.append(Found(path, source, kind, set_aside=aside))
                elif linked_dir:
                    found.append(Found(path, source, kind, _LINKED_DIR))
                else:
                    found.append(_found(path, raw, root, kind))
        elif entry.is_file() or entry.is_symlink():
            aside = _archived(entry.name, is_dir=False)
            if aside:
                found.append(Found(entry, entry.name, None, set_aside=aside))
            else:
                found.append(_found(entry, raw, root, None))
    return found


_LINKED_DIR = (
    "Folder ini tautan (symlink); isinya tidak dibaca demi keamanan (bisa menunjuk ke luar data/raw). "
    "Salin berkasnya ke data/raw/<jenis>/."
)


def _walk(folder: Path) -> list[tuple[Path, bool, str | None]]:
    """(path, is a linked folder, why set aside) below `folder`, sorted. Directory symlinks
    are reported, not followed (a loop or a link to elsewhere would otherwise pull in
    foreign files). Files under an archive folder are listed as set aside."""
    out: list[tuple[Path, bool, str | None]] = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        here = Path(dirpath)
        inherited = next(
            (why for part in here.relative_to(folder).parts if (why := _archived(part, is_dir=True))), None
        )
        dirnames[:] = sorted(d for d in dirnames if not _ignored(d))
        for name in dirnames:
            if (here / name).is_symlink() and not inherited:
                out.append((here / name, True, None))
        for name in sorted(filenames):
            if not _ignored(name):
                out.append((here / name, False, inherited or _archived(name, is_dir=False)))
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
