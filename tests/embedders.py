"""Small deterministic embedders for the tests (CATALOG_EMBEDDER, set in tests/conftest.py).

The real model (catalog.meaning.WordLlamaEmbedder) is fast once loaded, but loading costs each test
process about 0.4 s and 100 MB; its own tests (tests/catalog/test_meaning.py) run it. Elsewhere texts
that share words are near and texts that share none are apart, which makes the rankings of the tests
easy to read.
"""

import re
import threading
from typing import ClassVar

import numpy as np

from catalog.meaning import normalised
from catalog.selectors.words import STOP_WORDS

WORD = re.compile(r"[a-z0-9]+")


class WordsEmbedder:
    """A bag of words, one dimension per word: texts with the same words get the same vector, and texts
    sharing no word are orthogonal (a cosine of 0, so that the search's meaning finds nothing by chance).
    Words of fewer than 3 letters and stop words are left out, as a language model gives them little
    weight. Each word gets the next free dimension the first time the process meets it (a test process
    meeting more words than `dimensions` shares dimensions from then on)."""

    name = "test-words-2048"
    dimensions = 2048
    _vocabulary: ClassVar[dict[str, int]] = {}
    _lock = threading.Lock()

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    @classmethod
    def _dimension(cls, word: str) -> int:
        with cls._lock:
            return cls._vocabulary.setdefault(word, len(cls._vocabulary) % cls.dimensions)

    def embed(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        vectors = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in WORD.findall(text.lower()):
                if len(word) >= 3 and word not in STOP_WORDS:
                    vectors[row, self._dimension(word)] += 1.0
        return normalised(vectors)
