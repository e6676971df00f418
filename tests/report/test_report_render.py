"""Outputs opened by real programs: LibreOffice converts a Forum OPD workbook to PDF (with
a bookmark per sheet), headless Chromium renders the HTML report. Skipped cleanly when the
program is not installed."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess

import pytest

from selaras import runs, warehouse
from selaras.reconcile import reconcile_all
from selaras.report import HTML_FILE, REGION_FILE, report_all
from selaras.report import forum as forum_sheets
from selaras.sample.synthetic import fill_synthetic

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def outputs(settings):
    con = warehouse.connect(settings)
    fill_synthetic(con, n_opd=3, n_usulan=80, renja_per_opd=9)
    run_id = runs.start_run(con, None, "test")
    reconcile_all(con, settings, run_id)
    report_all(con, settings, run_id)
    con.close()
    return settings.processed_dir


def pdf_bookmarks(pdf: bytes) -> list[str]:
    """Bookmark titles of a LibreOffice PDF (UTF-16 hex strings, or literal strings)."""
    titles = [
        bytes.fromhex(h.decode()).decode("utf-16") for h in re.findall(rb"/Title\s*<([0-9A-Fa-f]+)>", pdf)
    ]
    titles += [t.decode("latin-1") for t in re.findall(rb"/Title\s*\(([^)]*)\)", pdf)]
    return titles


@pytest.mark.slow
def test_libreoffice_converts_a_forum_workbook_to_pdf(outputs, tmp_path):
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    book = next(p for p in sorted((outputs / "forum_opd").glob("*.xlsx")) if p.name != REGION_FILE)
    # Own profile: another soffice running on the machine must not capture the conversion.
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(book),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = (tmp_path / book.with_suffix(".pdf").name).read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
    titles = pdf_bookmarks(pdf)
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()
        titles.append(text)
    found = " ".join(titles)
    for sheet in forum_sheets.SHEETS:
        assert sheet in found, sheet


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", png[16:24])


@pytest.mark.slow
def test_chromium_renders_the_html_report(outputs, tmp_path):
    if not shutil.which(CHROMIUM):
        pytest.skip("Chromium is not installed")
    shot = tmp_path / "laporan.png"
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'chromium'}",
            "--window-size=1000,2400",
            f"--screenshot={shot}",
            (outputs / HTML_FILE).as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    png = shot.read_bytes()
    assert png_size(png) == (1000, 2400)
    # A blank page compresses to a few kilobytes; charts, text and colours do not.
    assert len(png) > 60_000
