"""The answer model's parts: question reading, word matching, the fitted model and its threshold, and the
behaviours the issue names (aliases, roles, filler, typos) on the real seed index."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bot.answer.fit import choose_threshold
from bot.answer.model import AnswerModel, Logistic, softmax
from bot.answer.question import read_question, same_person
from bot.answer.terms import read_words, text_keys
from bot.services import Services


def test_a_capital_matches_its_state() -> None:
    """ "Moscow" and "Pyongyang" share a key with "Russia" and "North Korea"."""
    assert text_keys("Moscow") & text_keys("Russia")
    assert text_keys("Pyongyang") & text_keys("the North Korean leader")


def test_an_acronym_matches_its_expansion() -> None:
    """ "WPK" matches "Workers' Party of Korea" (either apostrophe)."""
    assert text_keys("the WPK") & text_keys("the Workers’ Party of Korea")


def test_spelling_and_inflection_fold_to_one_key() -> None:
    """ "neighbors" and "neighbour", "cooperating" and "cooperation" match; "newly" is "new"."""
    assert text_keys("neighbors") & text_keys("neighbour")
    assert text_keys("cooperating") & text_keys("cooperation")
    assert text_keys("newly") & text_keys("new")


def test_a_hyphenated_name_matches_its_parts() -> None:
    """ "Jong-un" carries the key of "un" and "jong" (and the group of Kim)."""
    (word,) = read_words("Jong-un")
    assert "@kim" in word.keys


def test_roles_are_read_in_both_directions() -> None:
    """ "What did Kim write to Xi" asks for Kim's words to Xi; the reverse asks for Xi's to Kim."""
    a, b = read_question("What did Kim write to Xi in 2021?"), read_question("What did Xi write to Kim in 2021?")
    assert (a.speaker, a.addressee) == ("Kim Jong-un", "Xi Jinping")
    assert (b.speaker, b.addressee) == ("Xi Jinping", "Kim Jong-un")


def test_a_generic_subject_is_no_speaker() -> None:
    """ "What did officials say" names nobody in particular; "What did Song Tao say" names someone."""
    assert read_question("What did officials say about trade?").speaker is None
    assert read_question("What did Song Tao say to Ri?").speaker == "Song Tao"


def test_name_parts_designate_one_person() -> None:
    """A family name designates the full name; different people do not match."""
    assert same_person("Cheong", "Cheong Seong-chang") and not same_person("Cheong", "Zhang Liangui")


def test_chat_filler_is_not_part_of_the_question() -> None:
    """Mentions and chat words ("@everyone", "pls cite", "thx") leave the question's content words unchanged."""
    plain = read_question("What did Kim promise Xi in October 2022?")
    noisy = read_question("@everyone what did Kim promise Xi in October 2022? pls cite thx")
    assert [w.text for w in noisy.words] == [w.text for w in plain.words]


def test_a_date_in_a_question_is_a_period_not_a_filter() -> None:
    """The period is read; nothing in the question turns it into a filter."""
    q = read_question("What did Xi's January 2021 cable say?")
    assert [(p.first.isoformat(), p.precision) for p in q.periods] == [("2021-01-01", "month")]


def test_the_kind_of_answer_is_read_from_the_question() -> None:
    """who / when / where / how many / why questions are told apart."""
    kinds = [
        read_question(t).answer_type
        for t in (
            "Who led it?",
            "When was it sent?",
            "Where did they meet?",
            "How many times had they met?",
            "Why no visits?",
        )
    ]
    assert kinds == ["who", "when", "where", "how-many", "why"]


def test_the_listwise_fit_puts_the_positive_first() -> None:
    """On groups where one feature marks the positive, the fitted scorer ranks it first in every group."""
    rng = np.random.default_rng(0)
    groups = []
    for _ in range(30):
        x = rng.normal(size=(8, 3))
        x[0, 1] = x[:, 1].max() + 1.0  # the positive always has the largest b
        groups.append((x, np.array([True] + [False] * 7)))
    model = Logistic.fit_listwise(groups, ("a", "b", "c"), l2=1.0)
    assert all(int(np.argmax(model.logits(x))) == 0 for x, _ in groups) and model.coef[1] > 0


def test_softmax_shares_sum_to_one() -> None:
    """The ranker's shares over one question's candidates sum to one, in score order."""
    shares = softmax(np.array([2.0, 0.0, -1.0]))
    assert shares.sum() == pytest.approx(1.0) and list(np.argsort(-shares)) == [0, 1, 2]


def test_the_threshold_refuses_at_most_a_tenth_of_the_answerable() -> None:
    """On validation probabilities, the chosen threshold refuses no more than 10% of answerable questions."""
    probs = np.linspace(0.05, 0.95, 40)
    answerable = np.array([True] * 30 + [False] * 10)
    threshold = choose_threshold(probs, answerable)
    assert (probs[answerable] < threshold).mean() <= 0.10


def test_the_bundled_model_matches_the_features_the_code_computes() -> None:
    """model.json loads (its features are checked by name) and was fitted on the team's own writers."""
    model = AnswerModel.bundled()
    assert 0.0 < model.threshold < 1.0
    assert "analyst" in model.about["writers"] and model.about["questions"] >= 500


def test_a_model_fitted_on_other_features_is_refused() -> None:
    """A model file whose feature list differs from the code's raises instead of scoring wrongly."""
    data = json.loads(json.dumps({"ranker": AnswerModel.bundled().ranker.to_json()}))
    data["ranker"]["features"] = ["something", *data["ranker"]["features"][1:]]
    with pytest.raises(ValueError, match="other features"):
        Logistic.from_json(data["ranker"], tuple(AnswerModel.bundled().ranker.names))


def test_a_capital_in_the_question_finds_the_article_naming_the_country(seeded: Services) -> None:
    """ "Moscow" is never written in the articles; the answer comes from sentences about Russia."""
    answer = seeded.ask("What do the articles say about Pyongyang's military cooperation with Moscow?")
    assert answer.status == "answered" and any("Russia" in c.quote for c in answer.citations)


def test_kim_to_xi_is_answered_with_kims_words(seeded: Services) -> None:
    """Asked what Kim promised Xi in 2022, the answer quotes Kim's letter, not Xi's reply."""
    answer = seeded.ask("What did Kim promise Xi in his October 2022 letter?")
    assert answer.status == "answered"
    assert any(c.speaker == "Kim Jong-un" for c in answer.citations)


def test_filler_does_not_flip_an_answer(seeded: Services) -> None:
    """Adding "Please cite." or "@everyone" to an answered question leaves it answered, with the same citations."""
    plain = seeded.ask("Where did Ri Ryong-nam and Song Tao meet?")
    noisy = seeded.ask("@everyone Where did Ri Ryong-nam and Song Tao meet? Please cite.")
    assert plain.status == noisy.status == "answered"
    assert [c.quote for c in noisy.citations] == [c.quote for c in plain.citations]


def test_a_typo_still_finds_the_sentence(seeded: Services) -> None:
    """ "ambasador" is mended to the article's "ambassador"."""
    answer = seeded.ask("Who was North Korea's new ambasador to China in March 2021?")
    assert answer.status == "answered" and any("Ri Ryong-nam" in c.quote for c in answer.citations)


def test_an_off_topic_question_is_refused_with_the_unknown_name(seeded: Services) -> None:
    """A question about a place no article mentions is refused, and the refusal names it."""
    answer = seeded.ask("What did Kim Jong-un say about the Singapore summit?")
    assert answer.status == "insufficient_evidence" and "Singapore" in answer.answer
