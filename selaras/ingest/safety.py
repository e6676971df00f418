"""Checks made before a file is read: size, real format (by its first bytes, not its
name), encryption, and zip bombs. A refused file is never opened by a parser."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from selaras.ingest.errors import IngestError
from selaras.settings import Settings

WORKBOOK_EXTENSIONS = {"xlsx", "xlsm", "xls", "ods"}
TEXT_EXTENSIONS = {"csv", "txt", "tsv"}
SUPPORTED_EXTENSIONS = WORKBOOK_EXTENSIONS | TEXT_EXTENSIONS

_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTION_STREAMS = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))
# Below this decompressed size a high compression ratio is harmless (a sheet of blanks).
_RATIO_FLOOR_BYTES = 1 << 20


@dataclass(frozen=True)
class FileFormat:
    fmt: str  # xlsx / xlsm / xls / ods / csv
    note: str | None = None  # e.g. the name's extension does not match the content


def extension(path: Path) -> str:
    return path.suffix.lower().lstrip(".")


def check_file(path: Path, settings: Settings) -> FileFormat:
    """The file's real format, or IngestError saying why it is refused."""
    ext = extension(path)
    if ext not in SUPPORTED_EXTENSIONS:
        raise IngestError(
            "unsupported_format",
            f"Format berkas '.{ext or '?'}' tidak didukung; gunakan xlsx, xlsm, xls, ods atau csv.",
        )
    size = path.stat().st_size
    if size == 0:
        raise IngestError("empty_file", "Berkas kosong (0 byte).")
    limit = settings.max_file_mb * 1024 * 1024
    if size > limit:
        raise IngestError(
            "file_too_large",
            f"Berkas terlalu besar ({size / 1048576:.1f} MB; batas {settings.max_file_mb:g} MB, "
            "atur SELARAS_MAX_FILE_MB). Berkas tidak dibaca.",
        )
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(_ZIP):
        fmt = _zip_format(path, ext, settings)
    elif head.startswith(_CFB):
        fmt = _cfb_format(path)
    else:
        fmt = _text_format(path, ext)
    expected = {"txt": "csv", "tsv": "csv", "xlsm": "xlsx"}.get(ext, ext)
    note = None
    if ("xlsx" if fmt == "xlsm" else fmt) != expected:
        note = (
            f"Isi berkas berformat {fmt}, tetapi namanya berakhiran .{ext}; dibaca sebagai {fmt}. "
            "Sebaiknya ganti akhiran namanya."
        )
    return FileFormat(fmt, note)


def _zip_format(path: Path, ext: str, settings: Settings) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = {i.filename for i in infos}
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise IngestError(
            "corrupt_file", f"Berkas rusak atau terpotong (arsip zip tidak terbaca: {exc})."
        ) from exc
    unpacked = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if unpacked > settings.max_unzipped_mb * 1024 * 1024:
        raise IngestError(
            "zip_bomb",
            f"Isi berkas setelah diekstrak terlalu besar ({unpacked / 1048576:.0f} MB; batas "
            f"{settings.max_unzipped_mb:g} MB). Berkas ditolak sebelum dibaca.",
        )
    if unpacked > _RATIO_FLOOR_BYTES and unpacked / packed > settings.max_zip_ratio:
        raise IngestError(
            "zip_bomb",
            f"Rasio kompresi berkas tidak wajar ({unpacked / packed:.0f}x; batas {settings.max_zip_ratio:g}x). "
            "Berkas ditolak sebelum dibaca.",
        )
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        if "xl/workbook.bin" in names:
            raise IngestError("unsupported_format", "Format xlsb tidak didukung; simpan ulang sebagai .xlsx.")
        return "xlsm" if ext == "xlsm" or "xl/vbaProject.bin" in names else "xlsx"
    if "content.xml" in names and b"spreadsheet" in mimetype:
        return "ods"
    if "word/document.xml" in names:
        raise IngestError("unsupported_format", "Berkas ini dokumen Word, bukan lembar kerja.")
    raise IngestError("unsupported_format", "Berkas zip ini bukan workbook Excel (xlsx) atau ODS.")


def _cfb_format(path: Path) -> str:
    """An OLE compound file is either an xls workbook or an encrypted (password-protected)
    xlsx, whose streams are named EncryptionInfo / EncryptedPackage."""
    with path.open("rb") as fh:
        tail = b""
        while chunk := fh.read(1 << 20):
            data = tail + chunk
            if any(marker in data for marker in _ENCRYPTION_STREAMS):
                raise IngestError(
                    "encrypted_file",
                    "Workbook dilindungi kata sandi (terenkripsi) sehingga tidak dapat dibaca. "
                    "Buka di Excel, hapus kata sandinya, simpan, lalu taruh kembali.",
                )
            tail = data[-64:]
    return "xls"


def _text_format(path: Path, ext: str) -> str:
    with path.open("rb") as fh:
        sample = fh.read(4096)
    lowered = sample.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lowered.startswith((b"<html", b"<!doctype", b"<table", b"<?xml", b"<meta")):
        raise IngestError(
            "unsupported_format",
            "Berkas ini halaman HTML/XML (ekspor 'xls' dari aplikasi web), bukan workbook. "
            "Buka di Excel lalu simpan sebagai .xlsx.",
        )
    if ext in WORKBOOK_EXTENSIONS:
        if _looks_textual(sample):
            return "csv"
        raise IngestError(
            "corrupt_file", f"Berkas .{ext} rusak atau bukan workbook (tanda awal berkas tidak dikenal)."
        )
    if not _looks_textual(sample):
        raise IngestError("corrupt_file", "Berkas teks (CSV) ini berisi data biner; bukan CSV yang sah.")
    return "csv"


def _looks_textual(sample: bytes) -> bool:
    if sample.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return True
    if sample and sample.count(0) > len(sample) // 3:  # UTF-16 without BOM: every other byte 0
        return True
    control = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return control <= len(sample) // 100
