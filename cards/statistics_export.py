"""The half-year report as a file: Excel (openpyxl) for people, CSV for other systems.

Both are drawn from the same StatisticsReport as the card, with the same words. Nothing in them
identifies anyone: no case numbers, no names, no internal ids, no author in the file's
properties; hidden cells say "<3" or "x", never the number.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from cards.statistics_cards import (
    cell_text,
    column_names,
    municipality_list,
    period_dates,
    period_name,
    row_label,
    section_title,
    sent_when,
)
from cards.texts import Language, text
from domain.statistics import Cell, StatisticsReport

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
NOTES = ("received", "closed", "open", "medians", "multiple", "privacy")


@dataclass(frozen=True)
class ReportFile:
    name: str
    content: bytes
    media_type: str
    file_type: str  # "xlsx" or "csv"


def report_file(report: StatisticsReport, lang: Language, file_format: str) -> ReportFile:
    if file_format == "csv":
        return ReportFile(file_name(report, "csv"), csv_bytes(report, lang), CSV, "csv")
    return ReportFile(file_name(report, "xlsx"), workbook_bytes(report, lang), XLSX, "xlsx")


def file_name(report: StatisticsReport, extension: str) -> str:
    """ASCII only: 'TryggEst-2026H1-TryggEst-teamet-i-Moss.xlsx' survives every download."""
    folded = unicodedata.normalize("NFKD", report.team_name.replace("æ", "ae").replace("ø", "o"))
    folded = folded.replace("Æ", "Ae").replace("Ø", "O")
    ascii_name = folded.encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", ascii_name).strip("-")[:60] or "team"
    return f"TryggEst-{report.period.label}-{slug}.{extension}"


def _value(cell: Cell, threshold: int) -> int | float | str:
    """A number stays a number in Excel (it can be summed and charted); a hidden one is text."""
    if cell.shown and cell.value is not None:
        return cell.value
    return cell_text(cell, threshold)


def workbook_bytes(report: StatisticsReport, lang: Language) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = text(lang, "stats.file.report_sheet")
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDE7F0")
    right = Alignment(horizontal="right")
    columns = column_names(lang, report)

    sheet.append([text(lang, "stats.file.title")])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(
        [text(lang, "stats.file.team"), f"{report.team_name}: {municipality_list(lang, report)}"]
    )
    sheet.append(
        [
            text(lang, "stats.file.period"),
            f"{period_name(lang, report.period)} ({period_dates(lang, report.period)})",
        ]
    )
    sheet.append([text(lang, "stats.file.made"), sent_when(lang, report.made_at)])
    if report.sent_at is not None:
        sheet.append([text(lang, "stats.file.sent"), sent_when(lang, report.sent_at)])
    sheet.append([text(lang, "stats.legend", threshold=report.threshold)])
    sheet.cell(row=sheet.max_row, column=1).font = Font(italic=True)

    for section in report.sections:
        sheet.append([])
        sheet.append([section_title(lang, section.key), *columns])
        header_row = sheet.max_row
        for column in range(1, len(columns) + 2):
            cell = sheet.cell(row=header_row, column=column)
            cell.font = bold
            cell.fill = header_fill
            if column > 1:
                cell.alignment = right
        for row in section.rows:
            sheet.append(
                [
                    row_label(lang, section.key, row.key),
                    *(_value(c, report.threshold) for c in row.cells),
                ]
            )
            for column, cell in enumerate(row.cells, start=2):
                target = sheet.cell(row=sheet.max_row, column=column)
                target.alignment = right
                if isinstance(cell.value, float) and cell.shown:
                    target.number_format = "0.0"
    sheet.column_dimensions["A"].width = 52
    for column in range(2, len(columns) + 2):
        sheet.column_dimensions[get_column_letter(column)].width = 14

    notes = book.create_sheet(text(lang, "stats.file.notes_sheet"))
    notes.column_dimensions["A"].width = 120
    for note in NOTES:
        notes.append([text(lang, f"stats.note.{note}")])
        notes.cell(row=notes.max_row, column=1).alignment = Alignment(wrap_text=True)
    notes.append([text(lang, "stats.legend", threshold=report.threshold)])

    # openpyxl writes "openpyxl" as the author and the moment of saving: neither says anything
    # of use, and a file should not name who made it.
    made = report.made_at.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    book.properties.creator = "TryggEst"
    book.properties.lastModifiedBy = None
    book.properties.title = text(lang, "stats.file.title")
    book.properties.created = made
    book.properties.modified = made
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(report: StatisticsReport, lang: Language) -> bytes:
    """One line per row of the report: part, category, then a column per municipality and the
    total. UTF-8 with a byte order mark, so that Excel reads æ, ø and å."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            text(lang, "stats.file.part"),
            text(lang, "stats.column.category"),
            *column_names(lang, report),
        ]
    )
    for section in report.sections:
        for row in section.rows:
            writer.writerow(
                [
                    section_title(lang, section.key),
                    row_label(lang, section.key, row.key),
                    *(_csv_value(c, report.threshold) for c in row.cells),
                ]
            )
    return out.getvalue().encode("utf-8-sig")


def _csv_value(cell: Cell, threshold: int) -> str:
    if cell.shown and isinstance(cell.value, float):
        return f"{cell.value:.1f}"
    if cell.shown:
        return str(cell.value)
    return cell_text(cell, threshold)
