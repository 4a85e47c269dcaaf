"""People's names: those captured in the report in every form people write them, and others
(a neighbour, a grandson) found through the name lists and the words around them.

A token is first classified by what it is (a report name, a given name, a family name, a
patronymic-looking word, or unknown), then decided by its context: where it stands in the
sentence, the relation or title before it ("naboen Per", "fru Hansen"), a genitive marker or a
verb only people do after it ("Ola sin", "Zainab sa"), and the names next to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum
from functools import lru_cache

from domain.anonymiser.found import Found
from domain.anonymiser.lexicon import (
    COMMON_VERBS,
    FUNCTION_WORDS,
    GENITIVE_MARKERS,
    HUMAN_VERBS,
    KEEP_WORDS,
    NAME_PARTICLES,
    NAME_WORDS,
    PLACE_MARKERS,
    PLACE_PREPOSITIONS,
    POSSESSIVES,
    RELATION_WORDS,
    TITLES,
    Lexicon,
    lexicon,
)
from domain.anonymiser.model import Kind
from domain.anonymiser.text import WORD, Token, fold, words


class Class(IntEnum):
    NONE = 0
    PATRONYMIC = 1  # capitalised "-sen"/"-son" word in no list
    SURNAME = 2
    FIRST = 3
    KNOWN = 4  # a name captured in the report


@dataclass(slots=True)
class Word:
    token: Token
    start: int  # the name part: "Kari" of "Karis", "Hansen" of "Hansen-familien"
    end: int
    key: str
    cls: Class
    lower: str
    person_suffix: bool = False  # "Hansen-familien"

    @property
    def capitalised(self) -> bool:
        return self.token.text[0].isupper()

    @property
    def ambiguous(self) -> bool:
        return self.lower in NAME_WORDS


_MONTHS = frozenset(words("januar februar mars april mai juni juli august"))
_GENITIVE_ENDINGS = ("'s", "’s", "'", "’")
_PATRONYMIC_ENDINGS = ("sen", "son", "sdottir", "dottir")


class KnownNames:
    """The names captured in the report, folded, with single parts, hyphen parts and initials."""

    def __init__(self, names: list[str]) -> None:
        keys: set[str] = set()
        family: set[str] = set()
        initials: set[str] = set()
        for name in names:
            words = [m.group() for m in WORD.finditer(name)]
            words = [w for w in words if fold(w) not in NAME_PARTICLES and fold(w) not in TITLES]
            for position, word in enumerate(words):
                for part in (word, *word.split("-")):
                    key = fold(part)
                    if len(key) >= 2:
                        keys.add(key)
                        if position > 0:
                            family.add(key)
            if words:
                # "A-L" or "AL" for Anne-Lise, "KN" for Kari Nordmann.
                given = [p[0].upper() for p in words[0].split("-") if p]
                every = [p[0].upper() for w in words for p in w.split("-") if p]
                for letters in (given, every):
                    if len(letters) >= 2:
                        initials.add("".join(letters))
                        initials.add("-".join(letters))
        self.keys = frozenset(keys)
        self.family = frozenset(family)
        self.initials = frozenset(initials)
        self.fuzzy = tuple(k for k in keys if len(k) >= 5)

    def match(self, key: str, capitalised: bool) -> bool:
        if key in self.keys:
            return True
        # A typo in a name people wrote with a capital ("Nordman", "Hnasen"), but not the
        # name with an ending, which is a word of its own ("Sandvika" for "Sandvik").
        if capitalised and len(key) >= 5:
            return any(_within_one_edit(key, k) and not key.startswith(k) for k in self.fuzzy)
        return False


def _within_one_edit(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1 or a == b:
        return a == b
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        i, j = diff[0], diff[-1]
        return len(diff) == 2 and j == i + 1 and a[i] == b[j] and a[j] == b[i]
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :]


def _build_context() -> re.Pattern[str]:
    people = "|".join(
        sorted((re.escape(w) for w in RELATION_WORDS | TITLES), key=len, reverse=True)
    )
    owners = "|".join(sorted(POSSESSIVES, key=len, reverse=True))
    return re.compile(
        rf"(?:^|[^\w])(?:{people})\.?(?:\s+(?:{owners}))?(?:\s+(?:til|åt|av))?"
        r"(?:\s*(?:,|\(|på)?\s*\d{1,3}(?:\s*år)?\)?)?\s*[,:(\-–]?\s*$"
    )


_PERSON_BEFORE = _build_context()
# "en mann som kaller seg Rambo", "ho heiter Gunn".
_NAMED_BEFORE = re.compile(
    r"(?:kaller|kalte|kallar|kalla|presenterte|presenterer|introduserte)\s+seg(?:\s+for|\s+som)?\s*$"
    r"|(?:heter|heiter|het|hette|kalles|kallast|navn|namn)\s*:?\s*$"
)
# Words after a hyphen that make the part before it a person: "Hansen-familien".
_PERSON_SUFFIXES = frozenset(
    words(
        "familien familie familia gutten guten jenta jenten ungen ungene barna sønnen sonen "
        "datteren dottera kona mannen slekta klanen"
    )
)
# After these a report's name that is also a word is the person ("hos nordmann").
_WEAK_PERSON_BEFORE = frozenset(words("hos til med fra frå og for om"))
_CLAUSE_STARTS = frozenset(words("og at men da då når som fordi"))
# Roles written before a name ("Ekspedisjonssjef Nilsen"): never a name themselves.
_ROLE_ENDINGS = (
    "sjef",
    "leder",
    "leiar",
    "rådgiver",
    "rådgjevar",
    "konsulent",
    "pleier",
    "pleiar",
    "arbeider",
    "arbeidar",
    "koordinator",
    "direktør",
    "mester",
    "meister",
    "ansvarlig",
    "ansvarleg",
    "betjent",
    "lege",
    "terapeut",
    "behandler",
    "behandlar",
    "vakt",
    "fører",
)
# What follows a name-word used as a word at the start of a sentence ("Per dag", "Liv og helse").
_WORD_FOLLOWERS = frozenset(
    words("dag dagen uke veke måned månad mnd år time gang person stk døgn natt i")
)


class NameFinder:
    def __init__(self, text: str, tokens: list[Token], known: KnownNames) -> None:
        self.text = text
        self.tokens = tokens
        self.known = known
        self.lex: Lexicon = lexicon()
        self.words = [self._classify(t) for t in tokens]
        self.is_name = [False] * len(tokens)
        self.lowercase_style = not any(t.text[0].isupper() and not t.upper for t in tokens)

    # --- classification ---------------------------------------------------------------------

    def _classify(self, token: Token) -> Word:
        text = token.text
        options: list[tuple[int, int, bool]] = [(0, len(text), False)]
        for ending in _GENITIVE_ENDINGS:
            if text.endswith(ending):
                options.append((0, len(text) - len(ending), True))
                break
        else:
            if len(text) > 3 and text.endswith("s"):
                options.append((0, len(text) - 1, True))
        suffix = False
        if "-" in text:
            head, _, rest = text.partition("-")
            if rest.islower():  # "Hansen-familien", "Kari-saken"
                options.append((0, len(head), False))
                suffix = rest.lower() in _PERSON_SUFFIXES
        classes = [(s, e, self._class_of(text[s:e], token, g)) for s, e, g in options]
        # A report name in any form first ("Anne-Lises"), then the name lists.
        chosen = next((c for c in classes if c[2] is Class.KNOWN), None) or next(
            (c for c in classes if c[2] is not Class.NONE), None
        )
        if chosen is not None:
            start, end, cls = chosen
            return Word(
                token,
                token.start + start,
                token.start + end,
                fold(text[start:end]),
                cls,
                text[start:end].lower(),
                suffix and end < len(text),
            )
        if token.text in self.known.initials:
            return Word(token, token.start, token.end, token.key, Class.KNOWN, token.lower)
        return Word(token, token.start, token.end, token.key, Class.NONE, token.lower)

    def _class_of(self, part: str, token: Token, genitive: bool) -> Class:
        key = fold(part)
        lower = part.lower()
        capitalised = part[0].isupper()
        if self.known.match(key, capitalised):
            return Class.KNOWN
        if genitive and not capitalised:
            return Class.NONE  # "alias", "odds": a lower-case genitive needs a report name
        lex = self.lex
        if "-" in part and capitalised:
            pieces = [p for p in part.split("-") if p]
            if all(p[0].isupper() for p in pieces) and any(
                p.lower() in lex.first_names or fold(p) in lex.first_names_folded for p in pieces
            ):
                return Class.FIRST  # "Anne-Lise", "Kari-Anne"
        if lower in lex.first_names or (capitalised and key in lex.first_names_folded):
            return Class.FIRST
        if lower in lex.surnames or (capitalised and key in lex.surnames_folded):
            return Class.SURNAME
        if (
            capitalised
            and len(key) >= 5
            and key.endswith(_PATRONYMIC_ENDINGS)
            and key not in KEEP_WORDS
            and key not in lex.municipalities
        ):
            return Class.PATRONYMIC
        return Class.NONE

    # --- context ----------------------------------------------------------------------------

    def _gap(self, i: int, j: int) -> str:
        return self.text[self.tokens[i].end : self.tokens[j].start]

    def _next(self, i: int) -> Word | None:
        if i + 1 < len(self.tokens) and self._gap(i, i + 1).strip() == "":
            return self.words[i + 1]
        return None

    def _prev(self, i: int) -> Word | None:
        if i > 0 and self._gap(i - 1, i).strip() == "":
            return self.words[i - 1]
        return None

    def _person_context(self, i: int) -> bool:
        w = self.words[i]
        if w.person_suffix:
            return True
        after = self._next(i)
        if after is not None and after.lower in GENITIVE_MARKERS:
            return True
        if not w.capitalised and (w.lower in POSSESSIVES or w.lower in FUNCTION_WORDS):
            return False  # "sønnen hans": a relation and a pronoun, not a name
        before = self.text[max(0, w.start - 80) : w.start].lower()
        return bool(_PERSON_BEFORE.search(before) or _NAMED_BEFORE.search(before))

    def _verb_after(self, i: int, verbs: frozenset[str]) -> bool:
        after = self._next(i)
        return after is not None and after.lower in verbs

    def _place_before(self, i: int) -> bool:
        """ "på Bakken", "i Lund": a word that is also a place, after a place preposition."""
        w = self.words[i]
        if w.lower not in self.lex.surnames and w.key not in self.lex.municipalities:
            return False
        before = self._prev(i)
        return before is not None and (
            before.lower in PLACE_PREPOSITIONS or before.lower in PLACE_MARKERS
        )

    def _month_context(self, i: int) -> bool:
        word = self.words[i]
        if word.lower not in _MONTHS:
            return False
        before = self.text[max(0, word.start - 6) : word.start]
        after = self.text[word.end : word.end + 6]
        return bool(re.search(r"\d\.?\s*$", before) or re.match(r"\s*\d{2,4}", after))

    def _excluded(self, word: Word) -> bool:
        """Never a name on its own: services, countries, function words, roles."""
        return (
            word.key in KEEP_WORDS
            or (word.cls is Class.NONE and word.lower.endswith(_ROLE_ENDINGS))
            or word.lower in FUNCTION_WORDS
            or word.lower in RELATION_WORDS
            or word.lower in TITLES
            or len(word.key) < 2
        )

    # --- decisions --------------------------------------------------------------------------

    def _decide(self, i: int) -> bool:
        w = self.words[i]
        if w.cls is Class.NONE and not w.capitalised:
            return False
        if self._month_context(i):
            return False
        context = self._person_context(i)
        if w.cls is Class.KNOWN:
            if not w.ambiguous:
                return True
            if w.capitalised:
                # The report is about this person: a capital is enough, unless the word is
                # plainly used as a word ("Per dag", "Liv og helse", "i Lund").
                return context or not (self._used_as_word(i) or self._place_before(i))
            before = self._prev(i)
            if context or (before is not None and before.lower in _WEAK_PERSON_BEFORE):
                return True
            # "bjørn sa at han er redd", in text written without capitals.
            return self._verb_after(i, COMMON_VERBS) and (
                w.token.sentence_start or (before is not None and before.lower in _CLAUSE_STARTS)
            )
        municipal = w.key in self.lex.municipalities
        if w.key in KEEP_WORDS and not (context and w.cls is not Class.NONE):
            return False
        if w.cls is Class.FIRST:
            if municipal and not context:
                return False
            if w.ambiguous:
                return self._ambiguous(i, context, COMMON_VERBS)
            return True
        if w.cls is Class.SURNAME:
            if not w.capitalised:
                return context
            if w.token.sentence_start:
                verbs = HUMAN_VERBS if w.ambiguous else COMMON_VERBS
                return context or self._verb_after(i, verbs) or not w.ambiguous
            if municipal or (w.ambiguous and self._place_before(i)):
                return context
            return True
        if w.cls is Class.PATRONYMIC:
            # At the start of a sentence "-sen" is as often a noun ("Adressen", "Prisen").
            return context or not w.token.sentence_start
        # Unknown capitalised word: only by context.
        if self._excluded(w) or (w.token.upper and not context):
            return False
        if w.token.sentence_start:
            return False
        if municipal and not context:
            return False
        return context or self._verb_after(i, HUMAN_VERBS)

    def _ambiguous(self, i: int, context: bool, verbs: frozenset[str]) -> bool:
        """A name that is also a word ("Per", "Liv", "Bakken"): context decides."""
        w = self.words[i]
        if context:
            return True
        if w.token.sentence_start:
            # "Per har", and in text written without capitals "per kjører"; a month needs a
            # verb only people do ("Mai sa", not "Mai var en tung måned").
            if w.lower in _MONTHS:
                verbs = HUMAN_VERBS
            return (w.capitalised or self.lowercase_style) and self._verb_after(i, verbs)
        if not w.capitalised:
            return False
        return not self._place_before(i)

    def _used_as_word(self, i: int) -> bool:
        after = self._next(i)
        if after is None or not self.words[i].token.sentence_start:
            return False
        if after.lower in _WORD_FOLLOWERS:
            return True
        if after.lower in ("og", "eller") and i + 2 < len(self.words):
            return not self.words[i + 2].capitalised
        return False

    def find(self) -> list[Found]:
        words, is_name = self.words, self.is_name
        for i in range(len(words)):
            is_name[i] = self._decide(i)
        changed = True
        while changed:
            changed = self._neighbours()
        self._learned()
        return self._spans()

    def _neighbours(self) -> bool:
        """Names next to names: "Per Hansen", "Zainab Hansen", "Kari og Ahmed"."""
        words, is_name = self.words, self.is_name
        changed = False
        for i, w in enumerate(words):
            if is_name[i]:
                continue
            nxt, prev = self._next(i), self._prev(i)
            promote = False
            if prev is not None and is_name[i - 1] and not w.token.sentence_start:
                # A family name after a given name; a second given name.
                if w.capitalised and not self._excluded(w):
                    promote = not (w.token.upper and w.cls is Class.NONE)
                elif not w.capitalised and w.cls in (Class.SURNAME, Class.FIRST, Class.KNOWN):
                    promote = not w.ambiguous or w.cls is Class.KNOWN
            if (
                not promote
                and nxt is not None
                and is_name[i + 1]
                and (
                    nxt.cls in (Class.SURNAME, Class.PATRONYMIC)
                    or (nxt.cls is Class.KNOWN and nxt.key in self.known.family)
                )
                and nxt.capitalised == w.capitalised
                and not (w.token.upper and w.cls is Class.NONE)
            ):
                # A given name before a family name, even at the start of a sentence.
                promote = not self._excluded(w) and (w.capitalised or w.cls is not Class.NONE)
            if (
                not promote
                and w.capitalised
                and not self._excluded(w)
                and not w.token.sentence_start
            ):
                promote = self._coordinated(i)
            if (
                not promote
                and w.lower in NAME_PARTICLES
                and prev is not None
                and nxt is not None
                and is_name[i - 1]
                and is_name[i + 1]
            ):
                promote = True
            if promote:
                is_name[i] = True
                changed = True
        return changed

    def _coordinated(self, i: int) -> bool:
        """ "Kari og Ahmed", "Ahmed og Kari": an unknown word joined to a name."""
        tokens, is_name = self.tokens, self.is_name
        for conj, other in ((i - 1, i - 2), (i + 1, i + 2)):
            if 0 <= other < len(tokens) and tokens[conj].lower in ("og", "eller"):
                lo, hi = min(i, other), max(i, other)
                gaps = self.text[tokens[lo].end : tokens[hi].start]
                if is_name[other] and len(gaps) <= 6 and self.words[other].capitalised:
                    return self.words[i].key not in self.lex.municipalities
        return False

    def _learned(self) -> None:
        """A word found to be a name by its context is a name wherever else it stands."""
        words, is_name = self.words, self.is_name
        learned = {
            w.key
            for i, w in enumerate(words)
            if is_name[i] and w.cls in (Class.NONE, Class.PATRONYMIC)
        }
        if not learned:
            return
        for i, w in enumerate(words):
            if not is_name[i] and w.key in learned and (w.capitalised or not w.ambiguous):
                is_name[i] = True

    def _spans(self) -> list[Found]:
        found: list[Found] = []
        tokens, text = self.tokens, self.text
        for i, w in enumerate(self.words):
            if not self.is_name[i]:
                continue
            start, end = w.start, w.end
            # An initial before or after: "K. Hansen", "Kari H.".
            if i > 0 and _is_initial(tokens[i - 1], text) and tokens[i - 1].end + 2 >= start:
                start = tokens[i - 1].start
            if (
                i + 1 < len(tokens)
                and _is_initial(tokens[i + 1], text)
                and text[end : tokens[i + 1].start].strip() == ""
                and not (i + 2 < len(tokens) and self.is_name[i + 2])
            ):
                end = tokens[i + 1].end + 1
            found.append(Found(start, end, Kind.NAME))
        return found


def _is_initial(token: Token, text: str) -> bool:
    return len(token.text) == 1 and token.text.isupper() and text[token.end : token.end + 1] == "."


@lru_cache(maxsize=512)
def _known(names: tuple[str, ...]) -> KnownNames:
    return KnownNames(list(names))


def find_names(text: str, tokens: list[Token], known_names: list[str]) -> list[Found]:
    return NameFinder(text, tokens, _known(tuple(known_names))).find()
