"""Stage: report. The Forum OPD workbooks (one per OPD and one for the region), the review
workbook and the one-file HTML summary (the exports of the analytics views are
selaras.publish's), written into data_dir/processed/ by selaras.report.stage.report_all."""

from selaras.report.stage import HTML_FILE, OUTPUTS, REGION_FILE, report_all

__all__ = ["HTML_FILE", "OUTPUTS", "REGION_FILE", "report_all"]
