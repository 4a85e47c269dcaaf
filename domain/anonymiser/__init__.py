"""The anonymiser: a report's free text with every direct identifier replaced.

`anonymise(text, known_names)` returns the new text and each replacement (span, original,
placeholder, kind) for a preview card. Pure Python; the bundled name and municipality lists in
data/ are read once, on first use.
"""

from domain.anonymiser.engine import anonymise
from domain.anonymiser.jsonl import anonymise_jsonl
from domain.anonymiser.model import AnonymisedText, Kind, Replacement

__all__ = ["AnonymisedText", "Kind", "Replacement", "anonymise", "anonymise_jsonl"]
