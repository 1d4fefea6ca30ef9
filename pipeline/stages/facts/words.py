"""Numbers spelled out in words, in eight languages and Chinese numerals: they support a
figure on the other side of a translation, and are never required themselves."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from .digits import Mention

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
