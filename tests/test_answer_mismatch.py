"""The verifier's near-miss readings: ordinals, office owners and the topic a question asks about."""

from __future__ import annotations

from bot.answer.mismatch import about_uncovered, ordinals, owners
from bot.answer.question import read_question


def test_ordinals_in_digits_and_words_are_one_number() -> None:
    """Ordinals in digits and in words are one number: "80th" and "eightieth", "8th" and "eighth"."""
    assert ordinals("the eightieth anniversary and the 8th congress") == {80, 8}
    assert ordinals("the 73rd anniversary of the eighth congress") == {73, 8}


def test_a_cardinal_is_no_ordinal() -> None:
    """A count or a year is not an anniversary."""
    assert ordinals("they met five times in 2023") == set()


def test_the_office_belongs_to_the_country_before_it() -> None:
    """An office belongs to the country before it: "China's ambassador" is not "North Korea's new ambassador"."""
    assert owners("Who was China's ambassador in Pyongyang?") == {"@china"}
    assert owners("Ri Ryong-nam, North Korea’s new ambassador to China") == {"@north-korea"}


def test_an_office_of_a_country_is_read_after_it_too() -> None:
    """An office of a country is read after it too: "the envoy of North Korea"."""
    assert owners("a meeting with the envoy of North Korea") == {"@north-korea"}


def test_the_topic_asked_about_must_be_in_the_sentence() -> None:
    """The words after "about" count as missing when the sentence lacks them, and not when it has them."""
    q = read_question("What did Xi's letter say about Taiwan?")
    assert about_uncovered(q, "Xi said the friendship had grown stronger.") == 1.0
    assert about_uncovered(q, "Kim endorsed China's resolution on the Taiwan issue.") == 0.0


def test_a_question_without_about_has_no_topic_to_miss() -> None:
    """Only a question that asks about something can miss it."""
    assert about_uncovered(read_question("What did Xi write to Kim?"), "Anything at all.") == 0.0
