"""The report's questions read answers as people type them: measured on a corpus written fresh
for the tests (tests/corpus/answers/), with a fifth held out that the parser is never tuned on.
`make test` prints the held-out accuracy per question at the end of its output."""

from __future__ import annotations

import pytest

from tests.corpus.answer_corpus import (
    ASK_AGAIN,
    Entry,
    held_out_accuracy,
    is_right,
    load,
    understood,
)

ENTRIES = load()
DEVELOPMENT = [e for e in ENTRIES if not e.held_out]
HELD_OUT = [e for e in ENTRIES if e.held_out]
STEPS = sorted({e.step for e in ENTRIES})
# Floors under the measured accuracy (make test prints the held-out figures), so that a change
# that reads people worse fails; the held-out floor is lower, as text never tuned on is harder.
HELD_OUT_FLOOR = 0.96
DEVELOPMENT_FLOOR = 0.996


def wrong(entries: list[Entry]) -> list[str]:
    return [
        f"{e.step}: {e.text!r} -> {understood(e)!r}, expected {e.expect!r}"
        for e in entries
        if not is_right(e, understood(e))
    ]


def test_the_corpus_has_forty_bokmal_and_twenty_nynorsk_answers_per_question() -> None:
    short = []
    for step in STEPS:
        nb = sum(1 for e in ENTRIES if e.step == step and e.lang == "nb")
        nn = sum(1 for e in ENTRIES if e.step == step and e.lang == "nn")
        if nb < 40 or nn < 20:
            short.append(f"{step}: {nb} nb, {nn} nn")
    acute = sum(1 for e in ENTRIES if e.step == "acute")
    assert not short and acute >= 100, (short, acute)


def test_a_fifth_of_the_corpus_is_held_out() -> None:
    assert 0.15 <= len(HELD_OUT) / len(ENTRIES) <= 0.25


@pytest.mark.parametrize("step", STEPS)
def test_the_development_part_of_each_question_is_read_as_labelled(step: str) -> None:
    entries = [e for e in DEVELOPMENT if e.step == step]
    misread = wrong(entries)
    assert 1 - len(misread) / len(entries) >= 0.85, "\n".join(misread)


def test_the_development_part_as_a_whole_is_read_no_worse_than_measured() -> None:
    misread = wrong(DEVELOPMENT)
    assert 1 - len(misread) / len(DEVELOPMENT) >= DEVELOPMENT_FLOOR, "\n".join(misread)


def test_the_held_out_part_is_read_no_worse_than_measured() -> None:
    tallies = held_out_accuracy(ENTRIES)
    right = sum(t.right for t in tallies.values())
    total = sum(t.total for t in tallies.values())
    # Only the figures: the held-out answers are not shown, so nobody tunes on them.
    assert right / total >= HELD_OUT_FLOOR, {s: f"{t.right}/{t.total}" for s, t in tallies.items()}


def test_every_held_out_way_of_saying_someone_is_in_danger_gets_the_guidance() -> None:
    acute_yes = [e for e in HELD_OUT if e.step == "acute" and e.expect == "yes"]
    missed = sum(1 for e in acute_yes if understood(e) != "yes")
    assert acute_yes and missed == 0, f"{missed} of {len(acute_yes)} held-out acute answers missed"


def test_every_acute_answer_in_the_corpus_that_means_danger_gets_the_guidance() -> None:
    acute_yes = [e for e in DEVELOPMENT if e.step == "acute" and e.expect == "yes"]
    assert wrong(acute_yes) == []


def test_no_acute_answer_is_asked_again_when_it_has_words() -> None:
    worded = [e for e in ENTRIES if e.step == "acute" and e.expect != ASK_AGAIN]
    assert all(understood(e) != ASK_AGAIN for e in worded)
