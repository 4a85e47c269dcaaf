"""The dialogue state as stored: plain JSON, and jsonpickle only for what JSON would not give back.

A conversation's state is a dict of plain JSON values (dialogs/turn.py's Turn.state), encoded as
it is: one short walk that checks it, then the standard library's C JSON encoder and decoder (in
FieldCipher): jsonpickle's pure-Python flatten and restore was a noticeable part of a turn.

Nothing is lost: a value this codec does not know exactly — a tuple, a set, a datetime, an enum, a
dataclass, a dict with a key that is not a `str` (or is our marker key), a subclass of dict or str,
a container that occurs twice (jsonpickle keeps the sharing), a string that is not valid UTF-8 —
is stored whole as jsonpickle.

`encode` gives what FieldCipher.encrypt takes (a JSON-ready value) and `decode` takes what
FieldCipher.decrypt gives, so the format is told apart inside the encrypted plaintext:

- a JSON string: jsonpickle's text (the fall-back, and every row written before "state/1");
- `["state/1", tree]`: plain JSON.

Rows written while the bot ran on botbuilder-dialogs hold its `DialogState` and `DialogInstance`:
in "state/1" rows as marked objects, `{"$type": "DialogState", "_dialog_stack": [...]}` and
`{"$type": "DialogInstance", "id": ..., "state": ...}`; in jsonpickle rows as `py/object`s. Both
are read, without botbuilder, as plain dicts that keep the mark and the attributes under their
public names: `{"$type": "DialogState", "dialog_stack": [{"$type": "DialogInstance", "id": ...,
"state": {...}}]}` (the report dialogue carries a report begun then over to its own key:
dialogs/report_dialog.py). A dict holding "$type" is never written as "state/1" again, so a row
written now reads the same in the version before this one.
"""

from __future__ import annotations

from typing import Any

import jsonpickle

FORMAT = "state/1"
TYPE_KEY = "$type"

# botbuilder-dialogs' classes that rows written before may hold, by their mark in "state/1", with
# their attributes' public names (DialogState keeps its stack behind a property).
_MARKS: dict[str, dict[str, str]] = {
    "DialogState": {"_dialog_stack": "dialog_stack"},
    "DialogInstance": {},
}
_SCALARS = frozenset({int, float, bool, type(None)})


class _Unknown(Exception):
    """Something plain JSON would not give back as it was: the whole value goes to jsonpickle."""


def encode(value: Any) -> Any:
    """The state as a JSON-ready value: `["state/1", value]`, or jsonpickle's text (a str) when
    the state holds anything else than plain JSON values."""
    try:
        _check(value, set())
    except (_Unknown, RecursionError, UnicodeEncodeError):
        return jsonpickle.encode(value, keys=True)
    return [FORMAT, value]


def decode(stored: Any) -> Any:
    """The state from what `encode` gave (after a JSON round trip), or from a row written with
    jsonpickle (a str). May reuse `stored`'s containers: give it what FieldCipher.decrypt gave."""
    if type(stored) is str:
        return _from_jsonpickle(stored)
    if type(stored) is list and len(stored) == 2 and stored[0] == FORMAT:
        return _unmarked(stored[1])
    raise ValueError("unknown dialogue state format")


def _check(node: Any, seen: set[int]) -> None:
    """Raises _Unknown unless `node` is plain JSON that reads back as it is."""
    kind = type(node)
    if kind is str:
        if not node.isascii():
            node.encode()  # a lone surrogate (valid in JSON's \u escapes) is not UTF-8
        return
    if kind in _SCALARS:
        return
    if id(node) in seen:  # shared or cyclic: jsonpickle keeps that, JSON would not
        raise _Unknown
    seen.add(id(node))
    if kind is dict:
        for key, item in node.items():
            if type(key) is not str or key == TYPE_KEY:
                raise _Unknown
            if not key.isascii():
                key.encode()
            _check(item, seen)
        return
    if kind is list:
        for item in node:
            _check(item, seen)
        return
    raise _Unknown


def _unmarked(node: Any) -> Any:
    """A "state/1" tree, with botbuilder's marked objects (rows written before) as plain dicts
    under their public attribute names; changed in place."""
    kind = type(node)
    if kind is dict:
        for item in node.values():
            if type(item) is dict or type(item) is list:
                _unmarked(item)
        name = node.get(TYPE_KEY)
        if name is not None:
            renamed = _MARKS.get(name) if type(name) is str else None
            if renamed is None:
                raise ValueError(f"unknown class in dialogue state: {name!r}")
            for private, public in renamed.items():
                if private in node:
                    node[public] = node.pop(private)
    elif kind is list:
        for item in node:
            if type(item) is dict or type(item) is list:
                _unmarked(item)
    return node


# --- rows written with jsonpickle ------------------------------------------------------------


class _JsonpickledDialogState:
    """botbuilder-dialogs' DialogState as jsonpickle restores it here, without botbuilder."""


class _JsonpickledDialogInstance:
    """botbuilder-dialogs' DialogInstance, likewise."""


# The names jsonpickle wrote them under.
_JSONPICKLED: dict[str, type[Any]] = {
    "botbuilder.dialogs.dialog_state.DialogState": _JsonpickledDialogState,
    "botbuilder.dialogs.dialog_instance.DialogInstance": _JsonpickledDialogInstance,
}
_MARK_OF: dict[type[Any], str] = {
    _JsonpickledDialogState: "DialogState",
    _JsonpickledDialogInstance: "DialogInstance",
}


def _from_jsonpickle(text: str) -> Any:
    value = jsonpickle.decode(text, keys=True, classes=_JSONPICKLED)
    return _plain(value, {})


def _plain(node: Any, done: dict[int, Any]) -> Any:
    """A value jsonpickle restored, with botbuilder's objects as the same marked dicts as a
    "state/1" row's. Containers are changed in place, so what jsonpickle shared stays shared."""
    if id(node) in done:
        return done[id(node)]
    kind = type(node)
    name = _MARK_OF.get(kind)
    if name is not None:
        marked: dict[str, Any] = {TYPE_KEY: name}
        done[id(node)] = marked
        renamed = _MARKS[name]
        for attribute, item in vars(node).items():
            marked[renamed.get(attribute, attribute)] = _plain(item, done)
        return marked
    if isinstance(node, dict):
        done[id(node)] = node
        for key, item in node.items():
            node[key] = _plain(item, done)
    elif isinstance(node, list):
        done[id(node)] = node
        node[:] = [_plain(item, done) for item in node]
    elif kind is tuple:
        return tuple(_plain(item, done) for item in node)
    return node
