"""The report as a file: the Excel file read back with openpyxl, the CSV, and neither holding
anything that identifies a person, a case or a row of the database."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import UTC, datetime

from openpyxl import load_workbook
from sqlalchemy import select

from cards.statistics_cards import cell_text, row_label, statistics_card
from cards.statistics_export import csv_bytes, file_name, report_file, workbook_bytes
from domain.access import Person
from domain.calendar import ReportingPeriod
from domain.statistics import StatisticsReport, Tally, build_report
from storage.crypto import FieldCipher, parse_keys
from storage.gate import AccessGate, Where
from storage.models import Case, CaseEvent, Membership, Municipality, Team
from storage.statistics import Statistics
from tests.cards.test_cards_valid import without_charts
from tests.conftest import DATA_KEY
from tests.domain.statistics_history import COLUMNS, FIRST_FIVE
from tests.storage.statistics_cases import add_cases
from tests.support import TENANT
from tools.samples.statistics import MADE, PERIOD, sample_report

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)


def test_the_workbook_reads_back_with_every_number_where_it_belongs() -> None:
    report = sample_report()

    book = load_workbook(io.BytesIO(workbook_bytes(report, "nb")))
    rows = list(book["Rapport"].iter_rows(values_only=True))

    assert rows[0][0] == "TryggEst – halvårsrapport til Bufdir"
    assert ("Team", "TryggEst Moss, Råde og Våler: Moss, Råde og Våler", None, None, None) in rows
    header = rows.index(("Meldinger mottatt i perioden", "Moss", "Råde", "Våler", "I alt"))
    assert rows[header + 1] == ("Meldinger i alt", 42, 8, 5, 55)
    # Råde's 2 and Våler's 1 anonymous consultations are "<3": 8 - 6 and 5 - 4 would give
    # them away, so the 6 and the 4 are hidden.
    assert rows[header + 2] == ("Med samtykke", 31, "x", "x", 41)
    # And the 2 under the duty to avert in Moss: 42 - 31 - 9 and 55 - 41 - 12 would give it.
    assert rows[header + 3] == ("Anonyme drøftinger", "x", "<3", "<3", "x")
    # 2 in Moss only: "<3", and the total 2 as well.
    assert rows[header + 4] == ("Etter avvergeplikt", "<3", 0, 0, "<3")
    durations = rows.index(("Tid fra melding, median dager", "Moss", "Råde", "Våler", "I alt"))
    assert rows[durations + 1] == ("Til vurdering", 2.5, 3.0, "–", 3.0)
    assert book.sheetnames == ["Rapport", "Om tallene"]
    assert book.properties.creator == "TryggEst"


def test_the_workbook_speaks_the_persons_language() -> None:
    book = load_workbook(io.BytesIO(workbook_bytes(sample_report(), "en")))
    rows = list(book["Report"].iter_rows(values_only=True))
    assert ("Reports received in the period", "Moss", "Råde", "Våler", "Total") in rows


def test_the_csv_has_a_line_per_row_of_the_report() -> None:
    report = sample_report()

    content = csv_bytes(report, "nb")

    assert content.startswith(b"\xef\xbb\xbf")  # Excel needs the BOM to read UTF-8
    lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert lines[0] == ["Del", "Kategori", "Moss", "Råde", "Våler", "I alt"]
    assert ["Meldinger mottatt i perioden", "Meldinger i alt", "42", "8", "5", "55"] in lines
    # Råde's and Våler's cases closed are hidden ("x"), so are their medians to closing.
    assert ["Saker ved periodens slutt", "Avsluttet i perioden", "27", "x", "x", "35"] in lines
    assert ["Tid fra melding, median dager", "Til avslutning", "61.5", "–", "–", "58.0"] in lines
    rows = sum(len(s.rows) for s in report.sections)
    assert len(lines) == rows + 1


def first_five() -> StatisticsReport:
    """A team's first half year: five reports, all still open."""
    return build_report("TryggEst Moss", PERIOD, COLUMNS[:1], Tally(dict(FIRST_FIVE)), 3, MADE)


def workbook_figures(report: StatisticsReport) -> dict[object, object]:
    """The workbook's first column to its second, for a report of one municipality."""
    rows = list(load_workbook(io.BytesIO(workbook_bytes(report, "nb")))["Rapport"].values)
    return {r[0]: r[1] for r in rows if r and len(r) > 1}


def test_the_workbook_shows_no_received_count_that_open_and_closed_would_give_away() -> None:
    figures = workbook_figures(first_five())

    # Open + closed = received in a first period: a hidden one of the three would be the
    # other two added up.
    three = [
        figures[k] for k in ("Meldinger i alt", "Avsluttet i perioden", "Åpne ved periodens slutt")
    ]
    assert [isinstance(v, str) for v in three].count(True) != 1
    assert three == [5, 0, 5]


def test_a_figure_in_the_card_and_in_the_workbook_reads_the_same() -> None:
    report = first_five()
    card = statistics_card("nb", report, "team1", None, False, False)
    facts = {
        f["title"]: f["value"] for e in card["body"] if e["type"] == "FactSet" for f in e["facts"]
    }
    figures = workbook_figures(report)

    for fact, row in (
        ("Meldinger mottatt", "Meldinger i alt"),
        ("Herav anonyme drøftinger", "Anonyme drøftinger"),
        ("Avsluttet i perioden", "Avsluttet i perioden"),
        ("Åpne ved periodens slutt", "Åpne ved periodens slutt"),
    ):
        assert facts[fact] == str(figures[row]), fact


def titled(card: dict, title: str) -> list[dict]:
    """The items under a section's title on the card."""
    return next(
        e["items"][1:]
        for e in card["body"]
        if e["type"] == "Container" and e["items"][0].get("text") == title
    )


def test_a_chart_keeps_a_hidden_category_as_less_than_three_rather_than_dropping_it() -> None:
    report = sample_report()
    card = statistics_card("nb", report, "team1", None, False, False)

    chart, *below = titled(card, "Type vold")

    drawn = {d["x"]: d["y"] for d in chart["data"]}
    listed = {f["title"]: f["value"] for table in below for f in table["facts"]}
    assert listed["Seksuelle overgrep"] == "<3"
    assert not set(drawn) & set(listed)
    counted = {
        row_label("nb", "violence", r.key): cell_text(r.total, 3)
        for r in report.section("violence").rows
        if r.total.mark or r.total.value
    }
    assert {**{k: str(int(v)) for k, v in drawn.items()}, **listed} == counted


def test_a_client_without_charts_sees_every_category_once() -> None:
    card = statistics_card("nb", sample_report(), "team1", None, False, False)
    plain, _ = without_charts(card)

    for title in ("Type vold", "Hvem meldte", "Sårbarhet", "Kategori"):
        labels = [f["title"] for table in titled(plain, title) for f in table["facts"]]
        assert len(labels) == len(set(labels)), title
    assert "Seksuelle overgrep" in str(titled(plain, "Type vold"))


def test_bar_charts_count_in_whole_numbers_with_no_axis_to_divide() -> None:
    card = statistics_card("nb", sample_report(), "team1", None, False, False)
    bars = [
        item
        for e in card["body"]
        if e["type"] == "Container"
        for item in e["items"]
        if item["type"] == "Chart.HorizontalBar"
    ]

    assert len(bars) == 3
    for chart in bars:
        # An axis is cut in six whatever the counts: 0.67, 1.33, ... for a largest count of 4.
        assert chart["displayMode"] == "AbsoluteNoAxis"
        assert all(float(d["y"]).is_integer() for d in chart["data"])


def test_the_file_name_is_plain_ascii() -> None:
    assert file_name(sample_report(), "xlsx") == "TryggEst-2026H1-TryggEst-Moss-Rade-og-Valer.xlsx"


def test_a_chart_without_a_table_for_other_clients_is_caught() -> None:
    card = {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [{"type": "Chart.Donut", "title": "x", "data": [{"legend": "a", "value": 1}]}],
    }
    _, errors = without_charts(card)
    assert errors == ["at /body/0: a chart needs a fallback for clients without charts"]


async def test_the_files_hold_no_identifier_of_any_kind(sessions) -> None:
    world = await add_cases(sessions)
    gate = AccessGate(sessions)
    statistics = Statistics(sessions, gate, FieldCipher(parse_keys(DATA_KEY)), lambda: NOW, 1)
    coordinator = await gate.principal(Person(TENANT, "coord-1"))
    report = await statistics.report(coordinator, world.team, ReportingPeriod(2026, 1), Where())
    async with sessions() as session:
        forbidden = {TENANT, "coord-1", "reporter-1", world.team}
        for _model, columns in (
            (Case, (Case.id, Case.number, Case.draft_id, Case.municipality_id)),
            (CaseEvent, (CaseEvent.id,)),
            (Municipality, (Municipality.id,)),
            (Team, (Team.id,)),
            (Membership, (Membership.id, Membership.aad_object_id)),
        ):
            for row in (await session.execute(select(*columns))).all():
                forbidden.update(str(v) for v in row if v)

    for file_format in ("xlsx", "csv"):
        made = report_file(report, "nb", file_format)
        texts = (
            [made.content.decode("utf-8-sig")]
            if file_format == "csv"
            else [part.decode("utf-8", "replace") for part in unzip(made.content)]
        )
        for content in texts:
            found = [f for f in forbidden if f in content]
            assert found == [], (file_format, found)
            assert not re.search(r"TE-\d{4}-\d+", content)
            assert not re.search(r"\b[0-9a-f]{32}\b", content)  # no internal ids


def unzip(content: bytes) -> list[bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return [archive.read(name) for name in archive.namelist()]
