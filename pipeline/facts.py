"""Numbers and names in text, compared across languages: what a translation lost or
changed, and what a summary states that the article never said.

A number is read into one or more *values* (canonical decimal strings such as ``"1500"``
or ``"3.5"``); two mentions agree when they share a value. The forms that legitimately
change between languages are normalised first:

- **Decimal comma and point**: ``3,5`` and ``3.5`` are both 3.5.
- **Thousands separators**: space, U+00A0 no-break space, U+202F narrow no-break space,
  U+2009 thin space, apostrophe, point or comma between groups of exactly three digits
  (``1 500``, ``1.500.000``, ``1,500,000``, ``1.500,5``). The one shape both readings fit, a
  single point or comma followed by exactly three digits after a non-zero part of one to
  three digits (``1.500``, ``1,500``), is read both ways: thousands first in the languages
  that write a decimal comma (fr, de, es, it, pt, nl, ru), decimal first in English and
  Chinese. A separator followed by other than three digits (``3,5``, ``3.25``) is a
  decimal; a plain-space grouping also leaves its parts as support, since a space may just
  separate two numbers.
- **Percent**: ``%``, ``pour cent``, ``percent``, ``per cent`` and the like do not change
  a value, so ``50 %`` and ``50 per cent`` agree.
- **Ordinals**: ``1er``, ``1re``, ``1ère``, ``2e``, ``2ème``, ``1st``, ``2nd``, ``3rd``,
  ``4th``, ``1º``, ``1.ª``, ``3-й``, ``3.`` read as their number; so do Roman numerals with
  an ordinal suffix or of two letters or more (``XXIe siècle``, ``Louis XIV``).
- **Scale words** after digits (``3,5 millions``, ``3.5 billion``, ``2 Mio.``, ``5 млн``,
  ``3万``) add the scaled value: ``3,5 millions`` agrees with ``3.5 million`` and with
  ``3 500 000``. ``billion`` counts as both 10⁹ and 10¹² (short and long scales).
- **Times**: ``14h30``, ``14:30``, ``2.30 pm`` agree, and ``14 h`` agrees with ``2 p.m.``
  and with a bare ``14``.
- **Signs**: ``-5``, ``−5`` are read as -5, but a hyphen after a digit is a range
  (``2019-2020`` is 2019 and 2020). Signs are not compared (-5 agrees with 5), since
  languages say "minus" in words that also mean "less" (``au moins 5``, "at least 5").
- **Spelled-out numbers**: a table per language (en, fr, de, es, it, pt, nl, ru) of the
  words for zero to twenty, the tens, hundred, thousand, million and billion and the
  first ordinals, compounds included (``vingt-deux``, ``quatre-vingt-dix``,
  ``einundzwanzig``, ``ventitré``, ``two hundred and five``), and Chinese numerals
  (``三百五十``, ``两万``).

Numbers in digits must be matched; numbers in words only *support* (a spelled-out number
satisfies a figure on the other side, but is never required itself), because words like
"one", "un" or "premier" are as often not numbers at all. Every rule above only ever adds
readings, so an ambiguity can hide an error but never raise a false flag.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

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


# -- words ----------------------------------------------------------------------------------

#: Joins number words into one number ("vingt et un", "twenty-one", "einundzwanzig").
AND = -1


def _table(words: str, start: int = 0, step: int = 1) -> dict[str, int]:
    return {w: start + i * step for i, w in enumerate(words.split())}


def _words(*tables: dict[str, int], **extra: int) -> dict[str, int]:
    merged: dict[str, int] = {}
    for table in tables:
        merged.update(table)
    merged.update(extra)
    return merged


_BIG = {"hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9}
NUMBER_WORDS: dict[str, dict[str, int]] = {
    "en": _words(
        _table(
            "zero one two three four five six seven eight nine ten eleven twelve thirteen "
            "fourteen fifteen sixteen seventeen eighteen nineteen twenty"
        ),
        _table("thirty forty fifty sixty seventy eighty ninety", 30, 10),
        _table("first second third fourth fifth sixth seventh eighth ninth tenth", 1),
        _BIG,
        {"millions": 10**6, "billions": 10**9, "trillion": 10**12, "dozen": 12},
        {"eleventh": 11, "twelfth": 12, "twentieth": 20, "hundredth": 100, "thousandth": 1000},
        {"and": AND},
    ),
    "fr": _words(
        _table("zéro un deux trois quatre cinq six sept huit neuf dix onze douze treize"),
        _table("quatorze quinze seize", 14),
        _table("vingt trente quarante cinquante soixante septante huitante nonante", 20, 10),
        _table(
            "premier deuxième troisième quatrième cinquième sixième septième huitième "
            "neuvième dixième",
            1,
        ),
        {"une": 1, "première": 1, "premiers": 1, "premières": 1, "second": 2, "seconde": 2},
        {"vingts": 20, "cent": 100, "cents": 100, "mille": 1000, "million": 10**6},
        {"millions": 10**6, "milliard": 10**9, "milliards": 10**9, "et": AND},
    ),
    "de": _words(
        _table("null eins zwei drei vier fünf sechs sieben acht neun zehn elf zwölf"),
        _table("dreizehn vierzehn fünfzehn sechzehn siebzehn achtzehn neunzehn", 13),
        _table("zwanzig dreißig vierzig fünfzig sechzig siebzig achtzig neunzig", 20, 10),
        {"ein": 1, "eine": 1, "einen": 1, "einem": 1, "einer": 1, "zwo": 2, "dreissig": 30},
        {"sieb": 7, "hundert": 100, "tausend": 1000, "million": 10**6, "millionen": 10**6},
        {"milliarde": 10**9, "milliarden": 10**9, "und": AND},
        {"erste": 1, "ersten": 1, "zweite": 2, "zweiten": 2, "dritte": 3, "dritten": 3},
    ),
    "es": _words(
        _table(
            "cero uno dos tres cuatro cinco seis siete ocho nueve diez once doce trece catorce "
            "quince dieciséis diecisiete dieciocho diecinueve veinte veintiuno veintidós "
            "veintitrés veinticuatro veinticinco veintiséis veintisiete veintiocho veintinueve"
        ),
        _table("treinta cuarenta cincuenta sesenta setenta ochenta noventa", 30, 10),
        _table(
            "cien doscientos trescientos cuatrocientos quinientos seiscientos setecientos "
            "ochocientos novecientos",
            100,
            100,
        ),
        {"un": 1, "una": 1, "dieciseis": 16, "veintiún": 21, "veintidos": 22, "ciento": 100},
        {"doscientas": 200, "trescientas": 300, "quinientas": 500, "mil": 1000},
        {"millón": 10**6, "millones": 10**6, "millon": 10**6, "y": AND},
        {"primero": 1, "primera": 1, "primer": 1, "segundo": 2, "segunda": 2, "tercero": 3},
        {"tercera": 3, "tercer": 3},
    ),
    "it": _words(
        _table(
            "zero uno due tre quattro cinque sei sette otto nove dieci undici dodici tredici "
            "quattordici quindici sedici diciassette diciotto diciannove"
        ),
        _table("venti trenta quaranta cinquanta sessanta settanta ottanta novanta", 20, 10),
        _table("vent trent quarant cinquant sessant settant ottant novant", 20, 10),
        {"un": 1, "una": 1, "tré": 3, "cento": 100, "mille": 1000, "mila": 1000},
        {"milione": 10**6, "milioni": 10**6, "miliardo": 10**9, "miliardi": 10**9},
        {"primo": 1, "prima": 1, "secondo": 2, "seconda": 2, "terzo": 3, "terza": 3},
    ),
    "pt": _words(
        _table(
            "zero um dois três quatro cinco seis sete oito nove dez onze doze treze catorze "
            "quinze dezesseis dezessete dezoito dezenove vinte"
        ),
        _table("trinta quarenta cinquenta sessenta setenta oitenta noventa", 30, 10),
        _table(
            "cem duzentos trezentos quatrocentos quinhentos seiscentos setecentos "
            "oitocentos novecentos",
            100,
            100,
        ),
        {"uma": 1, "duas": 2, "quatorze": 14, "dezasseis": 16, "dezassete": 17},
        {"dezanove": 19, "cento": 100, "duzentas": 200, "mil": 1000, "milhão": 10**6},
        {"milhões": 10**6, "bilhão": 10**9, "bilhões": 10**9, "e": AND},
        {"primeiro": 1, "primeira": 1, "segundo": 2, "segunda": 2, "terceiro": 3},
    ),
    "nl": _words(
        _table(
            "nul een twee drie vier vijf zes zeven acht negen tien elf twaalf dertien "
            "veertien vijftien zestien zeventien achttien negentien twintig"
        ),
        _table("dertig veertig vijftig zestig zeventig tachtig negentig", 30, 10),
        {"één": 1, "honderd": 100, "duizend": 1000, "miljoen": 10**6, "miljard": 10**9},
        {"en": AND, "eerste": 1, "tweede": 2, "derde": 3},
    ),
    "ru": _words(
        _table(
            "ноль один два три четыре пять шесть семь восемь девять десять одиннадцать "
            "двенадцать тринадцать четырнадцать пятнадцать шестнадцать семнадцать "
            "восемнадцать девятнадцать двадцать"
        ),
        _table("тридцать сорок пятьдесят шестьдесят семьдесят восемьдесят девяносто", 30, 10),
        _table(
            "сто двести триста четыреста пятьсот шестьсот семьсот восемьсот девятьсот", 100, 100
        ),
        {"одна": 1, "одно": 1, "одного": 1, "одной": 1, "две": 2, "двух": 2, "трёх": 3},
        {"трех": 3, "четырёх": 4, "четырех": 4, "пяти": 5, "шести": 6, "семи": 7},
        {"восьми": 8, "девяти": 9, "десяти": 10, "двадцати": 20, "тридцати": 30},
        {"тысяча": 1000, "тысячи": 1000, "тысяч": 1000, "миллион": 10**6, "миллиона": 10**6},
        {"миллионов": 10**6, "миллиард": 10**9, "миллиарда": 10**9, "миллиардов": 10**9},
        {"первый": 1, "первая": 1, "второй": 2, "третий": 3},
    ),
}
_MONTHS = {
    "en": "january february march april may june july august september october november december",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "de": "januar februar märz april mai juni juli august september oktober november dezember",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
    "diciembre",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre "
    "dicembre",
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro "
    "dezembro",
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
    "ru": "января февраля марта апреля мая июня июля августа сентября октября ноября декабря",
}
#: Month names read as their number, as support for numeric dates ("3.5.2020", "3 May").
MONTHS = {lang: _table(names, 1) for lang, names in _MONTHS.items()}
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_HANZI = re.compile(r"[零〇一二两三四五六七八九十百千万亿]+")
_HANZI_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_HANZI_UNITS = {"十": 10, "百": 100, "千": 1000}
_HANZI_BIG = {"万": 10**4, "亿": 10**8}


@lru_cache(maxsize=4096)
def _segment(word: str, language: str) -> tuple[int, ...] | None:
    """The number morphemes ``word`` is made of ("einundzwanzig" → 1, AND, 20), or None."""
    table = NUMBER_WORDS.get(language, {})
    if word in table:
        return (table[word],)
    if len(word) > 40:
        return None
    best: tuple[int, ...] | None = None
    for cut in range(len(word) - 1, 1, -1):
        head = word[:cut]
        if head in table:
            tail = _segment(word[cut:], language)
            if tail is not None and (best is None or len(tail) + 1 < len(best)):
                best = (table[head], *tail)
    return best


def combine(values: Sequence[int]) -> int | None:
    """The number a run of number-word values spells, or None when it spells none.

    ``quatre vingt dix`` → 90, ``two hundred and five`` → 205, ``dos mil millones`` →
    2,000,000,000, ``ein und zwanzig`` → 21.
    """
    total, current, joined, seen = 0, 0, False, False
    for value in values:
        if value == AND:
            joined = True
            continue
        seen = True
        if value >= 1000:
            if current == 0 and 0 < total < value:
                total *= value  # "mil millones"
            else:
                total += (current or 1) * value
            current = 0
        elif value == 100:
            current = (current or 1) * 100
        elif value == 20 and 0 < current < 20 and not joined:
            current *= 20  # "quatre-vingt"
        else:
            current += value
        joined = False
    return total + current if seen else None


def _hanzi(text: str) -> int | None:
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in _HANZI_DIGITS:
            digit = _HANZI_DIGITS[ch] if digit is None else digit * 10 + _HANZI_DIGITS[ch]
        elif ch in _HANZI_UNITS:
            section += (1 if digit is None else digit) * _HANZI_UNITS[ch]
            digit = None
        else:  # 万 or 亿
            total = (total + section + (digit or 0) or 1) * _HANZI_BIG[ch]
            section, digit = 0, None
    return total + section + (digit or 0)


def word_mentions(text: str, language: str) -> list[Mention]:
    """Numbers spelled out in words (support only): each word, and each run of words."""
    mentions: list[Mention] = []
    if language == "zh":
        for match in _HANZI.finditer(text):
            value = _hanzi(match.group(0))
            if value is not None:
                mentions.append(Mention(match.group(0), (str(value),), written=False))
        return mentions
    if language not in NUMBER_WORDS:
        return mentions
    run: list[int] = []
    run_start = run_end = 0
    lowered = text.lower()

    def close() -> None:
        while run and run[-1] == AND:
            run.pop()
        value = combine(run)
        if value is not None:
            mentions.append(Mention(text[run_start:run_end], (str(value),), written=False))

    months = MONTHS.get(language, {})
    for match in _WORD.finditer(lowered):
        if match.group(0) in months:
            value = str(months[match.group(0)])
            mentions.append(Mention(text[match.start() : match.end()], (value,), written=False))
        morphemes = _segment(match.group(0), language)
        gap = lowered[run_end : match.start()]
        if run and (morphemes is None or gap.strip(" -\u00a0")):
            close()
            run = []
        if morphemes is None or (not run and morphemes == (AND,)):
            continue
        if not run:
            run_start = match.start()
        run.extend(morphemes)
        run_end = match.end()
        if morphemes != (AND,):
            value = combine(morphemes)
            if value is not None:
                mentions.append(Mention(match.group(0), (str(value),), written=False))
    if run:
        close()
    return mentions


def extract_numbers(text: str, language: str) -> list[Mention]:
    """Every number in ``text``: digits (to be matched) and words (support), in that order."""
    return digit_mentions(text, language) + word_mentions(text, language)


def support(mentions: Iterable[Mention]) -> frozenset[str]:
    """Every value the mentions can be read as."""
    return frozenset(v for m in mentions for v in m.values)


def unmatched(mentions: Iterable[Mention], supported: frozenset[str]) -> list[Mention]:
    """The digit mentions none of whose readings is in ``supported``."""
    return [m for m in mentions if m.written and not supported.intersection(m.values)]


def number_mismatches(
    source: str, target: str, source_lang: str, target_lang: str = "en"
) -> tuple[list[Mention], list[Mention]]:
    """Numbers of ``source`` its translation lacks, and numbers of ``target`` the source
    lacks."""
    src = extract_numbers(source, source_lang)
    tgt = extract_numbers(target, target_lang)
    return unmatched(src, support(tgt)), unmatched(tgt, support(src))


def numbers_differ(source: str, target: str, source_lang: str, target_lang: str = "en") -> bool:
    """Whether a translation lost, added or changed a number (see the module's rules)."""
    if source == target:
        return False
    lost, added = number_mismatches(source, target, source_lang, target_lang)
    return bool(lost or added)


# -- names ----------------------------------------------------------------------------------

_NAME_WORD = re.compile(r"[^\W\d_][\w'’-]*(?:\.[^\W\d_][\w'’-]*)*", re.UNICODE)
_POSSESSIVE = re.compile(r"['’]s?$")


def capitalised_names(sentences: Iterable[str]) -> list[str]:
    """Runs of capitalised words that do not open their sentence ("Emmanuel Macron",
    "New York", "EU"), possessives stripped, in order of appearance."""
    names: list[str] = []
    for sentence in sentences:
        run: list[str] = []
        run_end = 0
        for i, match in enumerate(_NAME_WORD.finditer(sentence)):
            word = _POSSESSIVE.sub("", match.group(0))
            capital = i > 0 and word[:1].isupper() and word != "I"
            adjacent = not sentence[run_end : match.start()].strip()
            if run and not (capital and adjacent):
                names.append(" ".join(run))
                run = []
            if capital:
                run.append(word)
                run_end = match.end()
                if word != match.group(0):  # a possessive ends the name
                    names.append(" ".join(run))
                    run = []
        if run:
            names.append(" ".join(run))
    return list(dict.fromkeys(names))


def _casefold_words(text: str) -> frozenset[str]:
    return frozenset(_POSSESSIVE.sub("", w).casefold() for w in _NAME_WORD.findall(text))


def unsupported_names(names: Iterable[str], reference: str) -> list[str]:
    """The names of which some word never occurs in ``reference`` (compared case-blind,
    so a title capitalised in the summary still matches)."""
    words = _casefold_words(reference)
    return [n for n in names if not all(w.casefold() in words for w in n.split())]


def unsupported_numbers(text: str, reference: str, language: str) -> list[str]:
    """The figures in digits of ``text`` that ``reference`` (same language) never states."""
    missing = unmatched(
        extract_numbers(text, language), support(extract_numbers(reference, language))
    )
    return list(dict.fromkeys(m.text for m in missing))
