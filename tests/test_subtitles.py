"""Subtitles (.srt, .vtt): each cue a unit, written back with its timings and its own
translation, laid out on lines of at most 42 characters, tags on the words they were on."""

from __future__ import annotations

import pytest
from office import SRT, VTT

from pipeline.documents.formats import extract, sniff_suffix, write
from pipeline.documents.formats.cuetext import LINE_CHARS, layout, read_cue, write_cue
from pipeline.errors import BinaryDocumentError, DecodeError, EmptyDocumentError, ProcessingError
from pipeline.units import CUE, KEPT, TRANSLATED, TranslatedDocument, TranslatedUnit

TWO = "Le comité s'est réuni mardi et a décidé de reporter le vote."
LONG = (
    "The committee met again on Tuesday and decided, after a long debate, "
    "to postpone the vote until the next session of parliament."
)


def timings_srt(data: bytes) -> list[tuple]:
    import srt

    return [(s.index, s.start, s.end, s.proprietary) for s in srt.parse(data.decode("utf-8"))]


def timings_vtt(data: bytes) -> list[tuple]:
    import webvtt

    captions = webvtt.from_string(data.decode("utf-8"))
    return [(c.identifier, c.start, c.end, str(c.settings)) for c in captions]


def _translate(data: bytes, suffix: str, make) -> tuple[TranslatedDocument, list[str]]:
    extracted = extract(data, suffix, f"a{suffix}")
    translations = tuple(make(u) for u in extracted.units)
    return TranslatedDocument(extracted.units, translations), [t.text for t in translations]


def _reversed(unit):
    words = unit.text.split()
    return TranslatedUnit(" ".join(reversed(words)), tuple(reversed(unit.marks)), TRANSLATED)


def test_cues_are_read_without_their_tags():
    assert sniff_suffix(VTT.encode()) == ".vtt" and sniff_suffix(SRT.encode()) == ".srt"
    vtt = extract(VTT.encode(), ".vtt", "a.vtt")
    assert vtt.paragraphs == (
        "Hello everyone & welcome",
        "- Are you coming? - No, never.",
        "A rather long line of text that will not fit on a single line of forty-two characters.",
        "Karaoke words here",
    )
    assert [u.kind for u in vtt.units] == [CUE] * 4
    assert vtt.units[0].marks == (0, 1, 2, 2)  # voice; voice and italic; voice
    srt = extract(SRT.encode(), ".srt", "a.srt")
    assert srt.paragraphs == (
        "Hello there, my friend.",
        "A rather long line of subtitles that will have to be wrapped.",
        "- Yes? - No.",
    )
    assert srt.units[0].marks == (0, 0, 1, 1)


@pytest.mark.parametrize(
    ("source", "suffix", "timings"), [(SRT, ".srt", timings_srt), (VTT, ".vtt", timings_vtt)]
)
def test_each_cue_keeps_its_timings_and_takes_its_own_translation(source, suffix, timings):
    data = source.encode()
    translated, expected = _translate(data, suffix, _reversed)
    written = write(data, suffix, f"a{suffix}", translated)
    assert written.complete and written.warnings == ()
    assert [(c.kind, c.read, c.written) for c in written.counts] == [
        (CUE, len(expected), len(expected))
    ]
    assert timings(written.data) == timings(data)
    back = extract(written.data, suffix, "b")
    assert [" ".join(u.text.split()) for u in back.units] == expected
    for unit in back.units:
        assert all(len(line) <= LINE_CHARS for line in unit.text.split("\n"))


def test_tags_follow_the_words_they_were_on():
    cue = read_cue("<i>Hello there,</i> my <b>old</b> friend.", vtt=False)
    out = write_cue(cue, TranslatedUnit("friend. old my there, Hello", (3, 2, 1, 0, 0)))
    assert out == "friend. <b>old</b> my <i>there, Hello</i>"
    cue = read_cue("<v Roger>Hello <i>everyone</i> &amp; welcome", vtt=True)
    out = write_cue(cue, TranslatedUnit("Welcome & everyone <hello>", (2, 2, 1, 0)))
    assert out == "<v Roger>Welcome &amp; <i>everyone</i> &lt;hello&gt;</v>"
    assert read_cue(out, vtt=True).text == "Welcome & everyone <hello>"


def test_anchors_stay_before_their_word_and_position_codes_first():
    cue = read_cue("{\\an8}<00:00:15.500>Karaoke <00:00:15.800>words here", vtt=False)
    assert cue.text.split() == ["<00:00:15.500>Karaoke", "<00:00:15.800>words", "here"]
    cue = read_cue("<00:00:15.500>Karaoke <00:00:15.800>words here", vtt=True)
    out = write_cue(cue, TranslatedUnit("Some karaoke words", (0, 0, 1)))
    assert out == "<00:00:15.500>Some karaoke <00:00:15.800>words"
    cue = read_cue("{\\an8}<i>Top of the screen</i>", vtt=False)
    assert write_cue(cue, TranslatedUnit("Screen top", (0, 0))) == "{\\an8}<i>Screen top</i>"


def _lines(words: list[str]) -> list[str]:
    starts = layout(words)
    return [" ".join(words[a:b]) for a, b in zip(starts, [*starts[1:], len(words)], strict=True)]


def test_translations_are_laid_out_on_as_few_lines_as_fit_as_even_as_they_can_be():
    assert _lines(["A", "short", "one."]) == ["A short one."]
    two = _lines(TWO.split(" "))
    assert two == ["Le comité s'est réuni mardi et", "a décidé de reporter le vote."]
    # 130 characters cannot fit on three lines of 42: four, none over 42, all even.
    four = _lines(LONG.split(" "))
    assert len(four) == 4 and all(26 <= len(line) <= LINE_CHARS for line in four)
    assert " ".join(four) == LONG
    assert layout(["x" * 60, "y"]) == [0, 1]  # a word too long for a line stays whole


def test_a_dialogue_keeps_one_speaker_a_line():
    cue = read_cue("- Are you coming?\n- No, never.", vtt=False)
    assert cue.dialogue
    out = write_cue(cue, TranslatedUnit("- Tu viens ? - Non, jamais.", (0,) * 6))
    assert out == "- Tu viens ?\n- Non, jamais."


def test_unchanged_cues_are_left_exactly_as_they_were():
    data = SRT.encode()
    translated, _ = _translate(
        data, ".srt", lambda u: TranslatedUnit(" ".join(u.text.split()), u.marks, KEPT)
    )
    written = write(data, ".srt", "a.srt", translated)
    assert written.data == data
    vtt = VTT.encode()
    translated, _ = _translate(
        vtt, ".vtt", lambda u: TranslatedUnit(" ".join(u.text.split()), u.marks, KEPT)
    )
    out = write(vtt, ".vtt", "a.vtt", translated).data.decode()
    for kept in (
        "WEBVTT - An English test file\nKind: captions\nLanguage: en\n",
        "A note before the cues\non two lines",
        "STYLE\n::cue(.loud) { color: yellow }",
        "intro\n00:00:01.000 --> 00:00:04.000 position:10% align:start\n"
        "<v Roger>Hello <i>everyone</i> &amp; welcome\n",
        "NOTE Between two cues\n\n00:00:10.000 --> 00:00:14.000\n<c.loud>A rather long line",
    ):
        assert kept in out


def test_cue_settings_and_header_lines_a_player_may_not_know_are_kept():
    vtt = (
        b"WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:900000,LOCAL:00:00:00.000\n\n"
        b"00:00:01.000 --> 00:00:02.000 vertical:rl custom:1\n<c.red>Hello</c> world\n"
    )
    translated, _ = _translate(vtt, ".vtt", _reversed)
    out = write(vtt, ".vtt", "a.vtt", translated).data.decode()
    assert out.startswith("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:900000,LOCAL:00:00:00.000\n")
    assert "00:00:01.000 --> 00:00:02.000 vertical:rl custom:1\nworld <c.red>Hello</c>\n" in out


def test_the_language_header_says_english_and_line_endings_are_kept():
    vtt = VTT.replace("Language: en", "Language: fr").replace("\n", "\r\n").encode()
    translated, _ = _translate(vtt, ".vtt", _reversed)
    out = write(vtt, ".vtt", "a.vtt", translated).data
    assert b"Language: en\r\n" in out and b"\n" not in out.replace(b"\r\n", b"")


@pytest.mark.parametrize(
    ("data", "suffix", "error", "reason"),
    [
        (b"Just some prose,\nnot subtitles at all.\n", ".srt", DecodeError, "not a SubRip"),
        (b"1\n00:00:01,000 --> soon\nHi\n", ".srt", DecodeError, "not a SubRip"),
        (b"00:01.000 --> 00:02.000\nNo header\n", ".vtt", DecodeError, "no WEBVTT header"),
        (b"WEBVTT\n\n00:01.000 --> 00:0x.000\nBad time\n", ".vtt", DecodeError, "1 malformed"),
        (
            b"WEBVTT\n\n00:01.000 --> 00:02.000\nA\n\n00:03.000 --> 00:02\nB\n",
            ".vtt",
            DecodeError,
            "1 malformed",
        ),
        (b"WEBVTT\n\nNOTE nothing else\n", ".vtt", EmptyDocumentError, "no cues"),
        (b"\x00\x01\x02 binary \x00\xff\xfe junk \x00", ".srt", BinaryDocumentError, "binary"),
    ],
)
def test_broken_subtitles_fail_with_a_reason(data, suffix, error, reason):
    with pytest.raises(error, match=reason):
        extract(data, suffix, f"bad{suffix}")


def test_subtitles_that_changed_since_they_were_read_are_not_written():
    translated, _ = _translate(SRT.encode(), ".srt", _reversed)
    fewer = SRT.split("3\n")[0].encode()
    with pytest.raises(ProcessingError, match="changed between reading and writing"):
        write(fewer, ".srt", "a.srt", translated)
