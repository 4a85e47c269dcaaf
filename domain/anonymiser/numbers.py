"""Identifiers written with digits: fødselsnummer, account numbers, phone numbers, e-mail,
car registrations and dates of birth. Amounts, ages, years and incident dates are left alone."""

from __future__ import annotations

import re
from collections.abc import Iterator

import phonenumbers
from stdnum.no import fodselsnummer, kontonr

from domain.anonymiser.found import Found
from domain.anonymiser.model import Kind
from domain.anonymiser.text import words

_NOT_DIGIT_BEFORE = r"(?<![\d\w+])"
_NOT_DIGIT_AFTER = r"(?![\d]|[.,]\d|\w)"

# Eleven digits as people write a fødselsnummer or an account number.
_ELEVEN = re.compile(
    _NOT_DIGIT_BEFORE
    + r"(?:\d{11}|\d{6}[ \-.]\d{5}|\d{6} \d{3} \d{2}|\d{2}[ .]\d{2}[ .]\d{2}[ \-]?\d{5}"
    r"|\d{4}[ .]\d{2}[ .]\d{5})" + _NOT_DIGIT_AFTER
)
_ACCOUNT_SHAPE = re.compile(r"\d{4}[ .]\d{2}[ .]\d{5}")
_ACCOUNT_CONTEXT = re.compile(r"(?i)(?:konto|bank|overf|kontonr|betal|innbetal|trekk)")
_FNR_CONTEXT = re.compile(
    r"(?i)(?:f\.?nr|fødselsn|fødselsnr|personn|pers\.?nr|d-n|dnr|pnr|id-nr|ssn)"
)

# Norwegian numbers: eight digits written whole or grouped 3-2-3, 2-2-2-2 or 4-4, with or
# without +47 / 0047. Anything else ("50 000", "12 500 000", "1941") is not a phone number.
_PHONE = re.compile(
    _NOT_DIGIT_BEFORE + r"(?:(?P<cc>(?:\+|00)\s?47)[\s.\-]?)?"
    r"(?P<body>\d{8}|\d{3}[ .]\d{2}[ .]\d{3}|\d{2}[ .]\d{2}[ .]\d{2}[ .]\d{2}|\d{4}[ .]\d{4}"
    r"|(?<=47 )\d{2} \d{3} \d{3}|(?<=47)\d{2} \d{3} \d{3})" + _NOT_DIGIT_AFTER
)
_FOREIGN_PHONE = re.compile(r"(?<![\d\w])\+(?!47)\d{1,3}(?:[ \-]?\d){6,13}(?![\d])")
_MONEY_AFTER = re.compile(r"\s*(?:kr\b|kroner|,-|nok\b|norske kroner|\.-)", re.IGNORECASE)
_MONEY_BEFORE = re.compile(
    r"(?:kr\.?|nok|beløp(?:et)?(?: på)?|sum(?:men)?(?: på)?)\s*$", re.IGNORECASE
)
_PHONE_CONTEXT = re.compile(
    r"(?i)(?:tlf|telefon|mob|mobil|nr\b|nummer|ring|sms|tekst|ringt|ringe|tel\b|ringde)"
)

_EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+\-]+(?:@|\s?\((?:at|krøllalfa)\)\s?|\s?\[at\]\s?)[\w\-]+(?:\.[\w\-]+)*\.[a-zA-Z]{2,}"
)

# Registrations: two capital letters and four or five digits ("AB 12345", "EL12345").
_REGISTRATION = re.compile(r"(?<![\w-])([A-ZÆØÅ]{2})[ \-]?(\d{4,5})(?![\w-]|[.,]\d)")
_REGISTRATION_LOWER = re.compile(r"(?<![\w-])([a-zæøå]{2})[ \-]?(\d{4,5})(?![\w-]|[.,]\d)")
_REGISTRATION_CONTEXT = re.compile(
    r"(?i)(?:bil|bilen|reg\.?\s?nr|regnr|registreringsnummer|skilt|kjennemerke|kjøretøy|varebil)"
)
# Two-letter prefixes that are units, abbreviations or case numbers, not plates.
_NOT_PLATES = frozenset(
    words("KL KR NR CA NO ID EU TE MG ML GR KM PT ST TL OK HK UK US DA DE EN SE FI IS")
)

_MONTHS = (
    r"(?:januar|februar|mars|april|mai|juni|juli|august|september|oktober|november|desember"
    r"|jan|feb|mar|apr|jun|jul|aug|sept|sep|okt|nov|des)"
)
_DATE = (
    r"(?:\d{1,2}[./\-]\s?\d{1,2}[./\-]\s?(?:\d{4}|\d{2})"
    r"|(?:19|20)\d{2}-\d{2}-\d{2}"
    r"|\d{1,2}\.?\s*" + _MONTHS + r"\.?\s*(?:(?:19|20)\d{2}|['’-]?\d{2})"
    r"|\d{6}(?!\d))"
)
_BIRTH = re.compile(
    r"(?i)(?<!\w)(?:født|fødd|fdt\.?|f\.\s?d\.|f\.\s?dato|f\.?|fødselsdato|fødselsdag|fødd/født|"
    r"dato for fødsel)\s*:?\s*(?:den\s+|d\.\s*)?(?P<date>" + _DATE + r")(?![\d])"
)
# A full date before 2000 with no "født" is almost always a date of birth in a report.
_OLD_DATE = re.compile(
    r"(?i)(?<![\d.])(?:\d{1,2}\.\d{1,2}\.19\d{2}|19\d{2}-\d{2}-\d{2}|\d{1,2}\.\s*"
    + _MONTHS
    + r"\s+19\d{2})(?![\d])"
)


def find_numbers(text: str) -> Iterator[Found]:
    yield from _emails(text)
    yield from _eleven_digits(text)
    yield from _phones(text)
    yield from _registrations(text)
    yield from _birth_dates(text)


def _emails(text: str) -> Iterator[Found]:
    for match in _EMAIL.finditer(text):
        yield Found(match.start(), match.end(), Kind.EMAIL)


def _eleven_digits(text: str) -> Iterator[Found]:
    for match in _ELEVEN.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        before = text[max(0, match.start() - 40) : match.start()]
        yield Found(match.start(), match.end(), _eleven_kind(digits, match.group(), before))


def _eleven_kind(digits: str, written: str, before: str) -> Kind:
    account_hint = bool(_ACCOUNT_SHAPE.fullmatch(written) or _ACCOUNT_CONTEXT.search(before))
    if _FNR_CONTEXT.search(before):
        return Kind.FNR
    is_fnr = fodselsnummer.is_valid(digits)
    is_account = kontonr.is_valid(digits)
    if is_fnr and (not is_account or not account_hint):
        return Kind.FNR
    if is_account or account_hint:
        return Kind.ACCOUNT
    # Neither checks out: a mistyped number is still somebody's. A date in front reads as a
    # fødselsnummer, anything else as an account number.
    return Kind.FNR if _looks_like_birth(digits) else Kind.ACCOUNT


def _looks_like_birth(digits: str) -> bool:
    day, month = int(digits[0:2]), int(digits[2:4])
    if day > 40:  # D-nummer
        day -= 40
    return 1 <= day <= 31 and 1 <= month <= 12


def _phones(text: str) -> Iterator[Found]:
    for match in _PHONE.finditer(text):
        body = re.sub(r"\D", "", match.group("body"))
        has_prefix = match.group("cc") is not None
        before = text[max(0, match.start() - 30) : match.start()]
        context = has_prefix or bool(_PHONE_CONTEXT.search(before))
        if not context and (_MONEY_AFTER.match(text, match.end()) or _MONEY_BEFORE.search(before)):
            continue
        if not context and len(match.group("body")) == 8 and _is_date(body):
            continue
        if body[0] in "01":
            continue
        if _valid_number("+47" + body):
            yield Found(match.start(), match.end(), Kind.PHONE)
    for match in _FOREIGN_PHONE.finditer(text):
        if _valid_number(re.sub(r"[ \-]", "", match.group())):
            yield Found(match.start(), match.end(), Kind.PHONE)


def _valid_number(number: str) -> bool:
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(number, None))
    except phonenumbers.NumberParseException:
        return False


def _is_date(digits: str) -> bool:
    """An eight-digit run that reads as ddmmyyyy or yyyymmdd is a date, not a phone number."""
    d1, m1, y1 = int(digits[0:2]), int(digits[2:4]), int(digits[4:8])
    y2, m2, d2 = int(digits[0:4]), int(digits[4:6]), int(digits[6:8])
    return (1 <= d1 <= 31 and 1 <= m1 <= 12 and 1900 <= y1 <= 2100) or (
        1900 <= y2 <= 2100 and 1 <= m2 <= 12 and 1 <= d2 <= 31
    )


def _registrations(text: str) -> Iterator[Found]:
    for match in _REGISTRATION.finditer(text):
        if match.group(1) in _NOT_PLATES:
            continue
        yield Found(match.start(), match.end(), Kind.REGISTRATION)
    for match in _REGISTRATION_LOWER.finditer(text):
        before = text[max(0, match.start() - 30) : match.start()]
        if _REGISTRATION_CONTEXT.search(before) and match.group(1).upper() not in _NOT_PLATES:
            yield Found(match.start(), match.end(), Kind.REGISTRATION)


def _birth_dates(text: str) -> Iterator[Found]:
    for match in _BIRTH.finditer(text):
        yield Found(match.start("date"), match.end("date"), Kind.BIRTH_DATE)
    for match in _OLD_DATE.finditer(text):
        yield Found(match.start(), match.end(), Kind.BIRTH_DATE)
