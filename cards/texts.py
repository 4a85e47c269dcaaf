"""Every sentence a user reads, per language: bokmål (default), nynorsk and English.

Written for a tired person on a phone: short, kind, concrete (klarspråk). A key missing in
nynorsk or English falls back to bokmål rather than failing.
"""

from __future__ import annotations

from typing import Any

from cards.texts_nn import NN

Language = str

NB: dict[str, str] = {
    "closed.back": "Du gikk tilbake.",
    "closed.edit": "Du endrer meldingen …",
    "case.title": "Sak {number}",
    "case.status": "Status",
    "case.received": "Mottatt",
    "case.reported_by": "Meldt av",
    "case.show_personal": "Vis personopplysninger",
    "case.who_has_seen": "Hvem har sett saken?",
    "case.personal_title": "Personopplysninger i {number}",
    "case.erased": "Personopplysningene er slettet fordi oppbevaringstiden er ute. Opplysningene til statistikk finnes fortsatt.",
    "case.name": "Navn",
    "case.birth": "Født",
    "case.reporter_phone": "Melders telefon",
    "case.anonymous": "Anonym drøfting: ingen navn er registrert.",
    "case.logged": "At du har sett dette, er logget.",
    "case.seen_title": "Hvem har sett {number}",
    "case.seen.anonymised": "så saken",
    "case.seen.identifiable": "så personopplysningene",
    "case.seen.log": "så loggen",
    "case.seen.refused": "avvist",
    "case.seen_none": "Ingen har sett saken ennå.",
    "case.unknown_person": "ukjent person (…{id})",
    "case.not_found": "Jeg fant ingen sak {number} som du har tilgang til.",
    "case.which_municipality": "Saksnummeret {number} finnes i flere kommuner. Hvilken mener du?",
    "case.no_access": "Du har ikke tilgang til dette. Spør TryggEst-koordinatoren hvis du mener du trenger det.",
    "case.only_personal_chat": "Saker åpnes bare i en privat chat med meg, ikke i en kanal.",
    "review.title": "Tilgangsgjennomgang",
    "review.intro": "Hvem som har sett saker de siste {days} dagene. ⚠ betyr at noen som ikke har saken, har sett personopplysningene.",
    "review.intro_month": "Hvem som har sett saker i {month}. ⚠ betyr at noen som ikke har saken, har sett personopplysningene.",
    "review.flagged": "personopplysninger sett av noen som ikke har saken: {who}",
    "review.none": "Ingen saker er sett i perioden.",
    "review.nothing_flagged": "Ingenting å merke seg.",
    "progress.open": "Spørsmål {n}",
    "value.phone": "telefon {phone}",
    "cancel.confirm": "Vil du avbryte meldingen?",
    "cancel.confirm_hint": "Det du har skrevet blir slettet, og ingenting blir sendt.",
    "button.cancel_yes": "Ja, avbryt",
    "button.cancel_no": "Nei, fortsett",
    "closed.cancelled": "Avbrutt – ingenting er sendt.",
    "closed.sent": "Sendt som {number}.",
    # --- welcome and help ---
    "welcome.title": "Hei, jeg er TryggEst",
    "welcome.body": (
        "Her kan du melde fra hvis du er bekymret for at en voksen blir utsatt for vold eller "
        "overgrep. Meldingen går til TryggEst-teamet i kommunen, som tar saken videre."
    ),
    "welcome.acute": "Er noen i fare nå? Ring 112.",
    "button.report": "Meld bekymring",
    "button.help": "Hjelp",
    "button.my_reports": "Mine meldinger",
    "help.title": "Dette kan jeg hjelpe med",
    "help.commands": (
        "- **meld bekymring** – send en bekymringsmelding til TryggEst-teamet\n"
        "- **mine meldinger** – se meldingene du har sendt, og status\n"
        "- **avbryt** – stopp meldingen du skriver (ingenting blir sendt)\n"
        "- **tilbake** – gå ett spørsmål tilbake\n"
        "- **hjelp** – vis denne hjelpen"
    ),
    "help.card_title": "Tiltakskort: Hva gjør jeg hvis jeg tror en voksen blir utsatt for vold?",
    "help.card_steps": (
        "1. **Er noen i fare nå?** Ring 112 (politi) eller 113 (medisinsk nødhjelp).\n"
        "2. **Alvorlig, men ikke akutt?** Snakk med lederen din og ring politiet på 02800.\n"
        "3. **Ta bekymringen på alvor.** Lytt, og ikke lov å holde det hemmelig.\n"
        "4. **Ikke konfronter den du mistenker.** Det kan gjøre det farligere for den utsatte.\n"
        "5. **Skriv ned fakta:** hva du så eller hørte, når og hvor. Ikke tolk.\n"
        "6. **Snakk med din leder**, og meld fra til TryggEst-teamet.\n"
        "7. **Spør om samtykke.** Uten samtykke kan teamet drøfte saken anonymt."
    ),
    # --- the report: questions ---
    "progress": "Spørsmål {n} av {total}",
    "button.next": "Neste",
    "button.back": "Tilbake",
    "button.cancel": "Avbryt",
    "q.acute": "Er noen i akutt fare akkurat nå?",
    "q.acute.hint": "Svar ja hvis noen kan bli skadet nå eller om kort tid.",
    "q.acute.yes": "Ja, noen er i fare nå",
    "q.acute.no": "Nei",
    "acute.title": "Ring nå – før du skriver mer",
    "acute.steps": (
        "1. **Ring 112** (politi) hvis noen er i fare nå.\n"
        "2. **Ring 113** (medisinsk nødhjelp) hvis noen trenger helsehjelp straks.\n"
        "3. **Alvorlig, men ikke akutt?** Snakk med lederen din og ring politiet på **02800**."
    ),
    "acute.note": "En melding til TryggEst erstatter ikke å ringe. Fortsett når det er trygt.",
    "button.continue_report": "Fortsett meldingen",
    "button.stop_report": "Avbryt meldingen",
    "q.acute_guidance": "Vil du fortsette meldingen nå?",
    "q.consent": "Har personen samtykket til at du melder fra med navn?",
    "q.consent.hint": (
        "Uten samtykke gjelder taushetsplikten, og teamet drøfter saken anonymt. "
        "Avvergeplikt: er det sikkert eller mest sannsynlig at et alvorlig lovbrudd skjer, "
        "skal du melde selv uten samtykke (straffeloven § 196)."
    ),
    "consent.anonymous_note": (
        "Da drøfter vi saken anonymt. Jeg spør ikke om navn, fødselsdato, adresse eller annet "
        "som kan vise hvem det er. Ikke skriv det i fritekst heller."
    ),
    "q.municipality": "Hvilken kommune gjelder det?",
    "q.municipality.hint": "Kommunen der personen bor eller får tjenester.",
    "q.person_name": "Hva heter personen det gjelder?",
    "q.person_name.hint": "Fornavn og etternavn.",
    "q.birth": "Når er personen født?",
    "q.birth.hint": "Fødselsdato (for eksempel 12.03.1941) eller bare årstall. Skriv «vet ikke» hvis du ikke vet.",
    "q.age_band": "Omtrent hvor gammel er personen?",
    "q.age_band.hint": "Bare aldersgruppe, så ingen kan kjenne igjen personen.",
    "q.gender": "Hvilket kjønn har personen?",
    "q.residence": "Hvor bor personen?",
    "q.residence.hint": "Adresse, eller hva slags bolig (for eksempel omsorgsbolig eller sykehjem).",
    "q.vulnerability": "Hva gjør personen sårbar?",
    "q.vulnerability.hint": "Velg alt som passer.",
    "q.violence": "Hva er du bekymret for?",
    "q.violence.hint": "Velg alt som passer.",
    "q.perpetrator": "Hvem tror du står bak?",
    "q.perpetrator.hint": "Velg «Ukjent» hvis du ikke vet.",
    "q.what_happened": "Hva har skjedd?",
    "q.what_happened.hint": "Skriv fakta: hvem, hva, når og hvor.",
    "q.what_happened.hint_anonymous": "Skriv fakta: hva, når og hvor. Ikke skriv navn eller adresse.",
    "q.what_happened.placeholder": "Skriv her …",
    "q.knowledge": "Hvordan vet du dette?",
    "q.reporter_service": "Hvor jobber du, eller hvem er du?",
    "q.reporter_service.hint": "Tjenesten din – eller om du er pårørende, innbygger eller den det gjelder.",
    "q.reporter_phone": "Hvilket telefonnummer kan teamet ringe deg på?",
    "q.reporter_phone.hint": "Skriv «hopp over» hvis du ikke vil oppgi nummer.",
    "q.reporter_phone.placeholder": "For eksempel 912 34 567",
    "choose.placeholder": "Velg …",
    # --- answers that could not be used ---
    "retry.choice": "Jeg forstod ikke svaret. Trykk på et av valgene, eller skriv for eksempel «{example}».",
    "retry.choices": "Jeg forstod ikke alt. Trykk på valgene, eller skriv for eksempel «{example}».",
    "retry.birth": "Skriv fødselsdato som 12.03.1941, eller bare årstallet, for eksempel 1941. Personen må være over 18 år.",
    "retry.phone": "Det ser ikke ut som et telefonnummer. Skriv for eksempel 912 34 567, eller «hopp over».",
    "retry.empty": "Jeg trenger et svar her. Skriv noen ord.",
    "retry.short_text": "Svaret er for langt. Skriv kortere, høyst {max} tegn.",
    "too_long": "Svaret er for langt ({length} tegn). Skriv kortere, høyst {max} tegn – teamet tar kontakt hvis de trenger mer. Ingenting er sendt ennå.",
    "old_card": "Det kortet er fra et tidligere spørsmål. Svar på det siste spørsmålet, eller skriv «tilbake».",
    "stale_card": "Det kortet hører til en melding som er avsluttet. Skriv «meld bekymring» for å starte en ny.",
    "first_question": "Dette er det første spørsmålet.",
    "already_reporting": "Du er allerede i gang med en melding. Svar på spørsmålet, eller skriv «avbryt» for å starte på nytt.",
    # --- summary, send and receipt ---
    "summary.title": "Se over meldingen",
    "summary.intro": "Stemmer dette? Trykk «Endre» for å rette. Ingenting er sendt før du trykker «Send».",
    "summary.goes_to": "Meldingen går til {team}.",
    "button.send": "Send",
    "button.edit": "Endre",
    "part.acute": "Akutt fare",
    "part.consent": "Grunnlag",
    "part.municipality": "Kommune",
    "part.person": "Personen",
    "part.vulnerability": "Sårbarhet",
    "part.violence": "Bekymring",
    "part.perpetrator": "Antatt utøver",
    "part.what_happened": "Hva har skjedd",
    "part.knowledge": "Hvordan du vet det",
    "part.reporter": "Deg",
    "value.unknown": "Vet ikke",
    "value.no_phone": "ikke oppgitt",
    "value.born": "født {birth}",
    "receipt.title": "Takk. Meldingen er sendt.",
    "receipt.number": "Saksnummer",
    "receipt.next": (
        "TryggEst-teamet ser på meldingen og vurderer hva som skal gjøres. "
        "De kan ta kontakt med deg for flere opplysninger."
    ),
    "receipt.call_team": "Spørsmål? Ring {team} på {phone}.",
    "receipt.acute": "Er noen i fare nå? Ring 112.",
    "receipt.my_reports": "Skriv «mine meldinger» for å se status.",
    "receipt.already": "Denne meldingen er allerede sendt. Saksnummer: {number}.",
    "not_sent": (
        "Meldingen ble IKKE sendt – noe gikk galt hos oss. Det du har skrevet er tatt vare på. "
        "Trykk «Send» igjen om litt."
    ),
    "not_sent.call": " Haster det, ring {team} på {phone}.",
    "cancelled": "Meldingen er avbrutt, og ingenting er sendt. Skriv «meld bekymring» når du vil starte på nytt.",
    "nothing_to_cancel": "Du er ikke i gang med noen melding.",
    "stopped_after_acute": "Greit. Ingenting er sendt. Skriv «meld bekymring» når du vil melde.",
    "not_set_up": (
        "Organisasjonen din er ikke satt opp for TryggEst ennå, så jeg kan ikke ta imot meldingen "
        "her. Er noen i fare? Ring 112. Kontakt TryggEst-koordinatoren i kommunen."
    ),
    "no_identity": "Jeg kan ikke se hvem du er, så jeg kan ikke ta imot meldinger her. Bruk Teams-kontoen din fra jobben.",
    # --- my reports ---
    "my_reports.title": "Dine meldinger",
    "my_reports.empty": "Du har ikke sendt noen meldinger ennå.",
    "my_reports.line": "{number} · {date} · {municipality} · **{status}**",
    # --- elsewhere ---
    "channel_redirect": (
        "Meld bekymringer i en privat chat med meg, ikke her. "
        "Kanaler og gruppechatter skal ikke ha personopplysninger."
    ),
    "unknown": "Jeg forstod ikke helt. Skriv «meld bekymring» for å melde fra, eller «hjelp» for å se hva jeg kan.",
    "error": "Beklager, noe gikk galt hos oss. Prøv igjen om litt. Er noen i fare? Ring 112.",
    "unknown_action": "Den knappen virker ikke lenger. Skriv «hjelp» for å se hva du kan gjøre.",
    # --- people: who is who in a team (dialogs/people_commands.py) ---
    "role.member": "medlem",
    "role.coordinator": "koordinator",
    "role.leader": "leder",
    "role.network": "nettverksmedlem",
    "role.admin": "administrator",
    "kind.operational": "operativt team",
    "kind.leadership": "lederteam",
    "kind.network": "nettverk",
    "people.added": "{name} er lagt til som {role} i {team}.",
    "people.added_admin": "{name} er nå administrator og kan styre hvem som er med i TryggEst-teamene her. Administratorer ser ikke sakene.",
    "people.already": "{name} er allerede {role} i {team}.",
    "people.removed": "{name} er fjernet fra {team}.",
    "people.removed_admin": "{name} er ikke lenger administrator.",
    "people.not_there": "{name} har ingen rolle i {team}.",
    "people.denied": "Du har ikke lov til å endre hvem som er med i {team}. Det kan koordinatoren for teamet eller en administrator gjøre.",
    "people.denied_admin": "Bare en administrator kan gjøre noen til administrator, eller ta den rollen fra dem.",
    "people.denied_view": "Du har ikke lov til å se hvem som er med i {team}.",
    "people.roles_title": "Hvem er med i {team}:",
    "people.roles_line": "- {name}: {roles}",
    "people.roles_empty": "Ingen er lagt inn i {team} ennå.",
    "people.unnamed": "(uten navn)",
    "people.no_mention": "Nevn personen med @, for eksempel: legg til @Kari Nordmann som medlem",
    "people.unknown_role": "Jeg kjenner ikke den rollen. Skriv medlem, koordinator, leder, nettverksmedlem eller admin.",
    "people.no_team": "Dette Teams-teamet er ikke satt opp i TryggEst. En administrator kan legge det inn i konfigurasjonsfilen.",
    "people.no_team_for_role": "Dette Teams-teamet har ikke noe {kind} i TryggEst, så ingen kan bli {role} her.",
    "people.not_found": "Jeg finner ikke {name} i Teams-teamet. Personen må være med i teamet først.",
    "people.no_teams_team": "{team} er ikke knyttet til et Teams-team, så jeg kan ikke slå opp personen. Skriv kommandoen i teamets kanal.",
    "people.where": "Dette virker bare i kanalen til et TryggEst-team, eller i en privat chat med meg.",
    "people.personal_none": "Du er ikke koordinator for noe TryggEst-team. Skriv kommandoen i kanalen til teamet, og nevn meg med @TryggEst.",
    "people.personal_several": "Du er koordinator for flere team ({teams}). Skriv kommandoen i kanalen til teamet det gjelder.",
    "people.ambiguous": "Flere TryggEst-team bruker dette Teams-teamet ({teams}). Skriv kommandoen i kanalen til teamet det gjelder.",
    "people.synced": "Medlemmene er hentet fra Teams: {added} lagt til, {removed} fjernet. {team} har nå {members} medlemmer. Koordinatorer og de som er lagt til for hånd, er ikke endret.",
    "people.sync_ambiguous": "Flere operative team bruker dette Teams-teamet, så jeg kan ikke hente medlemmene automatisk. Legg dem til med «legg til @navn som medlem».",
    "people.sync_failed": "Jeg fikk ikke hentet medlemslisten fra Teams. Ingenting er endret. Prøv igjen om litt.",
    "people.no_operational": "Dette Teams-teamet har ikke noe operativt team i TryggEst, så det er ingen medlemmer å hente.",
    "people.usage": (
        "Slik styrer du hvem som er med i teamet:\n"
        "- **legg til @navn som medlem** (eller koordinator, leder, nettverksmedlem, admin)\n"
        "- **fjern @navn**\n"
        "- **roller** – hvem er med, og hvilken rolle de har\n"
        "- **synk medlemmer** – hent medlemmene fra Teams-teamet"
    ),
}

EN: dict[str, str] = {
    "closed.back": "You went back.",
    "closed.edit": "You are changing the report …",
    "case.title": "Case {number}",
    "case.status": "Status",
    "case.received": "Received",
    "case.reported_by": "Reported by",
    "case.show_personal": "Show personal details",
    "case.who_has_seen": "Who has seen this case?",
    "case.personal_title": "Personal details in {number}",
    "case.erased": "The personal details have been erased because the retention period is over. The statistical details remain.",
    "case.name": "Name",
    "case.birth": "Born",
    "case.reporter_phone": "Reporter's phone",
    "case.anonymous": "Anonymous consultation: no name is recorded.",
    "case.logged": "That you have seen this is logged.",
    "case.seen_title": "Who has seen {number}",
    "case.seen.anonymised": "saw the case",
    "case.seen.identifiable": "saw the personal details",
    "case.seen.log": "saw the log",
    "case.seen.refused": "refused",
    "case.seen_none": "Nobody has seen the case yet.",
    "case.unknown_person": "unknown person (…{id})",
    "case.not_found": "I found no case {number} that you have access to.",
    "case.which_municipality": "Case number {number} exists in several municipalities. Which one do you mean?",
    "case.no_access": "You do not have access to this. Ask the TryggEst coordinator if you think you need it.",
    "case.only_personal_chat": "Cases are opened only in a private chat with me, not in a channel.",
    "review.title": "Access review",
    "review.intro": "Who has seen cases in the last {days} days. ⚠ means someone who does not have the case saw the personal details.",
    "review.intro_month": "Who has seen cases in {month}. ⚠ means someone who does not have the case saw the personal details.",
    "review.flagged": "personal details seen by someone who does not have the case: {who}",
    "review.none": "No cases were seen in the period.",
    "review.nothing_flagged": "Nothing to note.",
    "progress.open": "Question {n}",
    "value.phone": "phone {phone}",
    "cancel.confirm": "Do you want to cancel the report?",
    "cancel.confirm_hint": "What you have written will be deleted, and nothing will be sent.",
    "button.cancel_yes": "Yes, cancel",
    "button.cancel_no": "No, continue",
    "closed.cancelled": "Cancelled – nothing was sent.",
    "closed.sent": "Sent as {number}.",
    "welcome.title": "Hi, I'm TryggEst",
    "welcome.body": (
        "Here you can speak up if you are worried that an adult is being subjected to violence "
        "or abuse. Your report goes to the municipality's TryggEst team, who take it from there."
    ),
    "welcome.acute": "Is someone in danger now? Call 112.",
    "button.report": "Report a concern",
    "button.help": "Help",
    "button.my_reports": "My reports",
    "help.title": "What I can help with",
    "help.commands": (
        "- **report** – send a report of concern to the TryggEst team\n"
        "- **my reports** – see the reports you have sent, and their status\n"
        "- **cancel** – stop the report you are writing (nothing is sent)\n"
        "- **back** – go back one question\n"
        "- **help** – show this help"
    ),
    "help.card_title": "Action card: what do I do if I think an adult is subjected to violence?",
    "help.card_steps": (
        "1. **Is someone in danger now?** Call 112 (police) or 113 (medical emergency).\n"
        "2. **Serious but not acute?** Talk to your manager and call the police on 02800.\n"
        "3. **Take the concern seriously.** Listen, and do not promise to keep it secret.\n"
        "4. **Do not confront the person you suspect.** It can make things more dangerous.\n"
        "5. **Write down facts:** what you saw or heard, when and where. Do not interpret.\n"
        "6. **Talk to your manager**, and report to the TryggEst team.\n"
        "7. **Ask for consent.** Without it, the team can discuss the case anonymously."
    ),
    "progress": "Question {n} of {total}",
    "button.next": "Next",
    "button.back": "Back",
    "button.cancel": "Cancel",
    "q.acute": "Is anyone in immediate danger right now?",
    "q.acute.hint": "Answer yes if someone could be hurt now or very soon.",
    "q.acute.yes": "Yes, someone is in danger now",
    "q.acute.no": "No",
    "acute.title": "Call now – before you write more",
    "acute.steps": (
        "1. **Call 112** (police) if someone is in danger now.\n"
        "2. **Call 113** (medical emergency) if someone needs health care at once.\n"
        "3. **Serious but not acute?** Talk to your manager and call the police on **02800**."
    ),
    "acute.note": "A report to TryggEst does not replace calling. Continue when it is safe.",
    "button.continue_report": "Continue the report",
    "button.stop_report": "Cancel the report",
    "q.acute_guidance": "Do you want to continue the report now?",
    "q.consent": "Has the person consented to you reporting with their name?",
    "q.consent.hint": (
        "Without consent, confidentiality applies and the team discusses the case anonymously. "
        "Duty to avert: if a serious offence is certain or most likely, you must report even "
        "without consent (Penal Code § 196)."
    ),
    "consent.anonymous_note": (
        "Then we discuss the case anonymously. I will not ask for a name, date of birth, address "
        "or anything else that shows who it is. Please do not write it in free text either."
    ),
    "q.municipality": "Which municipality is it?",
    "q.municipality.hint": "Where the person lives or receives services.",
    "q.person_name": "What is the person's name?",
    "q.person_name.hint": "First and last name.",
    "q.birth": "When was the person born?",
    "q.birth.hint": "Date of birth (for example 12.03.1941) or just the year. Type “don't know” if you don't know.",
    "q.age_band": "Roughly how old is the person?",
    "q.age_band.hint": "Only an age group, so that nobody can recognise the person.",
    "q.gender": "What is the person's gender?",
    "q.residence": "Where does the person live?",
    "q.residence.hint": "An address, or the kind of home (for example supported housing or a nursing home).",
    "q.vulnerability": "What makes the person vulnerable?",
    "q.vulnerability.hint": "Choose all that apply.",
    "q.violence": "What are you worried about?",
    "q.violence.hint": "Choose all that apply.",
    "q.perpetrator": "Who do you think is responsible?",
    "q.perpetrator.hint": "Choose “Unknown” if you don't know.",
    "q.what_happened": "What has happened?",
    "q.what_happened.hint": "Write facts: who, what, when and where.",
    "q.what_happened.hint_anonymous": "Write facts: what, when and where. Do not write names or addresses.",
    "q.what_happened.placeholder": "Write here …",
    "q.knowledge": "How do you know this?",
    "q.reporter_service": "Where do you work, or who are you?",
    "q.reporter_service.hint": "Your service – or whether you are a relative, a member of the public or the person concerned.",
    "q.reporter_phone": "Which phone number can the team call you on?",
    "q.reporter_phone.hint": "Type “skip” if you would rather not give a number.",
    "q.reporter_phone.placeholder": "For example 912 34 567",
    "choose.placeholder": "Choose …",
    "retry.choice": "I didn't understand that. Tap one of the options, or type for example “{example}”.",
    "retry.choices": "I didn't understand all of it. Tap the options, or type for example “{example}”.",
    "retry.birth": "Type the date of birth as 12.03.1941, or just the year, for example 1941. The person must be over 18.",
    "retry.phone": "That doesn't look like a phone number. Type for example 912 34 567, or “skip”.",
    "retry.empty": "I need an answer here. Type a few words.",
    "retry.short_text": "That answer is too long. Please keep it under {max} characters.",
    "too_long": "That answer is too long ({length} characters). Please keep it under {max} – the team will contact you if they need more. Nothing has been sent yet.",
    "old_card": "That card is from an earlier question. Answer the latest question, or type “back”.",
    "stale_card": "That card belongs to a report that has ended. Type “report” to start a new one.",
    "first_question": "This is the first question.",
    "already_reporting": "You are already writing a report. Answer the question, or type “cancel” to start over.",
    "summary.title": "Check your report",
    "summary.intro": "Is this right? Tap “Change” to correct it. Nothing is sent until you tap “Send”.",
    "summary.goes_to": "The report goes to {team}.",
    "button.send": "Send",
    "button.edit": "Change",
    "part.acute": "Immediate danger",
    "part.consent": "Basis",
    "part.municipality": "Municipality",
    "part.person": "The person",
    "part.vulnerability": "Vulnerability",
    "part.violence": "Concern",
    "part.perpetrator": "Presumed perpetrator",
    "part.what_happened": "What happened",
    "part.knowledge": "How you know",
    "part.reporter": "You",
    "value.unknown": "Don't know",
    "value.no_phone": "not given",
    "value.born": "born {birth}",
    "receipt.title": "Thank you. Your report has been sent.",
    "receipt.number": "Case number",
    "receipt.next": (
        "The TryggEst team will look at your report and decide what to do. "
        "They may contact you for more information."
    ),
    "receipt.call_team": "Questions? Call {team} on {phone}.",
    "receipt.acute": "If someone is in danger now, call 112.",
    "receipt.my_reports": "Type “my reports” to see the status.",
    "receipt.already": "This report has already been sent. Case number: {number}.",
    "not_sent": (
        "Your report was NOT sent – something went wrong on our side. What you wrote has been "
        "kept. Tap “Send” again in a little while."
    ),
    "not_sent.call": " If it is urgent, call {team} on {phone}.",
    "cancelled": "The report has been cancelled and nothing was sent. Type “report” when you want to start again.",
    "nothing_to_cancel": "You are not writing a report.",
    "stopped_after_acute": "All right. Nothing has been sent. Type “report” when you want to report.",
    "not_set_up": (
        "Your organisation has not been set up for TryggEst yet, so I cannot take your report "
        "here. If someone is in danger, call 112. Contact the municipality's TryggEst coordinator."
    ),
    "no_identity": "I cannot see who you are, so I cannot take reports here. Please use your work Teams account.",
    "my_reports.title": "Your reports",
    "my_reports.empty": "You have not sent any reports yet.",
    "my_reports.line": "{number} · {date} · {municipality} · **{status}**",
    "channel_redirect": (
        "Please report concerns in a private chat with me, not here. "
        "Channels and group chats must not hold personal data."
    ),
    "unknown": "I didn't quite understand. Type “report” to report a concern, or “help” to see what I can do.",
    "error": "Sorry, something went wrong on our side. Please try again shortly. If someone is in danger, call 112.",
    "unknown_action": "That button no longer works. Type “help” to see what you can do.",
    # --- people: who is who in a team (dialogs/people_commands.py) ---
    "role.member": "member",
    "role.coordinator": "coordinator",
    "role.leader": "leader",
    "role.network": "network member",
    "role.admin": "administrator",
    "kind.operational": "operational team",
    "kind.leadership": "leadership team",
    "kind.network": "network",
    "people.added": "{name} has been added as {role} of {team}.",
    "people.added_admin": "{name} is now an administrator and can manage who is in the TryggEst teams here. Administrators do not see cases.",
    "people.already": "{name} is already {role} of {team}.",
    "people.removed": "{name} has been removed from {team}.",
    "people.removed_admin": "{name} is no longer an administrator.",
    "people.not_there": "{name} has no role in {team}.",
    "people.denied": "You are not allowed to change who is in {team}. The team's coordinator or an administrator can do that.",
    "people.denied_admin": "Only an administrator can make someone an administrator, or take that role away.",
    "people.denied_view": "You are not allowed to see who is in {team}.",
    "people.roles_title": "Who is in {team}:",
    "people.roles_line": "- {name}: {roles}",
    "people.roles_empty": "Nobody has been added to {team} yet.",
    "people.unnamed": "(no name)",
    "people.no_mention": "Mention the person with @, for example: add @Kari Nordmann as member",
    "people.unknown_role": "I don't know that role. Write member, coordinator, leader, network member or admin.",
    "people.no_team": "This Teams team is not set up in TryggEst. An administrator can add it to the configuration file.",
    "people.no_team_for_role": "This Teams team has no {kind} in TryggEst, so nobody can become {role} here.",
    "people.not_found": "I can't find {name} in the Teams team. The person must be a member of the team first.",
    "people.no_teams_team": "{team} is not linked to a Teams team, so I can't look the person up. Write the command in the team's channel.",
    "people.where": "This only works in a TryggEst team's channel, or in a private chat with me.",
    "people.personal_none": "You are not the coordinator of any TryggEst team. Write the command in the team's channel and mention me with @TryggEst.",
    "people.personal_several": "You coordinate several teams ({teams}). Write the command in the channel of the team it is about.",
    "people.ambiguous": "Several TryggEst teams use this Teams team ({teams}). Write the command in the channel of the team it is about.",
    "people.synced": "Members fetched from Teams: {added} added, {removed} removed. {team} now has {members} members. Coordinators and people added by hand are unchanged.",
    "people.sync_ambiguous": "Several operational teams use this Teams team, so I can't fetch the members automatically. Add them with “add @name as member”.",
    "people.sync_failed": "I couldn't fetch the member list from Teams. Nothing has changed. Please try again shortly.",
    "people.no_operational": "This Teams team has no operational team in TryggEst, so there are no members to fetch.",
    "people.usage": (
        "How to manage who is in the team:\n"
        "- **add @name as member** (or coordinator, leader, network member, admin)\n"
        "- **remove @name**\n"
        "- **roles** – who is in, and their roles\n"
        "- **sync members** – fetch the members from the Teams team"
    ),
}

CATALOGUES: dict[Language, dict[str, str]] = {"nb": NB, "nn": NN, "en": EN}


def text(lang: Language, key: str, **values: Any) -> str:
    catalogue = CATALOGUES.get(lang, NB)
    template = catalogue.get(key) or NB[key]
    return template.format(**values) if values else template


def language_for_locale(locale: str | None) -> Language:
    """Teams sends e.g. 'nb-NO', 'nn-NO', 'en-US'; anything else gets bokmål."""
    tag = (locale or "").lower()
    if tag.startswith("en"):
        return "en"
    if tag.startswith("nn"):
        return "nn"
    return "nb"
