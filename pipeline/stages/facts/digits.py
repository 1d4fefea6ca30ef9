"""Numbers written in digits (and Roman numerals): each mention read into the values it can
mean; the rules are in :mod:`pipeline.stages.facts.numbers`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

#: Languages whose decimal separator is a point (their ambiguous ``1,500`` reads 1500 first).
DECIMAL_POINT_LANGUAGES = frozenset({"en", "zh", "ja", "ko", "th", "he"})


@dataclass(frozen=True)
class Mention:
    """A number as written, and the values it can be read as (the likeliest first)."""

    text: str
    values: tuple[str, ...]
    #: True for digits (must be matched on the other side); False for words, which only
    #: support.
    written: bool = True


# -- digits ---------------------------------------------------------------------------------

_FULLWIDTH = str.maketrans({chr(0xFF10 + i): str(i) for i in range(10)} | {"％": "%"})
_SPACES = " \u00a0\u202f\u2009'’"
_SIGN = r"(?:(?<![\w.,])[-−](?=\d))?"
_NUMBER = re.compile(
    rf"(?P<sign>{_SIGN})(?<![\d.,])(?:"
    # Groups of three after a space-like separator, optionally a decimal part.
    rf"(?P<spaced>\d{{1,3}}(?:[{_SPACES}]\d{{3}})+(?!\d)(?:[.,]\d+)?)"
    # Groups of three after commas, optionally a decimal point (English style).
    r"|(?P<comma>\d{1,3}(?:,\d{3})+(?![\d])(?:\.\d+)?)"
    # Groups of three after points, optionally a decimal comma (continental style).
    r"|(?P<point>\d{1,3}(?:\.\d{3})+(?![\d])(?:,\d+)?)"
    # A plain integer or decimal.
    r"|(?P<plain>\d+(?:[.,]\d+)?)"
    r")"
)
_TIME = re.compile(
    r"(?<![\d.,:])(?P<h>[01]?\d|2[0-4])(?:"
    r"(?:\s?h\s?|:)(?P<m>[0-5]\d)(?!\d)(?:\s?(?P<ampm>[ap])\.?\s?m\b\.?)?"
    r"|(?:[.:](?P<m2>[0-5]\d))?\s?(?P<ampm2>[ap])\.?\s?m\b\.?"
    r"|\s?h(?![^\W\d_])"
    r")",
    re.IGNORECASE,
)
# Numeric dates (3.5.2020, 03/05/20): each part is a number, not a decimal.
_DATE = re.compile(r"(?<![\d.,/])(\d{1,4})([./])(\d{1,2})\2(\d{1,4})(?![\d]|[.,/]\d)")
_ROMAN = re.compile(
    r"(?<![\w])(?=[MDCLXVI])(?P<r>M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3}))"
    r"(?P<suffix>e|er|re|ème|eme|de|st|nd|rd|th)?(?![\w])"
)
_ROMAN_VALUES = {"M": 1000, "D": 500, "C": 100, "L": 50, "X": 10, "V": 5, "I": 1}

# Words after a number that scale it, as powers of ten ("billion" both ways).
_SCALES: dict[str, tuple[int, ...]] = {
    **dict.fromkeys(["thousand", "k", "mille", "tausend", "mil", "tys", "тыс", "千"], (3,)),
    **dict.fromkeys(
        ["million", "millions", "m", "mn", "mio", "millionen", "millón", "millones", "millon"],
        (6,),
    ),
    **dict.fromkeys(
        ["milhão", "milhões", "milhao", "milhoes", "milione", "milioni", "miljoen", "miljoenen"],
        (6,),
    ),
    **dict.fromkeys(["млн", "миллион", "миллиона", "миллионов", "百万"], (6,)),
    **dict.fromkeys(["milliard", "milliards", "md", "mds", "mrd", "milliarde", "milliarden"], (9,)),
    **dict.fromkeys(["miliardo", "miliardi", "miljard", "miljarden", "bn", "млрд"], (9,)),
    **dict.fromkeys(["миллиард", "миллиарда", "миллиардов"], (9,)),
    **dict.fromkeys(["billion", "billions", "bilhão", "bilhões", "bilhao", "bilhoes"], (9, 12)),
    **dict.fromkeys(["billón", "billones", "biljoen", "trillion"], (12,)),
    "万": (4,),
    "亿": (8,),
}
_SCALE_WORD = re.compile(r"\s?([^\W\d_]+)\.?", re.UNICODE)


def _canon(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def _readings(kind: str, body: str, language: str) -> list[Decimal]:
    """The decimal readings of a matched digit body, the language's likeliest first."""
    if kind == "spaced":
        head, dec = re.match(r"([\d" + _SPACES + r"]+)([.,]\d+)?$", body).groups()  # type: ignore[union-attr]
        digits = re.sub(rf"[{_SPACES}]", "", head)
        return [Decimal(digits + ("." + dec[1:] if dec else ""))]
    if kind in ("comma", "point"):
        group, decimal = (",", ".") if kind == "comma" else (".", ",")
        whole, _, frac = body.partition(decimal)
        grouped = Decimal(whole.replace(group, "") + ("." + frac if frac else ""))
        if whole.startswith("0"):  # "0,500": no thousands group follows a zero
            head, _, tail = whole.partition(group)
            return [Decimal(f"{head}.{tail.replace(group, '')}")]
        if whole.count(group) == 1 and not frac:
            # "1,500" / "1.500": thousands or a decimal with three places.
            as_decimal = Decimal(whole.replace(group, "."))
            decimal_first = (group == ",") == (language not in DECIMAL_POINT_LANGUAGES)
            return [as_decimal, grouped] if decimal_first else [grouped, as_decimal]
        return [grouped]
    return [Decimal(body.replace(",", "."))]


def _scales_after(text: str, end: int) -> tuple[tuple[int, ...], int]:
    """Powers of ten of up to two scale words right after ``end`` ("3 mil millones")."""
    powers: list[tuple[int, ...]] = []
    for _ in range(2):
        if end < len(text) and text[end] in "万亿千":
            if text[end : end + 2] == "百万":
                powers.append((6,))
                end += 2
            else:
                powers.append(_SCALES[text[end]])
                end += 1
            continue
        match = _SCALE_WORD.match(text, end)
        if not match or match.group(1).lower() not in _SCALES:
            break
        powers.append(_SCALES[match.group(1).lower()])
        end = match.end()
    if not powers:
        return (), end
    totals = {0}
    for options in powers:
        totals = {t + p for t in totals for p in options}
    return tuple(sorted(totals)), end


def _time_values(hour: int, minute: int | None, ampm: str | None) -> tuple[str, ...]:
    hours = [hour]
    if ampm:
        ampm = ampm.lower()
        if ampm == "p" and hour < 12:
            hours = [hour + 12, hour]
        elif ampm == "a" and hour == 12:
            hours = [0, 12]
    elif hour > 12:
        hours.append(hour - 12)
    elif 0 < hour < 12:
        hours.append(hour + 12)
    values = [f"{h}:{minute or 0:02d}" for h in hours]
    if not minute:
        values += [str(h) for h in hours]
    return tuple(dict.fromkeys(values))


def _times_and_dates(text: str) -> tuple[list[Mention], str]:
    """Time-of-day and numeric-date mentions, and the text with them blanked out."""
    mentions = []
    chars = list(text)
    for match in _TIME.finditer(text):
        minute = match.group("m") or match.group("m2")
        ampm = match.group("ampm") or match.group("ampm2")
        hour = int(match.group("h"))
        if ampm and hour > 12:
            continue
        values = _time_values(hour, int(minute) if minute else None, ampm)
        mentions.append(Mention(match.group(0).strip(), values))
        chars[match.start() : match.end()] = " " * (match.end() - match.start())
    blanked = "".join(chars)
    for match in _DATE.finditer(blanked):
        for group in (1, 3, 4):
            mentions.append(Mention(match.group(group), (_canon(Decimal(match.group(group))),)))
        chars[match.start() : match.end()] = " " * (match.end() - match.start())
    return mentions, "".join(chars)


def _roman(numeral: str) -> int:
    total = 0
    for a, b in zip(numeral, numeral[1:] + " ", strict=True):
        value = _ROMAN_VALUES[a]
        total += -value if b != " " and _ROMAN_VALUES[b] > value else value
    return total


def digit_mentions(text: str, language: str) -> list[Mention]:
    """Numbers written in digits (and Roman numerals, as support), in order."""
    text = text.translate(_FULLWIDTH)
    mentions, rest = _times_and_dates(text)
    for match in _NUMBER.finditer(rest):
        kind = next(k for k in ("spaced", "comma", "point", "plain") if match.group(k))
        body = match.group(kind)
        try:
            readings = _readings(kind, body, language)
        except InvalidOperation:
            continue
        if match.group("sign"):
            readings = [-r for r in readings]
        powers, end = _scales_after(rest, match.end())
        values = [_canon(r) for r in readings]
        values += [_canon(r.scaleb(p)) for p in powers for r in readings]
        plain = kind == "plain" and "." in body.replace(",", ".")
        if plain and len(body.replace(",", ".").split(".")[1]) == 2:
            # "14.30" may be a time in an English translation of "14h30".
            hour, minute = (int(x) for x in body.replace(",", ".").split("."))
            if hour <= 24 and minute < 60:
                values += _time_values(hour, minute, None)
        if match.group("sign"):
            values += [v.lstrip("-") for v in values]  # signs are not compared
        written = rest[match.start() : end].strip().rstrip(".")
        mentions.append(Mention(written, tuple(dict.fromkeys(values))))
        if kind == "spaced" and " " in body:
            # A plain space may only separate two numbers: keep the parts as support.
            parts = re.findall(r"\d+", body.split(",")[0].split(".")[0])
            mentions += [Mention(p, (_canon(Decimal(p)),), written=False) for p in parts]
    for match in _ROMAN.finditer(text):
        numeral = match.group("r")
        # One letter is a numeral only as an ordinal of I, V or X ("Ier", "Ve", "Xe"):
        # "Le", "De" and "Ce" are words.
        if len(numeral) >= 2 or (match.group("suffix") and numeral in ("I", "V", "X")):
            mentions.append(Mention(match.group(0), (str(_roman(numeral)),), written=False))
    return mentions
