"""Fixtures for the ingest tests: run the stage on a throw-away data folder, place files
under raw/<kind>/, write ODS workbooks (no ODS writer is installed, so the XML is
written by hand) and query the warehouse."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest


@pytest.fixture
def ingest(con, settings) -> Callable[[], Any]:
    from selaras.ingest import ingest_all

    counter = {"n": 0}

    def run():
        counter["n"] += 1
        return ingest_all(con, settings, f"test-run-{counter['n']}")

    return run


@pytest.fixture
def raw(settings) -> Callable[[str, str], Path]:
    """raw("renja", "dinsos.xlsx") -> the path to write, folders created."""

    def path(kind: str, name: str) -> Path:
        target = (settings.raw_dir / kind if kind else settings.raw_dir) / name
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    return path


@pytest.fixture
def query(con) -> Callable[..., list[tuple]]:
    def run(sql: str, *params: Any) -> list[tuple]:
        return con.execute(sql, list(params)).fetchall()

    return run


@pytest.fixture
def rows_of(con) -> Callable[..., list[dict]]:
    """rows_of("staged.renja", source_file) -> dicts ordered by sheet and row."""

    def run(table: str, source_file: str | None = None) -> list[dict]:
        assert table.startswith(("staged.", "raw."))
        where = " where source_file = ?" if source_file and table.startswith("staged.") else ""
        sql = f"select * from {table}{where} order by all"  # noqa: S608 - test constant
        cur = con.execute(sql, [source_file] if where else [])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    return run


def write_ods(path: Path, sheets: list[dict]) -> Path:
    """sheets: [{"name": str, "rows": [[...]], "hidden_rows": {1-based}, "hidden": bool}]."""
    body = []
    for sheet in sheets:
        style = "ta2" if sheet.get("hidden") else "ta1"
        body.append(f'<table:table table:name="{escape(sheet["name"])}" table:style-name="{style}">')
        for number, row in enumerate(sheet["rows"], 1):
            visibility = ' table:visibility="collapse"' if number in sheet.get("hidden_rows", ()) else ""
            body.append(f"<table:table-row{visibility}>")
            for value in row:
                if value is None or value == "":
                    body.append("<table:table-cell/>")
                elif isinstance(value, int | float):
                    body.append(
                        f'<table:table-cell office:value-type="float" office:value="{value}">'
                        f"<text:p>{value}</text:p></table:table-cell>"
                    )
                else:
                    body.append(
                        f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p>'
                        "</table:table-cell>"
                    )
            body.append("</table:table-row>")
        body.append("</table:table>")
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
        "<office:automatic-styles>"
        '<style:style style:name="ta1" style:family="table"><style:table-properties table:display="true"/></style:style>'
        '<style:style style:name="ta2" style:family="table"><style:table-properties table:display="false"/>'
        "</style:style></office:automatic-styles>"
        "<office:body><office:spreadsheet>" + "".join(body) + "</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return path


@pytest.fixture
def ods() -> Callable[[Path, list[dict]], Path]:
    return write_ods
