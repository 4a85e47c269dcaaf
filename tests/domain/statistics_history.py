"""Made-up case histories over two half years, counted by hand: the previous period's and this
period's counts as storage would hand them over, and the true value of every cell."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hypothesis import strategies as st

from domain.statistics import Municipality, Tally

COLUMNS = [
    ("a", Municipality("Moss", "3103")),
    ("b", Municipality("Råde", "3112")),
    ("c", Municipality("Våler", "3116")),
]

# (when reported, how it stood at the previous period's end, at this period's end); None: not
# counted then (not yet reported, or closed before that period began).
BEFORE, PREVIOUS, THIS = 0, 1, 2
MAX_CASES = 40  # per history: enough for counts on both sides of the threshold
FATES = [
    (BEFORE, "open", "open"),
    (BEFORE, "closed", None),
    (BEFORE, "open", "closed"),
    (BEFORE, None, "open"),  # closed long ago, reopened in this period
    (PREVIOUS, "open", "open"),
    (PREVIOUS, "closed", None),
    (PREVIOUS, "open", "closed"),
    (PREVIOUS, "closed", "open"),  # reopened
    (PREVIOUS, "closed", "closed"),  # reopened and closed again
    (THIS, None, "open"),
    (THIS, None, "closed"),
]


# Five reports in a team's first half year, all still open: an "x" for "Meldinger mottatt"
# beside "Åpne ved periodens slutt: 5" and "Avsluttet: 0" would read 5.
FIRST_FIVE = {
    ("received", "consent", "a"): 4,
    ("received", "anonymous", "a"): 1,
    ("reporter", "home_care", "a"): 2,
    ("reporter", "nav", "a"): 2,
    ("reporter", "gp", "a"): 1,
    ("classification", None, "a"): 1,
    ("classification", "must", "a"): 1,
    ("classification", "should", "a"): 3,
    ("violence", "psychological", "a"): 5,
    ("perpetrator", "partner", "a"): 3,
    ("perpetrator", "child", "a"): 2,
    ("gender", "female", "a"): 4,
    ("gender", "male", "a"): 1,
    ("age_band", "67-79", "a"): 4,
    ("age_band", "80+", "a"): 1,
    ("status", "open_at_end", "a"): 5,
}


@dataclass(frozen=True)
class Made:
    municipality: int
    fate: tuple[int, str | None, str | None]
    consent: str
    reporter: str
    classification: str | None
    violence: tuple[str, ...]
    vulnerability: tuple[str, ...]
    perpetrator: str
    gender: str
    age_band: str
    outcome: str
    measures: tuple[str, ...]


def _some(codes: list[str]) -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(st.sampled_from(codes), unique=True, max_size=2).map(tuple)


def cases(municipalities: int) -> st.SearchStrategy[Made]:
    # Few codes, so that counts come out small and suppression has work to do.
    return st.builds(
        Made,
        municipality=st.integers(0, municipalities - 1),
        fate=st.sampled_from(FATES),
        consent=st.sampled_from(["consent", "consent", "anonymous", "duty_to_avert"]),
        reporter=st.sampled_from(["home_care", "gp", "relative", "victim"]),
        classification=st.sampled_from([None, "must", "should"]),
        violence=_some(["psychological", "physical", "financial"]),
        vulnerability=_some(["dementia", "old_age", "mental_illness"]),
        perpetrator=st.sampled_from(["partner", "child", "other_family"]),
        gender=st.sampled_from(["female", "female", "male", "other_unknown"]),
        age_band=st.sampled_from(["80+", "67-79", "50-66"]),
        outcome=st.sampled_from(["stopped", "ordinary_services", "declined"]),
        measures=_some(["home_care", "police", "tryggest_team"]),
    )


@dataclass(frozen=True)
class History:
    municipalities: int
    threshold: int
    made: tuple[Made, ...]

    @property
    def columns(self) -> list[tuple[str, Municipality]]:
        return COLUMNS[: self.municipalities]

    def counted(self, period: int) -> tuple[Tally, dict[tuple[str, str, int], int]]:
        """The period's tally, and every cell's true value by (section, row, column index)."""
        keys = [key for key, _ in self.columns]
        tally = Tally()
        by_row: dict[tuple[str, str], list[int]] = {}

        def add(section: str, code: str | None, municipality: int) -> None:
            counted = (section, code, keys[municipality])
            tally.counts[counted] = tally.counts.get(counted, 0) + 1
            row = "none" if code is None else code
            numbers = by_row.setdefault((section, row), [0] * len(keys))
            numbers[municipality] += 1
            if section == "received":
                numbers = by_row.setdefault((section, "all"), [0] * len(keys))
                numbers[municipality] += 1

        for case in self.made:
            reported, *states = case.fate
            m = case.municipality
            if reported == period:
                add("received", case.consent, m)
                add("reporter", case.reporter, m)
                add("classification", case.classification, m)
                add("perpetrator", case.perpetrator, m)
                add("gender", case.gender, m)
                add("age_band", case.age_band, m)
                for code in case.violence:
                    add("violence", code, m)
                for code in case.vulnerability:
                    add("vulnerability", code, m)
            state = states[period - 1]
            if state == "open":
                add("status", "open_at_end", m)
            elif state == "closed":
                add("status", "closed_in_period", m)
                add("outcome", case.outcome, m)
                for code in case.measures:
                    add("measures", code, m)
        closed = by_row.get(("status", "closed_in_period"), [0] * len(keys))
        for key, n in zip(keys, closed, strict=True):
            tally.medians[("to_closing", key)] = (10.0, n) if n else (None, 0)
        total = sum(closed)
        tally.medians[("to_closing", None)] = (10.0, total) if total else (None, 0)
        return tally, true_cells(by_row, len(keys) > 1)


def true_cells(
    counts: dict[tuple[str, str], list[int]], per_municipality: bool
) -> dict[tuple[str, str, int], int]:
    cells = {}
    for (section, row), numbers in counts.items():
        values: Sequence[int] = [*numbers, sum(numbers)] if per_municipality else [sum(numbers)]
        for column, n in enumerate(values):
            cells[(section, row, column)] = n
    return cells


def truth_of(
    counts: Mapping[tuple[str, str | None, str], int], keys: Sequence[str]
) -> dict[tuple[str, str, int], int]:
    """Every cell's true value from counts as storage hands them over (section, code,
    municipality key): codes as rows, None as "none", "all" added for "received"."""
    by_row: dict[tuple[str, str], list[int]] = {}
    for (section, code, key), n in counts.items():
        row = "none" if code is None else code
        for counted in [(section, row), *([(section, "all")] if section == "received" else [])]:
            by_row.setdefault(counted, [0] * len(keys))[list(keys).index(key)] += n
    return true_cells(by_row, len(keys) > 1)


@st.composite
def histories(draw: st.DrawFn) -> History:
    municipalities = draw(st.integers(1, 3))
    threshold = draw(st.sampled_from([3, 3, 3, 4, 5]))
    made = draw(st.lists(cases(municipalities), max_size=MAX_CASES))
    return History(municipalities, threshold, tuple(made))
