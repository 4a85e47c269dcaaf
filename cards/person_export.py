"""The access request's file (GDPR art. 15): everything stored about the person in one case, as
a plain document the municipality can hand over — the personal details, what is recorded about
the case, its timeline with what people wrote, the text shared in the channel, and who has
seen the case."""

from __future__ import annotations

from cards.case_cards import PERSONAL_FIELD_LABELS, coded_facts, personal_facts
from cards.channel_cards import timeline_line
from cards.markup import typed
from cards.report_cards import OSLO, format_date
from cards.texts import Language, text
from domain.views import COMMAND_LINE, CORRECTED, ERASED, EXPORTED, AccessRecord, PersonRecord

_ACTIONS = {
    "case.view_anonymised": "case.seen.anonymised",
    "case.view_identifiable": "case.seen.identifiable",
    "case.view_access_log": "case.seen.log",
    EXPORTED: "case.seen.exported",
    ERASED: "case.seen.erased",
    CORRECTED: "case.seen.corrected",
}


def person_export(lang: Language, record: PersonRecord) -> str:
    """The document, as Markdown."""
    case = record.case
    when = format_date(record.exported_at, lang)
    lines = [f"# {text(lang, 'export.title', number=case.number)}", ""]
    lines += [text(lang, "export.made", date=when), ""]
    lines += [f"## {text(lang, 'export.personal')}", ""]
    personal = case.personal or {}
    if case.erased or not personal:
        lines.append(text(lang, "export.erased"))
    lines += [f"- {label}: {value}" for label, value in personal_facts(lang, personal)]
    if personal.get("what_happened"):
        what = text(lang, PERSONAL_FIELD_LABELS["what_happened"])
        lines.append(f"- {what}: {typed(str(personal['what_happened']))}")
    lines += ["", f"## {text(lang, 'export.coded')}", ""]
    lines += [f"- {fact.title}: {fact.value}" for fact in coded_facts(lang, case)]
    lines += ["", f"## {text(lang, 'export.timeline')}", ""]
    for entry in record.timeline:
        lines.append(f"- {timeline_line(lang, entry, record.names)}")
        if entry.text:
            lines.append(f"  > {typed(entry.text)}")
    lines += ["", f"## {text(lang, 'export.shared')}", ""]
    lines.append(typed(case.shared_text) if case.shared_text else text(lang, "export.none"))
    lines += ["", f"## {text(lang, 'export.reads')}", ""]
    lines += [f"- {_read_line(lang, read, record)}" for read in record.reads]
    if not record.reads:
        lines.append(text(lang, "export.none"))
    return "\n".join(lines) + "\n"


def _read_line(lang: Language, read: AccessRecord, record: PersonRecord) -> str:
    if read.who.aad_object_id == COMMAND_LINE:
        who = text(lang, "export.command_line")
    else:
        who = typed(record.names.get(read.who)) or text(
            lang, "case.unknown_person", id=read.who.aad_object_id[-6:]
        )
    key = _ACTIONS.get(read.action)
    what = text(lang, key) if key else read.action
    refused = "" if read.allowed else " – " + text(lang, "case.seen.refused")
    at = f"{format_date(read.at, lang)} {read.at.astimezone(OSLO):%H.%M}"
    return f"{at} · {who} · {what}{refused}"
