"""Readability: syllable counts against a dictionary, Flesch reading ease against hand-counted closed forms."""

from __future__ import annotations

import pytest

from explicable.reporting._readability import (
    NUMBER_SYLLABLES,
    count_syllables,
    find_jargon,
    flesch_reading_ease,
    sentences,
    words,
)

# Syllable counts as dictionaries (Merriam-Webster) give them.
DICTIONARY = {
    "the": 1, "cat": 1, "declined": 2, "application": 4, "reasons": 2, "because": 2, "account": 2, "balance": 2,
    "savings": 2, "loan": 1, "amount": 2, "score": 1, "scores": 1, "lowered": 2, "raised": 1, "typical": 3,
    "starting": 2, "point": 1, "counted": 2, "most": 1, "other": 2, "pulling": 2, "decision": 3, "review": 2,
    "person": 2, "correct": 2, "details": 2, "automated": 4, "system": 2, "religion": 3, "national": 3,
    "origin": 3, "marital": 3, "status": 2, "public": 2, "assistance": 3, "consumer": 3, "contract": 2,
    "agency": 3, "follows": 2, "sincerely": 3, "months": 1, "being": 2, "table": 2, "statement": 2,
    "likely": 2, "applies": 2, "people": 2, "actual": 3, "quality": 3, "language": 2, "period": 3,
    "special": 2, "saying": 2, "free": 1, "make": 1, "makes": 1, "wanted": 2, "used": 1, "passes": 2,
    "changes": 2, "yes": 1, "money": 2, "importance": 3, "interval": 3, "fairness": 2, "selected": 3,
    "group": 1, "limit": 2, "breached": 1, "every": 3, "together": 3, "value": 2,
}


def test_syllables_agree_with_a_dictionary_on_common_words() -> None:
    wrong = {w: (count_syllables(w), n) for w, n in DICTIONARY.items() if count_syllables(w) != n}
    # A rule cannot know every word; it must get the vast majority of the words our texts use.
    assert len(wrong) <= len(DICTIONARY) // 20, wrong
    assert count_syllables("Declined") == count_syllables("declined")
    assert count_syllables("applicant's") == count_syllables("applicant") == 3
    assert count_syllables("0.72") == count_syllables("1,000") == NUMBER_SYLLABLES


@pytest.mark.parametrize(("text", "n_words", "n_syllables"), [
    # The examples of Flesch's formula on Wikipedia, counted by hand from the dictionary.
    ("The cat sat on the mat.", 6, 6),
    ("This sentence, taken as a reading passage unto itself, is being used to prove a point.", 16, 23),
    ("The Australian platypus is seemingly a hybrid of a mammal and reptilian creature.", 13, 26),
])
def test_flesch_matches_the_closed_form_on_hand_counted_sentences(text: str, n_words: int, n_syllables: int) -> None:
    expected = 206.835 - 1.015 * n_words - 84.6 * n_syllables / n_words
    assert flesch_reading_ease(text) == pytest.approx(expected, abs=1e-9)


def test_flesch_over_several_sentences_and_list_items() -> None:
    text = "Our reasons:\n1. Loan term: 48 months\n2. Savings\nWe are sorry."
    # 4 sentences; words: our reasons | loan term 48 months | savings | we are sorry = 2+4+1+3 = 10
    # syllables: 1+2 | 1+1+2+1 | 2 | 1+1+2 = 14 (a number counts NUMBER_SYLLABLES = 2)
    assert NUMBER_SYLLABLES == 2
    expected = 206.835 - 1.015 * 10 / 4 - 84.6 * 14 / 10
    assert flesch_reading_ease(text) == pytest.approx(expected, abs=1e-9)
    assert flesch_reading_ease("") != flesch_reading_ease("")  # NaN for no words


def test_sentences_do_not_split_on_decimals_and_skip_underlines() -> None:
    assert sentences("Title\n=====\n\nIt scored 0.64. That is high!") == ["Title", "It scored 0.64.", "That is high!"]
    assert words("It's 9,000 DM, 12.5% or 3.") == ["It's", "9,000", "DM", "12.5%", "or", "3"]


def test_jargon_is_found_in_any_case_and_plural_but_not_inside_other_words() -> None:
    assert find_jargon("Two Features and their shap values; the model output.") == ["SHAP", "feature",
                                                                                     "model output"]
    assert find_jargon("Attributions from a classifier's logit") == ["attribution", "logit", "classifier"]
    assert find_jargon("We featured nothing; the shapes were fine.") == []
    assert find_jargon("custom term here", terms=("custom term",)) == ["custom term"]
