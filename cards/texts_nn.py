"""Every sentence a user reads, in nynorsk: the same keys as NB in cards/texts.py."""

NN: dict[str, str] = {
    # --- reminders ---
    "reminder.late": "Denne påminninga skulle ha kome {when}.",
    "reminder.assessment_title": "{number} er ikkje vurdert",
    "reminder.assessment": "Saka {number} kom inn {reported} og er ikkje vurdert etter {days} arbeidsdagar. Sjå på ho i kanalen til teamet.",
    "reminder.escalation_title": "Ei sak ventar på vurdering",
    "reminder.escalation": "Saka {number} i {municipality} er ikkje vurdert etter {days} arbeidsdagar. Ta det opp med TryggEst-koordinatoren.",
    "reminder.follow_up_title": "Oppfølging av {number} i dag",
    "reminder.follow_up": "I dag, {day}, skal saka {number} følgjast opp.",
    "reminder.half_year_title": "Halvårsrapport {period} til Bufdir",
    "reminder.half_year": "Rapporten for {team} for {period} skal til Bufdir innan {deadline}. Det er {days} dagar til fristen.",
    "reminder.half_year_today": "Rapporten for {team} for {period} skal til Bufdir i dag, {deadline}.",
    "reminder.make_report": "Lag rapporten",
    "reminder.mark_sent": "Merk som sendt",
    "reminder.unreachable_title": "Ei påminning kom ikkje fram",
    "reminder.unreachable": "Eg får ikkje sendt påminningar til {name}. Be dei skrive «hei» til TryggEst i Teams, så når eg dei igjen.",
    # --- the team's work on a case (channel card, preview, timeline, the reporter) ---
    "at_time": "kl.",
    "work.title": "Sak {number}",
    "work.acute": "Meldt som akutt fare. Er politiet eller legevakta varsla?",
    "work.nobody": "Ingen enno",
    "work.assignee": "Saksansvarleg",
    "work.classification": "Vurdering",
    "work.risk": "Risiko",
    "work.position": "Rolla til TryggEst",
    "work.measures": "Tiltak",
    "work.measures_label": "Kva tenester er med i tiltaka?",
    "work.follow_up": "Oppfølging",
    "work.follow_up_label": "Når skal saka følgjast opp?",
    "work.outcome": "Utfall",
    "work.next_steps": "Neste steg",
    "work.position.coordinator.when": "personen er klar for endring",
    "work.position.guide.when": "personen er open, men nølar",
    "work.position.door_opener.when": "personen er ikkje klar",
    "work.position.coordinator.steps": "Lag ein plan saman med personen. Kall inn tenestene som trengst, avtal kven som gjer kva, og set ein dato for oppfølging.",
    "work.position.guide.steps": "Gi personen informasjon om hjelpa som finst. Hald kontakten, og la personen bestemme tempoet.",
    "work.position.door_opener.steps": "Hald døra open. Bygg tillit gjennom tenestene personen alt har, følg med på teikn, og gjer det lett å ta kontakt.",
    "work.position_intro": "Kor klar er personen for endring? Ønska til personen sjølv tel.",
    "work.shared_text": "Kva skjedde (anonymisert)",
    "work.text_waiting": "Fritekst blir vist her når koordinatoren har godkjent ein anonymisert versjon.",
    "work.take": "Eg tek saka",
    "work.assign": "Tildel",
    "work.assign_to": "Kven skal ha saka?",
    "work.classify": "Vurder",
    "work.risk_button": "Risiko",
    "work.risk_checklist": "Kryss av for det som stemmer",
    "work.position_button": "Refleksjon",
    "work.note": "Notat",
    "work.note_label": "Notat til saka. Det blir lagra i saka, ikkje i kanalen.",
    "work.save_note": "Lagre notat",
    "work.ask_reporter": "Spør meldar",
    "work.ask_reporter_label": "Spørsmål til den som melde. Meldaren svarar i chatten sin med TryggEst.",
    "work.ask_send": "Send spørsmålet",
    "work.close": "Avslutt",
    "work.close_confirm": "Avslutt saka",
    "work.reopen": "Opne igjen",
    "work.timeline": "Tidslinje",
    "work.preview_text": "Godkjenn fritekst",
    "work.save": "Lagre",
    "work.choose_one": "Vel eitt av alternativa.",
    "work.write_something": "Skriv noko først.",
    "work.done.take": "{name} tok saka.",
    "work.done.assign": "{name} tildelte saka.",
    "work.done.classify": "{name} vurderte saka.",
    "work.done.risk": "{name} vurderte risikoen.",
    "work.done.position": "{name} valde rolla til TryggEst.",
    "work.done.measures": "{name} registrerte tiltak.",
    "work.done.follow_up": "{name} sette dato for oppfølging.",
    "work.done.note": "{name} skreiv eit notat i saka.",
    "work.done.ask_reporter": "{name} sende eit spørsmål til meldaren.",
    "work.done.close": "{name} avslutta saka.",
    "work.done.reopen": "{name} opna saka igjen.",
    "work.done.share_text": "{name} delte fritekst.",
    "work.done.answer_reporter": "Meldaren har svart. Svaret står i tidslinja.",
    "work.refused.taken_by_other": "{name} har alt teke saka.",
    "work.refused.closed": "Saka er avslutta. Opne ho igjen først.",
    "work.refused.unknown_code": "Det valet kjenner eg ikkje. Vel frå lista.",
    "work.refused.empty_text": "Skriv noko først.",
    "work.refused.text_too_long": "Teksten er for lang. Kort han ned til {limit} teikn.",
    "work.refused.follow_up_in_past": "Datoen for oppfølging kan ikkje vere attende i tid.",
    "work.refused.assignee_not_in_team": "Den du valde, er ikkje med i teamet som har saka.",
    "work.refused.busy": "Fleire endra saka samstundes. Prøv igjen.",
    "work.refused.no_date": "Vel ein dato.",
    "work.sent_to_chat": "Sendt til deg i chatten med TryggEst.",
    "work.chat_unreachable": "Eg får ikkje sendt det til chatten din. Skriv «hei» til TryggEst i ein chat først, og prøv igjen.",
    "work.only_coordinator": "Berre koordinatoren kan godkjenne tekst til kanalen.",
    "work.team_blocked": "TryggEst kan ikkje lenger skrive i kanalen til {team}. Legg TryggEst til i teamet igjen. Nye saker ventar til då og blir ikkje borte.",
    "preview.title": "Fritekst til kanalen for {number}",
    "preview.intro": "Slik blir teksten i kanalen. Eg har bytt ut det som kan vise kven det gjeld. Sjå over, rett om du vil, og del.",
    "preview.again": "Eg fann fleire personopplysningar i teksten og har bytt dei ut. Sjå over igjen før du deler.",
    "preview.nothing_replaced": "Eg fann ingen personopplysningar å byte ut. Sjå likevel over teksten.",
    "preview.text_label": "Tekst til kanalen",
    "preview.logged": "At du har sett den opphavlege teksten, er logga.",
    "preview.share": "Del i kanalen",
    "preview.shared": "Teksten er delt i kanalen for {number}.",
    "timeline.title": "Tidslinje for {number}",
    "timeline.system": "TryggEst",
    "event.reported": "Meldt",
    "event.taken": "Tok saka",
    "event.assigned": "Tildelte saka",
    "event.classified": "Vurderte saka",
    "event.risk_assessed": "Vurderte risiko",
    "event.position_set": "Valde rolle",
    "event.measures_set": "Registrerte tiltak",
    "event.note": "Notat",
    "event.follow_up_set": "Sette dato for oppfølging",
    "event.closed": "Avslutta saka",
    "event.reopened": "Opna saka igjen",
    "event.reporter_asked": "Spurde meldaren",
    "event.reporter_answered": "Meldaren svarte",
    "event.text_shared": "Delte fritekst i kanalen",
    "event.personal_data_erased": "Personopplysningar sletta (oppbevaringstida er ute)",
    "reporter.status_title": "Nytt om {number}",
    "reporter.status.received": "TryggEst-teamet har fått meldinga di.",
    "reporter.status.being_assessed": "TryggEst-teamet ser no på meldinga di. Takk for at du melde frå.",
    "reporter.status.closed": "TryggEst-teamet har avslutta saka. Er du framleis uroleg, kan du melde på nytt.",
    "reporter.status_now": "Status: {status}",
    "reporter.question_title": "TryggEst-teamet har eit spørsmål om {number}",
    "reporter.answer_label": "Svaret ditt",
    "reporter.answer_hint": "Svaret går berre til TryggEst-teamet.",
    "reporter.answer_send": "Send svar",
    "reporter.answer_thanks": "Takk! Svaret ditt er sendt til TryggEst-teamet.",
    "closed.back": "Du gjekk tilbake.",
    "closed.edit": "Du endrar meldinga …",
    "case.title": "Sak {number}",
    "case.status": "Status",
    "case.received": "Motteken",
    "case.reported_by": "Meldt av",
    "case.show_personal": "Vis personopplysningar",
    "case.who_has_seen": "Kven har sett saka?",
    "case.personal_title": "Personopplysningar i {number}",
    "case.erased": "Personopplysningane er sletta fordi oppbevaringstida er ute. Opplysningane til statistikk finst framleis.",
    "case.name": "Namn",
    "case.birth": "Fødd",
    "case.reporter_phone": "Telefonen til melder",
    "case.anonymous": "Anonym drøfting: ingen namn er registrert.",
    "case.logged": "At du har sett dette, er logga.",
    "case.seen_title": "Kven har sett {number}",
    "case.seen.anonymised": "såg saka",
    "case.seen.identifiable": "såg personopplysningane",
    "case.seen.log": "såg loggen",
    "case.seen.refused": "avvist",
    "case.seen_none": "Ingen har sett saka enno.",
    "case.unknown_person": "ukjend person (…{id})",
    "case.not_found": "Eg fann inga sak {number} som du har tilgang til.",
    "case.which_municipality": "Saksnummeret {number} finst i fleire kommunar. Kva for ein meiner du?",
    "case.no_access": "Du har ikkje tilgang til dette. Spør TryggEst-koordinatoren om du meiner du treng det.",
    "case.only_personal_chat": "Saker blir berre opna i ein privat chat med meg, ikkje i ein kanal.",
    "review.title": "Tilgangsgjennomgang",
    "review.intro": "Kven som har sett saker dei siste {days} dagane. ⚠ tyder at nokon som ikkje har saka, har sett personopplysningane.",
    "review.intro_month": "Kven som har sett saker i {month}. ⚠ tyder at nokon som ikkje har saka, har sett personopplysningane.",
    "review.flagged": "personopplysningar sett av nokon som ikkje har saka: {who}",
    "review.none": "Ingen saker er sett i perioden.",
    "review.nothing_flagged": "Ingenting å merke seg.",
    "progress.open": "Spørsmål {n}",
    "value.phone": "telefon {phone}",
    "cancel.confirm": "Vil du avbryte meldinga?",
    "cancel.confirm_hint": "Det du har skrive blir sletta, og ingenting blir sendt.",
    "button.cancel_yes": "Ja, avbryt",
    "button.cancel_no": "Nei, hald fram",
    "closed.cancelled": "Avbrote – ingenting er sendt.",
    "closed.sent": "Sendt som {number}.",
    # --- welcome and help ---
    "welcome.title": "Hei, eg er TryggEst",
    "welcome.body": (
        "Her kan du melde frå viss du er uroleg for at ein vaksen blir utsett for vald eller "
        "overgrep. Meldinga går til TryggEst-teamet i kommunen, som tek saka vidare."
    ),
    "welcome.acute": "Er nokon i fare no? Ring 112.",
    "button.report": "Meld bekymring",
    "button.help": "Hjelp",
    "button.my_reports": "Mine meldingar",
    "help.title": "Dette kan eg hjelpe med",
    "help.commands": (
        "- **meld bekymring** – send ei bekymringsmelding til TryggEst-teamet\n"
        "- **mine meldingar** – sjå meldingane du har sendt, og status\n"
        "- **avbryt** – stopp meldinga du skriv (ingenting blir sendt)\n"
        "- **tilbake** – gå eitt spørsmål tilbake\n"
        "- **hjelp** – vis denne hjelpa"
    ),
    "help.card_title": "Tiltakskort: Kva gjer eg viss eg trur ein vaksen blir utsett for vald?",
    "help.card_steps": (
        "1. **Er nokon i fare no?** Ring 112 (politi) eller 113 (medisinsk naudhjelp).\n"
        "2. **Alvorleg, men ikkje akutt?** Snakk med leiaren din og ring politiet på 02800.\n"
        "3. **Ta bekymringa på alvor.** Lytt, og ikkje lov å halde det hemmeleg.\n"
        "4. **Ikkje konfronter den du mistenkjer.** Det kan gjere det farlegare for den utsette.\n"
        "5. **Skriv ned fakta:** kva du såg eller høyrde, når og kvar. Ikkje tolk.\n"
        "6. **Snakk med leiaren din**, og meld frå til TryggEst-teamet.\n"
        "7. **Spør om samtykke.** Utan samtykke kan teamet drøfte saka anonymt."
    ),
    # --- the report: questions ---
    "progress": "Spørsmål {n} av {total}",
    "button.next": "Neste",
    "button.back": "Tilbake",
    "button.cancel": "Avbryt",
    "q.acute": "Er nokon i akutt fare akkurat no?",
    "q.acute.hint": "Svar ja viss nokon kan bli skadd no eller om kort tid.",
    "q.acute.yes": "Ja, nokon er i fare no",
    "q.acute.no": "Nei",
    "acute.title": "Ring no – før du skriv meir",
    "acute.steps": (
        "1. **Ring 112** (politi) viss nokon er i fare no.\n"
        "2. **Ring 113** (medisinsk naudhjelp) viss nokon treng helsehjelp straks.\n"
        "3. **Alvorleg, men ikkje akutt?** Snakk med leiaren din og ring politiet på **02800**."
    ),
    "acute.note": "Ei melding til TryggEst erstattar ikkje å ringje. Hald fram når det er trygt.",
    "button.continue_report": "Hald fram med meldinga",
    "button.stop_report": "Avbryt meldinga",
    "q.acute_guidance": "Vil du halde fram med meldinga no?",
    "q.consent": "Har personen samtykt til at du melder frå med namn?",
    "q.consent.hint": (
        "Utan samtykke gjeld teieplikta, og teamet drøftar saka anonymt. "
        "Avvergeplikt: er det sikkert eller mest sannsynleg at eit alvorleg lovbrot skjer, "
        "skal du melde frå, sjølv om du ikkje har samtykke (straffelova § 196)."
    ),
    "consent.anonymous_note": (
        "Då drøftar vi saka anonymt. Eg spør ikkje om namn, fødselsdato, adresse eller anna "
        "som kan vise kven det er. Ikkje skriv det i fritekst heller."
    ),
    "q.municipality": "Kva kommune gjeld det?",
    "q.municipality.hint": "Kommunen der personen bur eller får tenester.",
    "q.person_name": "Kva heiter personen det gjeld?",
    "q.person_name.hint": "Førenamn og etternamn.",
    "q.birth": "Når er personen fødd?",
    "q.birth.hint": (
        "Fødselsdato (til dømes 12.03.1941) eller berre årstal. "
        "Skriv «veit ikkje» viss du ikkje veit."
    ),
    "q.age_band": "Om lag kor gammal er personen?",
    "q.age_band.hint": "Berre aldersgruppe, så ingen kan kjenne att personen.",
    "q.gender": "Kva kjønn har personen?",
    "q.residence": "Kvar bur personen?",
    "q.residence.hint": (
        "Adresse, eller kva slags bustad (til dømes omsorgsbustad eller sjukeheim)."
    ),
    "q.vulnerability": "Kva gjer personen sårbar?",
    "q.vulnerability.hint": "Vel alt som passar.",
    "q.violence": "Kva er du uroleg for?",
    "q.violence.hint": "Vel alt som passar.",
    "q.perpetrator": "Kven trur du står bak?",
    "q.perpetrator.hint": "Vel «Ukjend» viss du ikkje veit.",
    "q.what_happened": "Kva har skjedd?",
    "q.what_happened.hint": "Skriv fakta: kven, kva, når og kvar.",
    "q.what_happened.hint_anonymous": (
        "Skriv fakta: kva, når og kvar. Ikkje skriv namn eller adresse."
    ),
    "q.what_happened.placeholder": "Skriv her …",
    "q.knowledge": "Korleis veit du dette?",
    "q.reporter_service": "Kvar jobbar du, eller kven er du?",
    "q.reporter_service.hint": (
        "Tenesta di – eller om du er pårørande, innbyggjar eller den det gjeld."
    ),
    "q.reporter_phone": "Kva telefonnummer kan teamet ringje deg på?",
    "q.reporter_phone.hint": "Skriv «hopp over» viss du ikkje vil gi nummeret ditt.",
    "q.reporter_phone.placeholder": "Til dømes 912 34 567",
    "choose.placeholder": "Vel …",
    # --- answers that could not be used ---
    "retry.choice": (
        "Eg forstod ikkje svaret. Trykk på eitt av vala, eller skriv til dømes «{example}»."
    ),
    "retry.choices": "Eg forstod ikkje alt. Trykk på vala, eller skriv til dømes «{example}».",
    "retry.birth": (
        "Skriv fødselsdato som 12.03.1941, eller berre årstalet, til dømes 1941. "
        "Personen må vere over 18 år."
    ),
    "retry.phone": (
        "Det ser ikkje ut som eit telefonnummer. Skriv til dømes 912 34 567, eller «hopp over»."
    ),
    "retry.empty": "Eg treng eit svar her. Skriv nokre ord.",
    "retry.short_text": "Svaret er for langt. Skriv kortare, høgst {max} teikn.",
    "too_long": (
        "Svaret er for langt ({length} teikn). Skriv kortare, høgst {max} teikn – "
        "teamet tek kontakt viss dei treng meir. Ingenting er sendt enno."
    ),
    "old_card": (
        "Det kortet er frå eit tidlegare spørsmål. Svar på det siste spørsmålet, "
        "eller skriv «tilbake»."
    ),
    "stale_card": (
        "Det kortet høyrer til ei melding som er avslutta. "
        "Skriv «meld bekymring» for å starte ei ny."
    ),
    "first_question": "Dette er det første spørsmålet.",
    "already_reporting": (
        "Du er allereie i gang med ei melding. Svar på spørsmålet, "
        "eller skriv «avbryt» for å starte på nytt."
    ),
    # --- summary, send and receipt ---
    "summary.title": "Sjå over meldinga",
    "summary.intro": (
        "Stemmer dette? Trykk «Endre» for å rette. Ingenting er sendt før du trykkjer «Send»."
    ),
    "summary.goes_to": "Meldinga går til {team}.",
    "button.send": "Send",
    "button.edit": "Endre",
    "part.acute": "Akutt fare",
    "part.consent": "Grunnlag",
    "part.municipality": "Kommune",
    "part.person": "Personen",
    "part.vulnerability": "Sårbarheit",
    "part.violence": "Bekymring",
    "part.perpetrator": "Mogleg utøvar",
    "part.what_happened": "Kva har skjedd",
    "part.knowledge": "Korleis du veit det",
    "part.reporter": "Deg",
    "value.unknown": "Veit ikkje",
    "value.no_phone": "ikkje oppgitt",
    "value.born": "fødd {birth}",
    "receipt.title": "Takk. Meldinga er sendt.",
    "receipt.number": "Saksnummer",
    "receipt.next": (
        "TryggEst-teamet ser på meldinga og vurderer kva som skal gjerast. "
        "Dei kan ta kontakt med deg for fleire opplysningar."
    ),
    "receipt.call_team": "Spørsmål? Ring {team} på {phone}.",
    "receipt.acute": "Er nokon i fare no? Ring 112.",
    "receipt.my_reports": "Skriv «mine meldingar» for å sjå status.",
    "receipt.already": "Denne meldinga er allereie sendt. Saksnummer: {number}.",
    "not_sent": (
        "Meldinga vart IKKJE sendt – noko gjekk gale hos oss. Det du har skrive, er teke vare på. "
        "Trykk «Send» igjen om litt."
    ),
    "not_sent.call": " Hastar det, ring {team} på {phone}.",
    "cancelled": (
        "Meldinga er avbroten, og ingenting er sendt. "
        "Skriv «meld bekymring» når du vil starte på nytt."
    ),
    "nothing_to_cancel": "Du er ikkje i gang med noka melding.",
    "stopped_after_acute": (
        "Greitt. Ingenting er sendt. Skriv «meld bekymring» når du vil melde frå."
    ),
    "not_set_up": (
        "Organisasjonen din er ikkje sett opp for TryggEst enno, så eg kan ikkje ta imot meldinga "
        "her. Er nokon i fare? Ring 112. Kontakt TryggEst-koordinatoren i kommunen."
    ),
    "no_identity": (
        "Eg kan ikkje sjå kven du er, så eg kan ikkje ta imot meldingar her. "
        "Bruk Teams-kontoen din frå jobben."
    ),
    # --- my reports ---
    "my_reports.title": "Meldingane dine",
    "my_reports.empty": "Du har ikkje sendt nokon meldingar enno.",
    "my_reports.line": "{number} · {date} · {municipality} · **{status}**",
    # --- elsewhere ---
    "channel_redirect": (
        "Meld bekymringar i ein privat chat med meg, ikkje her. "
        "Kanalar og gruppechattar skal ikkje ha personopplysningar."
    ),
    "unknown": (
        "Eg forstod ikkje heilt. Skriv «meld bekymring» for å melde frå, "
        "eller «hjelp» for å sjå kva eg kan."
    ),
    "error": "Orsak, noko gjekk gale hos oss. Prøv igjen om litt. Er nokon i fare? Ring 112.",
    "unknown_action": "Den knappen verkar ikkje lenger. Skriv «hjelp» for å sjå kva du kan gjere.",
    # --- people: who is who in a team (dialogs/people_commands.py) ---
    "role.member": "medlem",
    "role.coordinator": "koordinator",
    "role.leader": "leiar",
    "role.network": "nettverksmedlem",
    "role.admin": "administrator",
    "kind.operational": "operativt team",
    "kind.leadership": "leiarteam",
    "kind.network": "nettverk",
    "people.added": "{name} er lagd til som {role} i {team}.",
    "people.added_admin": "{name} er no administrator og kan styre kven som er med i TryggEst-teama her. Administratorar ser ikkje sakene.",
    "people.already": "{name} er allereie {role} i {team}.",
    "people.removed": "{name} er fjerna frå {team}.",
    "people.removed_admin": "{name} er ikkje lenger administrator.",
    "people.not_there": "{name} har inga rolle i {team}.",
    "people.denied": "Du har ikkje lov til å endre kven som er med i {team}. Det kan koordinatoren for teamet eller ein administrator gjere.",
    "people.denied_admin": "Berre ein administrator kan gjere nokon til administrator, eller ta den rolla frå dei.",
    "people.denied_view": "Du har ikkje lov til å sjå kven som er med i {team}.",
    "people.roles_title": "Kven er med i {team}:",
    "people.roles_line": "- {name}: {roles}",
    "people.roles_empty": "Ingen er lagde inn i {team} enno.",
    "people.unnamed": "(utan namn)",
    "people.no_mention": "Nemn personen med @, til dømes: legg til @Kari Nordmann som medlem",
    "people.unknown_role": "Eg kjenner ikkje den rolla. Skriv medlem, koordinator, leiar, nettverksmedlem eller admin.",
    "people.no_team": "Dette Teams-teamet er ikkje sett opp i TryggEst. Ein administrator kan leggje det inn i konfigurasjonsfila.",
    "people.no_team_for_role": "Dette Teams-teamet har ikkje noko {kind} i TryggEst, så ingen kan bli {role} her.",
    "people.not_found": "Eg finn ikkje {name} i Teams-teamet. Personen må vere med i teamet først.",
    "people.no_teams_team": "{team} er ikkje knytt til eit Teams-team, så eg kan ikkje slå opp personen. Skriv kommandoen i kanalen til teamet.",
    "people.where": "Dette verkar berre i kanalen til eit TryggEst-team, eller i ein privat chat med meg.",
    "people.personal_none": "Du er ikkje koordinator for noko TryggEst-team. Skriv kommandoen i kanalen til teamet, og nemn meg med @TryggEst.",
    "people.personal_several": "Du er koordinator for fleire team ({teams}). Skriv kommandoen i kanalen til teamet det gjeld.",
    "people.ambiguous": "Fleire TryggEst-team brukar dette Teams-teamet ({teams}). Skriv kommandoen i kanalen til teamet det gjeld.",
    "people.synced": "Medlemmene er henta frå Teams: {added} lagde til, {removed} fjerna. {team} har no {members} medlemmer. Koordinatorar og dei som er lagde til for hand, er ikkje endra.",
    "people.sync_ambiguous": "Fleire operative team brukar dette Teams-teamet, så eg kan ikkje hente medlemmene automatisk. Legg dei til med «legg til @namn som medlem».",
    "people.sync_failed": "Eg fekk ikkje henta medlemslista frå Teams. Ingenting er endra. Prøv igjen om litt.",
    "people.no_operational": "Dette Teams-teamet har ikkje noko operativt team i TryggEst, så det er ingen medlemmer å hente.",
    "people.usage": (
        "Slik styrer du kven som er med i teamet:\n"
        "- **legg til @namn som medlem** (eller koordinator, leiar, nettverksmedlem, admin)\n"
        "- **fjern @namn**\n"
        "- **roller** – kven er med, og kva rolle dei har\n"
        "- **synk medlemmer** – hent medlemmene frå Teams-teamet"
    ),
    # --- vakta i teamkanalen ---
    "guard.fnr": "Denne meldinga ser ut til å innehalde eit fødselsnummer. Slett ho, og skriv saksnummeret (TE-…) i staden.",
    "guard.phone": "Denne meldinga ser ut til å innehalde eit telefonnummer. Viss det er nummeret til nokon i ei sak: slett meldinga, og skriv saksnummeret (TE-…) i staden.",
    "guard.email": "Denne meldinga ser ut til å innehalde ei e-postadresse. Viss ho høyrer til nokon i ei sak: slett meldinga, og skriv saksnummeret (TE-…) i staden.",
    "guard.name": "Denne meldinga ser ut til å innehalde namnet på ein person. Namn høyrer ikkje heime i kanalen: slett meldinga, og skriv saksnummeret (TE-…) i staden.",
    "guard.several": "Denne meldinga ser ut til å innehalde personopplysningar. Slett ho, og skriv saksnummeret (TE-…) i staden.",
}
