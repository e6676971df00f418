"""kamus: the one vocabulary of cell values, below every stage. Text, numbers and money,
dates and years, planning codes and locations are read here and nowhere else, so ingest,
validate, match and the reports agree on what a cell says.

    text      is_blank, clean_text (NFKC, no control or invisible format characters), cell_text
    numbers   parse_number, parse_amount, split_quantity (Indonesian separators, Rp, jt / M)
    dates     parse_date, parse_year, excel_serial_to_date
    codes     normalise_code (code, level, name of a cell), code_key (the matcher's code string),
              code_level, code_parent, code_prefixes, generic_code, combine_code_parts
    location  parse_location (kecamatan, desa/kelurahan, the rest)

Every function takes a raw cell and never raises: what it cannot read gives None.
May import: the standard library only."""

from selaras.kamus.codes import (
    LEVEL_SEGMENTS,
    LEVELS,
    LOCAL,
    Code,
    code_key,
    code_level,
    code_parent,
    code_prefixes,
    combine_code_parts,
    generic_code,
    is_standard_code,
    normalise_code,
)
from selaras.kamus.dates import excel_serial_to_date, parse_date, parse_year
from selaras.kamus.location import Location, parse_location
from selaras.kamus.numbers import parse_amount, parse_number, split_quantity
from selaras.kamus.text import BLANKS, cell_text, clean_text, column_letter, is_blank

__all__ = [
    "BLANKS",
    "LEVELS",
    "LEVEL_SEGMENTS",
    "LOCAL",
    "Code",
    "Location",
    "cell_text",
    "clean_text",
    "column_letter",
    "code_key",
    "code_level",
    "code_parent",
    "code_prefixes",
    "combine_code_parts",
    "excel_serial_to_date",
    "generic_code",
    "is_blank",
    "is_standard_code",
    "normalise_code",
    "parse_amount",
    "parse_date",
    "parse_location",
    "parse_number",
    "parse_year",
    "split_quantity",
]
