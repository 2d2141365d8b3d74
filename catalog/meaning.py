"""Meaning: the vectors that let the catalog find an entry by what it does rather than by its words.

One small interface (TextEmbedder) stands for the model, so that another can replace it through the
CATALOG_EMBEDDER setting. The default, WordLlama (MIT), runs on the CPU from the weights and tokenizer
shipped inside its wheel: nothing is downloaded at run time.

Every search entry (catalog.models.SearchEntry) carries the vector of its text, as float16 bytes, with
the hash of that text and the name of the model: entries_embed embeds only the entries whose text or model
changed, and entries_rebuild carries the vectors of unchanged entries over when it rewrites the index.
"""

import hashlib
import threading
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from catalog.models import Asset, EntryType, Project, SearchEntry

__all__ = [
    "VECTOR_DTYPE",
    "TextEmbedder",
    "WordLlamaEmbedder",
    "embedder",
    "entries_embed",
    "entry_text",
    "meaning_text",
    "normalised",
    "project_meaning_text",
    "similarity_words",
    "text_hash",
    "vector_from_bytes",
    "vector_to_bytes",
]

# Stored vectors: half precision is plenty for a cosine (errors around 1e-3) at half the bytes of float32.
VECTOR_DTYPE = np.float16


@runtime_checkable
class TextEmbedder(Protocol):
    """A model that turns texts into vectors whose dot product says how alike their meanings are."""

    # Stored with every vector: vectors of another model (or another version) are never compared.
    name: str
    dimensions: int

    def embed(self, texts: list[str]) -> np.ndarray:
        """A float32 array of len(texts) rows of `dimensions`, each of length 1 (an empty text: zeros)."""
        ...


def normalised(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1, as float32; a row of zeros (a text with no known word) stays zeros."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


class WordLlamaEmbedder:
    """WordLlama's l2_supercat model at 256 dimensions: a token-embedding table distilled from large
    language models, averaged over a text's tokens. About 0.1 ms a text on one core; 16 MB of weights."""

    CONFIG = "l2_supercat"
    DIMENSIONS = 256

    def __init__(self) -> None:
        from importlib.metadata import version

        self.name = f"wordllama-{self.CONFIG}-{self.DIMENSIONS}@{version('wordllama')}"
        self.dimensions = self.DIMENSIONS
        self._model = None
        self._lock = threading.Lock()

    def _loaded(self):
        with self._lock:
            if self._model is None:
                import wordllama
                from wordllama import WordLlama

                # The wheel ships the weights in wordllama/weights/ and the tokenizer in
                # wordllama/tokenizers/. WordLlama.load looks for the tokenizer in wordllama/tokenizer/
                # (singular) and would fetch it from Hugging Face; pointing its cache at the package finds
                # the shipped file, and disable_download makes a missing file an error, never a download.
                self._model = WordLlama.load(
                    config=self.CONFIG,
                    dim=self.DIMENSIONS,
                    cache_dir=Path(wordllama.__file__).parent,
                    disable_download=True,
                )
            return self._model

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        return normalised(self._loaded().embed(list(texts), norm=False))


@lru_cache(maxsize=4)
def _embedder(path: str) -> TextEmbedder:
    made = import_string(path)()
    if not isinstance(made, TextEmbedder):
        raise TypeError(f"CATALOG_EMBEDDER {path} does not give a TextEmbedder (name, dimensions, embed)")
    return made


def embedder() -> TextEmbedder:
    """The process's embedder (CATALOG_EMBEDDER), made once; its model loads on first use."""
    return _embedder(settings.CATALOG_EMBEDDER)


def vector_to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=VECTOR_DTYPE).tobytes()


def vector_from_bytes(data: bytes | memoryview) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype=VECTOR_DTYPE).astype(np.float32)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def meaning_text(*, project: Project, asset: Asset | None, topic_names: list[str]) -> str:
    """What an entry means: a project's name, description, motivation, topics and the skills it wants;
    an asset's name, description, kind, topics and its project's name."""
    if asset is None:
        return project_meaning_text(
            name=project.name,
            description=project.description,
            motivation=project.motivation,
            topic_names=topic_names,
            skills=[str(skill) for skill in project.skills_wanted or []],
        )
    topics = ", ".join(sorted(topic_names))
    parts = [asset.name, asset.description, asset.get_kind_display(), topics, f"part of {project.name}"]
    return _lines(parts)


def project_meaning_text(
    *, name: str, description: str, motivation: str, topic_names: list[str], skills: list[str]
) -> str:
    """What a project means, from its fields: meaning_text of a saved project, and of a registration
    still being typed (catalog.selectors.registration_check), so that both are embedded alike."""
    topics = ", ".join(sorted(topic_names))
    return _lines([name, description, motivation, topics, ", ".join(skills)])


def _lines(parts: list[str]) -> str:
    return "\n".join(part.strip() for part in parts if part and part.strip())


def entry_text(entry: SearchEntry) -> str:
    """meaning_text of an index row, whose topics are the project's, or the asset's own, else its
    project's, as entries_rebuild sets them."""
    asset = entry.asset if entry.entry_type == EntryType.ASSET else None
    return meaning_text(
        project=entry.project, asset=asset, topic_names=[topic.name for topic in entry.topics.all()]
    )


def entries_embed(*, project_ids: Iterable[int] | None = None, force: bool = False) -> int:
    """Embed the entries (of these projects, or all) whose text or model changed since they were last
    embedded, or every one with `force`; returns how many were embedded. Safe to run twice."""
    model = embedder()
    entries = SearchEntry.objects.select_related("project", "asset").prefetch_related("topics").order_by("pk")
    if project_ids is not None:
        entries = entries.filter(project_id__in=list(project_ids))
    stale: list[SearchEntry] = []
    texts: list[str] = []
    for entry in entries:
        text = entry_text(entry)
        digest = text_hash(text)
        if force or entry.meaning_hash != digest or entry.meaning_model != model.name:
            entry.meaning_hash, entry.meaning_model = digest, model.name
            stale.append(entry)
            texts.append(text)
    if not stale:
        return 0
    vectors = model.embed(texts)
    # After the vectors are computed: a snapshot of the vector index started before this moment may not
    # hold them, so they count as its delta (catalog.meaning_index).
    embedded_at = timezone.now()
    for entry, vector in zip(stale, vectors, strict=True):
        entry.meaning_vector = vector_to_bytes(vector)
        entry.meaning_at = embedded_at
    SearchEntry.objects.bulk_update(
        stale, ["meaning_vector", "meaning_hash", "meaning_model", "meaning_at"], batch_size=500
    )
    return len(stale)


# Cosine similarity in words, for the pages. Calibrated on WordLlama's scale (a paraphrase with no word in
# common scores 0.2 to 0.4, two one-line descriptions of different jobs 0.3 to 0.5, of the same job 0.65 up).
SIMILARITY_WORDS = [(0.8, "nearly the same"), (0.65, "very close"), (0.5, "close"), (0.0, "related")]


def similarity_words(similarity: float) -> str:
    return next(words for floor, words in SIMILARITY_WORDS if similarity >= floor)
