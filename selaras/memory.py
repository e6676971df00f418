"""Keep a long run's memory from growing with what earlier steps freed.

glibc serves a large allocation (a pandas column, a NumPy array) from its own mmap, given
back to the system when freed, but only above a threshold that it raises each time such
a block is freed (up to 32 MiB). After the first big frees, the next stages' arrays land on
the heap, where freed memory stays part of the process: a 16x region's match step then
left 1.1 GiB behind under the report's own peak. A fixed threshold keeps large blocks on
mmap (measured on the 16x region: the whole run's peak RSS from 1,882 to 1,734 MiB, the
main process's peak in the match step from 1,834 to 1,071 MiB; time unchanged).

May import: the standard library only (called as the package is imported, in every
process that runs selaras code, worker processes included).
"""

from __future__ import annotations

import ctypes

#: glibc's mallopt parameter (malloc.h) and the fixed threshold.
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 1 << 20


def fix_mmap_threshold() -> bool:
    """Fix glibc's mmap threshold at 1 MiB; False where there is no glibc (nothing to do)."""
    try:
        libc = ctypes.CDLL(None)  # the C library this interpreter runs on
        return bool(libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))
    except (OSError, AttributeError):  # not glibc (musl, macOS, Windows)
        return False
