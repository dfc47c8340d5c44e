"""Sentence splitting and chunking keep exact offsets into the body."""

from bot.chunking import chunk_sentences, split_sentences

BODY = (
    "The letter, dated Oct. 13, highlighted the U.S. role. Kim wrote “we will win.”\n\n"
    "DPRK is the acronym for North Korea’s official name. A third sentence here."
)


def test_sentences_are_verbatim_spans() -> None:
    """Every sentence span cuts the body exactly, and abbreviations do not end a sentence."""
    spans = split_sentences(BODY)
    texts = [BODY[s.start : s.end] for s in spans]
    assert texts == [
        "The letter, dated Oct. 13, highlighted the U.S. role.",
        "Kim wrote “we will win.”",
        "DPRK is the acronym for North Korea’s official name.",
        "A third sentence here.",
    ]


def test_chunks_overlap_by_the_configured_sentences() -> None:
    """Neighbouring chunks share `overlap` sentences and together cover every sentence."""
    spans = split_sentences(BODY)
    chunks = chunk_sentences(spans, size=2, overlap=1)
    assert [len(c.sentences) for c in chunks] == [2, 2, 2]
    assert chunks[0].sentences[1] == chunks[1].sentences[0]
    assert {s for c in chunks for s in c.sentences} == set(spans)


def test_empty_body_has_no_chunks() -> None:
    """No sentences, no chunks."""
    assert chunk_sentences([], 3, 1) == []
