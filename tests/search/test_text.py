"""The pure parts: how text becomes words, how words become a tsquery, which typos are
corrected, and where highlights land."""

from __future__ import annotations

from fleetyard.search.document import Field, Match, Weight, identifier_forms, tsvector_literal
from fleetyard.search.highlight import matched_fields
from fleetyard.search.query import parse, tsquery_literal
from fleetyard.search.text import compact, tokens, words
from fleetyard.search.vocabulary import Vocabulary

VOCABULARY = Vocabulary(
    [("transit", 5), ("transporter", 2), ("ford", 9), ("helsinki", 3), ("hameenlinna", 1)]
)


def test_words_are_folded_and_keep_their_spans() -> None:
    assert words("Hämeenlinna ÅBO Søren Æbeltoft Straße") == [
        "hameenlinna",
        "abo",
        "soren",
        "aebeltoft",
        "strasse",
    ]
    [token] = tokens("  Järvinen!")
    assert (token.word, token.start, token.end) == ("jarvinen", 2, 10)
    assert compact("ABC-123") == compact("abc 123") == "abc123"
    assert words("&|!():*'\x00\\") == []


def test_lexemes_are_quoted_so_nothing_is_syntax() -> None:
    literal = tsvector_literal([Field("plate", "ABC-123", Weight.A, Match.EXACT)])
    assert literal == "'abc':1A '123':2A 'abc123':3A"
    parsed = parse("ford & !trnsit hel:*", VOCABULARY)
    assert tsquery_literal(parsed.terms) == "'ford' & ( 'trnsit' | 'transit' ) & 'hel':*"
    assert tsquery_literal(parsed.terms, weights="AB") == (
        "'ford':AB & ( 'trnsit':AB | 'transit':AB ) & 'hel':*AB"
    )
    assert tsquery_literal(parse("!!!", VOCABULARY).terms) is None


def test_typo_budget() -> None:
    assert VOCABULARY.corrections("trnsit") == ["transit"]  # 6 letters, one edit
    assert VOCABULARY.corrections("tarnsit") == ["transit"]  # a swap is one edit
    assert VOCABULARY.corrections("trnsportr") == ["transporter"]  # 9 letters, two edits
    assert VOCABULARY.corrections("frod") == []  # 4 letters: none
    assert VOCABULARY.corrections("trnst") == []  # 5 letters, two edits: too far
    assert VOCABULARY.corrections("transit") == []  # a word of the vocabulary
    assert VOCABULARY.corrections("tr4nsit") == []  # digits: an identifier, never corrected
    assert VOCABULARY.prefix_corrections("trnsi") == ["transi"]
    assert VOCABULARY.completions("tra", 5) == ["transit", "transporter"]


def test_identifier_forms() -> None:
    assert identifier_forms("ABC-123", "plate", Match.EXACT) == {"abc123"}
    forms = identifier_forms("356307042441013", "unique_id", Match.SUFFIX)
    assert "356307042441013" in forms and "~441013" in forms and "~41013" not in forms
    assert "~42788" in identifier_forms("WF0XXTTGXMK042788", "vin", Match.SUFFIX)
    assert identifier_forms("Transit", "model", Match.TEXT) == set()


def test_highlights_land_on_the_original_text() -> None:
    parsed = parse("hameen", VOCABULARY)
    [match] = matched_fields([["group", "Hämeenlinna depot", "text"]], parsed.terms, ())
    assert match.highlights == ((0, 6),)
    parsed = parse("abc123", VOCABULARY)
    [match] = matched_fields([["plate", "ABC-123", "exact"]], parsed.terms, parsed.identifiers)
    assert match.highlights == ((0, 7),)
    assert matched_fields([["make", "Ford", "text"]], parsed.terms, parsed.identifiers) == []
