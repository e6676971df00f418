"""The review round trip, in one package: the report stage writes the review workbook,
a planner fills in its Keputusan column and saves it into raw/review/, and the reconcile
stage reads it back and applies the decisions in force: the decided layer
(sql/065_decided.sql) lays them over the matcher's results, run after run, until the row
they were made on changes or the planner clears them.

    layout.py          the workbook's columns, hidden identity and checksum (writer and reader agree)
    book.py            writing the workbook (called by selaras.report)
    read.py            reading filled-in workbooks into review.decision (called by selaras.reconcile)
    vocabulary.py      what a planner may type: terima / tolak / pilih N / tidak terakomodir
                       (decisions.yaml, Indonesian and English)
    apply.py           applying the decisions in force (decided.decision), a problem for each that cannot
    problems.py        a problem located by file / sheet / row / column, in Indonesian

Tables and views: sql/060_review.sql (review.*) and sql/065_decided.sql (decided.*).
This package sits below the stages: it may import selaras.settings, selaras.warehouse,
selaras.xlsx and third-party libraries, never a stage package (selaras.ingest, .validate,
.match, .reconcile, .report).
"""

from __future__ import annotations

from selaras.review import layout
from selaras.review.apply import apply_decisions
from selaras.review.book import FILE_NAME, iter_review_rows, write_review_workbook
from selaras.review.problems import MAX_LISTED, Problem, store_problems
from selaras.review.read import ingest_review_files
from selaras.review.vocabulary import Parsed, parse_decision

__all__ = [
    "FILE_NAME",
    "MAX_LISTED",
    "Parsed",
    "Problem",
    "apply_decisions",
    "ingest_review_files",
    "iter_review_rows",
    "layout",
    "parse_decision",
    "store_problems",
    "write_review_workbook",
]
