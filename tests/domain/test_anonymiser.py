"""The anonymiser: each identifier goes, everything the team needs stays.

Table-driven: each row is one behaviour, named by its id. The labelled evaluation set
(tests/data/anonymiser_eval.jsonl) carries the recall and over-redaction targets, and
hypothesis checks that generated identifiers never survive.
"""

from __future__ import annotations

import io
import json
import re
from datetime import date, timedelta
from pathlib import Path

import phonenumbers
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from stdnum.no import fodselsnummer, kontonr

from domain.anonymiser import AnonymisedText, Kind, anonymise, anonymise_jsonl
from domain.anonymiser.evaluation import load_cases, score

EVAL_SET = Path(__file__).resolve().parent.parent / "data" / "anonymiser_eval.jsonl"
DATA = Path(__file__).resolve().parents[2] / "domain" / "anonymiser" / "data"


def redacted(text: str, known: list[str] | None = None) -> str:
    return anonymise(text, known or []).text


# --- one identifier at a time -------------------------------------------------------------

IDENTIFIERS: list[tuple[str, str, list[str], str]] = [
    # (id, text, known names, expected)
    ("fnr whole", "Fnr 11034533395 er registrert.", [], "Fnr [fnr] er registrert."),
    ("fnr spaced 6+5", "fødselsnummer 110345 33395", [], "fødselsnummer [fnr]"),
    ("fnr with hyphen", "Pasient 110345-33395 innlagt.", [], "Pasient [fnr] innlagt."),
    ("d-nummer", "Hun har D-nummer 41034627388.", [], "Hun har D-nummer [fnr]."),
    ("fnr mistyped but dated", "fnr 11034533394", [], "fnr [fnr]"),
    ("phone spaced 3-2-3", "Ring 912 34 567 i kveld.", [], "Ring [telefon] i kveld."),
    ("phone in pairs", "tlf 91 23 45 67", [], "tlf [telefon]"),
    ("phone whole", "Nås på 91234567.", [], "Nås på [telefon]."),
    ("phone +47", "Mobil +47 912 34 567.", [], "Mobil [telefon]."),
    ("phone 0047", "Mobil 0047 91234567.", [], "Mobil [telefon]."),
    ("landline", "Fasttelefon 69 25 41 87.", [], "Fasttelefon [telefon]."),
    ("foreign phone", "Han ringte fra +46 70 123 45 67.", [], "Han ringte fra [telefon]."),
    ("e-mail", "Skriv til kari.n@online.no i dag.", [], "Skriv til [e-post] i dag."),
    ("e-mail (at)", "ola(at)gmail.com", [], "[e-post]"),
    ("account dotted", "Konto 1234.56.78903.", [], "Konto [kontonr]."),
    ("account spaced", "til kontonummer 9117 77 74125", [], "til kontonummer [kontonr]"),
    ("registration", "Bilen AB 12345 sto utenfor.", [], "Bilen [regnr] sto utenfor."),
    ("electric registration", "en hvit EL12345", [], "en hvit [regnr]"),
    ("registration lower case", "bil med skilt dn 48213", [], "bil med skilt [regnr]"),
    ("birth date numeric", "født 12.03.1941", [], "født [fødselsdato]"),
    ("birth date iso", "f. 1941-03-12", [], "f. [fødselsdato]"),
    ("birth date nynorsk words", "fødd 3. mars 1941", [], "fødd [fødselsdato]"),
    ("birth date six digits", "f 120341", [], "f [fødselsdato]"),
    ("old full date", "Kari (12.03.1941) bor alene.", [], "[navn] ([fødselsdato]) bor alene."),
    (
        "street, postcode, municipality kept",
        "Hun bor i Storgata 12B, 1530 Moss.",
        [],
        "Hun bor i [adresse] Moss.",
    ),
    (
        "postal place not a municipality",
        "Fjordveien 3 A, 1580 Rygge",
        [],
        "[adresse]",
    ),
    ("two-word street", "Kongens gate 4 er adressen.", [], "[adresse] er adressen."),
    ("street without number", "Han bor i Fjordveien.", [], "Han bor i [adresse]."),
    ("lower-case street", "bor i storgata 5 b i moss", [], "bor i [adresse] i moss"),
    ("post box", "Postboks 114, 1501 Moss", [], "[adresse] Moss"),
    ("farm", "De bor på Haugen gård i Rakkestad.", [], "De bor på [adresse] i Rakkestad."),
    ("institution", "Hun bor på Solsletta sykehjem.", [], "Hun bor på [institusjon]."),
    (
        "institution with unit",
        "Han bor på avdeling 2 på Solgløtt omsorgssenter.",
        [],
        "Han bor på [institusjon].",
    ),
    ("group home", "Lillevang bofellesskap", [], "[institusjon]"),
    ("named unit", "Hun er på avdeling Fjordglimt.", [], "Hun er på [institusjon]."),
    (
        "bare mention of a named institution",
        "Hun bor på Solsletta sykehjem. Personalet på Solsletta er bekymret.",
        [],
        "Hun bor på [institusjon]. Personalet på [institusjon] er bekymret.",
    ),
]


@pytest.mark.parametrize(
    ("text", "known", "expected"),
    [row[1:] for row in IDENTIFIERS],
    ids=[row[0] for row in IDENTIFIERS],
)
def test_identifier_is_replaced(text: str, known: list[str], expected: str) -> None:
    assert redacted(text, known) == expected


NAMES: list[tuple[str, str, list[str], str]] = [
    ("full name", "Kari Nordmann ringte.", ["Kari Nordmann"], "[navn] ringte."),
    ("first name alone", "Vi traff Kari i gangen.", ["Kari Nordmann"], "Vi traff [navn] i gangen."),
    ("surname alone", "Nordmann var redd.", ["Kari Nordmann"], "[navn] var redd."),
    ("genitive s", "Karis sønn kom.", ["Kari Nordmann"], "[navn]s sønn kom."),
    ("genitive sin", "Ola sin bil står ute.", ["Ola Hansen"], "[navn] sin bil står ute."),
    ("title", "fru Hansen var hjemme", ["Ola Hansen"], "fru [navn] var hjemme"),
    (
        "family compound",
        "Hansen-familien er bekymret.",
        ["Ola Hansen"],
        "[navn]-familien er bekymret.",
    ),
    ("lower case", "kari er redd", ["Kari Nordmann"], "[navn] er redd"),
    ("upper case", "KARI ER REDD", ["Kari Nordmann"], "[navn] ER REDD"),
    ("missing ø", "Rod var hjemme.", ["Åsa Rød"], "[navn] var hjemme."),
    ("missing å", "Vi snakket med Asa.", ["Åsa Rød"], "Vi snakket med [navn]."),
    ("aa for å", "Aasa var hjemme.", ["Åsa Rød"], "[navn] var hjemme."),
    ("typo in a report name", "Nordman var redd.", ["Kari Nordmann"], "[navn] var redd."),
    ("initial and surname", "K. Nordmann ringte.", ["Kari Nordmann"], "[navn] ringte."),
    ("initials of a report name", "A-L er redd.", ["Anne-Lise Moe"], "[navn] er redd."),
    ("neighbour by relation", "Naboen Per ringte.", [], "Naboen [navn] ringte."),
    (
        "grandson after possessive",
        "barnebarnet hans, Jonas, tok penger",
        [],
        "barnebarnet hans, [navn], tok penger",
    ),
    ("name-list word mid-sentence", "Hun sa at Ingrid kom.", [], "Hun sa at [navn] kom."),
    ("given and family name", "Sønnen Jonas Hansen kom.", [], "Sønnen [navn] kom."),
    ("unknown name by verb", "Vi vet at Zainab sa det.", [], "Vi vet at [navn] sa det."),
    ("unknown name by relation", "svigerdatteren Gülsüm", [], "svigerdatteren [navn]"),
    (
        "unknown name by 'kaller seg'",
        "en mann som kaller seg Rambo",
        [],
        "en mann som kaller seg [navn]",
    ),
    ("coordinated unknown name", "Kari og Zainab kom.", [], "[navn] og [navn] kom."),
    ("patronymic", "Vi ringte Kristoffersen i går.", [], "Vi ringte [navn] i går."),
    ("lower-case name by relation", "naboen per tar penga", [], "naboen [navn] tar penga"),
    ("police style", "HANSEN, Kari", ["Kari Hansen"], "[navn], [navn]"),
]


@pytest.mark.parametrize(
    ("text", "known", "expected"), [row[1:] for row in NAMES], ids=[row[0] for row in NAMES]
)
def test_name_is_replaced(text: str, known: list[str], expected: str) -> None:
    assert redacted(text, known) == expected


KEPT: list[tuple[str, str]] = [
    ("services", "Hjemmetjenesten, legevakt, NAV og fastlegen er varslet."),
    ("'annet' is a word, not a name", "Hun sa noe annet, og noe annet virket ikke."),
    ("services capitalised", "Saken er meldt til Nav, Politiet og Krisesenteret."),
    ("diagnoses", "Hun har demens, KOLS og Parkinsons sykdom."),
    ("eponymous diagnosis", "Han har Alzheimers sykdom og Downs syndrom."),
    ("relations", "Sønnen, barnebarnet, naboen og datteren har nøkkel."),
    ("municipalities", "Hun flyttet fra Moss til Råde, Våler og Indre Østfold."),
    ("municipality that is also a surname", "Hun har bodd i Lund siden 1980."),
    ("incident date and time", "Det skjedde 28. november kl. 14 i går kveld."),
    ("incident date numeric", "Hendelsen skjedde 12.03.2025 kl. 14.30."),
    ("amounts", "Han tok 50 000 kroner, og senere 12 500 000 kr."),
    ("amount in kroner", "Det kostet kr 91234567."),
    ("ages", "Hun er 85 år, og mannen (88) har demens."),
    ("birth year alone", "Hun er født i 1941."),
    ("emergency numbers", "Ring 112, 113 eller 02800, legevakt 116 117."),
    ("case number", "Saksnummer TE-2026-0042."),
    ("law references", "jf. straffeloven § 196 og helse- og omsorgstjenesteloven § 3-3 a"),
    ("per as a word", "Han får 50 kroner per dag."),
    ("Per at the start", "Per i dag er det ingen tiltak."),
    ("liv as a word", "Hun har et godt liv."),
    ("mai as a month", "I mai flyttet hun. Den 17. mai var alle samlet."),
    ("bjørn as an animal", "Han er sterk som en bjørn."),
    ("hans as a pronoun", "Hans sønn har vært voldelig, og sønnen hans drikker."),
    ("fall on the ground", "Hun falt i bakken 2 ganger."),
    ("generic institution words", "Sykehjemmet og omsorgssenteret har meldt avvik."),
    ("municipality's service", "Han ble kjørt til Moss legevakt."),
    ("nationality and country", "Mannen er fra Polen og snakker lite norsk."),
    ("brands", "Hun bruker Vipps og Facebook, men ikke BankID."),
    ("blood pressure and doses", "Blodtrykk 145/90, 2,5 mg Albyl-E daglig."),
    ("noun ending in -sen", "Adressen er ukjent."),
]


@pytest.mark.parametrize("text", [row[1] for row in KEPT], ids=[row[0] for row in KEPT])
def test_what_the_team_needs_is_kept(text: str) -> None:
    assert redacted(text) == text


def test_a_report_name_that_is_a_word_is_kept_as_a_word() -> None:
    text = "Han tar 100 kr per dag, og hun falt i bakken."
    assert redacted(text, ["Per Bakken"]) == text


# --- the result -------------------------------------------------------------------------------


def test_each_replacement_says_where_what_and_which_kind() -> None:
    text = "Kari ringte fra 912 34 567."
    result = anonymise(text, ["Kari Nordmann"])
    assert isinstance(result, AnonymisedText)
    assert result.text == "[navn] ringte fra [telefon]."
    name, phone = result.replacements
    assert (name.span, name.original, name.placeholder, name.kind) == (
        (0, 4),
        "Kari",
        "[navn]",
        Kind.NAME,
    )
    assert text[phone.span[0] : phone.span[1]] == phone.original == "912 34 567"
    assert result.text[phone.output_span[0] : phone.output_span[1]] == "[telefon]"


def test_text_without_identifiers_comes_back_unchanged() -> None:
    result = anonymise("Bruker har demens og bor alene.", [])
    assert result.text == "Bruker har demens og bor alene."
    assert result.replacements == ()
    assert not result.changed


def test_empty_text() -> None:
    assert anonymise("", ["Kari"]).text == ""


# --- JSON lines ---------------------------------------------------------------------------------


def test_json_lines_answer_each_request_by_id() -> None:
    requests = [
        json.dumps({"id": "a", "text": "Kari ringte.", "known_names": ["Kari Nordmann"]}),
        "",
        json.dumps({"id": 2, "text": "Ring 912 34 567."}),
        "not json",
    ]
    answers = [json.loads(line) for line in anonymise_jsonl(requests)]
    assert answers[0] == {"id": "a", "text": "[navn] ringte."}
    assert answers[1] == {"id": 2, "text": "Ring [telefon]."}
    assert answers[2]["id"] is None and "error" in answers[2]


def test_console_command_reads_stdin_and_writes_stdout(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tools.cli import main

    request = {"id": "x1", "text": "Naboen Per ringte.", "known_names": []}
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(request) + "\n"))
    assert main(["anonymise"]) == 0
    assert json.loads(capsys.readouterr().out) == {"id": "x1", "text": "Naboen [navn] ringte."}


# --- the labelled evaluation set ---------------------------------------------------------------

_MARK = re.compile(r"\{([a-zø\-]+):([^{}]*)\}")


def test_eval_set_is_consistent_with_its_markup() -> None:
    rows = [json.loads(line) for line in EVAL_SET.read_text("utf-8").splitlines() if line]
    assert len(rows) >= 400
    assert len({row["id"] for row in rows}) == len(rows)
    assert len({row["source"] for row in rows}) >= 7
    for row in rows:
        assert _MARK.sub(lambda m: m.group(2), row["marked"]) == row["text"], row["id"]
        assert _MARK.sub(lambda m: f"[{m.group(1)}]", row["marked"]) == row["expected"]
        for start, end, kind in row["spans"]:
            assert kind in {k.value for k in Kind}
            assert f"{{{kind}:{row['text'][start:end]}}}" in row["marked"]


def test_eval_set_recall_and_over_redaction() -> None:
    result = score(load_cases(EVAL_SET))
    misses = "\n".join(f"{i} {k} {o!r}" for i, k, o in result.misses)
    assert result.recall >= 0.99, misses
    assert result.over_redaction <= 0.01, result.overs
    for kind in result.identifiers:
        assert result.recall_of(kind) >= 0.9, (kind, misses)


# --- properties: generated identifiers never survive ------------------------------------------

CARRIERS = [
    "Hjemmetjenesten har registrert {x} i journalen.",
    "{x} ble oppgitt da vi ringte i går kveld.",
    "Sønnen oppga {x}, men vi har ikke sjekket det.",
    "ho fortalde at {x} var det rette",
    "Notat 28. november kl. 14: {x}. Bruker er 85 år.",
    "Datteren skrev {x} i meldingen til NAV.",
]


@st.composite
def fodselsnummer_strings(draw: st.DrawFn) -> str:
    born = draw(st.dates(min_value=date(1920, 1, 1), max_value=date(2005, 12, 31)))
    individual = draw(st.integers(0, 499) if born.year < 2000 else st.integers(500, 999))
    d_number = draw(st.booleans())
    day = born.day + (40 if d_number else 0)
    base = f"{day:02d}{born.month:02d}{born.year % 100:02d}{individual:03d}"
    first = fodselsnummer.calc_check_digit1(base)
    assume(len(first) == 1)
    second = fodselsnummer.calc_check_digit2(base + first)
    assume(len(second) == 1)
    number = base + first + second
    assume(fodselsnummer.is_valid(number))
    style = draw(st.sampled_from(["{0}", "{1} {2}", "{1}-{2}", "{1} {3} {4}"]))
    return style.format(number, number[:6], number[6:], number[6:9], number[9:])


@st.composite
def account_strings(draw: st.DrawFn) -> str:
    digits = draw(st.text("0123456789", min_size=10, max_size=10))
    # Mod 11 with weights 5,4,3,2,7,6,5,4,3,2 from the left; 0 stays 0, 1 is impossible.
    remainder = (
        sum(w * int(d) for w, d in zip((5, 4, 3, 2, 7, 6, 5, 4, 3, 2), digits, strict=True)) % 11
    )
    assume(remainder != 1)
    number = digits + str((11 - remainder) % 11)
    assume(kontonr.is_valid(number))
    style = draw(st.sampled_from(["{0}", "{1}.{2}.{3}", "{1} {2} {3}"]))
    return style.format(number, number[:4], number[4:6], number[6:])


@st.composite
def phone_strings(draw: st.DrawFn) -> str:
    first = draw(st.sampled_from("23456794"))
    rest = draw(st.text("0123456789", min_size=7, max_size=7))
    number = first + rest
    assume(phonenumbers.is_valid_number(phonenumbers.parse("+47" + number)))
    style = draw(
        st.sampled_from(
            [
                "tlf {0}",
                "tlf. {1} {2} {3}",
                "mobil {4} {5} {6} {7}",
                "ring {8}",
                "+47 {0}",
                "0047 {1} {2} {3}",
            ]
        )
    )
    return style.format(
        number,
        number[:3],
        number[3:5],
        number[5:],
        number[:2],
        number[2:4],
        number[4:6],
        number[6:],
        number[:4] + " " + number[4:],
    )


@st.composite
def email_strings(draw: st.DrawFn) -> str:
    word = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=10)
    local = draw(st.lists(word, min_size=1, max_size=3)).__iter__()
    separator = draw(st.sampled_from([".", "_", "-"]))
    domain = draw(
        st.sampled_from(["gmail.com", "online.no", "moss.kommune.no", "hotmail.com", "icloud.com"])
    )
    return separator.join(local) + "@" + domain


def _raw_digits_survive(number: str, output: str) -> bool:
    digits = re.sub(r"\D", "", number)
    return digits in re.sub(r"\D", "", output) or number in output


PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.filter_too_much]
)


@PROPERTY_SETTINGS
@given(number=fodselsnummer_strings(), carrier=st.sampled_from(CARRIERS))
def test_no_fodselsnummer_survives(number: str, carrier: str) -> None:
    output = redacted(carrier.format(x=number))
    assert not _raw_digits_survive(number, output), output


@PROPERTY_SETTINGS
@given(number=account_strings(), carrier=st.sampled_from(CARRIERS))
def test_no_account_number_survives(number: str, carrier: str) -> None:
    output = redacted(carrier.format(x=number))
    assert not _raw_digits_survive(number, output), output


@PROPERTY_SETTINGS
@given(number=phone_strings(), carrier=st.sampled_from(CARRIERS))
def test_no_phone_number_survives(number: str, carrier: str) -> None:
    output = redacted(carrier.format(x=number))
    body = re.sub(r"^\D+", "", number.replace("+47 ", "").replace("0047 ", ""))
    assert body not in output and re.sub(r"\D", "", body) not in re.sub(r"\D", "", output), output


@PROPERTY_SETTINGS
@given(address=email_strings(), carrier=st.sampled_from(CARRIERS))
def test_no_email_survives(address: str, carrier: str) -> None:
    output = redacted(carrier.format(x=address))
    assert "@" not in output and address not in output, output


def _names(file: str) -> list[str]:
    return [
        line for line in (DATA / file).read_text("utf-8").splitlines() if line and line[0] != "#"
    ]


FIRST_NAMES = _names("first_names.txt")
SURNAMES = _names("surnames.txt")
NAME_CARRIERS = [
    "Hjemmetjenesten fant {x} alene i stua i går kveld.",
    "{x} har ikke fått medisinene sine på to dager.",
    "Naboen sa at {x} var redd for sønnen.",
    "Vi har snakket med {x} om TryggEst, og hun vil ha hjelp.",
    "Pasienten {x} ble brakt inn til legevakten kl. 02.40.",
    "ho seier at {x} tek pengane hennar",
]


def _plain(name: str) -> str:
    return (
        name.replace("Å", "A")
        .replace("å", "a")
        .replace("Ø", "O")
        .replace("ø", "o")
        .replace("Æ", "Ae")
        .replace("æ", "ae")
    )


@PROPERTY_SETTINGS
@given(
    first=st.sampled_from(FIRST_NAMES),
    last=st.sampled_from(SURNAMES),
    form=st.sampled_from(["full", "first", "last", "genitive", "upper", "plain"]),
    carrier=st.sampled_from(NAME_CARRIERS),
)
def test_no_report_name_survives(first: str, last: str, form: str, carrier: str) -> None:
    written = {
        "full": f"{first} {last}",
        "first": first,
        "last": last,
        "genitive": first if first.endswith("s") else first + "s",
        "upper": f"{first} {last}".upper(),
        "plain": _plain(f"{first} {last}"),
    }[form]
    output = redacted(carrier.format(x=written), [f"{first} {last}"])
    for part in re.split(r"[\s-]+", written.removesuffix("s") if form == "genitive" else written):
        assert not re.search(rf"(?<!\w){re.escape(part)}(?!\w)", output), (written, output)


def test_dates_are_checked_as_dates_not_phone_numbers() -> None:
    day = date(2025, 11, 28)
    for offset in range(0, 60, 7):
        when = day - timedelta(days=offset)
        text = f"Hendelsen {when:%d%m%Y} og {when:%d.%m.%Y} kl. 14."
        assert redacted(text) == text
