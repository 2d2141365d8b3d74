"""Small deterministic embedders for the tests (CATALOG_EMBEDDER, set in tests/conftest.py).

The real model (catalog.meaning.WordLlamaEmbedder) is fast once loaded, but loading costs each test
process about 0.4 s and 100 MB; its own tests (tests/catalog/test_meaning.py) run it. Elsewhere texts
that share words are near, which makes the rankings of the tests easy to read.
"""

import hashlib
import re

import numpy as np

from catalog.meaning import normalised

WORD = re.compile(r"[a-z0-9]+")


class WordsEmbedder:
    """A bag of words hashed into 64 dimensions: texts with the same words get the same vector."""

    name = "test-words-64"
    dimensions = 64

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def embed(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        vectors = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in WORD.findall(text.lower()):
                if len(word) < 3:
                    continue
                digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
                vectors[row, digest[0] % self.dimensions] += 1.0 if digest[1] % 2 else -1.0
        return normalised(vectors)
