"""The one exception ingest raises for bad input, carrying what a planner needs to fix it:
the file, sheet, row and column, a message in Indonesian and an English rule id."""

from __future__ import annotations


class IngestError(Exception):
    """A file (or one of its sheets) cannot be loaded. `rule` is the English id
    (e.g. `file_too_large`), `message` the Indonesian explanation."""

    def __init__(
        self,
        rule: str,
        message: str,
        *,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.sheet = sheet
        self.row = row
        self.column = column

    def where(self) -> str:
        parts = []
        if self.sheet is not None:
            parts.append(f"lembar '{self.sheet}'")
        if self.row is not None:
            parts.append(f"baris {self.row}")
        if self.column is not None:
            parts.append(f"kolom '{self.column}'")
        return ", ".join(parts)

    def describe(self, source_file: str) -> str:
        """`renja/dinsos.xlsx [lembar 'Renja', baris 5]: ... (rule_id)`."""
        where = self.where()
        loc = f"{source_file} [{where}]" if where else source_file
        return f"{loc}: {self.message} ({self.rule})"


class YearMismatch(Exception):
    """`--tahun` disagrees with the years in the files: the run stops (CLI exit 2) rather
    than publish a reconciliation of the wrong year. The message names files and years."""
