"""selaras.memory: glibc's mmap threshold is fixed as the package is imported."""

from __future__ import annotations

import platform

import pytest

from selaras import memory


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_the_threshold_is_fixed_on_glibc():
    assert memory.fix_mmap_threshold() is True
