"""Street addresses, post boxes and named institutions with their units.

An address loses its street, number, letter, flat and postcode; the place after the postcode is
kept when it is a municipality ("Storgata 12B, 1530 Moss" -> "[adresse] Moss"), since the team
needs the municipality and a municipality alone identifies nobody. Named institutions and their
units become [institusjon]; generic service words ("sykehjemmet", "hjemmetjenesten") stay, and so
does a municipality's own service ("Moss legevakt", "Oslo universitetssykehus").
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from domain.anonymiser.found import Found
from domain.anonymiser.lexicon import KEEP_WORDS, lexicon
from domain.anonymiser.model import Kind
from domain.anonymiser.text import fold, words

_L = r"[^\W\d_]"  # a letter
_CAP = r"[A-ZÆØÅÉÜÖÄ]"

# Endings that make a word a street name on their own ("Storgata", "Fjordveien").
_STREET_STRONG = words("gata gate gaten veien vegen vei veg allé alle alléen alleen terrassen")
# Endings that are street names only with a house number ("Solbakken 4", "Furulia 12").
_STREET_WEAK = words(
    "gt vn stien ringen svingen kroken terrasse plass plassen torget brygga brygge kaia kaien "
    "bakken bakke lia lien li tunet tun haugen åsen løkka lykkja sletta jordet kollen grenda "
    "feltet parken vollen lunden toppen myra hagen berget skogen marka engen enga dalen heia "
    "høgda stykket flata odden neset moen sanden stranda gården vika holmen hella"
)
_STREET_ENDINGS = tuple(sorted(_STREET_STRONG + _STREET_WEAK, key=len, reverse=True))
_STRONG_ENDINGS = tuple(sorted(_STREET_STRONG, key=len, reverse=True))
_MODIFIERS = r"(?:Gamle|Nedre|Øvre|Søndre|Nordre|Store|Lille|Vestre|Østre|Nye|Sankt|St\.|Kong|Dronning|Prins|Prinsesse)"

# A word and a house number: "Storgata 12B", "storgata 12 b", "Kongens gate 4".
_WORD_NUMBER = re.compile(
    rf"(?<![\w-])(?P<word>{_L}[\w'’.\-]*)\s+(?P<number>\d{{1,4}})(?:(?P<letter>[A-Za-z]|\s[A-Za-z](?<![ieå])(?<![IEÅ])))?(?![\w])(?![\d,.]\d)"
)
_NOT_HOUSE_NUMBER = re.compile(
    r"\s*(?:ganger|gang|gonger|år|dager|dagar|døgn|timer|timar|kr|kroner|prosent|%|min|minutter|"
    r"uker|veker|mnd|måneder|månader|stk|kg|mg|ml|km|meter|m\b|cm|promille|pasienter|personer|"
    r"brukere|ansatte|barn|plasser|tabletter|ganger|\.\s?\d|:\d|-\d)",
    re.IGNORECASE,
)
_PRECEDING_WORDS = re.compile(rf"(?:(?:{_MODIFIERS}|{_CAP}{_L}*s?)\s+){{1,3}}$")
_PRECEDING_MODIFIER = re.compile(rf"{_MODIFIERS}\s+$")
_POSTCODE_AFTER = re.compile(
    rf"(?P<sep>,?\s*)(?P<code>\d{{4}})(?P<place>\s+{_CAP}{_L}+(?:[\- ]{_CAP}{_L}+)?)?(?![\d])"
)
_FLAT_AFTER = re.compile(
    r"(?i),?\s*(?:(?:leilighet|leil\.?|bolignr\.?|bolignummer|oppgang|inngang)\s*"
    r"(?:[A-Z]?\d{1,4}[A-Z]?|[A-Z])(?!\w)|H0\d{3}(?!\d))"
)
# Any capitalised word with a house number and a postcode is an address ("Lurahammaren 12, 4306").
_ANY_STREET_WITH_POSTCODE = re.compile(
    rf"(?<![\w-])(?:{_MODIFIERS}\s+)?{_CAP}{_L}+(?:\s+{_L}+)?\s+\d{{1,4}}\s?[A-Za-z]?,?\s+\d{{4}}\s+{_CAP}"
)
_STREET_ALONE = re.compile(rf"(?<![\w-]){_CAP}{_L}{{2,}}(?:{'|'.join(_STRONG_ENDINGS)})(?![\w-])")
_STREET_TWO_WORDS = re.compile(
    rf"(?<![\w-])(?:{_MODIFIERS}\s+)?{_CAP}{_L}+s?\s+(?:gate|gata|vei|veg|allé|plass)(?![\w-])"
)
# A farm by its name: "på Haugen gård", "Nordre Berg gard".
_FARM = re.compile(
    rf"(?<![\w-])(?:{_MODIFIERS}\s+)?{_CAP}{_L}+\s+(?:gård|gard|gården|garden|småbruk)(?![\w-])"
)
_POST_BOX = re.compile(r"(?i)(?<![\w-])(?:postboks|pb\.|boks)\s*\d{1,5}(?![\d])")
_CADASTRE = re.compile(
    r"(?i)(?<![\w-])gnr\.?\s*\d+\s*[,/]?\s*(?:og\s+)?bnr\.?\s*\d+(?:\s*[,/]?\s*fnr\.?\s*\d+)?"
)
_FLAT_ALONE = re.compile(
    r"(?i)(?<![\w-])(?:leilighet|leil\.|bolignr\.?|bolignummer)\s*[A-Z]?\d{3,4}(?![\d])|(?<![\w-])H0\d{3}(?![\d])"
)


def find_addresses(text: str) -> Iterator[Found]:
    found: list[tuple[int, int]] = []
    for match in _WORD_NUMBER.finditer(text):
        word = match.group("word")
        if not _is_street_word(word, text, match.start()):
            continue
        if _NOT_HOUSE_NUMBER.match(text, match.end("number")) and not match.group("letter"):
            continue
        start = match.start()
        # "Kongens gate 4", "Olav Kyrres gate 2": the name before a bare ending; a whole
        # street name takes only a modifier ("Øvre Smedgate 15"), not "Besøksadresse".
        pattern = _PRECEDING_WORDS if word.lower() in _STREET_ENDINGS else _PRECEDING_MODIFIER
        preceding = pattern.search(text, max(0, start - 60), start)
        if preceding:
            start = preceding.start()
        found.append((start, _extend_after(text, match.end())))
    for match in _ANY_STREET_WITH_POSTCODE.finditer(text):
        number_end = re.search(r"\d{1,4}\s?[A-Za-z]?(?=,?\s+\d{4})", match.group())
        if number_end:
            found.append((match.start(), _extend_after(text, match.start() + number_end.end())))
    for pattern in (_STREET_TWO_WORDS, _STREET_ALONE, _FARM, _POST_BOX, _CADASTRE, _FLAT_ALONE):
        for match in pattern.finditer(text):
            end = match.end()
            if pattern is _POST_BOX:
                end = _extend_after(text, end)
            found.append((match.start(), end))
    for start, end in found:
        yield Found(start, end, Kind.ADDRESS)


_ENDING = re.compile(rf"(?:{'|'.join(_STREET_ENDINGS)})$")


def _is_street_word(word: str, text: str, start: int) -> bool:
    lower = word.lower().rstrip(".")
    if lower in ("gt", "vn") and word.endswith("."):
        return True
    ending = _ENDING.search(lower)
    if ending is None:
        return False
    if ending.start() >= 3:
        return True
    # The ending alone ("gate 4", "Bakken 4") needs capitals or a name before it.
    return ending.start() == 0 and (
        word[0].isupper() or bool(_PRECEDING_WORDS.search(text, max(0, start - 60), start))
    )


def _extend_after(text: str, end: int) -> int:
    flat = _FLAT_AFTER.match(text, end)
    if flat:
        end = flat.end()
    postcode = _POSTCODE_AFTER.match(text, end)
    if postcode:
        place = postcode.group("place")
        if place and fold(place.strip()) not in lexicon().municipalities:
            return postcode.end()
        return postcode.end("code")
    return end


# --- institutions -------------------------------------------------------------------------

_INSTITUTION_NOUNS = words(
    "sykehjem sjukeheim sykeheim omsorgssenter omsorgssentër omsorgsbolig omsorgsboliger "
    "omsorgsbustader omsorgsbustad bofellesskap bufellesskap bukollektiv bokollektiv bosenter "
    "boliger bustader serviceboliger servicesenter dagsenter aktivitetssenter helsehus "
    "helsesenter legesenter legekontor sykehus sjukehus universitetssykehus "
    "universitetssjukehus hospital DPS aldershjem pleiehjem rehabiliteringssenter "
    "behandlingssenter seniorsenter eldresenter barnehage skole skule fengsel asylmottak "
    "mottak avlastningsbolig avlastningshjem bo-\\s+og\\s+\\w+senter bu-\\s+og\\s+\\w+senter"
)
_DEFINITE_NOUNS = words(
    "sykehjemmet sjukeheimen omsorgssenteret bofellesskapet bufellesskapet bosenteret "
    "dagsenteret helsehuset legesenteret legekontoret sykehuset sjukehuset omsorgsboligen "
    "omsorgsboligene barnehagen skolen skulen fengselet mottaket aldershjemmet"
)
_NAME_WORD = rf"(?:{_CAP}[\w'’\-]+|St\.)"
_NAMED_INSTITUTION = re.compile(
    rf"(?<![\w-])(?P<name>(?:{_NAME_WORD}\s+){{1,3}})(?P<noun>{'|'.join(_INSTITUTION_NOUNS)})(?![\w-])"
)
_LOWER_NAMED_INSTITUTION = re.compile(
    rf"(?<![\w-])(?P<name>[a-zæøå][a-zæøå\-]{{3,}}\s+)(?P<noun>{'|'.join(_INSTITUTION_NOUNS)})(?![\w-])"
)
_INSTITUTION_NAMED_AFTER = re.compile(
    rf"(?<![\w-])(?P<noun>(?i:{'|'.join(_DEFINITE_NOUNS)}))\s+(?P<name>{_CAP}[\w'’\-]+)"
)
_UNIT_BEFORE = re.compile(
    r"(?i)(?:avdeling|avd\.|post|enhet|eining|seksjon|bogruppe|bugruppe|fløy|skjermet enhet|"
    r"skjerma eining|skjermet avdeling|rom|etasje|\d\.\s*etasje)\s+(?:[\wæøå]{1,3}|\d+\w?|"
    rf"{_CAP}[\w\-]+)?\s*(?:på|ved|i)\s+$"
)
_NAMED_UNIT = re.compile(
    rf"(?<![\w-])(?:[Aa]vdeling(?:en)?|[Aa]vd\.|[Ee]nhet(?:en)?|[Bb]ogruppe|[Pp]ost|[Ss]kjermet enhet|"
    rf"[Vv]illa)\s+(?P<name>{_CAP}[\w\-]{{2,}})"
)
# Words before an institution noun that are not its name.
_NOT_NAMES = frozenset(
    fold(w)
    for w in words(
        "et ett eit ein en ei det dette denne disse den de nytt nye ny gammelt gamle kommunalt "
        "kommunale kommunal privat private godt god gode eget egne sitt sine annet anna andre "
        "samme stort store lite lille lokalt lokale hvilket hvilke hvert hennes hans deres vårt "
        "våre mitt ditt på til i fra ved om av mange flere alle noen dagens vanlig vanlige vanleg "
        "sitt korttids langtids felles eit eitt nord sør øst vest syd midt indre ytre nærmeste "
        "nærmaste neste første forrige fast faste hjemmets interkommunalt interkommunale statlig "
        "statlige offentlig offentlige somatisk somatiske psykiatrisk psykiatriske kommunens "
        "kommunes sitt vår deira dykkar som og eller men med"
    )
)


# People who work or live in an institution, then its bare name: "personalet på Lillevang".
_STAFF_AT = re.compile(
    r"(?i:ansatt|ansatte|tilsett|tilsette|personalet|personale|beboer|beboere|beboeren|"
    r"medbeboer|medbeboeren|bebuar|medbebuar|bebuarane|nattevakt|nattevakta|nattevakten|"
    r"avdelingsleder|avdelingsleiar|pleier|pleiere|innlagt|innlagd|langtidsplass|"
    r"korttidsplass|korttidsopphold|korttidsopphald|dagplass|jobber|arbeider|arbeider)"
    r"\s+(?:på|ved)\s+(?P<unit>(?:avdeling|avd\.|post|enhet|eining|bogruppe|bugruppe)\s+\w{1,3}\s+(?:på|ved)\s+)?"
    rf"(?P<name>{_CAP}[\w\-]{{3,}})(?![\w-])(?!\s+{_CAP})"
)


def find_institutions(text: str, lowercase_style: bool) -> tuple[list[Found], set[str]]:
    """Named institutions, and the folded words of their names (to find bare mentions later)."""
    found: list[Found] = []
    names: set[str] = set()
    patterns = [_NAMED_INSTITUTION]
    if lowercase_style:
        patterns.append(_LOWER_NAMED_INSTITUTION)
    for pattern in patterns:
        for match in pattern.finditer(text):
            words = match.group("name").split()
            # Drop leading words that are not part of the name ("Det Solsletta sykehjem").
            while words and fold(words[0]) in _NOT_NAMES:
                words = words[1:]
            if not words or not _is_institution_name(words):
                continue
            start = match.start("name") + match.group("name").index(words[0])
            start = unit_before(text, start)
            found.append(Found(start, match.end(), Kind.INSTITUTION))
            names.update(fold(w) for w in words if len(w) > 3)
    for match in _INSTITUTION_NAMED_AFTER.finditer(text):
        if _is_institution_name([match.group("name")]):
            found.append(Found(match.start(), match.end(), Kind.INSTITUTION))
            names.add(fold(match.group("name")))
    for match in _STAFF_AT.finditer(text):
        if _is_institution_name([match.group("name")]):
            start = match.start("unit") if match.group("unit") else match.start("name")
            found.append(Found(start, match.end("name"), Kind.INSTITUTION))
            names.add(fold(match.group("name")))
    for match in _NAMED_UNIT.finditer(text):
        if _is_institution_name([match.group("name")]):
            found.append(Found(match.start(), match.end(), Kind.INSTITUTION))
            names.add(fold(match.group("name")))
    return found, names


def unit_before(text: str, start: int) -> int:
    """Where a unit in front of an institution begins ("avdeling 2 på Tunet"), or `start`."""
    unit = _UNIT_BEFORE.search(text, max(0, start - 50), start)
    return unit.start() if unit else start


def _is_institution_name(words: list[str]) -> bool:
    keys = [fold(w) for w in words]
    if any(k in _NOT_NAMES for k in keys):
        return False
    places = lexicon().municipalities
    # "Moss legevakt", "Sykehuset Østfold": a municipality's or a county's own service.
    return not all(k in places or k in KEEP_WORDS for k in keys)
