"""Meaning (catalog.meaning): the embedder interface, the real model, and the vectors of the entries."""

import socket
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command

from catalog import services
from catalog.meaning import (
    TextEmbedder,
    WordLlamaEmbedder,
    embedder,
    entries_embed,
    entry_text,
    text_hash,
    vector_from_bytes,
)
from catalog.models import SearchEntry
from catalog.search_index import entries_rebuild
from catalog.services import ProjectFields
from tests.embedders import WordsEmbedder
from tests.factories import AssetFactory, ProjectFactory, UserFactory

RETRY = "retry failed HTTP calls with backoff"
PARAPHRASE = "library that re-attempts requests"
UNRELATED = "design tokens for web colours"


@pytest.fixture(scope="module")
def real_model():
    """The default model, loaded once for this module (as once per process in the portal)."""
    return WordLlamaEmbedder()


def test_the_real_model_gives_unit_rows_of_its_stable_dimensions(real_model):
    assert isinstance(real_model, TextEmbedder)
    vectors = real_model.embed([RETRY, PARAPHRASE, UNRELATED])
    assert vectors.shape == (3, real_model.dimensions) == (3, 256)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    again = real_model.embed([UNRELATED])
    assert np.allclose(again[0], vectors[2], atol=1e-6), "the same text gives the same vector"
    assert real_model.embed([]).shape == (0, 256)
    assert not real_model.embed([""]).any(), "a text with no word is the zero vector, not NaN"


def test_the_real_model_puts_a_paraphrase_nearer_than_an_unrelated_text(real_model):
    retry, paraphrase, unrelated = real_model.embed([RETRY, PARAPHRASE, UNRELATED])
    assert retry @ paraphrase > retry @ unrelated + 0.1
    need = real_model.embed(["my calls to the payment API fail sometimes and should be tried again"])[0]
    assert need @ retry > need @ unrelated


def test_the_real_model_loads_and_embeds_without_the_network(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the model tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HOME", "/nonexistent")  # no cached download to fall back on either
    fresh = WordLlamaEmbedder()  # not the module's: this one loads here
    assert fresh.embed([RETRY]).shape == (1, 256)
    assert fresh.name.startswith("wordllama-l2_supercat-256@")


def test_the_setting_chooses_the_embedder(settings):
    assert isinstance(embedder(), WordsEmbedder)
    settings.CATALOG_EMBEDDER = "catalog.meaning.WordLlamaEmbedder"
    assert isinstance(embedder(), WordLlamaEmbedder)
    settings.CATALOG_EMBEDDER = "catalog.meaning.text_hash"
    with pytest.raises(TypeError):
        embedder()


def _entry(project, asset=None) -> SearchEntry:
    return SearchEntry.objects.get(project=project, asset=asset)


@pytest.mark.django_db
def test_an_entry_text_says_what_the_project_or_asset_does():
    project = ProjectFactory(
        name="Retry Kit",
        description="Retries HTTP calls.",
        motivation="Every team wrote its own.",
        skills_wanted=["Python", "HTTP"],
    )
    asset = AssetFactory(project=project, name="retry-py", description="The Python client.")
    entries_rebuild(project_ids=[project.pk])
    text = entry_text(_entry(project))
    for part in ("Retry Kit", "Retries HTTP calls.", "Every team wrote its own.", "Python, HTTP"):
        assert part in text
    asset_text = entry_text(_entry(project, asset))
    for part in ("retry-py", "The Python client.", "Library", "Retry Kit"):
        assert part in asset_text


@pytest.mark.django_db
def test_entries_get_their_vector_when_indexed_and_a_new_one_when_their_text_changes():
    owner = UserFactory()
    project = ProjectFactory(name="Retry Kit", description="Retries failed HTTP calls with backoff.")
    entries_rebuild(project_ids=[project.pk])
    entry = _entry(project)
    assert entry.meaning_model == embedder().name
    assert entry.meaning_hash == text_hash(entry_text(entry))
    before = vector_from_bytes(entry.meaning_vector)
    assert before.shape == (embedder().dimensions,) and np.isclose(np.linalg.norm(before), 1, atol=1e-2)
    assert len(bytes(entry.meaning_vector)) == 2 * embedder().dimensions, "stored as float16"

    services.project_update(
        project=project,
        user=owner,
        fields=ProjectFields(
            name="Retry Kit",
            description="Design tokens for web colours and spacing.",
            business_unit=project.business_unit,
            lifecycle=project.lifecycle,
        ),
    )
    after = _entry(project)
    assert after.pk != entry.pk, "the index row was rebuilt"
    assert after.meaning_hash == text_hash(entry_text(after)) != entry.meaning_hash
    assert not np.allclose(vector_from_bytes(after.meaning_vector), before)


@pytest.mark.django_db
def test_an_unchanged_text_is_not_embedded_again():
    project = ProjectFactory(name="Retry Kit", description="Retries failed HTTP calls.")
    AssetFactory(project=project, name="retry-py")
    entries_rebuild(project_ids=[project.pk])
    stored = {e.asset_id: bytes(e.meaning_vector) for e in SearchEntry.objects.filter(project=project)}
    calls = len(embedder().calls)
    entries_rebuild(project_ids=[project.pk])  # e.g. an adoption or a role changed: the texts did not
    assert len(embedder().calls) == calls, "nothing was embedded"
    assert stored == {
        e.asset_id: bytes(e.meaning_vector) for e in SearchEntry.objects.filter(project=project)
    }
    assert entries_embed(project_ids=[project.pk]) == 0


@pytest.mark.django_db
def test_vectors_of_another_model_are_embedded_again():
    project = ProjectFactory()
    entries_rebuild(project_ids=[project.pk])
    SearchEntry.objects.filter(project=project).update(meaning_model="an-older-model")
    assert entries_embed(project_ids=[project.pk]) == 1
    assert _entry(project).meaning_model == embedder().name


@pytest.mark.django_db
def test_the_command_embeds_what_is_missing_once_and_everything_when_forced():
    projects = [ProjectFactory() for _ in range(3)]
    AssetFactory(project=projects[0])
    entries_rebuild(project_ids=[p.pk for p in projects])
    SearchEntry.objects.update(meaning_vector=None, meaning_hash="", meaning_model="")

    out = StringIO()
    call_command("embeddings_rebuild", "--batch", "2", stdout=out, stderr=StringIO())
    assert out.getvalue().startswith("4 of 4 entries embedded (0 up to date)")
    assert not SearchEntry.objects.filter(meaning_vector__isnull=True).exists()
    vectors = sorted(bytes(v) for v in SearchEntry.objects.values_list("meaning_vector", flat=True))

    out = StringIO()
    call_command("embeddings_rebuild", stdout=out, stderr=StringIO())
    assert out.getvalue().startswith("0 of 4 entries embedded (4 up to date)")

    out = StringIO()
    call_command("embeddings_rebuild", "--force", stdout=out, stderr=StringIO())
    assert out.getvalue().startswith("4 of 4 entries embedded")
    assert vectors == sorted(bytes(v) for v in SearchEntry.objects.values_list("meaning_vector", flat=True))
