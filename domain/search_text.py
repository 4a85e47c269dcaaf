"""Norwegian words for full-text search: split, lower-cased, stop words dropped, stemmed.

PostgreSQL searches with its own `norwegian` text-search configuration (the Snowball Norwegian
stemmer and Snowball's stop-word list). SQLite has no Norwegian stemmer, so its FTS5 table is fed
the stems made here, with the same Snowball algorithm and the same stop words, for documents and
queries alike: "utnyttelse", "utnyttet" and "utnytte" all become "utnytt" on both databases.
"""

from __future__ import annotations

import re
from functools import cache

import snowballstemmer

# Snowball's Norwegian stop words: the list PostgreSQL's `norwegian` configuration uses
# (tsearch_data/norwegian.stop), bokmål and nynorsk.
STOP_WORDS = frozenset(
    [
        "og",
        "i",
        "jeg",
        "det",
        "at",
        "en",
        "et",
        "den",
        "til",
        "er",
        "som",
        "på",
        "de",
        "med",
        "han",
        "av",
        "ikke",
        "ikkje",
        "der",
        "så",
        "var",
        "meg",
        "seg",
        "men",
        "ett",
        "har",
        "om",
        "vi",
        "min",
        "mitt",
        "ha",
        "hadde",
        "hun",
        "nå",
        "over",
        "da",
        "ved",
        "fra",
        "du",
        "ut",
        "sin",
        "dem",
        "oss",
        "opp",
        "man",
        "kan",
        "hans",
        "hvor",
        "eller",
        "hva",
        "skal",
        "selv",
        "sjøl",
        "her",
        "alle",
        "vil",
        "bli",
        "ble",
        "blei",
        "blitt",
        "kunne",
        "inn",
        "når",
        "være",
        "kom",
        "noen",
        "noe",
        "ville",
        "dere",
        "deres",
        "kun",
        "ja",
        "etter",
        "ned",
        "skulle",
        "denne",
        "for",
        "deg",
        "si",
        "sine",
        "sitt",
        "mot",
        "å",
        "meget",
        "hvorfor",
        "dette",
        "disse",
        "uten",
        "hvordan",
        "ingen",
        "din",
        "ditt",
        "blir",
        "samme",
        "hvilken",
        "hvilke",
        "sånn",
        "inni",
        "mellom",
        "vår",
        "hver",
        "hvem",
        "vors",
        "hvis",
        "både",
        "bare",
        "enn",
        "fordi",
        "før",
        "mange",
        "også",
        "slik",
        "vært",
        "båe",
        "begge",
        "siden",
        "dykk",
        "dykkar",
        "dei",
        "deira",
        "deires",
        "deim",
        "di",
        "då",
        "eg",
        "ein",
        "eit",
        "eitt",
        "elles",
        "honom",
        "hjå",
        "ho",
        "hoe",
        "henne",
        "hennar",
        "hennes",
        "hoss",
        "hossen",
        "ingi",
        "inkje",
        "korleis",
        "korso",
        "kva",
        "kvar",
        "kvarhelst",
        "kven",
        "kvi",
        "kvifor",
        "me",
        "medan",
        "mi",
        "mine",
        "mykje",
        "no",
        "nokon",
        "noka",
        "nokor",
        "noko",
        "nokre",
        "sia",
        "sidan",
        "so",
        "somt",
        "somme",
        "um",
        "upp",
        "vere",
        "vore",
        "verte",
        "vort",
        "varte",
        "vart",
    ]
)

# Letters and digits, as PostgreSQL's parser sees words (a hyphen splits "TryggEst-teamet").
_WORD = re.compile(r"[^\W_]+")
# A query word longer than this is no word anyone means; it is not searched for.
MAX_WORD_LENGTH = 40


@cache
def _stemmer() -> snowballstemmer.Stemmer:
    return snowballstemmer.stemmer("norwegian")


def words(text: str) -> list[str]:
    """The text's words, lower-cased, without stop words, in order."""
    found = [w.lower() for w in _WORD.findall(text)]
    return [w for w in found if w not in STOP_WORDS and len(w) <= MAX_WORD_LENGTH]


def stem(word: str) -> str:
    return str(_stemmer().stemWord(word.lower()))


def stems(text: str) -> list[str]:
    """The stems of the text's words, in order, repeats kept (a word's weight in a document)."""
    return [stem(w) for w in words(text)]


def query_stems(text: str) -> list[str]:
    """The distinct stems of a query, in the order typed."""
    return list(dict.fromkeys(stems(text)))
