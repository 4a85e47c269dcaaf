"""The cards of experiences shared in the network: the author's form and the anonymised preview
(every replacement marked, nothing shared before "Del"), the card in the network channel with its
"Nyttig" button (Action.Execute: everyone sees the new count), search results with tag filters,
and the monthly digest.

An experience card shows what was written (anonymised and confirmed), the tags, and how many found
it useful; never who wrote it nor which municipality: in a small place that could point to a
person.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from microsoft_teams.cards import (
    Action,
    ActionSet,
    AdaptiveCard,
    CardElement,
    Choice,
    ChoiceSetInput,
    Container,
    ExecuteAction,
    Fact,
    FactSet,
    ShowCardAction,
    SubmitAction,
    TextBlock,
    TextInput,
)

from cards.markup import typed
from cards.report_cards import ACTION_KEY, Card, format_date, heading, make_card, paragraph
from cards.texts import Language, text
from domain.anonymiser import AnonymisedText
from domain.experience import (
    FIELDS,
    MAX_FIELD_LENGTH,
    REQUIRED_FIELDS,
    SINGLE_TAGS,
    TAG_LISTS,
    AnonymisedExperience,
    title_of,
)
from domain.views import ExperienceView

EXPERIENCE_KEY = "experience"
VERB_PREFIX = "tryggest.experience."
# Where a "Nyttig" button sits: the channel card is answered with itself, redrawn.
IN_CHANNEL = "channel"
IN_CHAT = "chat"
# Search results show this much of each experience; "Les hele" shows the rest.
EXCERPT = 220


def _submit(title: str, command: str, inputs: bool = False, **data: Any) -> SubmitAction:
    return SubmitAction(
        title=title,
        data={ACTION_KEY: EXPERIENCE_KEY, "command": command, **data},
        associated_inputs="auto" if inputs else "none",
    )


def _choices(kind: str, lang: Language) -> list[Choice]:
    return [Choice(title=c.label(lang), value=c.code) for c in TAG_LISTS[kind].codes]


def _title(tags: Mapping[str, tuple[str, ...]], lang: Language) -> str:
    return title_of(tags, lang) or text(lang, "experience.untitled")


def tag_facts(tags: Mapping[str, tuple[str, ...]], lang: Language) -> list[Fact]:
    return [
        Fact(
            title=text(lang, f"experience.tag.{kind}"),
            value=", ".join(TAG_LISTS[kind].labels(list(codes), lang)),
        )
        for kind, codes in tags.items()
        if codes and kind in TAG_LISTS
    ]


def _excerpt(value: str, length: int = EXCERPT) -> str:
    value = " ".join(value.split())
    return value if len(value) <= length else value[: length - 1].rstrip() + "…"


# --- the author's form and preview ----------------------------------------------------------


def experience_form_card(
    lang: Language,
    networks: Sequence[tuple[str, str]],
    draft_id: str,
    values: Mapping[str, Any] | None = None,
    problems: Sequence[str] = (),
    from_case: str | None = None,
) -> Card:
    """The form: five questions, then tags. `values` fill it in again (an edit, a prefill from a
    closed case, or the same form with what to fix)."""
    values = values or {}
    body: list[CardElement] = [heading(text(lang, "experience.form.title"))]
    if from_case:
        body.append(paragraph(text(lang, "experience.form.from_case", number=from_case)))
    body.append(paragraph(text(lang, "experience.form.intro"), subtle=True))
    if problems:
        body.append(
            TextBlock(
                text="\n\n".join(text(lang, f"experience.problem.{p}") for p in problems),
                color="Attention",
                wrap=True,
            )
        )
    if len(networks) > 1:
        body.append(
            ChoiceSetInput(
                id="network",
                label=text(lang, "experience.field.network"),
                style="expanded",
                value=str(values.get("network") or networks[0][0]),
                choices=[Choice(title=name, value=team_id) for team_id, name in networks],
                is_required=True,
            )
        )
    for name in FIELDS:
        body.append(
            TextInput(
                id=name,
                label=text(lang, f"experience.field.{name}"),
                placeholder=text(lang, f"experience.field.{name}.hint"),
                is_multiline=True,
                value=str(values.get(name) or "") or None,
                max_length=MAX_FIELD_LENGTH,
                is_required=name in REQUIRED_FIELDS or None,
                error_message=(
                    text(lang, f"experience.problem.{name}") if name in REQUIRED_FIELDS else None
                ),
            )
        )
    body.append(paragraph(text(lang, "experience.form.tags"), subtle=True))
    for kind in TAG_LISTS:
        chosen = values.get(kind)
        if isinstance(chosen, list | tuple):
            chosen = ",".join(chosen)
        body.append(
            ChoiceSetInput(
                id=kind,
                label=text(lang, f"experience.tag.{kind}"),
                style="compact",
                is_multi_select=None if kind in SINGLE_TAGS else True,
                value=str(chosen) if chosen else None,
                choices=_choices(kind, lang),
            )
        )
    return make_card(
        body,
        [
            _submit(
                text(lang, "experience.button.preview"), "preview", inputs=True, draft=draft_id
            ),
            _submit(text(lang, "experience.button.cancel"), "cancel", draft=draft_id),
        ],
    )


def marked(anonymised: AnonymisedText) -> str:
    """The anonymised text with each placeholder in bold, so the author sees what changed."""
    result = anonymised.text
    parts: list[str] = []
    position = 0
    for replacement in sorted(anonymised.replacements, key=lambda r: r.output_span[0]):
        start, end = replacement.output_span
        parts += [typed(result[position:start]), f"**{typed(result[start:end])}**"]
        position = end
    parts.append(typed(result[position:]))
    return "".join(parts)


def preview_card(
    lang: Language, experience: AnonymisedExperience, draft_id: str, network_name: str
) -> Card:
    """What the network will read, and the author's choice: share it, change it, or stop."""
    body: list[CardElement] = [
        heading(text(lang, "experience.preview.title", network=network_name)),
        paragraph(text(lang, "experience.preview.intro")),
    ]
    for name in FIELDS:
        written = experience.texts.get(name)
        if written is None or not written.text:
            continue
        body.append(
            TextBlock(
                text=text(lang, f"experience.field.{name}"),
                weight="Bolder",
                wrap=True,
                spacing="Medium",
            )
        )
        body.append(paragraph(marked(written)))
    facts = tag_facts(experience.tags, lang)
    if facts:
        body.append(FactSet(facts=facts, spacing="Medium"))
    replaced = [r for name in FIELDS for r in experience.texts[name].replacements]
    if replaced:
        body.append(
            Container(
                style="emphasis",
                spacing="Medium",
                items=[
                    TextBlock(
                        text=text(lang, "experience.preview.replaced", count=len(replaced)),
                        weight="Bolder",
                        wrap=True,
                    ),
                    FactSet(
                        facts=[
                            Fact(title=f"«{typed(r.original)}»", value=r.placeholder)
                            for r in replaced[:30]
                        ]
                    ),
                ],
            )
        )
    else:
        body.append(paragraph(text(lang, "experience.preview.nothing_replaced"), subtle=True))
    body.append(paragraph(text(lang, "experience.preview.check"), subtle=True))
    return make_card(
        body,
        [
            _submit(
                text(lang, "experience.button.share"),
                "confirm",
                draft=draft_id,
                version=experience.fingerprint,
            ),
            _submit(text(lang, "experience.button.edit"), "edit", draft=draft_id),
            _submit(text(lang, "experience.button.cancel"), "cancel", draft=draft_id),
        ],
    )


def done_card(lang: Language, title: str, message: str) -> Card:
    """What became of a form or a preview (it is replaced, so no button lingers)."""
    return make_card([heading(title), paragraph(message)])


# --- an experience ------------------------------------------------------------------------------


def useful_action(lang: Language, view: ExperienceView, where: str) -> ExecuteAction:
    return ExecuteAction(
        title=text(lang, "experience.button.useful", count=view.useful_count),
        verb=VERB_PREFIX + "useful",
        data={
            ACTION_KEY: EXPERIENCE_KEY,
            "command": "useful",
            "experience": view.id,
            "view": where,
        },
        associated_inputs="none",
    )


def _written(lang: Language, view: ExperienceView) -> list[CardElement]:
    items: list[CardElement] = []
    for name in FIELDS:
        value = view.texts.get(name) or ""
        if not value:
            continue
        items.append(
            TextBlock(
                text=text(lang, f"experience.field.{name}"),
                weight="Bolder",
                wrap=True,
                spacing="Medium",
            )
        )
        items.append(paragraph(typed(value)))
    return items


def experience_card(lang: Language, view: ExperienceView, where: str = IN_CHANNEL) -> Card:
    """The experience in full: in the network channel, or in a member's own chat."""
    title = title_of(view.tags, lang)
    body: list[CardElement] = [
        heading(
            text(lang, "experience.card.title", title=title)
            if title
            else text(lang, "experience.untitled")
        ),
        paragraph(
            text(
                lang,
                "experience.card.shared",
                date=format_date(view.created_at, lang),
                network=view.network_name,
            ),
            subtle=True,
        ),
        *_written(lang, view),
    ]
    facts = tag_facts(view.tags, lang)
    if facts:
        body.append(FactSet(facts=facts, spacing="Medium"))
    body.append(
        paragraph(text(lang, "experience.card.useful_count", count=view.useful_count), subtle=True)
    )
    if where == IN_CHANNEL:
        body.append(paragraph(text(lang, "experience.card.discuss"), subtle=True))
    return make_card(body, [useful_action(lang, view, where)])


# --- search --------------------------------------------------------------------------------------


def _filter_form(lang: Language, query: str, filters: Mapping[str, str]) -> AdaptiveCard:
    body: list[CardElement] = [
        TextInput(
            id="q",
            label=text(lang, "experience.search.words"),
            value=query or None,
            max_length=200,
        )
    ]
    for kind in TAG_LISTS:
        body.append(
            ChoiceSetInput(
                id=kind,
                label=text(lang, f"experience.tag.{kind}"),
                style="compact",
                value=filters.get(kind) or None,
                placeholder=text(lang, "experience.search.any"),
                choices=_choices(kind, lang),
            )
        )
    return AdaptiveCard(
        version="1.5",
        body=body,
        actions=[_submit(text(lang, "experience.button.search"), "search", inputs=True)],
    )


def results_card(
    lang: Language,
    query: str,
    filters: Mapping[str, str],
    hits: Sequence[ExperienceView],
) -> Card:
    """The best matches: a title, an excerpt and the count of useful-marks each, a button to read
    one in full and one to mark it useful, and the filters to narrow the search."""
    if query:
        title = text(lang, "experience.search.title", query=typed(query))
    else:
        title = text(lang, "experience.search.title_newest")
    body: list[CardElement] = [heading(title)]
    if filters:
        chosen = [TAG_LISTS[k].label(v, lang) for k, v in filters.items() if k in TAG_LISTS]
        body.append(
            paragraph(text(lang, "experience.search.filtered", tags=", ".join(chosen)), subtle=True)
        )
    if not hits:
        body.append(paragraph(text(lang, "experience.search.none")))
    for view in hits:
        body.append(
            Container(
                separator=True,
                spacing="Medium",
                items=[
                    TextBlock(text=_title(view.tags, lang), weight="Bolder", wrap=True),
                    paragraph(
                        text(
                            lang,
                            "experience.search.meta",
                            date=format_date(view.created_at, lang),
                            count=view.useful_count,
                        ),
                        subtle=True,
                    ),
                    paragraph(typed(_excerpt(view.texts.get("situation") or ""))),
                    ActionSet(
                        actions=[
                            _submit(
                                text(lang, "experience.button.read"), "read", experience=view.id
                            ),
                            useful_action(lang, view, IN_CHAT),
                        ]
                    ),
                ],
            )
        )
    actions: list[Action] = [
        ShowCardAction(
            title=text(lang, "experience.button.filter"), card=_filter_form(lang, query, filters)
        ),
        _submit(text(lang, "experience.button.new"), "new"),
    ]
    return make_card(body, actions)


# --- the monthly digest ---------------------------------------------------------------------


def digest_card(
    lang: Language, network_name: str, month_name: str, shared: Sequence[ExperienceView]
) -> Card:
    body: list[CardElement] = [
        heading(text(lang, "experience.digest.title", network=network_name, month=month_name)),
        paragraph(text(lang, "experience.digest.intro", count=len(shared))),
    ]
    for view in shared[:10]:
        body.append(
            Container(
                separator=True,
                items=[
                    TextBlock(text=_title(view.tags, lang), weight="Bolder", wrap=True),
                    paragraph(typed(_excerpt(view.texts.get("situation") or "", 160))),
                    paragraph(
                        text(lang, "experience.card.useful_count", count=view.useful_count),
                        subtle=True,
                    ),
                    ActionSet(
                        actions=[
                            _submit(
                                text(lang, "experience.button.read"), "read", experience=view.id
                            )
                        ]
                    ),
                ],
            )
        )
    if len(shared) > 10:
        body.append(paragraph(text(lang, "experience.digest.more", count=len(shared) - 10)))
    return make_card(body, [_submit(text(lang, "experience.button.search"), "search")])
