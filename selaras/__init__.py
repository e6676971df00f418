"""selaras: reconciles a region's planning spreadsheets (Renja OPD, RKPD, musrenbang and
pokir proposals). The package's layers and what each part may import are in
docs/architecture.md (enforced by tests/test_architecture.py).
"""

from selaras.memory import fix_mmap_threshold

fix_mmap_threshold()
