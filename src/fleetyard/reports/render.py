"""A report's rows as CSV, XLSX (typed cells and a bar chart) or PDF (title, period, table,
bar chart). Times are shown in the tenant's zone; CSV and XLSX keep numbers as numbers."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fleetyard.reports.kinds import Chart, KindSpec


@dataclass(frozen=True, slots=True)
class Report:
    kind: str
    spec: KindSpec
    zone: str
    start: datetime
    end: datetime
    rows: Sequence[tuple[Any, ...]]

    def local(self, value: datetime) -> datetime:
        return value.astimezone(ZoneInfo(self.zone))

    @property
    def period(self) -> str:
        fmt = "%Y-%m-%d %H:%M"
        return f"{self.local(self.start):{fmt}} – {self.local(self.end):{fmt}} ({self.zone})"

    def cell(self, value: Any) -> Any:
        """A value for a human: local time without seconds' fractions, rounded floats."""
        if isinstance(value, datetime):
            return self.local(value).replace(microsecond=0).isoformat()
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, float):
            return round(value, 2)
        return value

    def records(self) -> list[dict[str, Any]]:
        keys = [c.key for c in self.spec.columns]
        return [dict(zip(keys, (self.cell(v) for v in row), strict=True)) for row in self.rows]


def chart_series(report: Report, chart: Chart) -> list[tuple[str, float]]:
    """Sum of the chart's value per category, categories in order of first appearance."""
    keys = [c.key for c in report.spec.columns]
    category = keys.index(chart.category)
    value = keys.index(chart.value) if chart.value in keys else None
    totals: dict[str, float] = {}
    for row in report.rows:
        name = str(report.cell(row[category]))
        amount = 1.0 if value is None else float(row[value] or 0)
        totals[name] = totals.get(name, 0.0) + amount
    return list(totals.items())


def csv_lines(report: Report) -> Iterator[str]:
    """Header row first, then one line per row, each yielded as written (streamed)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([c.label for c in report.spec.columns])
    for row in [None, *report.rows]:
        if row is not None:
            writer.writerow(["" if v is None else report.cell(v) for v in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def to_csv(report: Report) -> bytes:
    return "".join(csv_lines(report)).encode()


def to_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = report.spec.title[:31]
    sheet.append([c.label for c in report.spec.columns])
    for row in report.rows:
        cells: list[Any] = []
        for value in row:
            if isinstance(value, datetime):
                # Excel has no zones: the tenant's wall-clock time, as the title says
                value = report.local(value).replace(tzinfo=None, microsecond=0)
            cells.append(value)
        sheet.append(cells)
    for index, column in enumerate(report.spec.columns, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = max(12, len(column.label) + 2)
        if column.type == "datetime":
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "yyyy-mm-dd hh:mm"
    series = chart_series(report, report.spec.chart)
    data = book.create_sheet("Chart data")
    data.append(["Category", report.spec.chart.title])
    for name, amount in series:
        data.append([name, amount])
    chart = BarChart()
    chart.title = report.spec.chart.title
    chart.add_data(
        Reference(data, min_col=2, min_row=1, max_row=len(series) + 1), titles_from_data=True
    )
    chart.set_categories(Reference(data, min_col=1, min_row=2, max_row=len(series) + 1))
    sheet.add_chart(chart, f"A{len(report.rows) + 4}")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_pdf(report: Report) -> bytes:
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out, pagesize=landscape(A4), title=f"{report.spec.title} report", leftMargin=12 * mm
    )
    story: list[Any] = [
        Paragraph(f"{report.spec.title} report", styles["Title"]),
        Paragraph(f"Period: {report.period}", styles["Normal"]),
        Spacer(1, 6 * mm),
    ]
    series = chart_series(report, report.spec.chart)[:40]
    if series:
        drawing = Drawing(260 * mm, 70 * mm)
        bars = VerticalBarChart()
        bars.x, bars.y, bars.width, bars.height = 15 * mm, 15 * mm, 230 * mm, 45 * mm
        bars.data = [[amount for _, amount in series]]
        bars.categoryAxis.categoryNames = [name[:16] for name, _ in series]
        bars.categoryAxis.labels.angle = 30
        bars.categoryAxis.labels.boxAnchor = "ne"
        bars.valueAxis.valueMin = 0
        bars.bars[0].fillColor = colors.HexColor("#2563eb")
        drawing.add(bars)
        drawing.add(String(15 * mm, 65 * mm, report.spec.chart.title, fontSize=10))
        story += [drawing, Spacer(1, 4 * mm)]
    header = [c.label for c in report.spec.columns]
    body = [["" if v is None else str(report.cell(v)) for v in row] for row in report.rows]
    if not body:
        story.append(Paragraph("No rows in this period.", styles["Normal"]))
    else:
        table = Table([header, *body], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("FONTSIZE", (0, 0), (-1, -1), 7),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e5e7eb")),
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ]
            )
        )
        story.append(table)
    document.build(story)
    return out.getvalue()
