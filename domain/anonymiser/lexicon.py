"""Word lists the detectors decide by: bundled name and municipality data, and curated words.

The bundled files (data/, see data/SOURCES.md) are read once, on first use. Every set holds
folded keys (see `text.fold`) unless its name says lower-case.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

from domain.anonymiser.text import fold, words


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


@dataclass(frozen=True)
class Lexicon:
    # Names as written (lower-cased) and folded: a lower-case word must match as written
    # ("bor" is not "Bør"); a capitalised one may miss an accent ("Soren" for "Søren").
    first_names: frozenset[str]
    first_names_folded: frozenset[str]
    surnames: frozenset[str]
    surnames_folded: frozenset[str]
    municipalities: frozenset[str]  # folded; every kommune, Sami and Kven names included


def _read(name: str) -> list[str]:
    text = resources.files("domain.anonymiser").joinpath("data", name).read_text("utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]


@cache
def lexicon() -> Lexicon:
    municipalities = set()
    for name in _read("kommuner.txt"):
        municipalities.add(fold(name))
        # "Aurskog-Høland", "Evje og Hornnes": each part stands alone in text too.
        for part in name.replace("-", " ").split():
            if part[0].isupper() and len(part) > 2:
                municipalities.add(fold(part))
    first_names = _read("first_names.txt")
    surnames = _read("surnames.txt")
    return Lexicon(
        first_names=frozenset(n.lower() for n in first_names),
        first_names_folded=frozenset(fold(n) for n in first_names),
        surnames=frozenset(n.lower() for n in surnames),
        surnames_folded=frozenset(fold(n) for n in surnames),
        municipalities=frozenset(municipalities),
    )


# Names that are also everyday words (lower-case): these need context to count as a name,
# written in lower case always, and at the start of a sentence too ("Per dag", "Hans sønn").
NAME_WORDS = _words(
    """
    per liv sol mai bjørn ørn dag stein tom bo ben hans sine andre anna april august juni juli
    finn tone line lene rose kai gro vilje vilja vilde vår siv mette frank tore ulv berg bror ask
    stig arve knut helge borger brede aksel rune elg mars storm nordmann
    bakke bakken berge berget dal dahl dale dalen lie lia li lien lund lunde lunden moe mo moen
    strand stranda vik vika haug hauge haugen holm holmen foss fosse fossen eng enga engen hage
    hagen haga tangen brekke nes neset sand sande sanden skog skogen myr myra myre myren bekk
    bekken fjell fjeld fjellet ås åsen rød grønn hvit svart brun vold volden sund sunde lind eik
    hammer stene sletten slette kleven grande bø løken gjerde vatne heim brenna mork stokke
    inga jo tale gard kalle berger osten annet
    """
)

# Words after which the next name-like word is a person: relations, roles, the people in a case.
RELATION_WORDS = _words(
    """
    nabo naboen naboene granne grannen grannar sønn sønnen son sonen sønnesønn sønnesønnen
    datter datteren dattera dotter dottera datterdatteren barnebarn barnebarnet barnebarna
    oldebarn oldebarnet mann mannen ektemann ektemannen kone kona konen ektefelle ektefellen
    samboer samboeren sambuar sambuaren kjæreste kjæresten partner partneren venninne venninnen
    venninna venn vennen venen vennene venene bror broren søster søsteren søstera syster systera
    svoger svogeren svigerinne svigerinnen svigersønn svigersønnen svigerdatter svigerdatteren
    svigerdottera svigerfar svigerfaren svigermor svigermoren nevø nevøen niese niesen onkel
    onkelen tante tanten tanta fetter fetteren kusine kusinen kusina stesønn stesønnen
    stedatter stedatteren stefar stefaren stemor stemoren far faren mor moren mora mamma pappa
    bestemor bestefar farmor farfar mormor morfar oldemor oldefar barnet gutten guten jenta
    jenten eksmann eksmannen ekskone ekskona eksen verge vergen hjelpeverge hjelpevergen
    fullmektig fullmektigen fastlege fastlegen lege legen sykepleier sykepleieren
    sjukepleiar sjukepleiaren helsefagarbeider helsefagarbeideren assistent assistenten
    miljøarbeider miljøarbeideren primærkontakt primærkontakten saksbehandler saksbehandleren
    saksbehandlar saksbehandlaren veileder veilederen rettleiar rettleiaren hjemmehjelp
    hjemmehjelpen vaktmester vaktmesteren leieboer leieboeren medbeboer medbeboeren
    medbebuar medbebuaren pasient pasienten bruker brukeren brukar brukaren beboer beboeren
    bebuar bebuaren kollega kollegaen kollegen sjef sjefen leder lederen leiar leiaren betjent
    betjenten politibetjent konstabel kontaktperson kontaktpersonen melder melderen fornærmede
    mistenkte siktede vitne vitnet advokat advokaten støttekontakt støttekontakten avlaster
    avlasteren ansatt vikar vikaren nattevakt nattevakten tolk tolken pårørende pårørande
    omsorgsperson bekjent bekjente kamerat kameraten klient klienten ordfører ordføreren
    rådmann rådmannen kommunedirektør prest presten pastor imam professor lærer læreren rektor
    fysioterapeut fysioterapeuten ergoterapeut ergoterapeuten psykolog psykologen psykiater
    psykiateren tannlege tannlegen sosionom sosionomen vernepleier vernepleieren hjelpepleier
    hjelpepleieren koordinator koordinatoren konsulent konsulenten rådgiver rådgiveren
    sekretær sekretæren hilsen helsing mvh v/ tjenestemottaker tjenestemottakeren
    tjenestemottakar tenestemottakar mottaker mottakeren innringer innringeren anmelder
    anmelderen anmeldar familien familie familia
    """
)

TITLES = _words("fru frue herr hr frk frøken dr doktor")

# Possessives and the like that may stand between a relation word and the name.
POSSESSIVES = _words(
    "hans hennes hennar deres deira dykkar sin si sitt sine min mi mitt mine vår vårt våre din di ditt dine"
)

# "Ola sin bil": a genitive marker right after a name.
GENITIVE_MARKERS = _words("sin si sitt sine")

# Verbs that only people do: after an unknown capitalised word mid-sentence, they make it a name.
HUMAN_VERBS = _words(
    """
    sa sier seier ringte ringer ringde truet truer truga trua slo slår nektet nekter nekta hevder
    hevdar mener meiner fortalte forteller fortel fortalde kjeftet kjefta dyttet dytta lyver løy
    skrek ropte gråt gråter ba spurte spør svarte svarar bor bur budde bodde jobber arbeider
    besøker besøkte vitjar vitja lovet lova innrømmet innrømte benekter forklarer forklarte
    forklarte uttalte skriver skrev sendte tvinger tvang presser presset pressa krever kravde
    krevde kjører kjørte køyrer køyrde ønsker ønskjer trenger treng
    """
)

# With these too a name-word at the start of a sentence reads as a name ("Per har", "Liv kom").
COMMON_VERBS = HUMAN_VERBS | _words(
    "har hadde er var skal skulle vil ville kan kunne kom kommer må måtte fikk får fekk tok tar "
    "gikk går gjekk ble blir blei vart vert"
)

# Capitalised words that are never a person by themselves: services, agencies, brands,
# countries, counties, districts, eponymous diagnoses. Context can still override.
KEEP_WORDS = frozenset(
    fold(w)
    for w in words(
        "NAV Nav TryggEst Bufdir RVTS DPS BUP KAD Politiet Politi Statsforvalteren Fylkesmannen "
        "Helfo Husbanken Skatteetaten Folkeregisteret Kripos Krisesenteret Krisesenter Legevakten "
        "Legevakt Hjemmetjenesten Heimetenesta Kommunen Tildelingskontoret Barnevernet "
        "Sykehjemmet Vipps Facebook Messenger Snapchat Instagram WhatsApp Teams Finn Rema Kiwi "
        "Coop Meny Extra Bunnpris Posten DNB Nordea Sparebank Telenor Telia Ruter Vinmonopolet "
        "Narvesen Google BankID Altinn Helsenorge Gerica DIPS Visma CosDoc Profil Tolketjenesten "
        "Frelsesarmeen Norge Noreg Sverige Danmark Finland Island Tyskland Polen Litauen Latvia "
        "Estland Russland Ukraina Romania Bulgaria Ungarn Tsjekkia Slovakia Serbia Bosnia Kroatia "
        "Kosovo Albania Hellas Tyrkia Spania Portugal Italia Frankrike England Skottland Irland "
        "Storbritannia Nederland Belgia Sveits Østerrike Somalia Eritrea Etiopia Sudan Kenya "
        "Nigeria Ghana Marokko Tunisia Egypt Syria Irak Iran Afghanistan Pakistan India "
        "Bangladesh Sri Lanka Nepal Thailand Vietnam Filippinene Kina Japan Korea USA Amerika "
        "Canada Brasil Chile Colombia Peru Europa Afrika Asia Østfold Akershus Buskerud Vestfold "
        "Telemark Agder Rogaland Vestland Trøndelag Nordland Troms Finnmark Innlandet Viken "
        "Hordaland Oppland Hedmark Sogn Fjordane Møre Romsdal Sørlandet Vestlandet Østlandet "
        "Nord-Norge Sápmi Sagene Grünerløkka Gamle Frogner Hanshaugen Alna Grorud Stovner "
        "Nordstrand Østensjø Ullern Aker Arna Fana Fyllingsdalen Laksevåg Ytrebygda Åsane Årstad "
        "Bergenhus Gud Jesus Allah Parkinson Parkinsons Alzheimer Alzheimers Huntington "
        "Huntingtons Asperger Aspergers Korsakoff Korsakoffs Down Downs Crohn Crohns Bekhterev "
        "Tourette Lewy ALS KOLS ADHD PTSD Januar Februar Mars April Juni Juli August September "
        "Oktober November Desember Mandag Tirsdag Onsdag Torsdag Fredag Lørdag Søndag Jul Påske "
        "Pinse"
    )
)

# Words after which a capitalised word is a district or municipality, not a person.
PLACE_MARKERS = _words("bydel bydelen kommune kommunen bydelane")

# Place prepositions: "på Bakken", "i Lund" read as places when the name is also a word or place.
PLACE_PREPOSITIONS = _words("på i til fra ved mot over under langs utenfor innenfor nær fram frå")

# Parts between a given name and a family name ("Ludwig van Beethoven").
NAME_PARTICLES = _words("van von der de da di del la le af bin ibn al el")

# Words that start sentences and are never names, though capitalised there.
FUNCTION_WORDS = _words(
    """
    i på til fra frå med og men da då når etter før hos ifølge iflg han hun ho det den de dei
    vi me jeg eg du dere dykk som om ved mot under over av for hei hallo kjære mvh hilsen
    helsing takk ja nei ok også bare berre kun nå no her der hvis viss dersom fordi at hva kva
    hvem kven hvor kvar hvordan korleis hvorfor kvifor hvilken kva slags denne dette disse
    desse dei ein en ei et eit noen nokon ingen alle mange flere fleire litt mye mykje meget
    svært veldig ikke ikkje aldri alltid ofte iblant snart straks allerede allereie enda
    endå fortsatt framleis likevel derfor difor dessuten også sammen saman selv sjølv
    sin sitt sine hans hennes hennar deres deira vår vårt våre min mitt mine din ditt dine
    mandag tirsdag onsdag torsdag fredag lørdag søndag måndag tysdag laurdag sundag
    januar februar mars april juni juli august september oktober november desember
    kveld natt morgen morgon formiddag ettermiddag
    pasient pasienten bruker brukeren beboer beboeren vedkommende vedkomande melder
    hjemmetjenesten heimetenesta legevakt legevakten fastlegen politiet nav sykehjemmet
    kommunen ansatt ansatte personalet tjenesten tenesta saken saka sak
    tlf telefon adresse adr e-post epost mob mobil fnr navn namn
    er var har hadde blir ble vart vert skal skulle vil ville kan kunne må måtte bør
    fikk får fekk kom kommer gikk går gjekk sa sier seier tok tar
    """
)
