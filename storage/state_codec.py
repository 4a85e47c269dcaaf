"""The dialogue state as stored: plain JSON for the shapes it really holds, jsonpickle for the rest.

Why: botbuilder's conversation state is a dict holding botbuilder-dialogs' `DialogState`, whose
stack of `DialogInstance`s carries our dialogues' data (the report draft: dicts, lists, strings,
numbers). It was stored with jsonpickle (`keys=True`), whose pure-Python flatten and restore cost
about 7 % of a report turn's CPU (issue #9). Here those two classes become marked JSON objects and
everything else is already JSON, so the work is one short walk plus the standard library's C JSON
encoder and decoder (in FieldCipher).

Nothing is lost: a value this codec does not know exactly — a tuple, a set, a datetime, an enum, a
dataclass, a dict with a key that is not a `str` (or is our marker key), a subclass of dict or str,
a container that occurs twice (jsonpickle keeps the sharing), a string that is not valid UTF-8 —
is stored whole as jsonpickle, as it always was. Rows written before this codec are jsonpickle too
and read as before.

`encode` gives what FieldCipher.encrypt takes (a JSON-ready value) and `decode` takes what
FieldCipher.decrypt gives, so the format is told apart inside the encrypted plaintext:

- a JSON string: jsonpickle's text (every row written before, and the fall-back);
- `["state/1", tree]`: this codec, where `{"$type": "DialogState", ...attributes}` is an object of
  one of the classes below and every other dict, list and scalar is itself.
"""

from __future__ import annotations

from typing import Any

import jsonpickle
from botbuilder.dialogs import DialogInstance, DialogState

FORMAT = "state/1"
TYPE_KEY = "$type"

# The classes stored as their attributes; restored as jsonpickle does (no __init__ called).
_CLASSES: dict[type[Any], str] = {DialogState: "DialogState", DialogInstance: "DialogInstance"}
_BY_NAME: dict[str, type[Any]] = {name: cls for cls, name in _CLASSES.items()}
_SCALARS = frozenset({int, float, bool, type(None)})


class _Unknown(Exception):
    """Something plain JSON would not give back as it was: the whole value goes to jsonpickle."""


def encode(value: Any) -> Any:
    """The state as a JSON-ready value: `["state/1", tree]`, or jsonpickle's text (a str) when
    the state holds anything else than JSON values, DialogState and DialogInstance."""
    try:
        return [FORMAT, _flatten(value, set())]
    except (_Unknown, RecursionError, UnicodeEncodeError):
        return jsonpickle.encode(value, keys=True)


def decode(stored: Any) -> Any:
    """The state from what `encode` gave (after a JSON round trip), or from a row written with
    jsonpickle (a str). Returns new containers; `stored` is left as it is."""
    if type(stored) is str:
        return jsonpickle.decode(stored, keys=True)
    if type(stored) is list and len(stored) == 2 and stored[0] == FORMAT:
        return _restore(stored[1])
    raise ValueError("unknown dialogue state format")


def _flatten(node: Any, seen: set[int]) -> Any:
    kind = type(node)
    if kind is str:
        if not node.isascii():
            node.encode()  # a lone surrogate (valid in JSON's \u escapes) is not UTF-8
        return node
    if kind in _SCALARS:
        return node
    if id(node) in seen:  # shared or cyclic: jsonpickle keeps that, JSON would not
        raise _Unknown
    seen.add(id(node))
    if kind is dict:
        return _flatten_items(node, seen, {})
    if kind is list:
        return [_flatten(item, seen) for item in node]
    name = _CLASSES.get(kind)
    if name is None:
        raise _Unknown
    return _flatten_items(vars(node), seen, {TYPE_KEY: name})


def _flatten_items(items: dict[Any, Any], seen: set[int], out: dict[str, Any]) -> dict[str, Any]:
    for key, item in items.items():
        if type(key) is not str or key == TYPE_KEY:
            raise _Unknown
        if not key.isascii():
            key.encode()
        out[key] = _flatten(item, seen)
    return out


def _restore(node: Any) -> Any:
    kind = type(node)
    if kind is dict:
        restored = {key: _restore(item) for key, item in node.items()}
        name = restored.pop(TYPE_KEY, None)
        if name is None:
            return restored
        cls = _BY_NAME.get(name)
        if cls is None:
            raise ValueError(f"unknown class in dialogue state: {name!r}")
        obj = object.__new__(cls)  # as jsonpickle restores it: no __init__
        obj.__dict__.update(restored)
        return obj
    if kind is list:
        return [_restore(item) for item in node]
    return node
