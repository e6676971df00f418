"""What a file says about itself outside its columns: the OPD and year named in the title
block ("RENCANA KERJA ... DINAS SOSIAL ... TAHUN 2019", "SKPD : 1.06.0.00 Dinas Sosial")
or in the file name (`renja_dinsos_2019.xlsx`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import PurePosixPath

from selaras.kamus import clean_text


@dataclass(frozen=True)
class Context:
    opd: str | None = None
    tahun: int | None = None
    versi: str | None = None  # nomenclature version (a year, else the file name)

    def merged_with(self, fallback: Context) -> Context:
        """This context, gaps filled from `fallback`."""
        return replace(
            self,
            opd=self.opd or fallback.opd,
            tahun=self.tahun or fallback.tahun,
            versi=self.versi or fallback.versi,
        )


_LABELLED_OPD = re.compile(
    r"^(?:nama\s+)?(?:perangkat\s+daerah|opd|skpd|sub\s+unit\s+organisasi|unit\s+organisasi|organisasi"
    r"|satuan\s+kerja|unit\s+kerja|instansi)\s*:\s*(?P<value>.+)$",
    re.I,
)
_OPD_WORDS = (
    r"dinas|badan|sekretariat|inspektorat|kecamatan|kantor|satuan\s+polisi\s+pamong\s+praja|satpol\s*pp"
    r"|rumah\s+sakit|rsud|bappeda|bappelitbangda|bapelitbangda|bappedalitbang|dpmd|bpbd|bpkad|bkpsdm|bkd"
    r"|kesbangpol|dinsos|dinkes|disdik|dishub|dispora|diskominfo|dpupr"
)
_UNLABELLED_OPD = re.compile(rf"\b(?:{_OPD_WORDS})\b.*", re.I)
_OPD_END = re.compile(
    r"\s*(?:\b(?:kabupaten|kab\.|kota|provinsi|prov\.|tahun|t\.?a\.?|periode|tahun\s+anggaran)\b|[:(]"
    r"|(?<!\d)(?:19|20)\d{2}(?!\d)).*$",
    re.I,
)
_TAHUN = re.compile(r"\b(?:tahun(?:\s+anggaran)?|t\.?\s?a\.?)\s*:?\s*((?:19|20)\d{2})\b", re.I)
_ANY_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_LEADING_CODE = re.compile(r"^[0-9xX]+(?:\.[0-9xX]+)+\s*[-:]?\s*")


def from_title(lines: list[str]) -> Context:
    """OPD and year from the rows above the header."""
    opd = tahun = None
    for line in lines:
        text = clean_text(line)
        if not text:
            continue
        if opd is None and (m := _LABELLED_OPD.match(text)):
            opd = _LEADING_CODE.sub("", m.group("value")).strip(" .,:;") or None
        if tahun is None and (m := _TAHUN.search(text)):
            tahun = int(m.group(1))
    if opd is None:
        for line in lines:
            text = clean_text(line) or ""
            if _LABELLED_OPD.match(text):
                continue
            if m := _UNLABELLED_OPD.search(text):
                candidate = _OPD_END.sub("", m.group(0)).strip(" .,:;-")
                if len(candidate.split()) >= 1 and len(candidate) >= 3:
                    opd = candidate
                    break
    if tahun is None:
        for line in lines:
            if m := _ANY_YEAR.search(clean_text(line) or ""):
                tahun = int(m.group(1))
                break
    return Context(opd=opd, tahun=tahun)


# Words in file names that say what the file is, not whose it is.
_NAME_NOISE = {
    "renja",
    "rkpd",
    "rencana",
    "kerja",
    "draft",
    "draf",
    "final",
    "rancangan",
    "ranwal",
    "ranhir",
    "revisi",
    "rev",
    "awal",
    "akhir",
    "perubahan",
    "usulan",
    "musrenbang",
    "pokir",
    "data",
    "export",
    "ekspor",
    "sipd",
    "copy",
    "salinan",
    "file",
    "tahun",
    "ta",
    "opd",
    "skpd",
    "perangkat",
    "daerah",
    "format",
    "template",
    "sub",
    "kegiatan",
    "nomenklatur",
    "wilayah",
    "baru",
    "lama",
    "fix",
    "new",
    "xlsx",
    "xls",
    "csv",
    "of",
    "dan",
    "the",
    "rka",
    "dpa",
    "tabel",
    "lampiran",
}


def from_file_name(source_file: str) -> Context:
    """Year and OPD from a name like `renja/Renja Dinas Sosial 2019 (final).xlsx` or
    `renja_dinsos_2019.xlsx`. A name that only says where (`pasangkayu_renja2024`) gives
    no OPD: only agency words or a short abbreviation count."""
    stem = PurePosixPath(source_file).stem
    years = sorted({int(y) for y in _ANY_YEAR.findall(stem)})
    tahun = years[0] if len(years) == 1 else None
    spaced = re.sub(r"(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])", " ", stem)  # renja2024 -> renja 2024
    tokens = [t for t in re.split(r"[\W_]+", spaced) if t]
    kept = [
        t
        for t in tokens
        if t.lower() not in _NAME_NOISE and not t.isdigit() and not re.fullmatch(r"v\d+", t, re.I)
    ]
    opd = None
    if m := _UNLABELLED_OPD.search(" ".join(kept)):
        opd = _OPD_END.sub("", m.group(0)).strip(" .,:;-") or None
        if opd and len(opd.split()) == 1 and len(opd) <= 8:
            opd = opd.upper()  # dinsos -> DINSOS
    elif len(kept) == 1 and 2 <= len(kept[0]) <= 8 and kept[0].isalpha() and kept[0].upper() == kept[0]:
        opd = kept[0]  # an abbreviation written in capitals: DPMD, BAPPEDA
    versi = str(years[-1]) if years else stem
    return Context(opd=opd, tahun=tahun, versi=versi)
