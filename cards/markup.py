"""What a person typed, made safe to show in a card or a message: it reads exactly as typed.

Teams renders a TextBlock's text (and a message's) as Markdown: "[klikk](https://…)" becomes a
working link inside the bot's own, trusted card, "**fet**" bold, "# " a heading, "- " a list.
Everything a person wrote — free text, names, answers, notes, titles, experiences — goes through
`typed()` before it enters a card, so that nothing in it becomes a link, emphasis, heading, list,
mention or HTML. The bot's own texts (cards/texts.py) keep their Markdown and links.
"""

from __future__ import annotations

import re

# A word joiner: invisible, and it stops a link being recognised ("https:⁠//", "vg.⁠no", "a@⁠b").
_JOIN = "\u2060"
# Characters that start Markdown inline syntax anywhere in a line (CommonMark's escapable
# punctuation that matters here): emphasis, code, links, images, HTML, entities, tables,
# strikethrough, and the backslash itself.
_INLINE = re.compile(r"([\\`*_\[\]<>&|~!])")
# At the start of a line: headings, block quotes, lists, thematic breaks, setext underlines,
# fenced code.
_LINE_START = re.compile(r"^([ \t]*)([#>+=-]|\d{1,9}[.)])", re.MULTILINE)
# A dot counts before a letter only: a top-level domain is letters, a date or a time is not.
_LINKS = re.compile(r"(://|@|(?<=[^\W_])\.(?=[^\W\d_]))")
_LEADING_SPACE = re.compile(r"^[ \t]+", re.MULTILINE)


def typed(text: str | None) -> str:
    """`text` as a person typed it, escaped for Teams Markdown."""
    if not text:
        return ""
    # Indentation would make a code block: keep it visible as non-breaking spaces.
    text = _LEADING_SPACE.sub(lambda m: "\u00a0" * len(m.group(0).expandtabs(4)), text)
    text = _INLINE.sub(r"\\\1", text)
    text = _LINE_START.sub(lambda m: m.group(1) + _escape_marker(m.group(2)), text)
    return _LINKS.sub(lambda m: _break_link(m.group(1)), text)


def _escape_marker(marker: str) -> str:
    if marker[-1] in ".)":  # "1." or "1)": escape the punctuation, not the number
        return marker[:-1] + "\\" + marker[-1]
    return "\\" + marker


def _break_link(found: str) -> str:
    # "https:⁠//", "kari@⁠x", "vg.⁠no": a domain, an address or an e-mail is no longer one.
    return found[0] + _JOIN + found[1:]
