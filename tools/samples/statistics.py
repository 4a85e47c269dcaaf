"""Sample half-year reports for the card catalogue (tools/samples/catalogue.py): made-up counts
for an inter-municipal team, built by the functions the bot uses."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime

from cards.report_cards import Card
from cards.statistics_cards import choose_team_card, statistics_card
from cards.texts import Language
from domain.calendar import ReportingPeriod
from domain.statistics import Municipality, StatisticsReport, Tally, build_report

PERIOD = ReportingPeriod(2026, 1)
MADE = datetime(2026, 8, 3, 9, 30, tzinfo=UTC)
COLUMNS = [
    ("m1", Municipality("Moss", "3103")),
    ("m2", Municipality("Råde", "3112")),
    ("m3", Municipality("Våler", "3116")),
]
# Per code, the counts in Moss, Råde and Våler: something of every kind, small ones included.
SAMPLE: dict[str, dict[str | None, tuple[int, int, int]]] = {
    "received": {"consent": (31, 6, 4), "anonymous": (9, 2, 1), "duty_to_avert": (2, 0, 0)},
    "reporter": {
        "home_care": (14, 3, 2),
        "emergency_room": (4, 1, 0),
        "gp": (5, 0, 1),
        "nav": (3, 1, 0),
        "nursing_home": (6, 2, 1),
        "relative": (5, 1, 1),
        "victim": (3, 0, 0),
        "citizen": (2, 0, 0),
    },
    "classification": {
        "must": (15, 3, 2),
        "should": (19, 4, 2),
        "not_assessed": (2, 0, 0),
        "outside_target_group": (4, 1, 1),
        None: (2, 0, 0),
    },
    "violence": {
        "psychological": (26, 5, 3),
        "physical": (15, 3, 1),
        "financial": (11, 2, 1),
        "neglect": (8, 1, 1),
        "sexual": (2, 0, 0),
        "material": (3, 1, 0),
    },
    "vulnerability": {
        "dementia": (14, 3, 2),
        "old_age": (22, 4, 3),
        "mental_illness": (9, 1, 1),
        "substance_use": (6, 1, 0),
        "intellectual_disability": (4, 1, 0),
    },
    "perpetrator": {
        "partner": (12, 2, 2),
        "child": (14, 3, 1),
        "grandchild": (3, 1, 0),
        "other_family": (4, 1, 1),
        "co_resident": (3, 0, 1),
        "staff": (2, 0, 0),
        "unknown": (4, 1, 0),
    },
    "gender": {"female": (29, 5, 3), "male": (12, 3, 2), "other_unknown": (1, 0, 0)},
    "age_band": {
        "18-29": (3, 1, 0),
        "30-49": (5, 1, 1),
        "50-66": (8, 1, 1),
        "67-79": (12, 2, 1),
        "80+": (14, 3, 2),
    },
    "status": {"closed_in_period": (27, 5, 3), "open_at_end": (19, 4, 2)},
    "outcome": {
        "stopped": (9, 2, 1),
        "ordinary_services": (12, 2, 1),
        "declined": (4, 1, 1),
        "transferred": (2, 0, 0),
    },
    "measures": {
        "home_care": (11, 2, 1),
        "gp": (9, 1, 1),
        "police": (4, 1, 0),
        "relatives": (6, 1, 1),
        "tryggest_team": (15, 3, 2),
        "nav": (3, 0, 0),
    },
}
MEDIANS: dict[tuple[str, str | None], tuple[float | None, int]] = {
    ("to_assessment", "m1"): (2.5, 40),
    ("to_assessment", "m2"): (3.0, 8),
    ("to_assessment", "m3"): (4.0, 2),
    ("to_assessment", None): (3.0, 50),
    ("to_closing", "m1"): (61.5, 27),
    ("to_closing", "m2"): (45.0, 5),
    ("to_closing", "m3"): (88.0, 3),
    ("to_closing", None): (58.0, 35),
}
NO_MEDIANS: dict[tuple[str, str | None], tuple[float | None, int]] = {
    ("to_assessment", None): (None, 0),
    ("to_closing", None): (None, 0),
}


def sample_report(
    counts: dict[str, dict[str | None, tuple[int, int, int]]] = SAMPLE,
    medians: Mapping[tuple[str, str | None], tuple[float | None, int]] = MEDIANS,
) -> StatisticsReport:
    tally = Tally()
    for section, rows in counts.items():
        for code, numbers in rows.items():
            for (key, _), n in zip(COLUMNS, numbers, strict=True):
                if n:
                    tally.counts[(section, code, key)] = n
    tally.medians.update(medians)
    return build_report("TryggEst Moss, Råde og Våler", PERIOD, COLUMNS, tally, 3, MADE)


def statistics_cards_in(lang: Language) -> Iterator[tuple[str, Card]]:
    url = "https://tryggest.example.no/reports/download/0123456789abcdef0123456789abcdef.sig"
    report = sample_report()
    yield "statistics_card.coordinator", statistics_card(lang, report, "team1", url, True, False)
    yield "statistics_card.leader", statistics_card(lang, report, "team1", url, False, False)
    yield "statistics_card.in_progress", statistics_card(lang, report, "team1", url, False, True)
    sent = report.with_sent_at(datetime(2026, 8, 14, 13, 5, tzinfo=UTC))
    yield "statistics_card.sent", statistics_card(lang, sent, "team1", None, False, False)
    empty = sample_report({}, NO_MEDIANS)
    yield "statistics_card.empty", statistics_card(lang, empty, "team1", url, True, False)
    teams = [("team1", "TryggEst Moss, Råde og Våler"), ("team2", "Lederteamet i Indre Østfold")]
    yield "choose_team_card", choose_team_card(lang, PERIOD, teams)
