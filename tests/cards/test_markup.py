"""What a person typed reads exactly as typed in a card: no Markdown construct in it becomes a
link, emphasis, heading, list, mention or HTML. Rendered with markdown-it (the parser of the
Adaptive Cards renderer Teams' desktop and web clients use), with link recognition on."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from cards.markup import typed

_RENDERER = MarkdownIt("commonmark", {"linkify": True}).enable(
    ["linkify", "strikethrough", "table"]
)
# Block tokens a plain paragraph is made of, and the inline tokens plain text is made of.
_PLAIN_BLOCKS = {"paragraph_open", "paragraph_close", "inline"}
_PLAIN_INLINE = {"text", "softbreak", "hardbreak"}


def rendered(markdown: str) -> tuple[set[str], str]:
    """The kinds of token the Markdown becomes, and the text a reader sees."""
    kinds: set[str] = set()
    seen: list[str] = []
    for token in _RENDERER.parse(markdown):
        kinds.add(token.type)
        if token.type == "paragraph_close":
            seen.append("\n")
        for child in token.children or []:
            kinds.add(child.type)
            if child.type == "text":
                seen.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                seen.append("\n")
    return kinds, "".join(seen)


def reads_as(original: str) -> str:
    """What the reader should see: the text, with spacing as a paragraph shows it."""
    lines = [" ".join(line.split()) for line in original.splitlines()]
    return "\n".join(line for line in lines if line)


def shown(escaped: str) -> str:
    _, text = rendered(escaped)
    text = text.replace("\u2060", "").replace("\u00a0", " ")
    return reads_as(text)


# --- the examples --------------------------------------------------------------------


def test_a_markdown_link_stays_text_and_shows_its_address() -> None:
    kinds, _ = rendered(typed("[klikk](https://evil.example)"))
    assert kinds <= _PLAIN_BLOCKS | _PLAIN_INLINE
    assert shown(typed("[klikk](https://evil.example)")) == "[klikk](https://evil.example)"


def test_bold_stays_text() -> None:
    assert rendered(typed("**fet**"))[0] <= _PLAIN_BLOCKS | _PLAIN_INLINE
    assert shown(typed("**fet**")) == "**fet**"


def test_a_bare_address_an_email_and_www_are_not_made_links() -> None:
    for text in ("se https://evil.example nå", "www.evil.example", "skriv til kari@evil.example"):
        assert rendered(typed(text))[0] <= _PLAIN_BLOCKS | _PLAIN_INLINE, text
        assert shown(typed(text)) == text


def test_html_and_a_mention_stay_text() -> None:
    for text in ("<b>fet</b>", "<at>Lars</at>", "<img src=x onerror=alert(1)>", "&amp; &lt;"):
        assert rendered(typed(text))[0] <= _PLAIN_BLOCKS | _PLAIN_INLINE, text
        assert shown(typed(text)) == text


def test_headings_lists_quotes_and_code_stay_text() -> None:
    for text in (
        "# Overskrift",
        "- punkt\n- punkt",
        "1. første\n2) andre",
        "> sitat",
        "    kode",
        "```\nkode\n```",
        "---",
        "tekst\n===",
        "+ pluss",
    ):
        assert rendered(typed(text))[0] <= _PLAIN_BLOCKS | _PLAIN_INLINE, text
        assert shown(typed(text)) == reads_as(text), text


def test_ordinary_text_is_unchanged() -> None:
    text = "Kari (84) har blåmerker på armene, 3. gang i høst. Sønnen tar pengene hennes."
    assert typed(text) == text


# --- generated Markdown ----------------------------------------------------------------------

_CONSTRUCTS = st.sampled_from(
    [
        "[{w}]({u})",
        "![{w}]({u})",
        "<{u}>",
        "{u}",
        "**{w}**",
        "*{w}*",
        "_{w}_",
        "__{w}__",
        "~~{w}~~",
        "`{w}`",
        "# {w}",
        "## {w}",
        "- {w}",
        "* {w}",
        "+ {w}",
        "1. {w}",
        "9) {w}",
        "> {w}",
        "    {w}",
        "```\n{w}\n```",
        "---",
        "{w}\n===",
        "<b>{w}</b>",
        "<at>{w}</at>",
        "&amp;{w}",
        "| {w} | {w} |\n|---|---|",
        "{w}@evil.example",
        "www.{w}.no",
        "\\{w}",
        "[{w}]: {u}",
    ]
)
_WORDS = st.text(
    alphabet=st.characters(whitelist_categories=("L", "N"), whitelist_characters="æøåÆØÅ "),
    min_size=1,
    max_size=12,
).filter(lambda w: w.strip() != "")
_URLS = st.sampled_from(["https://evil.example", "http://x.no/a?b=1", "javascript:alert(1)"])


@st.composite
def markdown_texts(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        construct = draw(_CONSTRUCTS)
        parts.append(construct.format(w=draw(_WORDS).strip(), u=draw(_URLS)))
    return draw(st.sampled_from([" ", "\n", "\n\n"])).join(parts)


@settings(max_examples=300, deadline=None)
@given(markdown_texts())
def test_no_generated_markdown_becomes_anything_but_plain_text(text: str) -> None:
    text = unicodedata.normalize("NFC", text)
    kinds, _ = rendered(typed(text))
    assert kinds <= _PLAIN_BLOCKS | _PLAIN_INLINE, (text, kinds - _PLAIN_BLOCKS - _PLAIN_INLINE)
    assert shown(typed(text)) == reads_as(text)
