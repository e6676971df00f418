"""kamus: the one vocabulary of cell values, below every stage. Text, numbers and money,
dates and years, planning codes and locations are read here and nowhere else, so ingest,
validate, match and the reports agree on what a cell says.

    text      is_blank, text_or_none, clean_text (NFKC, no control or invisible format
              characters), cell_text
    numbers   parse_number, parse_amount, split_quantity (Indonesian separators, Rp, jt / M)
    dates     parse_date, parse_year, excel_serial_to_date
    codes     normalise_code (code, level, name of a cell), code_key (the matcher's code string),
              code_level, code_parent, code_prefixes, generic_code, combine_code_parts
    location  parse_location (kecamatan, desa/kelurahan, the rest)
    names     the name normaliser (abbreviations.yaml): normalize, default_normalizer
    opd       the OPD resolver: which spellings are one agency (OpdResolver, build_resolver)

Every parser takes a raw cell and never raises: what it cannot read gives None.
May import: the standard library, pyyaml, rapidfuzz and pandas (names, opd); no stage."""

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
    repair_lookalikes,
)
from selaras.kamus.dates import excel_serial_to_date, parse_date, parse_year
from selaras.kamus.location import Location, parse_location
from selaras.kamus.numbers import parse_amount, parse_number, split_quantity
from selaras.kamus.text import (
    BLANKS,
    ERROR_VALUES,
    MONEY_BLANKS,
    cell_text,
    clean_text,
    column_letter,
    fold_unicode,
    is_blank,
    strip_invisible,
    text_or_none,
)

__all__ = [
    "BLANKS",
    "ERROR_VALUES",
    "MONEY_BLANKS",
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
    "fold_unicode",
    "generic_code",
    "is_blank",
    "is_standard_code",
    "normalise_code",
    "parse_amount",
    "parse_date",
    "parse_location",
    "parse_number",
    "parse_year",
    "repair_lookalikes",
    "split_quantity",
    "strip_invisible",
    "text_or_none",
]
