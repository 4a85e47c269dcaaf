"""Sample experience and training-case cards for the catalogue (schema tests, `tryggest cards`):
built by the functions the bot uses, from made-up experiences and generated training cases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from cards.experience_cards import (
    IN_CHANNEL,
    IN_CHAT,
    digest_card,
    done_card,
    experience_card,
    experience_form_card,
    preview_card,
    results_card,
)
from cards.report_cards import Card
from cards.texts import Language, text
from cards.training_cards import ShownTrainingCase, training_card
from domain.access import Person
from domain.experience import MAX_FIELD_LENGTH, ExperienceDraft, anonymise_draft
from domain.training import generate
from domain.views import ExperienceView

NETWORKS = [("0e7a0000000000000000000000000001", "TryggEst-nettverket Øst")]
TWO_NETWORKS = [*NETWORKS, ("0e7a0000000000000000000000000002", "TryggEst-nettverket Sør")]
DRAFT_ID = "d7af0000000000000000000000000001"
SHARED = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
TEXTS = {
    "situation": (
        "Kari Nordmann (84) har demens og bor alene. Sønnen har fullmakt til kontoen og tok ut "
        "store beløp. Hjemmetjenesten på Solgløtt så at det ikke var mat i huset. Ring ham på "
        "412 34 567."
    ),
    "done": "Samtale med henne alene, så samarbeidsmøte med fastlege og NAV. Verge ble oppnevnt.",
    "worked": "Å snakke med henne uten sønnen til stede.",
    "not_worked": "Å ringe sønnen først: han avlyste hjemmetjenesten i to uker.",
    "differently": "Kontakte banken tidligere.",
}
TAGS = {
    "violence": ("financial", "psychological"),
    "vulnerability": ("dementia", "old_age"),
    "measure": ("conversation", "finances"),
    "service": ("home_care", "gp", "guardian"),
    "region": ("east",),
}


def sample_experience(number: int = 1, useful: int = 3, long: bool = False) -> ExperienceView:
    draft = ExperienceDraft(NETWORKS[0][0], TEXTS, TAGS)
    texts = {k: anonymise_draft(draft, ["Kari Nordmann"]).text(k) for k in TEXTS}
    if long:
        texts = {k: ("Lang erfaring. " * 80)[:MAX_FIELD_LENGTH] for k in TEXTS}
    return ExperienceView(
        id=f"e0e0{number:028d}",
        network_team_id=NETWORKS[0][0],
        network_name=NETWORKS[0][1],
        author=Person("tenant", "author"),
        texts=texts,
        tags=TAGS,
        useful_count=useful,
        from_case=False,
        created_at=SHARED,
        posted=None,
    )


def experience_cards_in(lang: Language) -> Iterator[tuple[str, Card]]:
    yield "experience_form", experience_form_card(lang, NETWORKS, DRAFT_ID)
    yield (
        "experience_form.problems",
        experience_form_card(
            lang, TWO_NETWORKS, DRAFT_ID, {**TEXTS, "violence": ["financial"]}, ["done", "too_long"]
        ),
    )
    yield (
        "experience_form.from_case",
        experience_form_card(
            lang,
            NETWORKS,
            DRAFT_ID,
            {"situation": "Kvinne, 80 år eller eldre."},
            from_case="TE-2026-0042",
        ),
    )
    draft = ExperienceDraft(NETWORKS[0][0], TEXTS, TAGS)
    yield (
        "experience_preview",
        preview_card(lang, anonymise_draft(draft, ["Kari Nordmann"]), DRAFT_ID, NETWORKS[0][1]),
    )
    plain = ExperienceDraft(NETWORKS[0][0], {"situation": "En eldre kvinne.", "done": "Samtale."})
    yield (
        "experience_preview.nothing",
        preview_card(lang, anonymise_draft(plain, []), DRAFT_ID, NETWORKS[0][1]),
    )
    longest = ExperienceDraft(
        NETWORKS[0][0], {k: "Ola " * (MAX_FIELD_LENGTH // 4) for k in TEXTS}, TAGS
    )
    yield (
        "experience_preview.longest",
        preview_card(lang, anonymise_draft(longest, []), DRAFT_ID, NETWORKS[0][1]),
    )
    yield (
        "experience_shared",
        done_card(
            lang,
            text(lang, "experience.shared.title"),
            text(lang, "experience.shared", network=NETWORKS[0][1]),
        ),
    )
    yield "experience_card.channel", experience_card(lang, sample_experience(), IN_CHANNEL)
    yield "experience_card.chat", experience_card(lang, sample_experience(), IN_CHAT)
    yield "experience_card.longest", experience_card(lang, sample_experience(long=True), IN_CHANNEL)
    hits = [sample_experience(n, useful=5 - n) for n in range(1, 6)]
    yield "experience_results", results_card(lang, "økonomisk utnyttelse demens", {}, hits)
    yield (
        "experience_results.filtered",
        results_card(lang, "", {"violence": "financial", "region": "east"}, hits[:2]),
    )
    yield "experience_results.none", results_card(lang, "nettovergrep", {}, [])
    yield "experience_digest", digest_card(lang, NETWORKS[0][1], "november 2026", hits[:3])
    many = [sample_experience(n, long=True) for n in range(1, 13)]
    yield "experience_digest.many", digest_card(lang, NETWORKS[0][1], "november 2026", many)
    for seed in (0, 1, 2):
        made = generate(seed)
        case = ShownTrainingCase(
            id=f"7a{seed:030d}",
            title=made.title,
            narrative=made.narrative,
            questions=made.questions,
            situation=made.situation,
            violence=made.violence,
            barrier=made.barrier,
        )
        yield (
            f"training_card.{seed}",
            training_card(
                lang, case, [("t1", "TryggEst-teamet i Moss"), ("t2", "TryggEst-nettverket Øst")]
            ),
        )
        yield f"training_card.channel_{seed}", training_card(lang, case, in_channel=True)
