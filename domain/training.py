"""Training cases (øvelsessaker), in the spirit of Bufdir's Casegeneratoren: a fictional, realistic
case from a life situation, a type of violence and a barrier (why the person does not seek help),
with reflection questions for the team.

Built only from the code lists and the narrative building blocks below: it reads no case and no
database, so nothing real can leak into a training case. A case is a pure function of its number
(`seed`): the first SPACE numbers give distinct (situation, violence, barrier) combinations, and
the smaller choices (name, age, who notices, wording) vary with the number as well.

A text-generation service may reword a case (`TextEnricher`); it is off unless the operator turns
it on, it is given nothing but the fictional case, and the built-in text stands when it fails.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Protocol

from domain.casework import MEASURE_SERVICE
from domain.codes import (
    PERPETRATOR_RELATION,
    REPORTER_SERVICE,
    VIOLENCE_TYPE,
    VULNERABILITY,
    Code,
    CodeList,
)

# Why the person does not seek help (ours, from Casegeneratoren's idea of barriers; configurable).
BARRIER = CodeList(
    "barrier",
    (
        Code(
            "dependence",
            "Avhengig av utøveren",
            "Avhengig av utøvaren",
            "Depends on the perpetrator",
        ),
        Code("cognitive", "Kognitiv svikt", "Kognitiv svikt", "Cognitive impairment"),
        Code("fear", "Redsel", "Redsle", "Fear"),
        Code("language", "Språk", "Språk", "Language"),
        Code("shame", "Skam", "Skam", "Shame"),
        Code(
            "loyalty", "Lojalitet til familien", "Lojalitet til familien", "Loyalty to the family"
        ),
        Code(
            "distrust",
            "Mistillit til hjelpeapparatet",
            "Mistillit til hjelpeapparatet",
            "Distrust of services",
        ),
        Code("isolation", "Isolasjon", "Isolasjon", "Isolation"),
        Code(
            "normalised",
            "Ser det ikke som vold",
            "Ser det ikkje som vald",
            "Does not see it as violence",
        ),
        Code(
            "communication",
            "Vansker med å uttrykke seg",
            "Vanskar med å uttrykkje seg",
            "Difficulty communicating",
        ),
    ),
)

LIFE_SITUATION = CodeList(
    "life_situation",
    (
        Code(
            "dementia_at_home",
            "Eldre med demens som bor hjemme",
            "Eldre med demens som bur heime",
            "Older person with dementia at home",
        ),
        Code(
            "alone_home_care",
            "Eldre som bor alene med hjemmetjeneste",
            "Eldre som bur åleine med heimeteneste",
            "Older person living alone with home care",
        ),
        Code("nursing_home", "Beboer på sykehjem", "Bebuar på sjukeheim", "Nursing-home resident"),
        Code(
            "group_home",
            "Ung voksen med utviklingshemming i bofellesskap",
            "Ung vaksen med utviklingshemming i bufellesskap",
            "Young adult with intellectual disability in a group home",
        ),
        Code(
            "autism_parents",
            "Voksen med autisme som bor hos foreldrene",
            "Vaksen med autisme som bur hos foreldra",
            "Adult with autism living with parents",
        ),
        Code(
            "substance_housing",
            "Voksen med rusavhengighet i kommunal bolig",
            "Vaksen med rusavhengigheit i kommunal bustad",
            "Adult with substance dependence in council housing",
        ),
        Code(
            "mental_illness_alone",
            "Voksen med psykisk lidelse som bor alene",
            "Vaksen med psykisk liding som bur åleine",
            "Adult with mental illness living alone",
        ),
        Code(
            "assistance",
            "Voksen med fysisk funksjonsnedsettelse og personlig assistent",
            "Vaksen med fysisk funksjonsnedsetjing og personleg assistent",
            "Adult with a physical disability and a personal assistant",
        ),
        Code(
            "newcomer",
            "Kvinne med minoritetsbakgrunn og kort botid",
            "Kvinne med minoritetsbakgrunn og kort butid",
            "Woman with minority background, recently arrived",
        ),
        Code(
            "ill_cared_for",
            "Alvorlig syk person som pleies av familien",
            "Alvorleg sjuk person som blir pleidd av familien",
            "Seriously ill person cared for by family",
        ),
        Code(
            "elder_with_children",
            "Eldre med minoritetsbakgrunn som bor hos voksne barn",
            "Eldre med minoritetsbakgrunn som bur hos vaksne born",
            "Older person with minority background living with adult children",
        ),
        Code(
            "brain_injury",
            "Voksen med ervervet hjerneskade i egen leilighet",
            "Vaksen med erverva hjerneskade i eiga leilegheit",
            "Adult with an acquired brain injury in own flat",
        ),
    ),
)


@dataclass(frozen=True)
class _Situation:
    vulnerabilities: tuple[str, ...]
    ages: tuple[int, int]
    genders: tuple[str, ...]
    # How the case begins: "{name} ({age})" and pronouns are filled in.
    openings: tuple[str, ...]
    perpetrators: tuple[str, ...]
    services: tuple[str, ...]  # MEASURE_SERVICE codes already around the person
    noticed_by: tuple[str, ...]  # REPORTER_SERVICE codes


_SITUATIONS: dict[str, _Situation] = {
    "dementia_at_home": _Situation(
        ("dementia", "old_age"),
        (78, 92),
        ("female", "male"),
        (
            "{name} ({age}) har moderat demens og bor hjemme sammen med {partner_of}. Hjemmetjenesten kommer morgen og kveld.",
            "{name} ({age}) fikk demensdiagnose for to år siden. {Han} bor fortsatt i huset der {han} har bodd i over førti år, og familien hjelper til med det meste.",
        ),
        ("partner", "child", "grandchild", "other_family", "friend"),
        ("home_care", "gp", "relatives"),
        ("home_care", "gp", "emergency_room"),
    ),
    "alone_home_care": _Situation(
        ("old_age", "somatic_illness"),
        (80, 96),
        ("female", "male"),
        (
            "{name} ({age}) bor alene i en leilighet i andre etasje og har hjemmesykepleie tre ganger i uka. {Han} har dårlig hjerte og går lite ut.",
            "{name} ({age}) er enke etter mange års ekteskap og bor alene. Hjemmetjenesten hjelper med medisiner og dusj.",
        ),
        ("child", "grandchild", "friend", "other_family", "unknown"),
        ("home_care", "gp", "allocation_office"),
        ("home_care", "gp", "nav"),
    ),
    "nursing_home": _Situation(
        ("dementia", "old_age", "somatic_illness"),
        (82, 98),
        ("female", "male"),
        (
            "{name} ({age}) har bodd på sykehjem i ett år. {Han} trenger hjelp til stell og kan ikke gå uten rullator.",
            "{name} ({age}) flyttet inn på en skjermet avdeling på sykehjemmet i fjor. {Han} kjenner ikke alltid igjen de ansatte.",
        ),
        ("staff", "co_resident", "child", "other"),
        ("nursing_home", "gp", "relatives"),
        ("nursing_home", "relative", "gp"),
    ),
    "group_home": _Situation(
        ("intellectual_disability",),
        (19, 29),
        ("female", "male"),
        (
            "{name} ({age}) har en moderat utviklingshemming og bor i et bofellesskap med fem andre. {Han} jobber to dager i uka på en arbeidsplass for tilrettelagt arbeid.",
            "{name} ({age}) flyttet hjemmefra i fjor og bor nå i et bofellesskap med personale hele døgnet.",
        ),
        ("co_resident", "staff", "friend", "parent", "online"),
        ("disability_services", "habilitation", "guardian"),
        ("group_home", "disability_services", "relative"),
    ),
    "autism_parents": _Situation(
        ("autism",),
        (22, 40),
        ("female", "male"),
        (
            "{name} ({age}) har autisme og bor fortsatt hjemme hos foreldrene. {Han} har lite kontakt med andre enn familien.",
            "{name} ({age}) har autisme og en lett utviklingshemming. {Han} bor i en hybel i kjelleren hos foreldrene og har støttekontakt en gang i uka.",
        ),
        ("parent", "sibling", "friend", "online"),
        ("disability_services", "habilitation", "gp"),
        ("disability_services", "gp", "emergency_room"),
    ),
    "substance_housing": _Situation(
        ("substance_use",),
        (30, 58),
        ("female", "male"),
        (
            "{name} ({age}) har vært avhengig av alkohol i mange år og bor i en kommunal bolig. {Han} får oppfølging fra rustjenesten.",
            "{name} ({age}) bruker narkotika og har nylig fått en kommunal leilighet etter en periode uten fast bosted.",
        ),
        ("partner", "friend", "sibling", "unknown"),
        ("substance_services", "nav", "housing"),
        ("substance_services", "nav", "emergency_room"),
    ),
    "mental_illness_alone": _Situation(
        ("mental_illness",),
        (25, 60),
        ("female", "male"),
        (
            "{name} ({age}) har schizofreni og bor alene. {Han} får besøk av psykisk helsetjeneste hver uke.",
            "{name} ({age}) har hatt alvorlig depresjon i mange år og er ufør. {Han} bor alene og går sjelden ut.",
        ),
        ("partner", "friend", "parent", "online"),
        ("gp", "nav", "home_care"),
        ("mental_health", "nav", "gp"),
    ),
    "assistance": _Situation(
        ("physical_disability",),
        (30, 66),
        ("female", "male"),
        (
            "{name} ({age}) sitter i rullestol etter en ulykke og har personlig assistanse store deler av dagen.",
            "{name} ({age}) har en muskelsykdom og er avhengig av hjelp til å komme seg opp om morgenen. {Han} bor sammen med {partner_of}.",
        ),
        ("partner", "staff", "parent", "friend"),
        ("disability_services", "allocation_office", "gp"),
        ("disability_services", "gp", "home_care"),
    ),
    "newcomer": _Situation(
        ("minority_background",),
        (22, 45),
        ("female",),
        (
            "{name} ({age}) kom til Norge for to år siden for å gifte seg. Hun snakker lite norsk og har ingen familie her.",
            "{name} ({age}) kom til Norge gjennom familiegjenforening i fjor. Hun går på norskkurs, men mannen bestemmer når hun kan gå dit.",
        ),
        ("partner", "other_family", "parent", "online"),
        ("nav", "gp", "crisis_centre"),
        ("nav", "gp", "crisis_centre"),
    ),
    "ill_cared_for": _Situation(
        ("somatic_illness",),
        (55, 85),
        ("female", "male"),
        (
            "{name} ({age}) har langtkommen kreft og er mye sengeliggende. Familien har tatt på seg det meste av pleien.",
            "{name} ({age}) har KOLS og trenger oksygen. {Han} er helt avhengig av {partner_of} i hverdagen.",
        ),
        ("partner", "child", "other_family"),
        ("home_care", "gp", "relatives"),
        ("home_care", "gp", "emergency_room"),
    ),
    "elder_with_children": _Situation(
        ("minority_background", "old_age"),
        (70, 88),
        ("female", "male"),
        (
            "{name} ({age}) flyttet til Norge for å bo hos sønnen og familien hans. {Han} snakker ikke norsk.",
            "{name} ({age}) bor hos datteren og svigersønnen og passer barnebarna på dagtid. {Han} har diabetes.",
        ),
        ("child", "other_family", "grandchild"),
        ("gp", "home_care", "nav"),
        ("gp", "emergency_room", "home_care"),
    ),
    "brain_injury": _Situation(
        ("other", "physical_disability"),
        (35, 65),
        ("female", "male"),
        (
            "{name} ({age}) fikk en hjerneskade etter et slag for tre år siden. {Han} bor i egen leilighet og husker dårlig det som skjer fra dag til dag.",
            "{name} ({age}) har en ervervet hjerneskade etter en trafikkulykke og har vedtak om praktisk bistand.",
        ),
        ("friend", "partner", "sibling", "online"),
        ("home_care", "guardian", "nav"),
        ("home_care", "nav", "gp"),
    ),
}

# "online" among a situation's perpetrators means someone met online: a friend or unknown.
_ONLINE = ("friend", "unknown")


@dataclass(frozen=True)
class _Violence:
    perpetrators: tuple[str, ...]  # relation codes where it most often happens
    signs: tuple[str, ...]  # what someone notices
    what: tuple[str, ...]  # what is going on


_VIOLENCE: dict[str, _Violence] = {
    "physical": _Violence(
        ("partner", "child", "parent", "staff", "co_resident", "sibling"),
        (
            "blåmerker på overarmene som {name} ikke vil forklare",
            "at {name} krymper seg når noen løfter hånden i nærheten",
            "et brudd i håndleddet som {name} sier kom av et fall",
        ),
        (
            "Det kommer fram at {p} tar hardt i {ham} og har dyttet {ham} når {han} er treg.",
            "{P} blir sint når {name} ikke gjør som {p_han} sier, og har slått {ham} flere ganger.",
        ),
    ),
    "psychological": _Violence(
        ("partner", "child", "parent", "staff", "other_family", "other"),
        (
            "at {name} virker redd og stille når {p} er til stede",
            "at {name} har sluttet å gå på aktiviteter {han} tidligere likte",
            "at {name} gråter og sier at {han} er «til bry for alle»",
        ),
        (
            "{P} kaller {ham} dum og truer med å sende {ham} bort hvis {han} sier noe til noen.",
            "{P} bestemmer hvem {name} får snakke med, og tar telefonen fra {ham} om kvelden.",
        ),
    ),
    "sexual": _Violence(
        ("partner", "staff", "co_resident", "friend", "unknown"),
        (
            "at {name} er urolig ved stell og ikke vil kle av seg",
            "sår og blødninger som ikke har noen god forklaring",
            "at {name} har begynt å snakke om «hemmeligheter»",
        ),
        (
            "{name} forteller etter hvert at {p} har tatt på {ham} på en måte {han} ikke ville.",
            "Det kommer fram at {p} har presset {ham} til seksuelle handlinger.",
        ),
    ),
    "financial": _Violence(
        ("child", "grandchild", "friend", "other_family", "unknown", "partner", "other"),
        (
            "at det ikke er mat i kjøleskapet selv om {name} har god pensjon",
            "regninger som ikke er betalt og purringer i posten",
            "at {name} ikke har råd til medisinene sine mot slutten av måneden",
        ),
        (
            "{P} har fått fullmakt til kontoen og tar ut store beløp hver måned.",
            "{P} har fått {ham} til å skrive under på et lån {han} ikke forstår.",
            "{P} låner penger som aldri blir betalt tilbake, og blir sur når {name} sier nei.",
        ),
    ),
    "material": _Violence(
        ("partner", "child", "sibling", "co_resident"),
        (
            "at ting i leiligheten er knust",
            "at rullatoren og høreapparatet til {name} stadig er borte eller ødelagt",
            "at døra til soverommet har et hull etter et spark",
        ),
        (
            "{P} knuser ting {name} er glad i når {p_han} blir sint.",
            "{P} har ødelagt telefonen til {name} slik at {han} ikke kan ringe noen.",
        ),
    ),
    "neglect": _Violence(
        ("child", "partner", "staff", "parent", "other_family"),
        (
            "at {name} har gått ned mye i vekt",
            "liggesår og skitne klær",
            "at {name} sitter alene i mørket når hjemmetjenesten kommer",
        ),
        (
            "{P} har ansvaret for maten og medisinene, men det blir ofte ikke gjort.",
            "{P} avlyser hjemmetjenesten og sier at familien ordner alt, men ingen kommer.",
        ),
    ),
    "online": _Violence(
        ("friend", "unknown", "co_resident", "partner"),
        (
            "at {name} er mye på mobilen og virker stresset",
            "at {name} har sendt penger til noen {han} har møtt på nettet",
            "at {name} ikke vil vise hva {han} får av meldinger",
        ),
        (
            "En person {han} har blitt kjent med på nettet, har fått {ham} til å sende bilder og truer nå med å dele dem.",
            "{P} legger ut bilder av {ham} i sosiale medier og skriver stygge ting.",
        ),
    ),
    "honour": _Violence(
        ("partner", "parent", "sibling", "other_family", "child"),
        (
            "at {name} aldri får komme alene til avtaler",
            "at {name} sier at familien har bestemt at {han} skal reise til utlandet",
            "at {name} er redd for hva familien vil si hvis {han} snakker med noen",
        ),
        (
            "Familien passer på hvem {name} snakker med, og {p} har sagt at {han} har vanæret familien.",
            "{P} har sagt at {name} skal gifte seg med en {han} ikke kjenner, og at det ikke er noe å diskutere.",
        ),
    ),
}

_BARRIERS: dict[str, tuple[str, ...]] = {
    "dependence": (
        "{name} er avhengig av {p} for å få hjelp i hverdagen, og er redd for hva som skjer hvis {p_han} forsvinner.",
        "{name} sier at {han} ikke klarer seg uten {p}, og vil ikke at noen skal blande seg inn.",
    ),
    "cognitive": (
        "{name} husker dårlig fra dag til dag og klarer ikke å fortelle sammenhengende om hva som har skjedd.",
        "{name} blir fort forvirret og klarer ikke å si hva {han} selv ønsker.",
    ),
    "fear": (
        "{name} er redd for at det blir verre hvis {p} får vite at noen har spurt.",
        "{name} sier at {p} har sagt at {han} må flytte på institusjon hvis {han} klager.",
    ),
    "language": (
        "{name} snakker lite norsk, og {p} er ofte den som tolker når {han} er hos lege eller NAV.",
        "{name} forstår ikke informasjonen {han} får, og det har aldri vært brukt tolk.",
    ),
    "shame": (
        "{name} skammer seg over at det er {p} som gjør dette, og vil ikke at noen skal vite det.",
        "{name} sier at dette er noe man ikke snakker om, og at {han} har skylden selv.",
    ),
    "loyalty": (
        "{name} vil ikke at {p} skal få problemer, og sier at familien må ordne opp selv.",
        "{name} forsvarer {p} og sier at {p_han} har det tøft for tiden.",
    ),
    "distrust": (
        "{name} har dårlige erfaringer med barnevern og politi fra tidligere og stoler ikke på hjelpeapparatet.",
        "{name} tror at hjelpeapparatet vil ta fra {ham} bestemmelsesretten hvis {han} sier noe.",
    ),
    "isolation": (
        "{name} har nesten ingen andre å snakke med enn {p}, og ingen andre kommer på besøk.",
        "{name} har ikke telefon selv og kommer seg ikke ut uten hjelp.",
    ),
    "normalised": (
        "{name} sier at «sånn har det alltid vært» og ser det ikke som vold.",
        "{name} mener at {p} bare er stresset, og at det ikke er noe å gjøre noe med.",
    ),
    "communication": (
        "{name} har lite språk og uttrykker seg mest gjennom kroppsspråk og uro.",
        "{name} har vansker med å uttrykke seg etter sykdommen, og trenger god tid og enkle spørsmål.",
    ),
}

# Who notices, per reporting service: "En ansatt i hjemmetjenesten legger merke til …".
_NOTICED: dict[str, tuple[str, ...]] = {
    "home_care": ("En ansatt i hjemmetjenesten", "En sykepleier fra hjemmesykepleien"),
    "emergency_room": ("En lege på legevakten",),
    "gp": ("Fastlegen til {name}",),
    "nav": ("Veilederen til {name} på NAV",),
    "substance_services": ("En miljøterapeut i rustjenesten",),
    "crisis_centre": ("En ansatt på krisesenteret",),
    "nursing_home": ("En pleier på sykehjemmet",),
    "group_home": ("En miljøarbeider i bofellesskapet",),
    "disability_services": ("En ansatt i tjenester for funksjonshemmede",),
    "mental_health": ("En ansatt i psykisk helsetjeneste",),
    "relative": ("En nevø som er på besøk", "En gammel venninne av familien"),
}

# The perpetrator, as the case names them: (definite form, subject pronoun). Several each.
_PERPETRATOR_WORDS: dict[str, tuple[tuple[str, str], ...]] = {
    "partner": (("ektefellen", "{partner_pronoun}"), ("samboeren", "{partner_pronoun}")),
    "child": (("sønnen", "han"), ("datteren", "hun")),
    "grandchild": (("barnebarnet", "han"), ("barnebarnet", "hun")),
    "parent": (("faren", "han"), ("moren", "hun")),
    "sibling": (("broren", "han"), ("søsteren", "hun")),
    "other_family": (("en nevø", "han"), ("svogeren", "han"), ("en tante", "hun")),
    "co_resident": (("en medbeboer", "han"), ("en annen beboer", "hun")),
    "staff": (("en ansatt på nattevakt", "han"), ("en vikar i turnusen", "hun")),
    "friend": (("en ny venn", "han"), ("en nabo", "hun")),
    "unknown": (("en person {han} ikke vet navnet på", "han"),),
    "other": (("en frivillig besøksvenn", "han"), ("en tidligere kollega", "hun")),
}

_DETAILS = (
    "Det er vinter, og {name} har ikke vært ute på flere uker.",
    "{name} har en katt som {han} er veldig glad i.",
    "{name} var lærer i mange år og er opptatt av å klare seg selv.",
    "Det har vært tre bekymringer fra ulike ansatte det siste halvåret, men ingen har meldt fra.",
    "{name} har en sønn som bor i utlandet og sjelden ringer.",
    "Hjemmetjenesten har mange ulike ansatte innom, og ingen har fått god kontakt.",
    "{name} sier at {han} ikke vil ha mer hjelp enn {han} har i dag.",
    "Naboen har hørt roping fra leiligheten flere kvelder.",
    "Saken er drøftet anonymt med TryggEst-teamet én gang tidligere.",
    "{name} har nettopp fått en ny fastlege.",
    "{name} har gode dager og dårlige dager, og virker mest redd om kvelden.",
    "Det er usikkert om {name} har samtykkekompetanse.",
)

_NAMES = {
    "female": (
        "Astrid",
        "Ingrid",
        "Solveig",
        "Randi",
        "Berit",
        "Liv",
        "Marit",
        "Aud",
        "Sigrid",
        "Ragnhild",
        "Nora",
        "Emma",
        "Sara",
        "Amina",
        "Leila",
        "Fatima",
        "Hanne",
        "Tone",
        "Grete",
        "Eli",
        "Maja",
        "Ida",
        "Jorunn",
        "Turid",
    ),
    "male": (
        "Arne",
        "Kjell",
        "Odd",
        "Rolf",
        "Bjørn",
        "Terje",
        "Leif",
        "Einar",
        "Harald",
        "Ivar",
        "Jonas",
        "Emil",
        "Ali",
        "Omar",
        "Tor",
        "Geir",
        "Svein",
        "Nils",
        "Magnus",
        "Petter",
        "Jan",
        "Knut",
        "Hassan",
        "Olav",
    ),
}
_PRONOUNS = {"female": ("hun", "henne"), "male": ("han", "ham")}

# The combinations, in an order where neighbouring numbers differ in all three.
_SITUATION_CODES = tuple(c.code for c in LIFE_SITUATION.codes)
_VIOLENCE_CODES = tuple(c.code for c in VIOLENCE_TYPE.codes)
_BARRIER_CODES = tuple(c.code for c in BARRIER.codes)
SPACE = len(_SITUATION_CODES) * len(_VIOLENCE_CODES) * len(_BARRIER_CODES)
_STRIDE = 577  # prime and not a factor of SPACE: a permutation of 0 … SPACE-1


@dataclass(frozen=True)
class TrainingCase:
    """A fictional case: nothing in it comes from a real one."""

    seed: int
    situation: str
    violence: str
    barrier: str
    perpetrator: str
    vulnerabilities: tuple[str, ...]
    gender: str
    age: int
    noticed_by: str
    name: str
    title: str
    paragraphs: tuple[str, ...]
    questions: tuple[str, ...]
    services: tuple[str, ...]

    @property
    def narrative(self) -> str:
        return "\n\n".join(self.paragraphs)


class TextEnricher(Protocol):
    """A text-generation service (for example Azure OpenAI) that may reword a training case.
    It is handed the fictional case only; None or an error leaves the built-in text."""

    async def enrich(self, case: TrainingCase) -> str | None: ...


def combination(seed: int) -> tuple[str, str, str]:
    """(situation, violence, barrier) of a case number: distinct for 0 … SPACE-1."""
    index = (seed * _STRIDE) % SPACE
    per_situation = len(_VIOLENCE_CODES) * len(_BARRIER_CODES)
    return (
        _SITUATION_CODES[index // per_situation],
        _VIOLENCE_CODES[(index // len(_BARRIER_CODES)) % len(_VIOLENCE_CODES)],
        _BARRIER_CODES[index % len(_BARRIER_CODES)],
    )


def in_sentence(label: str) -> str:
    """A code's label inside a sentence: "Fastlege" → "fastlege", but "NAV" and
    "TryggEst-teamet" as they are."""
    if any(ch.isupper() for ch in label[1:]):
        return label
    return label[:1].lower() + label[1:]


def _capital(value: str) -> str:
    return value[:1].upper() + value[1:]


def generate(
    seed: int,
    situation: str | None = None,
    violence: str | None = None,
    barrier: str | None = None,
) -> TrainingCase:
    """The training case of this number; `situation`, `violence` and `barrier` (codes) fix
    what the team chose, the number decides the rest."""
    drawn = combination(seed)
    situation = situation if situation in _SITUATIONS else drawn[0]
    violence = violence if violence in _VIOLENCE else drawn[1]
    barrier = barrier if barrier in _BARRIERS else drawn[2]
    rng = random.Random(seed * 7919 + 17)
    life = _SITUATIONS[situation]
    kind = _VIOLENCE[violence]

    gender = rng.choice(life.genders)
    name = rng.choice(_NAMES[gender])
    age = rng.randint(*life.ages)
    han, ham = _PRONOUNS[gender]
    partner_gender = "male" if gender == "female" else "female"

    allowed = [p for p in life.perpetrators if p != "online"]
    if "online" in life.perpetrators:
        allowed += [p for p in _ONLINE if p not in allowed]
    fitting = [p for p in allowed if p in kind.perpetrators] or allowed
    perpetrator = rng.choice(fitting)
    word, p_han = rng.choice(_PERPETRATOR_WORDS[perpetrator])
    partner_pronoun = _PRONOUNS[partner_gender][0]
    partner_word = "mannen sin" if partner_gender == "male" else "kona si"
    fill = {
        "name": name,
        "age": age,
        "han": han,
        "Han": _capital(han),
        "ham": ham,
        "partner_of": partner_word,
        "partner_pronoun": partner_pronoun,
    }
    p = word.format(**fill)
    fill.update(p=p, P=_capital(p), p_han=p_han.format(**fill))

    noticed_by = rng.choice(life.noticed_by)
    noticer = rng.choice(_NOTICED.get(noticed_by, ("En ansatt",))).format(**fill)
    sign = rng.choice(kind.signs).format(**fill)
    opening = rng.choice(life.openings).format(**fill)
    what = rng.choice(kind.what).format(**fill)
    why = rng.choice(_BARRIERS[barrier]).format(**fill)
    detail = rng.choice(_DETAILS).format(**fill)
    paragraphs = (
        opening,
        f"{noticer} har lagt merke til {sign}. {what}",
        f"{why} {detail}",
    )
    services = tuple(dict.fromkeys((*life.services, "tryggest_team")))
    questions = (
        f"Hvor klar er {name} for endring? Skal TryggEst være koordinator, veiviser eller døråpner – og hvorfor?",
        f"Hvilke tiltak kan hjelpe, og hva ønsker {name} selv?",
        "Hvem bør dere involvere, og hvem bør vente? Tenk på "
        + ", ".join(in_sentence(MEASURE_SERVICE.label(s, "nb")) for s in services[:3])
        + " og politiet.",
        "Hva tillater taushetsplikten? Har dere samtykke, kan dere drøfte anonymt, eller gjelder avvergeplikten?",
        f"Barrieren her er «{in_sentence(BARRIER.label(barrier, 'nb'))}». Hvordan kan dere møte den?",
    )
    title = f"{LIFE_SITUATION.label(situation, 'nb')} – {in_sentence(VIOLENCE_TYPE.label(violence, 'nb'))}"
    return TrainingCase(
        seed=seed,
        situation=situation,
        violence=violence,
        barrier=barrier,
        perpetrator=perpetrator,
        vulnerabilities=life.vulnerabilities,
        gender=gender,
        age=age,
        noticed_by=noticed_by,
        name=name,
        title=title,
        paragraphs=paragraphs,
        questions=questions,
        services=services,
    )


def check_building_blocks() -> None:
    """Every code of the lists a case is made from has its building blocks (run by the tests)."""
    assert set(_SITUATIONS) == set(_SITUATION_CODES)
    assert set(_VIOLENCE) == set(_VIOLENCE_CODES)
    assert set(_BARRIERS) == set(_BARRIER_CODES)
    assert set(_PERPETRATOR_WORDS) == {c.code for c in PERPETRATOR_RELATION.codes}
    for life in _SITUATIONS.values():
        assert set(life.vulnerabilities) <= {c.code for c in VULNERABILITY.codes}
        assert set(life.services) <= {c.code for c in MEASURE_SERVICE.codes}
        assert set(life.noticed_by) <= {c.code for c in REPORTER_SERVICE.codes}
        assert set(life.noticed_by) <= set(_NOTICED)
