"""Any text typed to any question is read or asked again: never an error (an error mid-report
would tell the person "noe gikk galt" and lose their place).

The words are the corpus's own (tests/corpus/answers), put together in any order, with the
punctuation people type: the parser's rules look at neighbouring words, and orders no writer
used are where an index runs past the end of a clause."""

from __future__ import annotations

import contextlib
import re
from functools import cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.answers import NotUnderstood, read_answer
from tests.corpus.answer_corpus import TODAY, draft_for, load

STEPS = sorted({entry.step for entry in load()})


@cache
def corpus_words() -> list[str]:
    words = {w for entry in load() for w in re.findall(r"\w+", entry.text.lower())}
    return sorted(words)


def typed_answers() -> st.SearchStrategy[str]:
    word = st.sampled_from(corpus_words()) | st.sampled_from([",", ".", "?", "!", "-", "/", "…"])
    return st.lists(word, min_size=1, max_size=12).map(" ".join)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(step=st.sampled_from(STEPS), typed=typed_answers())
def test_any_words_to_any_question_are_read_or_asked_again(step: str, typed: str) -> None:
    with contextlib.suppress(NotUnderstood):
        read_answer(step, typed, draft_for(step), TODAY)


def test_a_clause_that_starts_with_det_and_one_word_is_read() -> None:
    # "det" and one word before the code: a rule once read the second word past the end.
    assert read_answer("knowledge", "det såg eg sjølv", draft_for("knowledge"), TODAY).value == (
        "saw"
    )
