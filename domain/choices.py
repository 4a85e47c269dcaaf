"""Map what a person types ("fysisk og litt økonomisk", "sonen hennar", "hun er dement og 84")
to codes.

People answer a question the way they talk: in bokmål or nynorsk, inflected ("sønnen hennes"),
misspelt ("hjemesykepleien"), hedged ("kanskje litt"), negated ("ikke fysisk, men psykisk"),
several things in one sentence, or with an age instead of a category. The answer is read as
words: every phrase a code is known by (its labels in each language and its synonyms) is looked
for in it, a word matching by its exact form, its stem, without æ/ø/å, as the start of a longer
word (an inflection or a compound) or with one small typo. Words that name no code are passed
over. An answer is understood when it names exactly one code (a single choice) or at least one
(a multiple choice); otherwise the question is asked again: a guess would put a wrong category
on a vulnerable person's case.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import snowballstemmer
from rapidfuzz.distance import OSA

from domain.codes import PERPETRATOR_RELATION, CodeList

# How well a typed word matches a known word, best first. A longer phrase always wins over a
# shorter one at the same place ("psykisk utviklingshemming" over "psykisk"). An inflection
# ("mannen") is closer than a typo, and a typo ("barnebanet") closer than a compound that only
# starts with a known word ("barn…").
EXACT, STEM, FOLDED, PREFIX, TYPO, COMPOUND, SUFFIX = 7, 6, 5, 4, 3, 2, 1

# Words that turn the next code around: "ikke fysisk", "ho har ikkje samtykt".
# Dialects too: "itj" (trøndersk), "kje" (western), "ikkj", "itte".
_NEGATIONS = {
    "ikke",
    "ikkje",
    "ikkj",
    "ikk",
    "itj",
    "itte",
    "kje",
    "not",
    "uten",
    "utan",
    "aldri",
    "ingen",
    "inga",
    "ingenting",
    "nothing",
    "verken",
    "hverken",
    "korkje",
    "kverken",
    "intet",
    "inkje",
    # "mangler samtykke", "manglande stell": what is missing is not there.
    "mangler",
    "manglar",
    "mangel",
    "manglende",
    "manglande",
}
# After a verb only these deny it ("slår ikke", "samtykker aldri"): "sex uten samtykke",
# "slått utan grunn" are not denied.
_DENIALS = {"ikke", "ikkje", "not", "aldri", "never", "ingenting", "nothing"}
# "ikke noe annet", "ikkje meir": after a code, nothing more, not a denial of it.
_MORE = {"noe", "noko", "annet", "anna", "meir", "mer", "mere", "bevis", "bevist"}
# A negation reaches at most this many words ahead, and never past a comma or "men".
_NEGATION_REACH = 3
_CONTRASTS = {"men", "but", "bortsett", "unntatt", "altså", "dvs"}
# Another person as a clause's subject: what follows describes them, not the person at risk.
_OTHER_PEOPLE = {
    "sønnen",
    "sonen",
    "sønnene",
    "datteren",
    "dattera",
    "dotra",
    "dottera",
    "mannen",
    "ektemannen",
    "kona",
    "konen",
    "samboeren",
    "sambuaren",
    "broren",
    "søsteren",
    "søstera",
    "systera",
    "barnebarnet",
    "naboen",
    "faren",
    "moren",
    "mora",
    "kjæresten",
    "eksmannen",
    "svigersønnen",
}
# Words that put a code in the past: "bodde i Moss før"; someone dead is no longer the answer
# either ("mannen hennes døde i fjor, nå er det sønnen").
_PAST = {
    *("før", "bodde", "budde", "tidligere", "tidlegare", "flyttet", "flytta", "used"),
    *("døde", "døydde", "døyde", "avdøde", "avdød"),
}
# "samtykke er ikke gitt", "samtykke vart ikkje innhenta": a denial after the verb.
_COPULAS = {"er", "var", "ble", "blei", "vart", "blir", "vert"}
# "samtykke foreligg ikkje", "samtykke finnes ikke": a verb of being, then its denial.
_STATIVES = {"foreligger", "foreligg", "finnes", "fins", "finst", "eksisterer", "ligger", "ligg"}
_IF = {"hvis", "viss", "dersom", "if"}
# A phrase that starts with one of these names a place ("på avdelingen", "i bufellesskapet").
_PLACE_WORDS = {"på", "i", "fra", "frå", "hos", "ved"}
# "bor hjemme", "bur heime": where someone lives, not the home care service it starts.
_AT_HOME = {"hjemme", "heime", "hjemmet", "heimen", "hjem", "heim"}
_TIMES = {"morgen", "morgon", "dag", "kveld", "natt", "helga", "helgen", "ettermiddag", "går"}
# "såg det ikkje": a pronoun may stand between a verb and its denial.
_PRONOUNS = {"det", "den", "it"}
# "sønnen, nei vent, svigersønnen": what follows a correction is the answer.
_CORRECTION = re.compile(
    r"\b(?:(?:nei|eller nei|eller)\s*,?\s*(?:vent|forresten|unnskyld|orsak|sorry|jeg mener|eg meiner)"
    r"|jeg mener|eg meiner|æ mene|rettelse|eller rettere sagt|eller rettare sagt"
    r"|forresten)\b|(?<!ja )\beller nei\s*,|(?<!ja )\beller nei(?=\s+det er\b)",
    re.IGNORECASE,
)
# "enten sønnen eller …": alternatives even when the other one is not a code.
_EITHER = {"enten", "either"}
# The owner in "faren til beboeren", "ein kamerat av sonen": not the answer.
_OF = {"til", "av", "of"}
# "nei ikke ennå": a no followed by a negation is still a no, not a denied no.
_YES_NO = {"nei", "ja", "no", "yes", "jo", "nope", "neppe"}
# "sønnen eller barnebarnet": alternatives, not an answer to a single choice.
_ALTERNATIVES = {"eller", "enten", "or", "either"}
# A question back ("hva betyr samtykke?", "kva tyder materiell?") answers nothing.
_QUESTION_WORDS = {
    "hva",
    "kva",
    "ka",
    "hvorfor",
    "kvifor",
    "korfor",
    "hvordan",
    "korleis",
    "hvem",
    "kven",
    "hvilken",
    "hvilke",
    "kva for",
    "betyr",
    "tyder",
    "what",
    "why",
    "how",
}
# "kan vi …?", "kan jeg …?": asking to do something, which answers the question.
_ASKING = {"vi", "jeg", "eg", "æ", "me", "i"}
_MODALS = {"skal", "kan", "må", "vil", "bør", "burde", "har", "hvem", "kven"}
_QUESTION_VERBS = {
    "er",
    "betyr",
    "tyder",
    "mener",
    "meiner",
    "mene",
    "menes",
    "meinast",
    "skal",
    "gjelder",
    "gjeld",
    "is",
    "skjer",
    "skjær",
}
_INTERJECTIONS = {"hæ", "hææ", "hæææ", "hm", "hmm", "eh", "ehh", "øh", "øhm", "æh", "huh"}
# A sentence that starts with these asks; nobody answers with them first.
_WHO_WHY = {"hvem", "kven", "hvorfor", "kvifor", "korfor", "why", "who"}
_AUXILIARIES = {"har", "hadde", "er", "var", "blir", "ble", "blei", "vert", "vart", "skal", "vil"}
# "har sjølv sett blåmerke": the phrase from the verb on is what was meant, as after "har".
_SELF = {"selv", "sjøl", "sjæl"}
# Words that may stand inside a phrase without changing it: "gitt meg lov", "slo han henne".
# (Nynorsk "eg", "ikkje" read as "jeg", "ikke": see _ONE_SPELLING.)
_SKIPPABLE = {
    "meg",
    "oss",
    "deg",
    "dere",
    "dykk",
    "henne",
    "ham",
    "han",
    "ho",
    "hu",
    "dem",
    "dei",
    "seg",
    "også",
    "òg",
    "jo",
    "vel",
    "nok",
    "bare",
    "berre",
    "alltid",
    "ofte",
    "stadig",
    "visst",
    "litt",
    "faktisk",
    "tydeligvis",
    "kanskje",
    # the subject after a fronted word: "i går slo hun ham", "nå får hun ikke mat"
    "hun",
    "jeg",
    "vi",
    "de",
    "veldig",
    "helt",
    "ganske",
    "egentlig",
}
# Common words that look like a code's word but are another word: "fyller 90" (turns 90) is no
# "fyll" (drinking), "magen" (the belly) no "mager", "klar" (ready) no "klår" (gropes). They
# name a code only where a list knows them as typed. "brukeren" is the person the report is
# about, no "annen bruker" and no "kar".
_LOOK_ALIKES = {
    *("fyller", "fyllar", "fylte", "fylde", "fylt", "magen", "magan", "klar", "klare"),
    *("brukaren", "brukeren"),
    # "vold" alone says no kind ("om det er vold"), though "voldelig" is physical
    *("vold", "vald"),
    # "hatt kontakt med" is being in touch, no "kontaktperson" cut short
    *("kontakt", "kontakten"),
    # "overtok vakta" is a shift, no "vaktar" (guards her)
    *("vakta", "vakten", "vakter", "vaktene", "vaktane"),
}
# Everyday words, typed as meant: not a slip for a code's word that looks like them ("lenger"
# is no "legger", "måtte" no "matet", "munnen" no "mannen") nor a compound of one ("oversikt").
_COMMON = {
    *("lenger", "lengre", "lenge", "langt", "store", "stor", "måtte", "venter", "ventar"),
    *("veska", "vesken", "timer", "time", "skille", "helst", "munnen", "morgen", "morgon"),
    *("dager", "dagar", "spise", "skjønte", "skjønner", "skjønar", "vegen", "veien", "egen"),
    *("eigen", "eige", "over", "under", "sidan", "siden", "greia", "forsto", "forstod"),
    *("eigentleg", "egentlig", "ordentlig", "sannsynlig", "kommer", "kjem", "komen", "kommet"),
    *("gikk", "gjekk", "alltid", "mange", "andre", "annen", "annan", "etter", "fordi", "mens"),
    *("medan", "sikkert", "fortsatt", "framleis", "fremdeles", "veldig", "svært", "ganske"),
    *("første", "fyrste", "siste", "neste", "samme", "same", "jobber", "jobbar", "kveld"),
    *("oversikt", "overalt", "ringe", "ringer", "ringte", "skulle", "kunne", "ville", "burde"),
    *("living", "gammal", "dagen", "natta", "uka", "veka", "tiden", "tida", "gangen", "gonger"),
    *("salg", "salget", "utredning", "utredningen", "utredes", "utgreiing", "utgreiinga"),
    *("gamal", "gamle", "gammel", "gamla"),
}
# Everyday phrases whose words would otherwise name a code: "da hun laget mat" is cooking, not
# food withheld; "en melding om at han truet henne" is how the reporter heard, not abuse online.
_NEUTRAL_PHRASES = (
    *((verb, "mat") for verb in ("lage", "laget", "lager", "laga", "lagar", "lagde")),
    *((verb, "middag") for verb in ("lage", "laget", "lager", "laga", "lagar", "lagde")),
    # "be om lov for å kjøpe mat": shopping, not food withheld
    *((verb, "mat") for verb in ("kjøpe", "kjøper", "kjøpte", "kjøpt", "kjøpa", "handle")),
    ("melding", "om"),
    ("meldingen", "om"),
    ("melding", "fra"),  # "frå" is read as "fra" (_ONE_SPELLING)
    ("melding", "til", "meg"),
    # "redd for å dra hjem": afraid of doing something, which names no kind; "redd for han" is
    # fear of someone, and stays
    ("redd", "for", "å"),
    ("livredd", "for", "å"),
    # "sjå tidlegare melding": an earlier report, not messages sent to her
    *((earlier, "melding") for earlier in ("tidligere", "tidlegare", "forrige", "førre", "sist")),
)


# Possessives, pronouns and negations: in nearly every answer, and often mistyped.
_LITTLE = {
    *("hennes", "hennar", "henne", "hans", "ikke", "ingen", "ingenting", "aldri", "sammen"),
    *("saman", "heller", "hele", "heile", "etter", "fordi", "mellom"),
}


@functools.lru_cache(maxsize=8192)
def _slip_of_a_little_word(word: str) -> str | None:
    """The little word typed in nearly every answer that a word is a slip for ("henar" for
    "hennar", "ingenitng"): it names no code by looking like one ("hånar")."""
    if word in _LITTLE:
        return None
    typed = Word.of(word)
    return next((w for w in _LITTLE if word_match(typed, Word.of(w)) == TYPO), None)


def _neutral_words(words: list[str], own: tuple[tuple[str, ...], ...] = ()) -> set[int]:
    """The places of the words of an everyday phrase (_NEUTRAL_PHRASES, and the list's own)
    in `words`."""
    found: set[int] = set()
    phrases = (*_NEUTRAL_PHRASES, *own)
    for i in range(len(words)):
        for phrase in phrases:
            end = i + len(phrase)
            if tuple(words[i:end]) != phrase:
                # "bankar berre på døra": a filler may stand after the phrase's first word
                filled = (*words[i : i + 1], *words[i + 2 : end + 1])
                if not (words[i + 1 : i + 2] and words[i + 1] in _FILLERS and filled == phrase):
                    continue
                end += 1
            # "slår av og til" is now and then; "redd for å bli slått" afraid of what is done
            # to her: the words after such a phrase make it another one.
            if (phrase[-1], *words[end : end + 1]) in _NOT_NEUTRAL_AFTER:
                continue
            found.update(range(i, end))
    return found


_FILLERS = {"bare", "berre", "alltid", "ofte", "stadig", "jo", "vel", "nok", "også", "òg", "litt"}
_NOT_NEUTRAL_AFTER = {("av", "og"), ("å", "bli"), ("å", "verte")}


_BOUNDARY = {",", ".", ";", ":", "!", "?", "/", "+", "&", "(", ")"}
# A whole answer of option numbers: "2", "2, 4", "1 og 3".
_OPTION_NUMBERS = re.compile(
    r"^\s*\d{1,2}[.)]?(?:\s*(?:,|;|/|\+|&|\bog\b|\band\b)\s*\d{1,2}[.)]?)*\s*$"
)
# Abbreviations people write in notes, professionals most: their dot is part of the word.
_SHORT = {
    *("psyk", "utv", "pulm", "strl", "jf", "pga", "iht", "evt", "ev", "adr", "pas", "vedk"),
    *("mht", "dvs", "bl", "eks", "ift", "ifm", "mtp", "inkl", "tlf", "diagn", "beh", "us"),
}
_TRIPLED = re.compile(r"([^\W\d_])\1{2,}")
_TOKEN = re.compile(r"[^\W_]+|[,.;:!?/+&()]")

_stemmer = snowballstemmer.stemmer("norwegian")
_DIALECT_NEGATION = {"itj": "ikke", "itte": "ikke", "kje": "ikke", "ikkj": "ikke", "ikk": "ikke"}
# Nynorsk's spelling of words bokmål has too, read as one word: people mix the two ("ho vil
# ikkje si", "hørt det frå naboen"), and a phrase known in one form then reads the other.
_ONE_SPELLING = {
    "ikkje": "ikke",
    "frå": "fra",
    "kva": "hva",
    "kven": "hvem",
    "kvifor": "hvorfor",
    "korleis": "hvordan",
    "heile": "hele",
    "berre": "bare",
    "noko": "noe",
    "nokon": "noen",
    "sjølv": "selv",
    "mykje": "mye",
    "eg": "jeg",
    # typed without å and ø: "pa avdelingen", "altsa", "sjolv"
    "pa": "på",
    "altsa": "altså",
    "ogsa": "også",
    "sjolv": "selv",
    "sjol": "sjøl",
    **_DIALECT_NEGATION,
}


def normalise(text: str) -> str:
    """Lower case, Norwegian letters folded, punctuation gone: 'Økonomisk!' -> 'okonomisk'."""
    text = fold(text.strip().lower())
    text = re.sub(r"[^\w\s+-]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def fold(text: str) -> str:
    """æ, ø, å and accents as a keyboard without them types them: 'sønn' -> 'sonn'."""
    text = text.replace("æ", "ae").replace("ø", "o").replace("å", "a")
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch))


@dataclass(frozen=True)
class Word:
    """A word in the forms it is compared in."""

    raw: str
    folded: str
    stem: str
    folded_stem: str

    @classmethod
    @functools.lru_cache(maxsize=8192)
    def of(cls, raw: str) -> Word:
        # "aa" is how å was written, and is still typed: "Vaaler", "raade".
        folded = fold(raw).replace("aa", "a")
        return cls(raw, folded, _stemmer.stemWord(raw), _stemmer.stemWord(folded))


# "truer", "trugar", "trusler om": what follows is threatened, not done.
_THREAT_WORDS = ("truer", "trugar", "trusler", "trussel", "true", "skal", "trua", "trugde", "truga")
_THREAT_STEMS = {Word.of(w).folded_stem for w in _THREAT_WORDS}


def tokens(text: str) -> list[str]:
    """Words and the punctuation that separates answers, lower case: 'Fysisk, ikke psykisk.'
    -> ['fysisk', ',', 'ikke', 'psykisk', '.']. Dialects' "ikke" ("itj", "kje", "itte") reads
    as "ikke", so every phrase with "ikke" covers them. A letter typed three times is a
    double one ("sønnnen"): no Norwegian word has three in a row."""
    found = _TOKEN.findall(unicodedata.normalize("NFC", text.lower()))
    # An abbreviation's dot ends no sentence: "psyk. utv.hemming", "jf. strl.".
    found = [w for i, w in enumerate(found) if not (w == "." and i and found[i - 1] in _SHORT)]
    return [_ONE_SPELLING.get(w, w) for w in (_TRIPLED.sub(r"\1\1", w) for w in found)]


def _cut(word: Word) -> int:
    return len(word.raw) - len(word.stem)


def word_match(typed: Word, known: Word) -> int:
    """How well `typed` matches `known`: one of EXACT … SUFFIX, or 0."""
    if typed.raw == known.raw:
        return EXACT
    # A stem is shared where the stemmer cut an ending, not a word: "fastlegen" is cut to
    # "fast" as "faster" is, but five letters and more off is a compound's last part.
    same_stem = _cut(typed) <= 4 and _cut(known) <= 4
    if same_stem and len(known.stem) >= 4 and typed.stem == known.stem:
        return STEM
    if typed.folded == known.folded or (
        same_stem and len(known.folded_stem) >= 4 and typed.folded_stem == known.folded_stem
    ):
        return FOLDED
    t, k = typed.folded, known.folded
    if t.isdigit() or k.isdigit():
        return 0
    # An inflection ("mannen"), a word cut short ("økonom"), a typo, or a compound that starts
    # with a known word ("rusavhengig", "demensdiagnose").
    if len(k) >= 4 and t.startswith(k) and t[len(k) :] in _ENDINGS:
        return PREFIX
    if len(t) >= 5 and k.startswith(t) and len(t) >= 0.5 * len(k):
        return PREFIX
    # A typo keeps the first letter ("hvaler" is not "våler"). In a four-letter word only two
    # letters swapped count ("mnan"): one letter changed is often another word ("sone", "sønn").
    if len(t) == len(k) == 4 and t[0] == k[0] and sorted(t) == sorted(k):
        return TYPO
    if t[0] == k[0] and len(t) >= 5 and len(k) >= 5:
        allowed = 2 if min(len(t), len(k)) >= 9 else 1
        if OSA.distance(t, k, score_cutoff=allowed) <= allowed and (allowed > 1 or _a_slip(t, k)):
            return TYPO
        # A typo in an inflected form of a known word: "svigerdateren" (svigerdatter + en).
        for ending in _TYPO_ENDINGS:
            stem = t[: -len(ending)]
            if len(k) >= 7 and t.endswith(ending) and abs(len(stem) - len(k)) <= 1:
                if OSA.distance(stem, k, score_cutoff=1) <= 1 and _a_slip(stem, k):
                    return TYPO
            # a letter doubled in a shorter word inflected: "tantten", "kuusinen"
            if len(k) >= 5 and t.endswith(ending) and _undoubled(stem) == k:
                return TYPO
    # A compound: its first part ("demensdiagnose") or, as Norwegian compounds are named by
    # their last part, a long enough last part ("hjertesykdom", "kjærlighetssvindel").
    if len(k) >= 4 and t.startswith(k) and (len(t) - len(k) <= 9 or len(k) >= 6):
        return COMPOUND
    if len(k) >= 5 and t.endswith(k) and len(t) - len(k) >= 3 and k not in _NO_LAST_PART:
        return SUFFIX
    return 0


# What Norwegian adds to a word to inflect it (bokmål, nynorsk, dialect), at most three letters:
# "mannen", "pengane", "slått". Other letters after a known word make another word ("kontoll"
# is a slip for "kontroll", not "konto" inflected).
_ENDINGS = {
    *("", "e", "en", "er", "et", "a", "an", "ar", "ane", "ene", "ne", "na", "n", "r", "s", "t"),
    *("te", "de", "es", "ens", "ets", "as", "ig", "ige", "lig", "leg", "ing", "ast", "st"),
    *("ert", "ers", "ern", "ns", "at", "da", "ta", "ja", "je", "ende", "ande", "ete", "ede"),
}
# Words that end other words without being their last part: "forklaringen" is no "ingen",
# "brukaren" no "karen", "tilstand" no "stand".
_NO_LAST_PART = {"ingen", "inga", "karen", "siden", "sida", "stand", "huset"}
_TYPO_ENDINGS = ("en", "et", "a", "ene", "ane", "er", "ar", "n")
# A Norwegian keyboard's rows: one letter typed for another is a slip to a neighbouring key.
_ROWS = ("qwertyuiopå", "asdfghjkløæ", "zxcvbnm")
_NEIGHBOURS = {
    ch: {row[j] for j in (i - 1, i + 1) if 0 <= j < len(row)}
    | {
        other[j]
        for r, other in enumerate(_ROWS)
        if abs(r - n) == 1
        for j in (i - 1, i, i + 1)
        if 0 <= j < len(other)
    }
    for n, row in enumerate(_ROWS)
    for i, ch in enumerate(row)
}


_VOWELS = set("aeiouy")


def _undoubled(word: str) -> str | None:
    """The word with the one letter typed twice typed once ("tantte" -> "tante"), or None."""
    doubled = [i for i in range(1, len(word)) if word[i] == word[i - 1]]
    return word[: doubled[0]] + word[doubled[0] + 1 :] if len(doubled) == 1 else None


def _a_slip(t: str, k: str) -> bool:
    """Whether the letters typed in place of others are how fingers slip: two letters
    swapped, a neighbouring key ("fysusk"), another ending ("drept", "drepe"), or a vowel for
    another, as a dialect spells the word ("datra", "fyrst"). Another letter in its place is
    another word: "faller" is not "famler". A letter left out or doubled is always a slip."""
    if len(t) != len(k):
        return True
    diff = [i for i, (a, b) in enumerate(zip(t, k, strict=True)) if a != b]
    if len(diff) == 2 and diff[1] == diff[0] + 1 and t[diff[0]] == k[diff[1]]:
        return True  # two letters swapped
    return all(
        i == len(t) - 1
        or (t[i] in _VOWELS and k[i] in _VOWELS)
        or k[i] in _NEIGHBOURS.get(t[i], set())
        or not (t[i].isalpha() and k[i].isalpha())
        for i in diff
    )


@dataclass(frozen=True)
class Phrase:
    words: tuple[Word, ...]
    code: str
    # Names its code only when denied (Code.only_denied).
    only_denied: bool = False


def _label_forms(label: str) -> list[str]:
    # People type what the card shows without its aside or one half of "a / b": "høy alder"
    # for "Høy alder (67+)", "økonomiske overgrep" for "Økonomiske overgrep / utnyttelse".
    plain = re.sub(r"\([^)]*\)", " ", label)
    return [label, plain, *plain.split("/")]


@functools.lru_cache(maxsize=256)
def vocabulary(codes: CodeList) -> tuple[Phrase, ...]:
    """Every phrase each code is known by. Cached: the lists are constants (the
    municipalities a few hundred at most) and a code list is a frozen value."""
    seen: set[tuple[tuple[str, ...], str]] = set()
    phrases = []
    for code in codes.codes:
        names = [form for label in (code.nb, code.nn, code.en) for form in _label_forms(label)]
        for name in (*names, *code.synonyms):
            words = tuple(w for w in tokens(name) if w not in _BOUNDARY)
            if codes.by_age is not None and any(w.isdigit() for w in words):
                continue  # a list that knows ages reads numbers as ages, not as words
            for form in _with_each_object(words):
                if form and (form, code.code) not in seen:
                    seen.add((form, code.code))
                    phrases.append(Phrase(tuple(Word.of(w) for w in form), code.code))
        for name in code.only_denied:
            words = tuple(w for w in tokens(name) if w not in _BOUNDARY)
            for form in _with_each_object(words):
                if form and (form, code.code) not in seen:
                    seen.add((form, code.code))
                    phrases.append(Phrase(tuple(Word.of(w) for w in form), code.code, True))
    return tuple(phrases)


# The person a phrase is done to, in every form: "holder henne fast" is also "held ho fast",
# "kasta han", "tek på hu".
_OBJECTS = ("henne", "ho", "hu", "ham", "han", "hen", "dem", "dei")


def _with_each_object(words: tuple[str, ...]) -> list[tuple[str, ...]]:
    """A phrase, and where an object pronoun follows its first word, the phrase with each
    other one; and where a denial follows its first word ("stemmer ikke"), the phrase in a
    clause's word order too ("som ikke stemmer", "som ikkje heng på greip")."""
    forms = [words]
    if len(words) >= 2 and words[1] in ("ikke", "ikkje"):
        forms.append((words[1], words[0], *words[2:]))
    at = next((i for i, w in enumerate(words) if i > 0 and w in _OBJECTS), None)
    if at is None:
        return forms
    return [(*form[:at], o, *form[at + 1 :]) for form in forms for o in _OBJECTS]


@dataclass(frozen=True)
class _Index:
    raw: frozenset[str]  # every distinct word of every phrase, as written
    phrases: dict[Word, tuple[Phrase, ...]]  # the phrases that start with each word
    # The words by their first letter without æ/ø/å: every match but a compound's last part
    # keeps the first letter. And the words a compound can end with (five letters or more).
    by_initial: dict[str, tuple[Word, ...]]
    by_ending: dict[str, tuple[Word, ...]]

    def comparable(self, typed: Word) -> list[Word]:
        """The known words `typed` may match: those with its first letter, and those it ends
        with after three letters or more."""
        found = list(self.by_initial.get(typed.folded[:1], ()))
        t = typed.folded
        for cut in range(3, len(t) - 4):
            found.extend(self.by_ending.get(t[cut:], ()))
        return found


@functools.lru_cache(maxsize=256)
def _index(codes: CodeList) -> _Index:
    starting: dict[Word, list[Phrase]] = {}
    for phrase in vocabulary(codes):
        starting.setdefault(phrase.words[0], []).append(phrase)
    every = {w for phrase in vocabulary(codes) for w in phrase.words}
    by_initial: dict[str, list[Word]] = {}
    by_ending: dict[str, list[Word]] = {}
    for w in every:
        by_initial.setdefault(w.folded[:1], []).append(w)
        if len(w.folded) >= 5:
            by_ending.setdefault(w.folded, []).append(w)
    return _Index(
        frozenset(w.raw for w in every),
        {w: tuple(p) for w, p in starting.items()},
        {k: tuple(v) for k, v in by_initial.items()},
        {k: tuple(v) for k, v in by_ending.items()},
    )


@functools.lru_cache(maxsize=65536)
def _match(typed: Word, known: Word) -> int:
    return word_match(typed, known)


@dataclass
class _Found:
    code: str
    start: int
    negated: bool = False
    # Named in the genitive before another word: "brukers sønn", "beboerens datter".
    owner: bool = False
    # Named by a place alone ("på avdelingen"): where someone is, which gives way to who they
    # are ("en av pleierne på avdelingen").
    place: bool = False
    # Where the words that name it end.
    end: int = -1


def _find(words: list[str], codes: CodeList) -> tuple[list[_Found], list[set[str]]]:
    """The codes named in `words`, left to right, and the codes of each word that named more
    than one."""
    index = _index(codes)
    # How well each typed word matches each word the list knows: computed once a word, so
    # that a phrase is only tried where its first word matched.
    matches: list[dict[Word, int]] = []
    # (Only where several answers are asked for: there, a word in passing adds a wrong one.)
    neutral = _neutral_words(words, codes.neutral) if codes.multiple else set()
    for k, w in enumerate(words):
        row: dict[Word, int] = {}
        if w not in _BOUNDARY and k not in neutral:
            typed = Word.of(w)
            for word in index.comparable(typed):
                q = _match(typed, word)
                # A word the list knows as typed means that, not a look-alike: "sa" (said)
                # is not "så" (saw) without its ring.
                if q and not (q < STEM and w in index.raw):
                    row[word] = q
            if w in _LOOK_ALIKES or w in _NEGATIONS:
                # "aldri" is never "aldring" cut short: a negation is only itself.
                row = {k: q for k, q in row.items() if q == EXACT}
            elif w in _COMMON:
                row = {k: q for k, q in row.items() if q > TYPO}
            elif little := _slip_of_a_little_word(w):
                row = {k: q for k, q in row.items() if q > TYPO or k.raw == little}
            if row and max(row.values()) >= STEM:
                # A word the list knows in this very form or stem is that word, not a shorter
                # one cut from it or a longer one it is the start of: "gjerningspersonen" is
                # not "sonen", "person" not "personal".
                row = {k: q for k, q in row.items() if q >= FOLDED}
            elif sum(q == TYPO for q in row.values()) > 1:
                # Slips for several words: the nearest ones ("kærasten" is "kjærasten", one
                # letter off, not "kameraten", two).
                off = {k: OSA.distance(typed.folded, k.folded) for k, q in row.items() if q == TYPO}
                row = {k: q for k, q in row.items() if q != TYPO or off[k] == min(off.values())}
        matches.append(row)

    def quality(i: int, word: Word) -> int:
        return matches[i].get(word, 0)

    def phrase_span(phrase: Phrase, i: int) -> tuple[int, int]:
        """(quality, words taken) of `phrase` read from word `i`, or (0, 0). One pronoun or
        particle the phrase does not have may stand between its words: "gitt meg lov" is
        "gitt lov", "slo han henne" is "slo henne"."""
        q, at, skipped = EXACT, i, False
        for j, w in enumerate(phrase.words):
            if j and at < len(words) and not quality(at, w) and not skipped:
                if words[at] in _SKIPPABLE and at + 1 < len(words) and quality(at + 1, w):
                    at, skipped = at + 1, True
            if at >= len(words) or not (here := quality(at, w)):
                return 0, 0
            q = min(q, here)
            at += 1
        return q, at - i

    def at(
        i: int,
    ) -> tuple[tuple[int, int], int, set[str], Word | None, dict[int, set[str]], bool]:
        """The best phrases read from word `i`: ((length, quality), words taken, their codes,
        the last word of one, the codes single words name as a compound's parts, and whether
        every best phrase names its code only when denied)."""
        best: tuple[int, int] = (0, 0)  # (length, quality)
        span = 0
        last_word: Word | None = None  # the last word of a best phrase
        codes_at_best: set[str] = set()
        only_denied = False
        parts: dict[int, set[str]] = {COMPOUND: set(), SUFFIX: set()}
        candidates = [p for first in matches[i] for p in index.phrases.get(first, ())]
        if words[i] == "jo" and i > 0 and words[i - 1] not in _BOUNDARY:
            # "vi har jo taushetsplikt": "jo" inside a sentence is a particle, not a yes.
            candidates = [p for p in candidates if len(p.words) > 1]
        if words[i] == "no" and len(words) > 1:
            # Nynorsk "no" is "now" ("ikkje no", "men no seier ho"): a bare "no" is English.
            candidates = [p for p in candidates if len(p.words) > 1]
        for phrase in candidates:
            n = len(phrase.words)
            if i + n > len(words):
                continue
            q, taken = phrase_span(phrase, i)
            if not q or (n > 1 and q < TYPO):
                # A phrase of several words is read only where each word is one of them: in
                # "bestefaren hans" no "faren hans" ends the first word.
                continue
            if n == 1 and q in parts:
                parts[q].add(phrase.code)
            if (n, q) > best:
                best, codes_at_best, span = (n, q), {phrase.code}, taken
                last_word = phrase.words[-1]
                only_denied = phrase.only_denied
            elif (n, q) == best:
                codes_at_best.add(phrase.code)
                only_denied = only_denied and phrase.only_denied
        return best, span, codes_at_best, last_word, parts, only_denied

    found: list[_Found] = []
    ambiguous: list[set[str]] = []
    i = 0
    while i < len(words):
        best, span, codes_at_best, last_word, parts, only_denied = at(i)
        if (
            best[0] > 1
            and (words[i] in _AUXILIARIES or words[i] in _FIRST_PERSON or words[i] in _SELF)
            and any(
                (later := at(j))[0][0] >= best[0] and j + later[1] > i + span
                for j in range(i + 1, i + span)
            )
        ):
            # A phrase that starts at the verb after an auxiliary and reaches further is what
            # was meant: "har slått i stykker" is "slått i stykker", not "har slått"; "har
            # hørt ham kjefte" is hearing him, not "har hørt" (being told); "jeg så at hun
            # hadde sår" is seeing signs, not "jeg så".
            i += 1
            continue
        if not codes_at_best:
            i += 1
            continue
        if (
            best == (1, COMPOUND)
            and last_word is not None
            and len(last_word.folded) <= 4
            and len(words[i]) - len(last_word.folded) > 6
            and not parts[SUFFIX]
        ):
            # A short word at the start of a long one that ends in no known word is another
            # compound: "nettbrettet" is a tablet, "høreapparatet" no insult.
            i += 1
            continue
        if codes.kin and best[0] == 1 and words[i] in _A_MAN and _indefinite(words, i):
            # "en ung mann", "ein mann som ringde": a man, not her husband.
            i += 1
            continue
        if codes.multiple and best == (1, COMPOUND) and len(parts[SUFFIX] - codes_at_best) == 1:
            # A compound names both its parts where several answers are asked for:
            # "nettsvindel" is fraud, and online.
            found.append(_Found((parts[SUFFIX] - codes_at_best).pop(), i))
        if len(codes_at_best) > 1 and best[1] <= TYPO:
            # A look-alike of two different words ("håret": "hånet" or "hardt") names neither.
            i += 1
            continue
        if len(codes_at_best) > 1:
            ambiguous.append(codes_at_best)
        else:
            code = codes_at_best.pop()
            # "ikke fysisk", and a denial after the verb: "hun samtykker ikke", "slår ikke".
            end = i + span
            after = words[end : end + 3]
            if after and after[0] in _PRONOUNS:
                after = after[1:]
            if after and after[0] in _COPULAS:
                after = after[1:]  # "samtykke er ikke innhentet"
            if after and after[0] in _STATIVES:
                after = after[1:]  # "samtykke foreligger ikke"
            if after[:1] == ["ikke"] and words[end : end + 1] == ["ikke"] and end + 1 < len(words):
                (_, strength), _, named_next, *_ = at(end + 1)
                if codes.of_the_person and words[end + 1] not in _BOUNDARY:
                    after = []  # "schizofren ikke medisinert": the denial is of what follows
                elif named_next and strength >= STEM:
                    after = []  # "sønnen ikke barnebarnet": the denial is the next one's
            denied = (
                # (on who did it: "vet ikke kanskje barnebarnet" is a guess, not a denial)
                _negated(words, i, found, codes.unknown if codes.kin else None)
                # "verken rus eller psykiatri", "ikke fysisk eller seksuelt": both denied
                or (bool(found) and found[-1].negated and words[found[-1].end : i] == ["eller"])
                or (
                    bool(after)
                    and after[0] in _DENIALS
                    and words[end - 1] not in _YES_NO
                    # "økonomisk ikke noe annet", "mistanke ikkje meir enn det": nothing more,
                    # typed without the comma, denies what follows, not the code.
                    and not set(after[1:2]) & _MORE
                )
            )
            entry = codes.get(code)
            if denied and entry is not None and entry.withheld and _withheld(words, i):
                # "får ikkje gifte seg med den ho vil": what she is kept from is the abuse.
                code, denied = entry.withheld, False
            if entry is not None and entry.threatened and _threatened(words, i, found):
                code = entry.threatened
            if (
                entry is not None
                and entry.by_someone_else
                and _by_someone_else(words, i, i + span, codes)
            ):
                code = entry.by_someone_else
            if entry is not None and entry.by_a_relative and _by_a_relative(words, i):
                code = entry.by_a_relative
            if only_denied and not denied:
                # "de har skiftet på henne": care given, which names nothing
                i += span
                continue
            owner = _genitive(words, i + span, last_word, index) or (
                # "guten hennar", "sønnen hans": the owner after a noun, not the one meant.
                best[0] == 1
                and words[i] in _POSSESSIVES
                and i > 0
                and words[i - 1] not in _BOUNDARY
            )
            after_place = words[i + 1] if i + 1 < len(words) else ""
            place = (words[i] in _PLACE_WORDS and after_place not in _TIMES) or (
                best[0] == 1 and words[i] in _AT_HOME
            )
            found.append(_Found(code, i, denied, owner, place, i + span))
        i += span
    return found, ambiguous


# Words for a partner that, after "en"/"ein", mean only a man or a woman: "en ung mann".
_A_MAN = {"mann", "kar", "kone"}
_INDEFINITE = {"en", "ein", "ei", "a", "an"}


def _indefinite(words: list[str], i: int) -> bool:
    """Whether the word at `i` follows an indefinite article, with at most one word between:
    "en mann", "ein eldre mann"."""
    before = words[max(0, i - 2) : i]
    return bool(before) and (
        before[-1] in _INDEFINITE
        or (len(before) == 2 and before[0] in _INDEFINITE and before[1] not in _BOUNDARY)
    )


# Words that start no compound typed apart: "for eldre" is not "foreldre".
_LITTLE_WORDS = {"for", "til", "med", "som", "over", "under", "etter", "mot", "fra", "ved", "om"}


# Who starts a clause: after someone named, "han" is a new sentence ("sønnen han drikk").
_SUBJECTS = {"han", "hun", "ho", "hu", "de", "dei", "jeg", "æ", "vi"}


def _unmarked_clauses(words: list[str], found: list[_Found]) -> set[int]:
    """Where a clause starts after someone named, in an answer typed without punctuation: the
    subject pronoun after the name and its "hans"/"hennes"."""
    starts = set()
    for item in found:
        if words[item.start] in _INDEFINITE or _indefinite(words, item.start):
            continue  # "en mann hun møtte på bussen": a relative clause without "som"
        at = item.end
        if 0 < at < len(words) and words[at] in _POSSESSIVES:
            at += 1
        if 0 < at < len(words) - 1 and (
            words[at] in _SUBJECTS
            # "barnebarnet en gutt på 19", "faren hans min eksmann": who they are, said again
            or words[at] in ("en", "ein", "ei")
            or (at > item.end and words[at] in _MY)
        ):
            starts.add(at)
    return starts


def _as_form_fields(words: list[str], found: list[_Found]) -> list[_Found]:
    """An answer written as a form, "Samtykke: nei. Avvergeplikt: ja": the yes or no after a
    field's colon says whether the field holds, and is no answer of its own."""
    fields = {
        f.start: f
        for f in found
        if 0 <= f.end < len(words) - 1 and words[f.end] == ":" and words[f.end + 1] in _YES_NO
    }
    if not fields:
        return found
    answers = {f.end + 1: f for f in fields.values()}
    result = []
    for f in found:
        if f.start in answers:
            continue  # the "ja"/"nei" a field was given
        if f.start in fields and words[f.end + 1] in ("nei", "no", "neppe", "nope"):
            f = dataclasses.replace(f, negated=not f.negated)
        result.append(f)
    return result


def _compounds_joined(words: list[str], codes: CodeList) -> list[str]:
    """A compound typed as two words read as one, where only together they are a word the list
    knows: "sviger datteren", "barne barnet", "avverge plikt" (Norwegian writes compounds as
    one word, and people often split them)."""
    index = _index(codes)

    def best(word: str) -> int:
        typed = Word.of(word)
        return max((_match(typed, k) for k in index.comparable(typed)), default=0)

    joined: list[str] = []
    i = 0
    while i < len(words):
        a = words[i]
        b = words[i + 1] if i + 1 < len(words) else ""
        if (
            a.isalpha()
            and b.isalpha()
            and len(a) >= 3
            and len(b) >= 3
            and a not in index.raw
            and a not in _LITTLE_WORDS
            and best(a) < EXACT
            and (
                best(a + b) >= STEM
                # misspelt too, where the two halves name nothing better: "omsorgs vikt"
                or (len(a + b) >= 9 and best(a + b) == TYPO and max(best(a), best(b)) < TYPO)
            )
        ):
            joined.append(a + b)
            i += 2
            continue
        joined.append(a)
        i += 1
    return joined


def _genitive(words: list[str], end: int, known: Word | None, index: _Index) -> bool:
    """Whether the word before `end` is a known word in the genitive with a word after it:
    "brukers sønn" names the son, "fornærmedes samboer" the partner."""
    typed = words[end - 1]
    if known is None or end >= len(words) or words[end] in _BOUNDARY:
        return False
    if not typed.endswith("s") or len(typed) < 4 or typed in _POSSESSIVES:
        return False
    if typed in index.raw and typed[:-1] not in index.raw:
        return False  # a known word that ends in s, not a genitive
    return _match(Word.of(typed[:-1]), known) >= PREFIX


def _threatened(words: list[str], start: int, before: list[_Found]) -> bool:
    """Whether the act at `start` is only threatened: "truer med å gi henne juling". The threat
    word may itself have named a code ("truer": psychological violence)."""
    stop = max((f.start for f in before), default=-1)
    for i in range(start - 1, max(stop - 1, start - 1 - 5, -1), -1):
        if words[i] in _BOUNDARY or words[i] in _CONTRASTS or words[i] in ("og", "and"):
            return False
        if _is_threat(words[i]):
            # "han skal ha tatt kvelertak på henne": what he is said to have done, no threat.
            return not (words[i] == "skal" and words[i + 1 : i + 2] == ["ha"])
    return False


@functools.lru_cache(maxsize=4096)
def _is_threat(word: str) -> bool:
    """Whether a word threatens ("truer", "trugar"), misspelt too ("truar", "trgar")."""
    return Word.of(word).folded_stem in _THREAT_STEMS or _one_of(word, frozenset(_THREAT_WORDS))


_ONLY = {"bare", "berre", "kun", "bara"}
# "får ikke", "fekk ikkje lov": being kept from something, not a denial of it.
_GETS = {"får", "fikk", "fekk", "fått"}


def _withheld(words: list[str], start: int) -> bool:
    """Whether the negation before `start` keeps someone from it: "får ikke ha norske venner",
    "ikke lov til å gifte seg", "kontrollert for at hun ikke skal vanære dem"."""
    for i in range(start - 1, max(-1, start - 1 - _NEGATION_REACH - 2), -1):
        if words[i] in _BOUNDARY or words[i] in _CONTRASTS:
            return False
        if words[i] in _NEGATIONS:
            purpose = any(
                words[j] == "at" and words[j - 1] in ("for", "slik", "så")
                for j in range(max(1, i - 3), i)
            )
            return (i > 0 and words[i - 1] in _GETS) or "lov" in words[i + 1 : start] or purpose
    return False


def _negated(
    words: list[str], start: int, before: list[_Found], unknown: str | None = None
) -> bool:
    """Whether a negation stands just before the phrase at `start`, with no other code, comma
    or "men" between: "ikke fysisk" but not "ikke fysisk, men psykisk" for "psykisk". The
    negation of a "don't know" named before is its own: "vet ikke kanskje barnebarnet"."""
    stop = max(
        (max(f.start, f.end - 1) if f.code == unknown else f.start for f in before), default=-1
    )
    for i in range(start - 1, max(stop, start - 1 - _NEGATION_REACH), -1):
        if words[i] in _BOUNDARY or words[i] in _CONTRASTS:
            return False
        if words[i] in _NEGATIONS:
            if words[i + 1 : i + 2] and words[i + 1] in _ONLY:
                return False  # "ikke bare penger, han slår også": that and more
            # "truer … hvis hun ikke gir ham penger": a condition, not a denial.
            return not any(w in _IF for w in words[max(0, i - 3) : i])
    return False


# --- numbers: an option's number, or an age --------------------------------------------------

_TENS = {
    "tjue": 20,
    "tretti": 30,
    "tredve": 30,
    "førti": 40,
    "forti": 40,
    "femti": 50,
    "seksti": 60,
    "sytti": 70,
    "søtti": 70,
    "åtti": 80,
    "nitti": 90,
    # as typed without å or with one t: "attifem", "sytisju"
    "atti": 80,
    "syti": 70,
    "sexti": 60,
}
# One to nine in words, bokmål and nynorsk (domain/report.py reads "to år eldre enn meg" and
# "nitten førtifem" with it).
UNIT_WORDS = {
    "en": 1,
    "ein": 1,
    "ett": 1,
    "eitt": 1,
    "et": 1,
    "to": 2,
    "tre": 3,
    "fire": 4,
    "fem": 5,
    "seks": 6,
    "sju": 7,
    "syv": 7,
    "åtte": 8,
    "ni": 9,
}
_TEENS = {"atten": 18, "nitten": 19, "hundre": 100, "hundrede": 100}
_DECADE = re.compile(r"(\d0)\s*-?\s*(?:tallet|årene|åra|årane|års|ars|arene|ara)")
_RANGE = re.compile(r"(\d{2,3})\s*(?:-|–|til)\s*(\d{2,3})")
_OVER = re.compile(r"(?:over|eldre enn|older than)\s+(\d{2,3})")
_UNDER = re.compile(r"(?:under|yngre enn|younger than)\s+(\d{2,3})")
# "tidlig i 60-årene": the decade's first years; "sent i 70-åra" its last.
_EARLY_DECADE = re.compile(
    r"(?:tidlig|tidleg|først|starten av|byrjinga av)\s+i\s+(\d0)\s*-?\s*(?:årene|åra|tallet)"
)
_LATE_DECADE = re.compile(r"(?:sent|seint|sist|slutten av)\s+i\s+(\d0)\s*-?\s*(?:årene|åra|tallet)")
# "sju og åtti": the old way, units first.
UNIT_WORDS_AND_TENS = re.compile(
    r"\b(en|ein|to|tre|fire|fem|seks|sju|syv|åtte|ni) og (tjue|tretti|førti|femti|seksti|sytti|åtti|nitti)\b"
)
# "50+", "50 år +": fifty or more.
_PLUS = re.compile(r"(\d{2,3})\s*(?:år\s*)?\+")
# "i åttiåra", "tidleg i tjueåra": a decade in words, read as "80-åra".
_DECADE_IN_WORDS = re.compile(
    r"\b(tjue|tretti|førti|forti|femti|seksti|sytti|åtti|atti|nitti)\s*-?\s*(åra|årene|årane)\b"
)
# "har bodd der i 70 år", "syk i over 30 år", "for 5 år siden": how long, not how old.
_DURATION = re.compile(
    r"\b(?:i|for|gjennom)\s+(?:over\s+|nesten\s+|snart\s+|mer enn\s+|meir enn\s+)?"
    r"\d{1,3}\s+år\b(?!\s*gammel)"
)
# "snart 30", "fyller 80 til jul": not yet that age.
_NOT_YET = re.compile(r"(?:snart|fyller|fyller snart|blir|nesten|nærmere)\s+(\d{2,3})")


def number_word(word: str) -> int | None:
    """'åtti' -> 80, 'åttifire' -> 84, 'nitten' -> 19, 'nittiåring' -> 90; None otherwise."""
    word = re.sub(r"(?:åringen|åring|åringar|åringer)$", "", word)
    if word in _TEENS:
        return _TEENS[word]
    for tens, value in _TENS.items():
        if word.startswith(tens):
            rest = word[len(tens) :]
            if not rest:
                return value
            if rest in UNIT_WORDS:
                return value + UNIT_WORDS[rest]
    return None


def ages_in(text: str) -> list[tuple[int, int]]:
    """The ages an answer gives, each as the range it allows: '84' -> (84, 84), 'i 80-årene' ->
    (80, 89), 'over 80' -> (81, 120), '60-70' -> (60, 70). Numbers outside 0-120 are not ages."""
    lowered = unicodedata.normalize("NFC", after_correction(text).lower())
    found: list[tuple[int, int]] = []

    def take(match: re.Match[str], low: int, high: int) -> str:
        found.append((low, high))
        return " " * len(match.group(0))

    lowered = _DURATION.sub(" ", lowered)
    lowered = _DECADE_IN_WORDS.sub(lambda m: f"{_TENS[m.group(1)]}-{m.group(2)}", lowered)
    lowered = UNIT_WORDS_AND_TENS.sub(
        lambda m: take(
            m,
            _TENS[m.group(2)] + UNIT_WORDS[m.group(1)],
            _TENS[m.group(2)] + UNIT_WORDS[m.group(1)],
        ),
        lowered,
    )
    lowered = _NOT_YET.sub(lambda m: take(m, int(m.group(1)) - 1, int(m.group(1)) - 1), lowered)
    lowered = _EARLY_DECADE.sub(lambda m: take(m, int(m.group(1)), int(m.group(1)) + 3), lowered)
    lowered = _LATE_DECADE.sub(lambda m: take(m, int(m.group(1)) + 6, int(m.group(1)) + 9), lowered)
    lowered = _PLUS.sub(lambda m: take(m, int(m.group(1)), 120), lowered)
    lowered = _DECADE.sub(lambda m: take(m, int(m.group(1)), int(m.group(1)) + 9), lowered)
    lowered = _RANGE.sub(lambda m: take(m, int(m.group(1)), int(m.group(2))), lowered)
    lowered = _OVER.sub(lambda m: take(m, int(m.group(1)) + 1, 120), lowered)
    lowered = _UNDER.sub(lambda m: take(m, 0, int(m.group(1)) - 1), lowered)
    for word in _TOKEN.findall(lowered):
        value = int(word) if word.isdigit() and len(word) <= 3 else number_word(word)
        if value is not None:
            found.append((value, value))
    return [(low, high) for low, high in found if 0 <= low <= high <= 120]


def _codes_for_ages(text: str, codes: CodeList) -> tuple[set[str], bool]:
    """The codes the ages in an answer name (a list that knows ages: the age bands, old age),
    and whether an age straddles two codes ('60-70' for the bands)."""
    if codes.by_age is None:
        return set(), False
    chosen: set[str] = set()
    unclear = False
    for low, high in ages_in(text):
        if high < 18:
            unclear = True  # not an adult: nothing here fits
            continue
        ends = {codes.by_age(max(low, 18)), codes.by_age(high)}
        if len(ends) > 1:
            unclear = True
        elif (code := ends.pop()) is not None:
            chosen.add(code)
    return chosen, unclear


def _option_numbers(text: str, codes: CodeList) -> list[str] | None:
    """'2, 4' as the options' numbers in the list, as people answer a numbered list."""
    if not _OPTION_NUMBERS.match(text):
        return None
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    if not all(1 <= n <= len(codes.codes) for n in numbers):
        return None
    return [codes.codes[n - 1].code for n in numbers]


# --- the answer ------------------------------------------------------------------------------


def after_correction(text: str) -> str:
    """What follows the last correction ("45, nei vent, 54" -> "54"), or the whole text."""
    corrections = list(_CORRECTION.finditer(text))
    if corrections and text[corrections[-1].end() :].strip(" ,.;:"):
        return text[corrections[-1].end() :]
    return text


def parse_choices(text: str, codes: CodeList) -> list[str] | None:
    """The codes a typed answer names, in list order, or None when it is not clear enough."""
    text = after_correction(text.strip())
    if not text:
        return None
    if codes.of_the_person:
        text = _clauses_marked(text)
    if not codes.numbers_are_ages and not any(
        low >= 18 for low, _ in ages_in(text) if codes.by_age
    ):
        numbered = _option_numbers(text, codes)
        if numbered is not None:
            chosen = set(numbered)
            return _decide(chosen, codes)
    words = _compounds_joined(tokens(text), codes)
    if is_question(text) and not (codes.kin and _unsure_answer(text)):
        return None
    found, ambiguous = _find(words, codes)
    # (A full stop at the end leaves the answer typed without punctuation.)
    inner = words[:-1] if words and words[-1] in (".", "!") else words
    if not codes.multiple and not any(w in _BOUNDARY for w in inner):
        # "mannen hennar han drikk", typed without the comma: the clause after the one named.
        commas = _unmarked_clauses(words, found)
        if commas:
            words = [w for i, x in enumerate(words) for w in ([",", x] if i in commas else [x])]
            found, ambiguous = _find(words, codes)
    found = _as_form_fields(words, found)
    if codes.unknown:
        # "jeg vet ikke om jeg tør å si det": unsure of telling, not of who.
        found = [
            f
            for f in found
            if not (
                f.code == codes.unknown
                and words[f.end : f.end + 1] in (["om"], ["hvorvidt"])
                and set(words[f.end + 1 : f.end + 2]) & _FIRST_PERSON
            )
        ]
    if codes.multiple:
        found = _without_purposes(words, found)
    if words[:1] == ["ja"] and "altså" in words[1:3] and any(f.start > 2 for f in found):
        # "Ja, altså, hun har ikke samtykket": "ja, altså" is how the answer starts, not a yes.
        found = [f for f in found if f.start > 0]
    # A word that names two codes leaves the answer unclear, unless one of them is named
    # plainly too: "faste" (staff or aunt) in "en av de faste på hjemmetjenesten".
    if any(not (codes_of & {f.code for f in found}) for codes_of in ambiguous):
        return None
    if not codes.multiple and (
        _named_as_alternatives(words, found)
        or (_EITHER & set(words) and "eller" in words and not _same_either_way(words, found))
        # "ja og nei", "ja nei": a yes and a no side by side say neither, unless more is said
        or (
            {"ja", "nei"} <= set(words)
            and all(words[f.start] in _YES_NO for f in found)
            and not any(w in _CONTRASTS for w in words)
        )
    ):
        return None
    if codes.kin:  # a list of who someone is: "faren, han er verje òg" names the father
        found = _without_the_writers_siblings(words, found)
        found = _without_predicates(words, found)
        found = _relatives_of_the_named(words, found, codes)
        found = _without_informants(words, found)
    if codes.of_the_person:
        found = [f for f in found if not _about_someone_else(words, f.start)]
        found = _without_causes(words, found)
    chosen = set()
    for item in found:
        if not item.negated:
            chosen.add(item.code)
        elif (code := codes.get(item.code)) is not None and code.negated:
            chosen.add(code.negated)
    if codes.of_the_person:
        # What the person has is denied anywhere in the answer: "kognitiv svikt, ikke utredet
        # for demens" is no dementia.
        chosen -= {f.code for f in found if f.negated}
    by_age, unclear = _codes_for_ages(_own_clauses(text) if codes.of_the_person else text, codes)
    if unclear and not chosen:
        return None
    chosen |= by_age
    # "hun fortalte det, og jeg har også sett blåmerkene": being told covers the suspicion, so
    # one answer stands, not two.
    outranked = {o for c in chosen if (code := codes.get(c)) for o in code.outranks}
    if not codes.multiple and (
        (
            len(chosen - outranked) > 1
            and _both(words)
            # "mest svigerdattera, men også sonen": the one stressed is the answer
            and len(_stressed(words, found, chosen - outranked)) != 1
        )
        or _both_parts(words)
    ):
        return None
    if codes.kin and _someone_else_maybe(words):
        return None
    if not codes.multiple:
        # Several named where one is asked for: each rule in turn, while more than one is left.
        picks: tuple[Callable[[set[str]], set[str]], ...] = (
            lambda c: _named_plainly(words, found, c, codes),
            lambda c: _without_another(words, found, c),
            lambda c: _stressed(words, found, c),
            lambda c: _cleft(words, found, c) if codes.kin else c,
            lambda c: _conclusion(words, found, c),
            lambda c: _after_last_contrast(words, found, c, codes),
            lambda c: _not_in_the_past(words, found, c),
            lambda c: _kin(words, found, c, codes),
            lambda c: _without_owners(words, found, c),
            lambda c: _in_first_clause(words, found, c, codes),
        )
        for pick in picks:
            if len(chosen) > 1:
                chosen = pick(chosen)
    return _decide(chosen, codes)


def _named_plainly(
    words: list[str], found: list[_Found], chosen: set[str], codes: CodeList
) -> set[str]:
    """For one choice, the codes that name who or what, not a place or not knowing: "noen fra
    familien, men jeg vet ikke hvem" names the family; "vet ikke hvem, men det skjer når hun er
    hjemme" names no one, as where it happens is no answer."""
    named = {f.code for f in found if not f.place and not f.negated} - {codes.unknown}
    chosen = (chosen & named) or chosen
    at_home = {f.code for f in found if words[f.start] in _AT_HOME and f.place}
    if codes.unknown in chosen and not named and chosen - at_home == {codes.unknown}:
        chosen = {codes.unknown}
    return chosen


def _without_another(words: list[str], found: list[_Found], chosen: set[str]) -> set[str]:
    """For one choice, "annen" alone describes whoever else is named and is no answer: "en annen
    dame på rommet"."""

    def bare(item: _Found) -> bool:
        return item.end == item.start + 1 and words[item.start] in _ANOTHER

    described = {f.code for f in found if bare(f)} - {f.code for f in found if not bare(f)}
    return (chosen - described) or chosen


def _without_owners(words: list[str], found: list[_Found], chosen: set[str]) -> set[str]:
    """For one choice, whose someone is is not the answer: "faren til beboeren", "naboens
    sønn". But a possessive points back to one named plainly before it, who stays: "det er en
    kvinne, mannen hennes slår"."""
    owners = {f.code for f in found if f.owner or _after_of(words, f.start)}
    pointed = {f.code for f in found if f.owner and words[f.start] in _POSSESSIVES}
    plain = {
        f.code for f in found if not (f.owner or _after_of(words, f.start) or f.negated or f.place)
    }
    owners -= pointed & plain
    return (chosen - owners) or chosen


# What may follow a question mark and leave it a question: "…? vel", "…? :(".
_TAGS = {"vel", "da", "liksom", "lol", "egentlig", "eigentleg", "altså"}


def is_question(text: str) -> bool:
    """A question back instead of an answer: "hva betyr samtykke?", "hæ?", "hva er X"."""
    stripped = text.strip()
    tail = stripped.rsplit("?", 1)[-1]
    if "?" in stripped and {w for w in tokens(tail) if w not in _BOUNDARY} <= _TAGS:
        stripped = stripped.rsplit("?", 1)[0] + "?"  # "må jeg ha samtykke? :(", "…? vel"
    words = [w for w in tokens(stripped) if w not in _BOUNDARY]
    while words and words[0] in _INTERJECTIONS:
        words = words[1:]  # "hæ? hva skjer om jeg trykker nei"
    if len(words) >= 2 and words[0] in _QUESTION_WORDS and words[1] in _QUESTION_VERBS:
        return True
    if any(
        a in _QUESTION_WORDS and b in _QUESTION_VERBS and c in ("det", "dette", "that")
        for a, b, c in zip(words, words[1:], words[2:], strict=False)
    ):
        return True  # "samtykke, hva er det", "kva tyder det"
    if len(words) >= 2 and words[0] in _WHO_WHY:
        return True  # "hvem ringer politiet", "kvifor må eg svare"
    if not stripped.endswith("?"):
        return False
    if words[:2] and words[0] in ("kan", "kunne") and words[1] in _ASKING:
        return False  # a request: "kan vi ta det etterpå?", "kan jeg være anonym?"
    if words and words[0] in _QUESTION_VERBS | _MODALS:
        return True  # "skal vi fortsette?", "er det nødvendig?"
    return len(words) <= 2 or any(w in _QUESTION_WORDS for w in words)


def _unsure_answer(text: str) -> bool:
    """A few words with a question mark and no question in them: "sønnen?", "kanskje
    barnebarnet?" answer who, unsure, rather than ask back."""
    words = [w for w in tokens(text) if w not in _BOUNDARY]
    asking = _QUESTION_WORDS | _INTERJECTIONS | _MODALS | _QUESTION_VERBS | _WHO_WHY
    return 0 < len(words) <= 3 and not set(words) & asking


def _conclusion(words: list[str], found: list[_Found], chosen: set[str]) -> set[str]:
    """For one choice, a yes or no drawn at the end is the answer: "jeg venter uansett, så ja"."""
    last = found[-1] if found else None
    if (
        last is None
        or last.negated
        or last.start < 1
        or words[last.start] not in _YES_NO
        or words[last.start - 1] not in ("så", "altså", "so")
        or any(w not in _BOUNDARY for w in words[last.start + 1 :])
    ):
        return chosen
    return ({last.code} & chosen) or chosen


def _after_last_contrast(
    words: list[str], found: list[_Found], chosen: set[str], codes: CodeList
) -> set[str]:
    """For one choice, what follows "men" is what is meant: "ja, men ikke nå" is not now."""
    contrasts = [i for i, w in enumerate(words) if w in _CONTRASTS]
    if not contrasts:
        return chosen
    after = {f.code for f in found if f.start > contrasts[-1] and not f.negated}
    if not after:
        # "hun sa det, men jeg har ikke sett noe": what is denied after "men" is not meant.
        denied = {f.code for f in found if f.start > contrasts[-1] and f.negated}
        return (chosen - denied) or chosen
    # "en i personalgruppa, men jeg vet ikke hvem": the category stands, the person is unknown.
    after -= {codes.unknown} if codes.unknown else set()
    return (after & chosen) or chosen


_ANOTHER = {"annen", "annan", "anna", "annet", "andre", "another"}
# "begge deler", "både … og", "men også": two answers, where one is asked for.
_BOTH = {"både", "begge", "both", "også", "òg", "dessuten", "tillegg", "dels"}
# "mest sonen", "hovedsakelig naboen": the one meant among several named.
_STRESS = {"mest", "mostly", "hovedsakelig", "hovudsakleg", "særlig", "særleg", "primært"}


_AND = {"og", "and", "samt", "pluss", "så"}
# "kanskje mannen, kanskje sønnen": unsure between the codes named.
_HEDGES = {"kanskje", "kanskj", "muligens", "moglegvis", "eventuelt", "evt", "maybe"}


def _both(words: list[str]) -> bool:
    # "noe har jeg sett, noe har hun fortalt": part one, part the other
    return any(w in _BOTH for w in words) or words.count("noe") >= 2


def _both_parts(words: list[str]) -> bool:
    """ "begge deler", "both": every option named, where one is asked for."""
    return "both" in words or any(
        a == "begge" and b in ("deler", "delar", "delene", "delane")
        for a, b in itertools.pairwise(words)
    )


# "noen andre", "ein annan": someone not named.
_SOMEONE_ELSE = {("noen", "andre"), ("nokon", "andre"), ("en", "annen"), ("ein", "annan")}


def _someone_else_maybe(words: list[str]) -> bool:
    """For one choice, someone not named given as an alternative: "kanskje sønnen, kanskje
    noen andre", "sønnen eller en annen"."""
    return any(
        (a, b) in _SOMEONE_ELSE and (before in _HEDGES or before == "eller")
        for before, a, b in zip(words, words[1:], words[2:], strict=False)
    )


def _stressed(words: list[str], found: list[_Found], chosen: set[str]) -> set[str]:
    """For one choice, a code stressed among several: "sonen og kona hans, mest sonen"."""
    stressed = {
        f.code
        for f in found
        if not f.negated and any(w in _STRESS for w in words[max(0, f.start - 2) : f.start])
    }
    return (stressed & chosen) if len(stressed & chosen) == 1 else chosen


# "det er nok svigerdattera som styrer alt": what may stand between "det er" and its focus.
_CLEFT_FILLERS = {
    *("nok", "vel", "jo", "visst", "sikkert", "trolig", "egentlig", "eigentleg", "nå", "no"),
    *("helt", "heilt", "faktisk", "kanskje", "en", "ein", "ei", "et"),
}
_CLEFT_PRONOUNS = {"han", "hun", "ho", "hu"}


def _cleft(words: list[str], found: list[_Found], chosen: set[str]) -> set[str]:
    """For who did it, the one put in focus with "det er" is the answer where others are named
    around: "bor med sønnen og svigerdattera, og det er svigerdattera som styrer alt". A
    pronoun in focus ("det er han som tek pengane") is the one named last before it."""

    def focus(at: int) -> bool:
        k = at - 1
        while k >= 0 and words[k] in _CLEFT_FILLERS:
            k -= 1
        return k >= 1 and words[k] in ("er", "var", "e") and words[k - 1] == "det"

    def alone(item: _Found) -> bool:
        """Whether the one in focus is all of it: not "det er datteren og svigersønnen"."""
        k = item.end
        while k < len(words) and words[k] in _POSSESSIVES:
            k += 1
        return k == len(words) or words[k] in _BOUNDARY or words[k] == "som"

    focused = {
        f.code for f in found if not f.negated and not f.owner and focus(f.start) and alone(f)
    }
    if len(focused & chosen) == 1:
        return focused & chosen
    for k, w in enumerate(words):
        after = words[k + 1 : k + 2]
        if w in _CLEFT_PRONOUNS and focus(k) and (not after or after[0] in ("som", *_BOUNDARY)):
            before = [f for f in found if f.start < k and not f.negated and not f.owner]
            if before and before[-1].code in chosen:
                return {before[-1].code}
    return chosen


def _leading_filler(words: list[str], i: int) -> bool:
    """Whether the word at `i` is "altså" at the start ("Ja, altså, faren hans"): how an answer
    begins, not a correction of what went before."""
    return words[i] == "altså" and all(w in _YES_NO or w in _BOUNDARY for w in words[:i])


def _in_first_clause(
    words: list[str], found: list[_Found], chosen: set[str], codes: CodeList
) -> set[str]:
    """For one choice, the answer comes first and what follows describes it: "far hans, han e
    streng med gutten", "sønn. 34 år. kjent for politiet". Not where the next clause adds
    another answer ("ho fortalde det, og eg såg det sjølv")."""
    if any(
        (w in _CONTRASTS and not _leading_filler(words, i)) or w in _HEDGES
        for i, w in enumerate(words)
    ):
        return chosen
    # The first clause that names anything: "Tja, far hans, han e streng" starts at "far".
    named_at = min((f.start for f in found), default=0)
    begin = max((i + 1 for i, w in enumerate(words[:named_at]) if w in _BOUNDARY), default=0)
    end = next((i for i, w in enumerate(words) if i >= begin and w in _BOUNDARY), len(words))
    if words[end + 1 : end + 2] and words[end + 1] in _AND:
        return chosen
    if words[end : end + 1] and words[end] in ("/", "+", "&"):
        return chosen  # "sønn/ektefelle", "sønn + svigerdatter": two answers, not one described
    # "sønnen som bor hos mora si": what a relative clause says describes the one named.
    end = next((i for i, w in enumerate(words[:end]) if w == "som" and i > begin), end)
    first = {
        f.code
        for f in found
        if begin <= f.start < end and not f.negated and not f.owner and f.code != codes.unknown
    }
    return first if len(first) == 1 and first <= chosen else chosen


# "en av nattevaktene", "ein av dei tilsette": one of a group, not whose.
_PARTITIVES = {"en", "ein", "ei", "eit", "et", "én", "noen", "nokon", "flere", "fleire", "mange"}


def _after_of(words: list[str], start: int) -> bool:
    """Whether the word at `start` is the owner after "til"/"av": "faren til beboeren", but not
    "en av pleierne"."""
    return (
        start > 0
        and words[start - 1] in _OF
        and not (words[start - 1] == "av" and start > 1 and words[start - 2] in _PARTITIVES)
        # "av og til barnebarnet": sometimes the grandchild, not the grandchild's
        and words[max(0, start - 3) : start] != ["av", "og", "til"]
    )


def _kin(words: list[str], found: list[_Found], chosen: set[str], codes: CodeList) -> set[str]:
    """For one choice, someone named as another one's relative is related to the person as the
    list's kin says: "kona til sønnen" is an in-law, "naboens sønn" no family."""
    named = [f for f in found if not f.negated]
    for a, b in itertools.pairwise(named):
        if _after_of(words, b.start) and b.start - a.start <= 3:
            pair = (a.code, b.code)  # "sønnen til naboen"
        elif b.start == a.end + 1 and words[a.end] in _REFLEXIVES:
            pair = (b.code, a.code)  # "dattera sin mann": the daughter's husband
            a = dataclasses.replace(a, owner=True)
        elif a.owner:
            pair = (b.code, a.code)  # "naboens sønn"
        else:
            continue
        owner = a if pair[1] == a.code and a.owner else b
        if any(w in _MY for w in words[owner.start + 1 : owner.start + 2]):
            continue  # "kona til broren min": the writer's brother may be the person
        for who, whose, code in codes.kin:
            if (who, whose) == pair:
                return {code}
    return chosen


# Who the person is family to: named as the subject, what follows "er" only describes them.
_FAMILY = {"partner", "child", "grandchild", "parent", "sibling", "other_family"}
# "han er også verge", "som er verje for han": words a predicate may hold before its noun.
_PREDICATE_FILLERS = {"også", "òg", "og", "jo", "nok", "vel", "hennes", "hennar", "hans", "hass"}


def _without_predicates(words: list[str], found: list[_Found]) -> list[_Found]:
    """For one choice, what someone named is said to be as well describes them: "faren hans,
    han er verje òg", "storesøsteren, som er verge for ham" name the father and the sister."""

    def predicate(item: _Found) -> bool:
        low = item.start
        while low > 0 and words[low - 1] not in _BOUNDARY:
            low -= 1
        before = [w for w in words[low : item.start] if w not in _PREDICATE_FILLERS]
        before = [w for w in before if w not in _ARTICLES]
        subject = next((f for f in found if f.start == low and f is not item), None)
        if subject is not None and subject.code in _FAMILY and not subject.negated:
            # "faren hans er verge og bestemmer alt": a relative, and what he is besides.
            rest = [w for w in words[subject.end : item.start] if w not in _PREDICATE_FILLERS]
            if [w for w in rest if w not in _ARTICLES] in (["er"], ["var"]):
                return True
        return (
            len(before) == 2
            and before[1] in _COPULAS
            and (before[0] == "som" or before[0] in _THIRD_PERSON)
            and any(f.start < low or (f.start < item.start and f is not item) for f in found)
        )

    kept = [f for f in found if not predicate(f)]
    return kept if kept else found


def _without_causes(words: list[str], found: list[_Found]) -> list[_Found]:
    """What something named came "etter" is its cause, not another answer: "lam i høyre side
    etter slaget" is paralysis, "går med stokk etter at hun brakk lårhalsen" a disability."""

    def cause(item: _Found) -> bool:
        for i in range(item.start - 1, max(item.start - 4, -1), -1):
            if words[i] in _BOUNDARY or words[i] in _AND:
                return False
            if words[i] == "etter" and not set(words[i + 1 : i + 2]) & {"hvert", "kvart"}:
                return any(f.start < i and not f.negated for f in found)
        return False

    kept = [f for f in found if not cause(f)]
    return kept if kept else found


# Whose a possessive says: "hans" a man's, "hennes" a woman's. The relatives by the sex the
# word gives them, by how the word starts: "sønnen", "sonen", "dottera", "søstera".
_HIS = {"hans", "hass", "hannes"}
# "sin", "si": the subject's own, in "kona si" and in "dattera sin mann" alike.
_REFLEXIVES = {"sin", "si", "sitt", "sine"}
_HERS = {"hennes", "hennar", "hennås"}
_MALE_STARTS = ("sonn", "son", "bror", "far", "onkel", "nevo", "svoger", "fetter", "gut", "mann")
_FEMALE_STARTS = ("datter", "dotter", "datt", "dott", "sost", "syst", "mor", "tant", "nies", "kon")


def _relatives_of_the_named(words: list[str], found: list[_Found], codes: CodeList) -> list[_Found]:
    """For one choice, a relative with "hans"/"hennes" after someone named before of that sex
    is that one's relative: in "ikke sønnen, men kona hans" and "sønnen og kona hans, mest
    kona" the wife is the son's (an in-law), as the list's kin says."""
    kin = {(who, whose): code for who, whose, code in codes.kin}
    renamed: dict[str, str] = {}
    result = []
    for k, item in enumerate(found):
        typed = words[item.start]
        after = words[item.start + 1 : item.start + 2]
        if typed in renamed:
            item = dataclasses.replace(item, code=renamed[typed])
        elif after and after[0] in _REFLEXIVES:
            # "datteren, med hjelp fra kjæresten sin": "sin" is the one named before's.
            before = [f for f in found[:k] if (item.code, f.code) in kin]
            if before:
                item = dataclasses.replace(item, code=kin[(item.code, before[-1].code)])
        elif after and (after[0] in _HIS or after[0] in _HERS):
            starts = _MALE_STARTS if after[0] in _HIS else _FEMALE_STARTS
            before = [
                f
                for f in found[:k]
                if f.code != item.code
                and any(fold(w).startswith(starts) for w in words[f.start : f.start + 2])
            ]
            if before and (item.code, before[-1].code) in kin:
                code = kin[(item.code, before[-1].code)]
                renamed[typed] = code
                item = dataclasses.replace(item, code=code)
        result.append(item)
    return result


# What someone who told or knows does: "datteren sa at det er svigersønnen", "sønnen vet om
# det". Read after the one named (and "hennes"), or "ifølge" before.
_TELLING = {
    *("sa", "sier", "seier", "mener", "meiner", "tror", "trur", "fortalte", "fortalde"),
    *("forteller", "fortel", "vet", "veit", "visste", "ringte", "ringde", "varslet", "varsla"),
}
_ACCORDING_TO = {"ifølge", "ifølgje", "iflg"}


def _without_informants(words: list[str], found: list[_Found]) -> list[_Found]:
    """For one choice, someone named as the one who told or knows is not who did it, where
    someone else is named: "ifølge datteren er det samboeren" names the partner."""

    def informant(item: _Found) -> bool:
        after = [w for w in words[item.start + 1 : item.start + 4] if w not in _POSSESSIVES]
        before = words[item.start - 1] if item.start else ""
        # "sønnen, tror jeg": the writer's hedge, not the son telling.
        # "en av de ansatte vet ikke hvem": not knowing is no telling.
        telling = (
            bool(after)
            and after[0] in _TELLING
            and not set(after[1:2]) & (_FIRST_PERSON | _DENIALS)
        )
        return telling or before in _ACCORDING_TO

    kept = [f for f in found if not informant(f)]
    return kept if any(not f.negated for f in kept) else found


# The code for a brother or sister of the person, which a writer's own one need not be.
_SIBLING = "sibling"
_OWN = {"egen", "eigen", "eiga", "eget", "eige"}


def _without_the_writers_siblings(words: list[str], found: list[_Found]) -> list[_Found]:
    """For who did it, the writer's own brother or sister ("broren min", "mi syster") says
    nothing of how they are related to the person, unless the writer is the person ("det er
    meg det gjelder"): without more, the question is asked again."""
    if "meg" in words and any(w in ("gjelder", "gjeld") for w in words):
        return found

    def the_writers(item: _Found) -> bool:
        before = [w for w in words[max(0, item.start - 2) : item.start] if w not in _OWN]
        return item.code == _SIBLING and (
            bool(set(words[item.end : item.end + 1]) & _MY) or bool(before and before[-1] in _MY)
        )

    return [f for f in found if not the_writers(f)]


# The person's relatives as people name them ("sønnen", "dottera hennar"); "mamma" and "min"
# are left out, as the writer's mother is often the person.
_HER_RELATIVES = {
    *("sønnen", "sonen", "datteren", "dattera", "dottera", "mannen", "ektemannen", "kona"),
    *("samboeren", "sambuaren", "barna", "borna", "familien", "barnebarnet", "svigersønnen"),
    *("svigersonen", "svigerdattera", "svigerdatteren", "pårørende", "pårørande"),
}


def _by_a_relative(words: list[str], start: int) -> bool:
    """Whether the clause before `start` has one of the person's relatives say it: "sonen
    hennar sa det var greitt"."""
    low = start
    while low > 0 and words[low - 1] not in _BOUNDARY and words[low - 1] not in _CONTRASTS:
        low -= 1
    clause = words[low:start]
    return (
        len(clause) >= 2
        and _one_of(clause[0], frozenset(_HER_RELATIVES))
        and clause[1] not in _MY
        and any(w in _TELLING for w in clause[1:4])
    )


def _not_in_the_past(words: list[str], found: list[_Found], chosen: set[str]) -> set[str]:
    """For one choice, what was so before is not the answer: "bodde i Moss før, nå i Råde"."""
    past = set()
    for item in found:
        clause = _clause_around(words, item.start)
        if any(w in _PAST for w in clause):
            past.add(item.code)
    return (chosen - past) or chosen


# Someone else as the subject of what the reporter tells: "kollegaen min såg det".
_OTHERS = {
    "kollega",
    "kollegaen",
    "kollegane",
    "kollegene",
    "kolleger",
    "veileder",
    "veilederen",
    "rettleiaren",
    "leder",
    "lederen",
    "leiar",
    "leiaren",
    "sjefen",
    "nabo",
    "naboen",
    "grannen",
    "sonen",
    "dottera",
    "fastlegen",
    "legen",
    "banken",
    "politiet",
    "vitne",
    "vitnet",
    "noen",
    "nokon",
    "ansatte",
    "tilsette",
    "personalet",
    "pleierne",
    "pleiarane",
    "helsesekretæren",
    "sykepleieren",
    "sjukepleiaren",
    "kollegaer",
    "naboene",
    "grannane",
    "mor",
    "mora",
    "moren",
    "far",
    "faren",
}
_THIRD_PERSON = {"han", "hun", "ho", "hu", "hon", "dei", "de", "dem", "hen", "someone", "he", "she"}


def _by_someone_else(words: list[str], start: int, end: int, codes: CodeList) -> bool:
    """Whether the clause a code stands in has another person as its subject: "sonen hennar sa
    det var greitt", and in the reporter's own account "broren min sa det, han var der"."""
    low = start
    while low > 0 and words[low - 1] not in _BOUNDARY and words[low - 1] not in _CONTRASTS:
        low -= 1
    before = [w for w in words[low:start] if w not in ("og", "and", "samt")]
    if len(before) >= 2 and before[0] in _SUBORDINATORS:
        before = before[1:]  # "veilederen sa at hun hadde sett det": she saw it
    if len(before) >= 2 and before[0] in _ARTICLES:
        before = before[1:]  # "ein kollega såg det"
    if len(before) >= 2 and before[0] in _MY:
        before = before[1:]  # "min kollega var vitne til det"
    if len(before) >= 2 and before[0] == "det" and before[1] in _COPULAS:
        before = before[2:]  # "det var kollegaen min som såg det"
    others = _OTHER_PEOPLE | _OTHERS
    if codes.of_the_reporter:
        others = others | _THIRD_PERSON
    # "i" inside a clause is "in" ("veilederen min i praksis"), not English "I".
    mine = any(w in _FIRST_PERSON and (w != "i" or k == 0) for k, w in enumerate(before)) or any(
        w in ("meg", "oss", "me", "mine", "mitt", "min", "mi") for w in words[start : end + 2]
    )
    return (
        bool(before)
        and (_one_of(before[0], frozenset(others)) or _names_a_person(before[0]))
        and not mine
    )


@functools.lru_cache(maxsize=4096)
def _names_a_person(word: str) -> bool:
    """Whether a word names a person by their relation or role, as the answer to who did it
    does: "nattevakta", "svigersønnen", "heimehjelpa"."""
    if len(word) < 4 or word in _FIRST_PERSON or word in _THIRD_PERSON:
        return False
    typed = Word.of(word)
    return any(_match(typed, known) >= PREFIX for known in _person_words())


@functools.lru_cache(maxsize=1)
def _person_words() -> tuple[Word, ...]:
    return tuple(
        phrase.words[0]
        for phrase in vocabulary(PERPETRATOR_RELATION)
        if len(phrase.words) == 1
        and phrase.code not in ("unknown", "other")
        and len(phrase.words[0].raw) >= 4
    )


_ARTICLES = {"en", "ein", "ei", "et", "eit", "a", "an", "the"}
_SUBORDINATORS = {"at", "som", "fordi", "that"}
_FIRST_PERSON = {"jeg", "eg", "æ", "i", "vi", "me", "je", "e"}


# "sonen rusar seg ho er 84", typed without a comma: "ho" starting a clause of her own, as a
# subject before a verb, after a word that does not lead into it.
_HER_CLAUSE = re.compile(
    r"(?<=\w)\s+(?=(?:hun|ho|hu)\s+(?:er|e|har|hadde|var|selv|sjølv|sjøl|bor|bur|sliter|slit"
    r"|lider|lid|går|sitter|sit|bruker|brukar|snakker|snakkar)\b)",
    re.IGNORECASE,
)
_LEADING_IN = {
    *_AND,
    *_CONTRASTS,
    *_SUBORDINATORS,
    *_LITTLE_WORDS,
    *("når", "da", "då", "der", "fordi", "så", "om", "hvis", "viss", "at", "nå", "no"),
    *("er", "var", "har", "tror", "trur", "mener", "meiner", "sier", "seier", "kanskje"),
    *("på", "hos", "hjå", "av", "med", "mot", "enn"),
}
# "hun er 88 sønnen hennes drikker": another person starting a clause after her age (after a
# verb they may be its object: "mistet mannen sin").
_OTHERS_CLAUSE = re.compile(
    rf"(\d|\bår|\bgammel|\bgammal|\bgamal)\s+(?=(?:{'|'.join(sorted(_OTHER_PEOPLE))})\s+\w)",
    re.IGNORECASE,
)


def _clauses_marked(text: str) -> str:
    """An answer typed without punctuation, with a comma where a clause about the person starts
    after one about someone else: "sønnen ruser seg hun er selv dement"."""
    if re.search(r"[,.;:!?]", text):
        return text

    def comma(match: re.Match[str]) -> str:
        before = text[: match.start()].split()
        return match.group(0) if before and before[-1].lower() in _LEADING_IN else ", "

    return _OTHERS_CLAUSE.sub(r"\1, ", _HER_CLAUSE.sub(comma, text))


def _own_clauses(text: str) -> str:
    """The text without the clauses about another person, for the ages it gives: in "hun har
    demens, mannen er 90" the 90 is the husband's."""
    parts = re.split(r"[,.;]|\s(?:og|men|and)\s", text)
    kept = []
    for part in parts:
        if not _opens_with_another_person([w for w in tokens(part) if w not in _BOUNDARY]):
            kept.append(part)
    return ", ".join(kept)


def _opens_with_another_person(clause: list[str]) -> bool:
    """Whether a clause, after a hedge ("jeg tror"), starts by naming another person: "sønnen
    ruser seg", but not "søstera mi er utviklingshemma" (the reporter's relative is the person)."""
    while clause and clause[0] in _HEDGING_START:
        clause = clause[1:]
    return any(_is_another_person(w) for w in clause[:2]) and not set(clause[1:2]) & _MY


def _about_someone_else(words: list[str], start: int) -> bool:
    """Whether the clause a code stands in is about another person: "sønnen ruser seg"."""
    clause = _clause_around(words, start)
    # "hun er dement og sønnen er alkoholiker": after "og", a clause of its own.
    low = start
    while low > 0 and words[low - 1] not in _BOUNDARY | _CONTRASTS | {"og", "and"}:
        low -= 1
    if _opens_with_another_person(clause) or _opens_with_another_person(words[low:start]):
        return True
    # "hun passer på mannen som er dement": what a relative clause says of another person.
    for j in range(start - 1, max(start - 4, 0), -1):
        if words[j] in _BOUNDARY:
            break
        if words[j] == "som" and _is_another_person(words[j - 1]):
            return True
    return False


def _is_another_person(word: str) -> bool:
    """Whether a word names another person (_OTHER_PEOPLE), misspelt too: "sønen ruser seg"."""
    return _one_of(word, frozenset(_OTHER_PEOPLE))


@functools.lru_cache(maxsize=16384)
def _one_of(word: str, group: frozenset[str]) -> bool:
    """Whether a word is one of `group`, or one of them with a small typo ("kolegaen")."""
    if word in group:
        return True
    typed = Word.of(word)
    return len(word) >= 5 and any(word_match(typed, Word.of(w)) == TYPO for w in group)


_MY = {"min", "mi", "mitt", "mine"}
_HEDGING_START = {"jeg", "æ", "tror", "trur", "tenker", "kanskje", "nok", "at", "vel"}
_POSSESSIVES = _HIS | _HERS | {"dens", "hers", "his"}


def _clause_around(words: list[str], start: int) -> list[str]:
    low = start
    while low > 0 and words[low - 1] not in _BOUNDARY and words[low - 1] not in _CONTRASTS:
        low -= 1
    high = start
    while high < len(words) and words[high] not in _BOUNDARY and words[high] not in _CONTRASTS:
        high += 1
    return words[low:high]


def _without_purposes(words: list[str], found: list[_Found]) -> list[_Found]:
    """What something named is "til" is its use, no answer of its own: "hun får ikke penger
    til mat", "har ikkje råd til mat" are about money, not food withheld."""
    ends = {f.end: f.code for f in found if not f.negated}
    return [
        f
        for f in found
        if not (
            f.end == f.start + 1
            and f.start >= 1
            and words[f.start - 1] == "til"
            and (
                ends.get(f.start - 1, f.code) != f.code
                # "har ikke råd til mat": what money cannot buy
                or words[f.start - 2 : f.start - 1] == ["råd"]
            )
        )
    ]


def _same_either_way(words: list[str], found: list[_Found]) -> bool:
    """Whether both sides of "enten … eller" name the same one code: "enten nevøen eller
    niesen" is other family whichever it was."""
    at = words.index("eller")
    before = {f.code for f in found if f.start < at and not f.negated}
    after = {f.code for f in found if f.start > at and not f.negated}
    return len(before) == 1 and before == after


def _named_as_alternatives(words: list[str], found: list[_Found]) -> bool:
    """Two different codes with "eller" between them: the person is not sure which."""
    codes_at = [(f.start, f.code) for f in found if not f.negated]
    hedged = {
        c for start, c in codes_at if any(w in _HEDGES for w in words[max(0, start - 2) : start])
    }
    if len(hedged) > 1:
        return True
    for (start_a, code_a), (start_b, code_b) in itertools.pairwise(codes_at):
        if code_a != code_b and any(w in _ALTERNATIVES for w in words[start_a:start_b]):
            return True
    return False


def _decide(chosen: set[str], codes: CodeList) -> list[str] | None:
    # "vet ikke, kanskje sønnen": a named code outranks "don't know", and the duty to avert
    # outranks "no consent" ("nei, men avvergeplikt").
    outranked = {o for c in chosen if (code := codes.get(c)) for o in code.outranks}
    if codes.unknown is not None and len(chosen) > 1:
        outranked.add(codes.unknown)
    chosen -= outranked
    ordered = [c.code for c in codes.codes if c.code in chosen]
    if not ordered or (not codes.multiple and len(ordered) != 1):
        return None
    return ordered


def parse_choice(text: str, codes: CodeList) -> str | None:
    """The one code a typed answer names, or None."""
    found = parse_choices(text, codes)
    return found[0] if found and len(found) == 1 else None


def parse_card_value(value: object, codes: CodeList) -> list[str] | None:
    """Codes from a card's choice set: 'a,b' for multi-select; anything not in the list is refused."""
    if isinstance(value, list):
        items = [str(v) for v in value]
    elif isinstance(value, str):
        items = [v.strip() for v in value.split(",") if v.strip()]
    else:
        return None
    if not items or any(item not in codes for item in items):
        return None
    if not codes.multiple and len(items) != 1:
        return None
    return [c.code for c in codes.codes if c.code in items]


def has_words(text: str) -> bool:
    """Whether an answer holds any letter or digit: emoji and punctuation alone are no answer."""
    return any(ch.isalnum() for ch in text)
