"""Follow-up rewriting: a turn that names only a date, person or outlet is merged with the previous question."""

from __future__ import annotations

from bot.conversation import Query, fold, merge

PREVIOUS = Query("What did Xi write to Kim in September 2023?")
OUTLETS = ["South China Morning Post", "The Hankyoreh", "The Korea Herald"]


def test_a_new_date_replaces_the_old_one() -> None:
    """ "and in 2023?" keeps the question and swaps its date."""
    assert merge(Query("and in 2023?"), PREVIOUS).question == "What did Xi write to Kim in 2023?"


def test_a_bare_date_or_month_is_a_follow_up() -> None:
    """ "2022?" and "In October 2022?" are read as dates for the previous question."""
    assert merge(Query("2022?"), PREVIOUS).question == "What did Xi write to Kim in 2022?"
    assert merge(Query("In October 2022?"), PREVIOUS).question == "What did Xi write to Kim in October 2022?"


def test_a_date_follow_up_replaces_explicit_date_filters() -> None:
    """A date named in the follow-up wins over --since/--until given with the first question."""
    merged = merge(Query("and in 2021?"), Query("What did Xi write to Kim?", since="2023", until="2023"))
    assert merged == Query("What did Xi write to Kim in 2021?")


def test_a_person_takes_the_place_of_the_one_asked_about() -> None:
    """ "what about Kim?" asks what Kim wrote to Xi (the two trade places)."""
    assert merge(Query("what about Kim?"), PREVIOUS).question == "What did Kim write to Xi in September 2023?"


def test_a_person_not_in_the_question_replaces_the_first_one() -> None:
    """ "And Putin?" replaces the person the question was about."""
    assert merge(Query("And Putin?"), Query("What did Xi say about the war?")).question == (
        "What did Putin say about the war?"
    )


def test_an_outlet_becomes_the_filter() -> None:
    """ "And the Korea Herald?" keeps the question and filters on that outlet."""
    merged = merge(Query("And the Korea Herald?"), PREVIOUS, OUTLETS)
    assert merged == Query(PREVIOUS.question, outlet="The Korea Herald")


def test_a_new_question_with_a_pronoun_names_the_person() -> None:
    """ "And what did he say about Taiwan?" becomes a standalone question about Xi."""
    assert merge(Query("And what did he say about Taiwan?"), PREVIOUS).question == "What did Xi say about Taiwan?"


def test_a_standalone_question_is_left_alone() -> None:
    """A full question with its own subject and date is not rewritten, and drops the earlier filters."""
    previous = Query("What did Xi write to Kim?", outlet="The Korea Herald")
    assert merge(Query("What did Kim write in 2021?"), previous) == Query("What did Kim write in 2021?")


def test_the_first_turn_is_unchanged() -> None:
    """With no earlier turn, the question stands as asked."""
    assert merge(Query("and in 2023?"), None) == Query("and in 2023?")


def test_fold_reads_each_turn_with_those_before() -> None:
    """A thread of three turns gives the standalone form of the last."""
    turns = [Query("What did Xi write to Kim in September 2023?"), Query("and in 2021?"), Query("what about Kim?")]
    assert fold(turns, OUTLETS) == Query("What did Kim write to Xi in 2021?")
    assert fold([], OUTLETS) is None


def test_asks_something_tells_questions_and_follow_ups_from_acknowledgements() -> None:
    """Questions and rewritable follow-ups ask something; thanks and okays do not, whatever their wording."""
    from bot.conversation import Query, asks_something

    previous = Query("What did Xi write to Kim in 2023?")
    outlets = ["Korea Herald", "Xinhua"]
    for asking in ("and in 2021", "what about Kim", "the Korea Herald", "Kim's letters in 2021", "Did he reply"):
        assert asks_something(asking, previous, outlets), asking
    for acknowledging in ("thanks!", "ok", "Thanks, that helps a lot", "great", "interesting, cheers", "\U0001f44d"):
        assert not asks_something(acknowledging, previous, outlets), acknowledging
    assert not asks_something("the Korea Herald", None, outlets)  # with nothing to follow, a name asks nothing
