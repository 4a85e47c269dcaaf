"""TryggEst's code lists: what a report is classified by.

The codes are stable identifiers stored with a case; the labels are what people read, per
language. DOMAIN.md lists the starting point; municipalities may extend them later, so nothing
outside this module should spell out a code list.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Language = str  # "nb", "nn" or "en"


@dataclass(frozen=True)
class Code:
    code: str
    nb: str
    nn: str
    en: str
    # Other words people type for the same thing (any language, any case).
    synonyms: tuple[str, ...] = ()

    def label(self, lang: Language) -> str:
        return {"nb": self.nb, "nn": self.nn, "en": self.en}.get(lang, self.nb)


@dataclass(frozen=True)
class CodeList:
    name: str
    codes: tuple[Code, ...]
    multiple: bool = False
    _index: dict[str, Code] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._index.update({c.code: c for c in self.codes})

    def get(self, code: str) -> Code | None:
        return self._index.get(code)

    def __contains__(self, code: object) -> bool:
        return code in self._index

    def label(self, code: str, lang: Language) -> str:
        item = self.get(code)
        return item.label(lang) if item else code

    def labels(self, codes: list[str] | tuple[str, ...], lang: Language) -> list[str]:
        return [self.label(c, lang) for c in codes]


YES_NO = CodeList(
    "yes_no",
    (
        Code("yes", "Ja", "Ja", "Yes", ("j", "y", "ja, det er akutt", "akutt", "fare")),
        Code("no", "Nei", "Nei", "No", ("n", "ikke akutt", "nope")),
    ),
)

CONSENT_BASIS = CodeList(
    "consent_basis",
    (
        Code(
            "consent",
            "Personen har samtykket",
            "Personen har samtykt",
            "The person has consented",
            ("samtykke", "samtykket", "samtykt", "ja", "consent", "consented", "med samtykke"),
        ),
        Code(
            "anonymous",
            "Ikke samtykke – anonym drøfting",
            "Ikkje samtykke – anonym drøfting",
            "No consent – anonymous consultation",
            (
                "ikke samtykke",
                "ikkje samtykke",
                "uten samtykke",
                "anonym",
                "anonymt",
                "nei",
                "no consent",
                "anonymous",
            ),
        ),
        Code(
            "duty_to_avert",
            "Avvergeplikt (straffeloven § 196)",
            "Avvergeplikt (straffelova § 196)",
            "Duty to avert (Penal Code § 196)",
            ("avvergeplikt", "avverge", "196", "§ 196", "duty to avert", "avert"),
        ),
    ),
)

GENDER = CodeList(
    "gender",
    (
        Code("female", "Kvinne", "Kvinne", "Woman", ("k", "kvinne", "dame", "female", "woman")),
        Code("male", "Mann", "Mann", "Man", ("m", "mann", "male", "man")),
        Code(
            "other_unknown",
            "Annet / vet ikke",
            "Anna / veit ikkje",
            "Other / don't know",
            ("annet", "anna", "ukjent", "vet ikke", "veit ikkje", "other", "unknown"),
        ),
    ),
)

AGE_BAND = CodeList(
    "age_band",
    (
        Code("18-29", "18–29 år", "18–29 år", "18–29 years", ("18-29", "18 til 29")),
        Code("30-49", "30–49 år", "30–49 år", "30–49 years", ("30-49", "30 til 49")),
        Code("50-66", "50–66 år", "50–66 år", "50–66 years", ("50-66", "50 til 66")),
        Code("67-79", "67–79 år", "67–79 år", "67–79 years", ("67-79", "67 til 79")),
        Code("80+", "80 år eller eldre", "80 år eller eldre", "80 or older", ("80", "over 80")),
        Code("unknown", "Vet ikke", "Veit ikkje", "Don't know", ("ukjent", "vet ikke", "unknown")),
    ),
)

VULNERABILITY = CodeList(
    "vulnerability",
    (
        Code("dementia", "Demens", "Demens", "Dementia", ("dement", "alzheimer")),
        Code(
            "old_age",
            "Høy alder (67+)",
            "Høg alder (67+)",
            "Old age (67+)",
            ("alder", "eldre", "gammel", "old age", "elderly"),
        ),
        Code(
            "intellectual_disability",
            "Utviklingshemming",
            "Utviklingshemming",
            "Intellectual disability",
            ("utviklingshemmet", "psykisk utviklingshemming", "learning disability"),
        ),
        Code("autism", "Autisme", "Autisme", "Autism", ("autist", "asperger")),
        Code(
            "physical_disability",
            "Fysisk funksjonsnedsettelse",
            "Fysisk funksjonsnedsetjing",
            "Physical disability",
            ("funksjonsnedsettelse", "rullestol", "fysisk funksjonshemming", "disability"),
        ),
        Code(
            "mental_illness",
            "Psykisk lidelse",
            "Psykisk liding",
            "Mental illness",
            ("psykisk sykdom", "psykiatri", "psykisk", "mental"),
        ),
        Code(
            "substance_use",
            "Rus",
            "Rus",
            "Substance use",
            ("rusavhengighet", "alkohol", "narkotika", "substance", "drugs", "alcohol"),
        ),
        Code(
            "somatic_illness",
            "Somatisk sykdom",
            "Somatisk sjukdom",
            "Physical illness",
            ("sykdom", "sjukdom", "kreft", "illness"),
        ),
        Code(
            "minority_background",
            "Minoritetsbakgrunn",
            "Minoritetsbakgrunn",
            "Minority background",
            ("minoritet", "innvandrer", "minority"),
        ),
        Code("other", "Annet", "Anna", "Other", ("annen", "other")),
    ),
    multiple=True,
)

VIOLENCE_TYPE = CodeList(
    "violence_type",
    (
        Code(
            "physical",
            "Fysisk vold",
            "Fysisk vald",
            "Physical violence",
            ("fysisk", "slag", "slått", "physical"),
        ),
        Code(
            "psychological",
            "Psykisk vold",
            "Psykisk vald",
            "Psychological violence",
            ("psykisk", "trusler", "isolering", "psychological", "threats"),
        ),
        Code(
            "sexual",
            "Seksuelle overgrep",
            "Seksuelle overgrep",
            "Sexual abuse",
            ("seksuell", "seksuelt", "voldtekt", "sexual"),
        ),
        Code(
            "financial",
            "Økonomiske overgrep / utnyttelse",
            "Økonomiske overgrep / utnytting",
            "Financial abuse / exploitation",
            (
                "økonomisk",
                "penger",
                "utnyttelse",
                "utnytting",
                "svindel",
                "financial",
                "money",
                "fraud",
            ),
        ),
        Code(
            "material",
            "Materiell vold",
            "Materiell vald",
            "Damage to property",
            ("materiell", "ødelegging", "property"),
        ),
        Code("neglect", "Omsorgssvikt", "Omsorgssvikt", "Neglect", ("forsømmelse", "neglect")),
        Code(
            "online", "Nettovergrep", "Nettovergrep", "Online abuse", ("nett", "digital", "online")
        ),
        Code(
            "honour",
            "Æresrelatert vold",
            "Æresrelatert vald",
            "Honour-related violence",
            ("ære", "æresrelatert", "tvangsekteskap", "honour", "honor"),
        ),
    ),
    multiple=True,
)

PERPETRATOR_RELATION = CodeList(
    "perpetrator_relation",
    (
        Code(
            "partner",
            "Ektefelle, samboer eller partner",
            "Ektefelle, sambuar eller partnar",
            "Spouse or partner",
            (
                "ektefelle",
                "samboer",
                "sambuar",
                "partner",
                "kone",
                "mann",
                "spouse",
                "husband",
                "wife",
            ),
        ),
        Code("child", "Barn", "Barn", "Child", ("sønn", "datter", "dotter", "son", "daughter")),
        Code(
            "grandchild",
            "Barnebarn",
            "Barnebarn",
            "Grandchild",
            ("barnebarnet", "grandson", "granddaughter"),
        ),
        Code(
            "parent",
            "Foreldre",
            "Foreldre",
            "Parent",
            ("mor", "far", "forelder", "mother", "father"),
        ),
        Code(
            "sibling",
            "Søsken",
            "Sysken",
            "Sibling",
            ("bror", "søster", "syster", "brother", "sister"),
        ),
        Code(
            "other_family",
            "Annen familie",
            "Anna familie",
            "Other family",
            ("familie", "slekt", "family"),
        ),
        Code(
            "co_resident",
            "Medbeboer eller annen bruker",
            "Medbebuar eller annan brukar",
            "Co-resident or other service user",
            ("medbeboer", "beboer", "bruker", "co-resident"),
        ),
        Code(
            "staff",
            "Ansatt",
            "Tilsett",
            "Staff member",
            ("ansatt", "pleier", "personal", "staff", "carer"),
        ),
        Code(
            "friend",
            "Venn eller bekjent",
            "Ven eller kjenning",
            "Friend or acquaintance",
            ("venn", "bekjent", "nabo", "friend", "neighbour"),
        ),
        Code("unknown", "Ukjent", "Ukjend", "Unknown", ("vet ikke", "veit ikkje", "don't know")),
        Code("other", "Annen", "Annan", "Other", ("annet", "other")),
    ),
)

KNOWLEDGE_SOURCE = CodeList(
    "knowledge_source",
    (
        Code(
            "saw",
            "Jeg så det selv",
            "Eg såg det sjølv",
            "I saw it myself",
            ("så", "såg", "saw", "seen", "observert"),
        ),
        Code(
            "told",
            "Noen fortalte meg det",
            "Nokon fortalde meg det",
            "Someone told me",
            ("fortalt", "fortalde", "hørte", "told", "heard"),
        ),
        Code(
            "suspect",
            "Jeg har en mistanke",
            "Eg har ein mistanke",
            "I suspect it",
            ("mistanke", "mistenker", "tror", "suspect"),
        ),
    ),
)

# Who reported: a service, or someone outside the services (DOMAIN.md "Reported from").
REPORTER_SERVICE = CodeList(
    "reporter_service",
    (
        Code(
            "home_care",
            "Hjemmetjenesten",
            "Heimetenesta",
            "Home care",
            ("hjemmesykepleien", "hjemmesykepleie", "heimesjukepleie", "home care"),
        ),
        Code(
            "emergency_room", "Legevakt", "Legevakt", "Emergency room", ("legevakten", "emergency")
        ),
        Code("gp", "Fastlege", "Fastlege", "GP", ("lege", "doctor")),
        Code("nav", "NAV", "NAV", "NAV (welfare)", ("nav-kontoret",)),
        Code(
            "substance_services",
            "Rustjenesten",
            "Rustenesta",
            "Substance services",
            ("rus", "rustjeneste"),
        ),
        Code(
            "crisis_centre",
            "Krisesenter",
            "Krisesenter",
            "Crisis centre",
            ("krisesenteret", "crisis centre", "crisis center"),
        ),
        Code(
            "nursing_home",
            "Sykehjem",
            "Sjukeheim",
            "Nursing home",
            ("sykehjemmet", "sjukeheimen", "nursing home"),
        ),
        Code(
            "group_home",
            "Bolig med tjenester (omsorgsbolig, bofellesskap)",
            "Bustad med tenester (omsorgsbustad, bufellesskap)",
            "Supported housing",
            ("omsorgsbolig", "bofellesskap", "samlokalisert", "group home"),
        ),
        Code(
            "disability_services",
            "Tjenester for funksjonshemmede",
            "Tenester for funksjonshemma",
            "Disability services",
            ("funksjonshemmede", "habilitering"),
        ),
        Code(
            "mental_health",
            "Psykisk helse",
            "Psykisk helse",
            "Mental health services",
            ("psykisk helsetjeneste",),
        ),
        Code("police", "Politi", "Politi", "Police", ("politiet", "police")),
        Code(
            "other_service",
            "Annen kommunal tjeneste",
            "Anna kommunal teneste",
            "Other municipal service",
            ("annen tjeneste", "other service"),
        ),
        Code(
            "victim",
            "Jeg er den det gjelder",
            "Eg er den det gjeld",
            "I am the person concerned",
            ("meg selv", "meg sjølv", "myself", "den utsatte"),
        ),
        Code("relative", "Pårørende", "Pårørande", "Relative", ("familie", "relative")),
        Code(
            "citizen",
            "Innbygger",
            "Innbyggjar",
            "Member of the public",
            ("nabo", "privatperson", "citizen", "public"),
        ),
    ),
)
