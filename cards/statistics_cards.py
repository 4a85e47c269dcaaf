"""The half-year report in Teams: a summary card with charts, and the words every form of the
report (card, Excel, CSV) uses for its parts.

Teams draws the charts (Chart.* elements, Adaptive Cards 1.5 in Teams); a client without them
shows each chart's fallback, a plain two-column table of the same numbers. A hidden count
cannot be a bar, so the categories hidden as "<3" or "x" stand in a table right under the
chart rather than go missing. The card shows the totals; the column per municipality is in
the Excel file.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from microsoft_teams.cards import (
    Action,
    CardElement,
    Container,
    DonutChart,
    DonutChartData,
    Fact,
    FactSet,
    HorizontalBarChart,
    HorizontalBarChartDataValue,
    OpenUrlAction,
    SubmitAction,
    TextBlock,
)

from cards.report_cards import ACTION_KEY, OSLO, Card, format_date, heading, make_card, paragraph
from cards.texts import NB, Language, text
from domain.calendar import ReportingPeriod
from domain.statistics import (
    ALL,
    CLOSED_IN_PERIOD,
    HIDDEN,
    OPEN_AT_END,
    SECTION,
    SMALL,
    TO_ASSESSMENT,
    TO_CLOSING,
    TOO_FEW,
    Cell,
    Section,
    StatisticsReport,
)

STATS_KEY = "stats"
# Teams draws at most this many bars readably on a phone; the rest are in the table and file.
MAX_BARS = 8


def period_name(lang: Language, period: ReportingPeriod) -> str:
    return text(lang, f"stats.period.{period.half}", year=period.year)


def period_dates(lang: Language, period: ReportingPeriod) -> str:
    return text(lang, f"stats.dates.{period.half}", year=period.year)


def section_title(lang: Language, key: str) -> str:
    return text(lang, f"stats.section.{key}")


def row_label(lang: Language, section: str, row: str) -> str:
    """A code's label from its code list; the report's own rows from the text catalogue."""
    own = f"stats.row.{row}"
    if f"stats.row.{section}.{row}" in NB:  # a code list's words that read wrong in a table
        return text(lang, f"stats.row.{section}.{row}")
    codes = SECTION[section].codes
    if section == "received" or codes is None or row not in codes:
        return text(lang, own)
    return codes.label(row, lang)


def cell_text(cell: Cell, threshold: int, lang: Language = "nb") -> str:
    if cell.mark == SMALL:
        return f"<{threshold}"
    if cell.mark == HIDDEN:
        return "x"
    if cell.mark == TOO_FEW or cell.value is None:
        return "–"
    if isinstance(cell.value, float):
        shown = f"{cell.value:.1f}"
        return shown if lang == "en" else shown.replace(".", ",")
    return str(cell.value)


def column_names(lang: Language, report: StatisticsReport) -> list[str]:
    total = text(lang, "stats.column.total")
    if not report.per_municipality:
        return [total]
    return [m.name for m in report.municipalities] + [total]


def municipality_list(lang: Language, report: StatisticsReport) -> str:
    names = [m.name for m in report.municipalities]
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + f" {text(lang, 'stats.and')} " + names[-1]


def sent_when(lang: Language, moment: datetime) -> str:
    return f"{format_date(moment, lang)} {text(lang, 'at_time')} {moment.astimezone(OSLO):%H.%M}"


def stats_data(command: str, team_id: str, period: ReportingPeriod) -> dict[str, Any]:
    """A button's data; the same shape as the half-year reminder's buttons."""
    return {ACTION_KEY: STATS_KEY, "command": command, "team": team_id, "period": period.label}


# --- the summary card -----------------------------------------------------------------------


def statistics_card(
    lang: Language,
    report: StatisticsReport,
    team_id: str,
    download_url: str | None,
    can_mark_sent: bool,
    in_progress: bool,
) -> Card:
    period = report.period
    body: list[CardElement] = [
        heading(text(lang, "stats.title", period=period_name(lang, period))),
        paragraph(
            text(
                lang,
                "stats.scope",
                team=report.team_name,
                municipalities=municipality_list(lang, report),
                dates=period_dates(lang, period),
            ),
            subtle=True,
        ),
    ]
    if report.sent_at is not None:
        body.append(paragraph(text(lang, "stats.sent_at", when=sent_when(lang, report.sent_at))))
    elif in_progress:
        body.append(paragraph(text(lang, "stats.in_progress")))
    body.append(FactSet(facts=_key_figures(lang, report), spacing="Medium"))
    body.append(_donut(lang, report, report.section("classification")))
    for key in ("violence", "reporter", "vulnerability"):
        body.append(_bars(lang, report, report.section(key)))
    body.append(paragraph(text(lang, "stats.legend", threshold=report.threshold), subtle=True))
    body.append(paragraph(text(lang, "stats.full_report"), subtle=True))
    actions: list[Action] = []
    if download_url:
        actions.append(OpenUrlAction(title=text(lang, "stats.download"), url=download_url))
    if can_mark_sent:
        actions.append(
            SubmitAction(
                title=text(lang, "stats.mark_sent"),
                data=stats_data("mark_submitted", team_id, period),
                associated_inputs="none",
            )
        )
    return make_card(body, actions)


def _key_figures(lang: Language, report: StatisticsReport) -> list[Fact]:
    t = report.threshold
    figures = [
        ("stats.fact.received", report.total("received", ALL)),
        ("stats.fact.anonymous", report.total("received", "anonymous")),
        ("stats.fact.must", report.total("classification", "must")),
        ("stats.fact.should", report.total("classification", "should")),
        ("stats.fact.closed", report.total("status", CLOSED_IN_PERIOD)),
        ("stats.fact.open", report.total("status", OPEN_AT_END)),
        ("stats.fact.days_assessment", report.total("durations", TO_ASSESSMENT)),
        ("stats.fact.days_closing", report.total("durations", TO_CLOSING)),
    ]
    return [Fact(title=text(lang, key), value=cell_text(cell, t, lang)) for key, cell in figures]


def _counted_rows(section: Section) -> list[tuple[str, Cell]]:
    """The rows with something in them, largest first (a hidden one last)."""
    rows = [(r.key, r.total) for r in section.rows if r.total.mark or r.total.value]
    return sorted(rows, key=lambda kv: -(kv[1].value or 0) if kv[1].shown else 1)


def _facts(
    lang: Language, report: StatisticsReport, section: str, rows: list[tuple[str, Cell]]
) -> FactSet:
    return FactSet(
        facts=[
            Fact(title=row_label(lang, section, key), value=cell_text(cell, report.threshold, lang))
            for key, cell in rows
        ],
        spacing="Small",
    )


def _table(lang: Language, report: StatisticsReport, section: Section) -> FactSet:
    """The plain table: every row with a count, "<3" and "x" included."""
    rows = _counted_rows(section)
    if not rows:
        return FactSet(facts=[Fact(title=text(lang, "stats.nothing"), value="0")], spacing="Small")
    return _facts(lang, report, section.key, rows)


def _split(section: Section, most: int) -> tuple[list[tuple[str, Cell]], list[tuple[str, Cell]]]:
    """The rows a chart draws (shown counts, `most` at most) and the rest: the hidden ones,
    which a chart cannot draw as a bar but must not leave out, and those past `most`."""
    counted = _counted_rows(section)
    drawn = [(k, c) for k, c in counted if c.shown][:most]
    keys = {k for k, _ in drawn}
    return drawn, [(k, c) for k, c in counted if k not in keys]


def _titled(lang: Language, section: Section, *shown: CardElement) -> Container:
    """A chart (or its table) under the section's title: the title is the card's own, as not
    every client shows a chart's."""
    return Container(
        spacing="Medium",
        items=[
            TextBlock(text=section_title(lang, section.key), weight="Bolder", wrap=True),
            *shown,
        ],
    )


def _bars(lang: Language, report: StatisticsReport, section: Section) -> CardElement:
    drawn, rest = _split(section, MAX_BARS)
    if not drawn:
        return _titled(lang, section, _table(lang, report, section))
    chart = HorizontalBarChart(
        title=section_title(lang, section.key),
        data=[
            HorizontalBarChartDataValue(x=row_label(lang, section.key, k), y=float(c.value or 0))
            for k, c in drawn
        ],
        # Without an axis each bar is labelled with its count. Teams divides an axis in six
        # whatever the counts, which gives ticks like 0.67 where the largest count is 4.
        display_mode="AbsoluteNoAxis",
        spacing="Small",
        fallback=_facts(lang, report, section.key, drawn),
    )
    if not rest:
        return _titled(lang, section, chart)
    return _titled(lang, section, chart, _facts(lang, report, section.key, rest))


def _donut(lang: Language, report: StatisticsReport, section: Section) -> CardElement:
    drawn, rest = _split(section, len(section.rows))
    if not drawn:
        return _titled(lang, section, _table(lang, report, section))
    chart = DonutChart(
        title=section_title(lang, section.key),
        data=[
            DonutChartData(legend=row_label(lang, section.key, k), value=float(c.value or 0))
            for k, c in drawn
        ],
        spacing="Small",
        fallback=_facts(lang, report, section.key, drawn),
    )
    if not rest:
        return _titled(lang, section, chart)
    return _titled(lang, section, chart, _facts(lang, report, section.key, rest))


# --- choosing a team ------------------------------------------------------------------------


def choose_team_card(lang: Language, period: ReportingPeriod, teams: list[tuple[str, str]]) -> Card:
    """For someone with the statistics of more than one team: (team id, name) each."""
    return make_card(
        [heading(text(lang, "stats.choose_team", period=period_name(lang, period)))],
        [
            SubmitAction(
                title=name,
                data=stats_data("report", team_id, period),
                associated_inputs="none",
            )
            for team_id, name in teams
        ],
    )
