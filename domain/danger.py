"""Is someone in danger now? Read from the answer to the first question, and from every answer
after it.

The first question is the one place where a miss can cost a life, so the rule leans one way: an
answer is taken as "no" only when it clearly says no and nothing in it describes danger now. A
yes in any wording, a description of violence happening ("han slår henne nå", "ho blør"),
threats of killing, suicide, a weapon — or anything unsure ("vet ikke", "kanskje") — gets the
112 / 113 / 02800 guidance first. Later answers are read for the description alone: the
guidance is shown again and the report goes on.
"""

from __future__ import annotations

import re
import unicodedata
from enum import Enum

from domain.choices import fold, has_words


class AcuteAnswer(Enum):
    YES = "yes"
    NO = "no"
    # No words at all (emoji, "?"): nothing to read, ask again with a short nudge.
    NONE = "none"


def _pattern(*alternatives: str) -> re.Pattern[str]:
    # Matched against the folded text (æ/ø/å as ae/o/a), whole words, so that people typing
    # without Norwegian letters are read the same way.
    words = "|".join(fold(a) for a in alternatives)
    return re.compile(rf"\b(?:{words})\b")


# Violence or harm happening now: present-tense verbs (bokmål and nynorsk) and states.
_HAPPENING = _pattern(
    r"slår",
    r"slar",
    r"slåss",
    r"sparker",
    r"sparkar",
    r"kveler",
    r"kvelar",
    r"kveles",
    r"dreper",
    r"drep",
    r"stikker",
    r"knivstikker",
    r"banker",
    r"bankar",
    r"juler",
    r"angriper",
    r"angrip",
    r"voldtar",
    r"valdtek",
    r"dytter",
    r"dyttar",
    r"lugger",
    r"luggar",
    r"holder (?:henne|han|ham|dem|meg) fast",
    r"held (?:henne|han|dei|meg) fast",
    r"skader",
    r"skadar",
    r"truer",
    r"trugar",
    r"trur å",
    r"går løs på",
    r"går laus på",
    r"går amok",
    r"raser",
    r"blør",
    r"blør mye",
    r"bløer",
    r"blod",
    r"puster (?:ikke|dårlig|tungt)",
    r"pustar (?:ikkje|dårleg|tungt)",
    r"bevisstløs",
    r"medvitslaus",
    r"besvimt",
    r"(?:ligger|ligg) (?:på gulvet|på golvet|nede)",
    r"(?:låst|stengt|sperret|sperra|låses|stenges) inne",
    r"innelåst",
    r"(?:kommer|kjem) ikke ut",
    r"(?:ikke|ikkje) slipper ut",
    r"redd",
    r"livredd",
    r"skrekk",
    r"sint",
    r"sinna",
    r"rasende",
    r"aggressiv",
    r"utagerer",
    r"utagerar",
    r"utagerende",
    r"utagerande",
    r"skriker",
    r"skrikar",
    r"roper om hjelp",
    r"ropar om hjelp",
    r"nød",
    r"i fare",
    r"fare for livet",
    r"livsfare",
    r"livstruende",
    r"livstruande",
    # calling the medical emergency centre (AMK, 113) now: "jeg må ringe AMK"
    r"(?:må|skal) ring(?:e|je) (?:til )?(?:amk|113)",
    r"ring(?:er|jer) (?:til )?(?:amk|113)",
    r"(?:trenger|treng) (?:amk|ambulanse)",
)
# Killing, suicide, weapons: danger whatever the tense.
_GRAVE = _pattern(
    r"drepe",
    r"drap",
    r"myrde",
    r"ta livet",
    r"tar livet",
    r"ta sitt eget liv",
    r"selvmord",
    r"sjølvmord",
    r"suicid",
    r"suicidal",
    r"ikke vil leve",
    r"ikkje vil leve",
    r"skade seg selv",
    r"skade seg sjølv",
    r"kniv",
    r"kniven",
    r"våpen",
    r"gevær",
    r"geværet",
    r"pistol",
    r"øks",
    r"øksa",
    r"hagle",
    r"overdose",
    r"kill",
    r"suicide",
    r"knife",
    r"gun",
    r"bleeding",
    r"hitting",
    r"beating",
)
_NEG = r"(?:ikke|ikkje|ikkj|itj|itte|kje|ingen|inga)"
_NO = _pattern(
    r"nei+",
    r"n[ae]i+(?:d[aå]|da)?",
    r"nie",
    r"n(?:æ|e)+i*",
    r"(?:haster|hastar) " + _NEG,
    r"ingen hast",
    r"rolig",
    r"roleg",
    r"i sikkerhet",
    r"ivaretatt",
    r"ivareteken",
    r"varetekt",
    r"varetektsfengslet",
    r"varetektsfengsla",
    r"pågrepet",
    r"arrestert",
    r"sover",
    r"søv",
    r"bortreist",
    r"flyttet ut",
    r"flytta ut",
    r"får ikke komme",
    r"får ikkje kome",
    r"ingen pågående",
    r"ikke pågående",
    r"ikkje pågåande",
    _NEG + r" i dag",
    _NEG + r" (?:akkurat )?(?:nå|no)",
    _NEG + r" (?:i )?fare",
    _NEG + r" ak+ut+",
    r"negativt?",
    r"nope",
    r"nix",
    r"n",
    r"nah",
    r"ingen fare",
    r"ikke fare",
    r"ikkje fare",
    r"ikke i fare",
    r"ikkje i fare",
    r"ikke ak+ut+",
    r"ikkje ak+ut+",
    r"ingen ak+ut+ fare",
    r"ingen ak+ut+",
    r"ikke akkurat nå",
    r"ikkje akkurat no",
    r"ikke nå",
    r"ikkje no",
    r"ikke lenger",
    r"ikkje lenger",
    r"trygg",
    r"trygt",
    r"not urgent",
    r"not now",
)
# Hedges that make an answer unsure, and so acute.
_UNSURE = _pattern(
    r"vet ikke",
    r"veit ikke",
    r"vet ikkje",
    r"veit ikkje",
    r"aner ikke",
    r"usikker",
    r"usikkert",
    r"ikke sikker",
    r"ikkje sikker",
    r"kanskje",
    r"kan hende",
    r"kan skje",
    r"muligens",
    r"mulig",
    r"mogleg",
    r"moglegvis",
    r"tror",
    r"trur",
    r"tror det",
    r"trur det",
    r"kan (?:bli|skje|komme)",
    r"blir det bråk",
    r"kan smelle",
    r"når som helst",
    r"kva tid som helst",
    r"når han kommer",
    r"når han kjem",
    r"vanskelig å (?:si|vite|vurdere|svare på)",
    r"vanskeleg å (?:seie|vite|vurdere|svare på)",
    r"ikke (?:godt|lett) å (?:si|vite)",
    r"ikkje (?:godt|lett) å (?:seie|vite)",
    r"umulig å (?:si|vite)",
    r"uråd å (?:seie|vite)",
    r"kan ikke si",
    r"kan ikkje seie",
    r"uklart",
    r"uvisst",
    r"maybe",
    r"not sure",
    r"don't know",
)
# Soon: unsure whether danger comes, unless the answer says she is safe then ("nei, hun er
# trygg på sykehjemmet i natt").
_SOON = _pattern(
    r"i kveld",
    r"i natt",
    r"snart",
    r"om litt",
    r"om en (?:halv )?time",
    r"om ein (?:halv )?time",
    r"om en halvtime",
    r"om ein halvtime",
)
_SAFE = _pattern(r"trygg", r"trygt", r"ivaretatt", r"ivareteken", r"i sikkerhet")
# "nei, ikke som jeg vet": a no, not a hedge.
_NO_AS_FAR_AS = _pattern(
    r"ikke som jeg vet",
    r"ikke så vidt jeg vet",
    r"ikkje som eg veit",
    r"ikkje så vidt eg veit",
    r"not that i know",
    r"det vil jeg ikke si",
    r"det vil eg ikkje seie",
    r"det vil jeg ikke påstå",
    r"det vil eg ikkje påstå",
)
# A danger word denied right before it: "ikke redd", "ingen fare", "ikkje i fare no".
# After the verb too ("hun blør ikke"), and a threat denied ("har ikke truet med å drepe").
_DENIED = re.compile(
    r"\b(?:ikke|ikkje|ikkj|itj|itte|kje|ingen|inga|not|no longer|aldri)\s+"
    r"(?:(?:truet|truga|trua|trugde) med a\s+|(?:\w+\s+){0,2}?)"
    rf"(?:{_HAPPENING.pattern}|{_GRAVE.pattern})"
    rf"|(?:{_HAPPENING.pattern})\s+(?:ikke|ikkje|ikkj|itj|aldri)\b"
)


def _prepared(text: str) -> str:
    text = unicodedata.normalize("NFC", text.lower())
    return re.sub(r"\s+", " ", fold(text)).strip()


# The reporter's own worry for someone ("nei, men jeg er redd for henne", "eg er redd for
# korleis det går"): a worry, not the person's fear now. Never a fear for a life.
_OWN_WORRY = re.compile(
    r"\b(?:jeg|eg|ae|je|vi|me) (?:er|e|blir|vert) (?:litt |veldig |sa |nok |jo )?"
    r"(?:redd|bekymret|bekymra) for (?!livet|at\b|a\b|hun blir|ho blir|han blir)"
)


def danger_now(text: str) -> bool:
    """Whether an answer describes danger happening now, or threats of killing, suicide or a
    weapon: "han slår henne nå", "ho er redd no", "hun sier hun vil ta livet sitt"."""
    prepared = _OWN_WORRY.sub(" bekymret for ", _DENIED.sub(" ", _prepared(text)))
    return bool(_HAPPENING.search(prepared) or _GRAVE.search(prepared))


def read_acute_answer(text: str) -> AcuteAnswer:
    """The answer to "Er noen i akutt fare akkurat nå?": NO only when it clearly says no and
    nothing in it describes danger now or hedges; NONE when it holds no words."""
    if not has_words(text):
        return AcuteAnswer.NONE
    if danger_now(text):
        return AcuteAnswer.YES
    prepared = _NO_AS_FAR_AS.sub(" nei ", _prepared(text))
    # Nynorsk's "no" is "now": only a bare "no" is the English no.
    says_no = bool(_NO.search(prepared)) or re.fullmatch(r"\W*no\W*", prepared) is not None
    # "nei altså jo", "ja nei": a no taken back, or beside a yes, is not a clear no.
    taken_back = re.search(r"\b(?:ja+|jo|jepp|yes)\b", prepared) is not None
    unsure = _UNSURE.search(prepared) or (_SOON.search(prepared) and not _SAFE.search(prepared))
    if says_no and not taken_back and not unsure:
        return AcuteAnswer.NO
    # A yes, a hedge, or anything else: the guidance first, then the report.
    return AcuteAnswer.YES
