"""Tokens with their positions, folding for name comparison, and sentence starts."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

# A word: letters, with inner hyphens or apostrophes ("Anne-Lise", "Hansen-familien", "Kari's").
WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")

_FOLD_PAIRS = (("æ", "a"), ("ae", "a"), ("ø", "o"), ("oe", "o"), ("å", "a"), ("aa", "a"))


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """Compare names as people type them: any case, "Rod" for "Rød", "Asa" or "Aasa" for "Åsa"."""
    text = word.casefold().replace("’", "'")
    for old, new in _FOLD_PAIRS:
        text = text.replace(old, new)
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return text


@dataclass(slots=True)
class Token:
    start: int
    end: int
    text: str
    sentence_start: bool = False
    key: str = field(default="")  # folded text

    @property
    def capitalised(self) -> bool:
        return self.text[0].isupper()

    @property
    def upper(self) -> bool:
        return len(self.text) > 1 and self.text.isupper()

    @property
    def lower(self) -> str:
        return self.text.lower()


_SENTENCE_END = ".!?"
_OPENERS = "\"'«“„([{*•–—-"


def words(text: str) -> list[str]:
    """A long word list written as one string."""
    return text.split()


# Abbreviations ending in a full stop that do not end a sentence.
ABBREVIATIONS = frozenset(
    words(
        "dr fr hr frk kl ca f nr tlf tel mob bl evt ift mht pga jf el st ev ang avd adr mv osv "
        "dvs iflg jfr vedr"
    )
)


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    for match in WORD.finditer(text):
        token = Token(match.start(), match.end(), match.group(), key=fold(match.group()))
        token.sentence_start = _starts_sentence(text, token.start, tokens, ABBREVIATIONS)
        tokens.append(token)
    return tokens


def _starts_sentence(
    text: str, start: int, previous: list[Token], abbreviations: frozenset[str]
) -> bool:
    i = start - 1
    while i >= 0 and (text[i] in _OPENERS or text[i] in " \t"):
        i -= 1
    if i < 0 or text[i] in "\n\r:;":
        return True
    if text[i] in _SENTENCE_END:
        if text[i] == "." and previous and previous[-1].end == i:
            word = previous[-1].lower
            # "dr. Hansen", "f. 1941", "K. Hansen": an abbreviation or an initial.
            if word in abbreviations or len(word) == 1:
                return False
        return True
    return False
