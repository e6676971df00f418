"""Stage: report. The Forum OPD workbooks (one per OPD and one for the region), the review
workbook, the one-file HTML summary and the exports of every analytics view, written
into data_dir/processed/ by selaras.report.stage.report_all (see there)."""

from selaras.report.stage import HTML_FILE, OUTPUTS, REGION_FILE, report_all

__all__ = ["HTML_FILE", "OUTPUTS", "REGION_FILE", "report_all"]
