"""Stage: match. Renja rows -> RKPD items and the nomenclature (renja.py); musrenbang and
pokir proposals -> Renja rows (usulan.py). The stage itself is `selaras.match.stage.match_all`.

Public functions: `match_all` (the stage), `match_renja`, `match_usulan`,
`match_usulan_partition` (the scale-out unit), `normalize`, `parse_location`."""

from selaras.kamus.names import normalize
from selaras.kamus.opd import build_resolver
from selaras.match.location import parse_location
from selaras.match.renja import match_renja
from selaras.match.stage import load_inputs, match_all
from selaras.match.usulan import match_usulan, match_usulan_partition

__all__ = [
    "match_all",
    "match_renja",
    "match_usulan",
    "match_usulan_partition",
    "normalize",
    "parse_location",
    "load_inputs",
    "build_resolver",
]
