"""kamus: the one vocabulary of cell values, below every stage. Text, numbers and money,
dates and years, planning codes and locations are read here and nowhere else, so ingest,
validate, match and the reports agree on what a cell says.

    text      is_blank, clean_text (NFKC, no control or invisible format characters), cell_text
    numbers   parse_number, parse_amount, split_quantity (Indonesian separators, Rp, jt / M)
    dates     parse_date, parse_year, excel_serial_to_date
    codes     normalise_code, code_level, code_parent, combine_code_parts (Permendagri 90 levels)
    location  parse_location (kecamatan, desa/kelurahan, the rest)

Every function takes a raw cell and never raises: what it cannot read gives None.
May import: the standard library only."""

from selaras.kamus.codes import (
    LEVEL_SEGMENTS,
    LEVELS,
    LOCAL,
    Code,
    code_parent,
    combine_code_parts,
    normalise_code,
)
from selaras.kamus.dates import excel_serial_to_date, parse_date, parse_year
from selaras.kamus.location import Location, parse_location
from selaras.kamus.numbers import parse_amount, parse_number, split_quantity
from selaras.kamus.text import BLANKS, cell_text, clean_text, is_blank

__all__ = [
    "BLANKS",
    "LEVELS",
    "LEVEL_SEGMENTS",
    "LOCAL",
    "Code",
    "Location",
    "cell_text",
    "clean_text",
    "code_parent",
    "combine_code_parts",
    "excel_serial_to_date",
    "is_blank",
    "normalise_code",
    "parse_amount",
    "parse_date",
    "parse_location",
    "parse_number",
    "parse_year",
    "split_quantity",
]
