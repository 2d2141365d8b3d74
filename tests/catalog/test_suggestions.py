"""The search box's suggestions as someone types (catalog.selectors.search.search_suggestions and
/catalog/suggest/): names ranked as the results rank them, then topics, only what the viewer may see."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import URLPattern, reverse

from catalog.models import AssetKind, Lifecycle, Project, Topic, Visibility
from catalog.search_index import entries_rebuild
from catalog.selectors.suggestions import search_suggestions
from catalog.services import RESERVED_SLUGS
from catalog.urls import urlpatterns
from tests.factories import AssetFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog():
    streams = Topic.objects.create(name="Kafka Streams")
    toolkit = ProjectFactory(name="Kafka Connect Toolkit", activity_score=10)
    toolkit.topics.add(streams)
    sink = AssetFactory(project=toolkit, name="Kafka JDBC Sink", slug="sink", kind=AssetKind.LIBRARY)
    ProjectFactory(name="Kafka Archive", lifecycle=Lifecycle.ARCHIVED)
    secret = ProjectFactory(name="Kafka Vault", visibility=Visibility.UNITS)
    entries_rebuild(project_ids=list(Project.objects.values_list("pk", flat=True)))
    return {"toolkit": toolkit, "sink": sink, "secret": secret}


def test_names_then_topics_each_with_the_page_it_opens(catalog):
    suggestions = search_suggestions(text="kafka", viewer=AnonymousUser())
    assert [(s.label, s.kind, s.url) for s in suggestions] == [
        ("Kafka Connect Toolkit", "Project", "/catalog/kafka-connect-toolkit/"),
        ("Kafka JDBC Sink", "Library", "/catalog/kafka-connect-toolkit/assets/sink/"),
        ("Kafka Streams", "Topic", "/catalog/?topic=Kafka+Streams"),
    ]
    # Archived entries stay out as they do from the default results; a restricted project shows only to
    # those who may see it.
    office_view = search_suggestions(text="kafka", viewer=_office())
    assert "Kafka Vault" in [s.label for s in office_view]
    assert "Kafka Archive" not in [s.label for s in office_view]


def _office():
    from django.conf import settings
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    user = UserFactory()
    user.groups.add(Group.objects.get_or_create(name=settings.PROGRAM_OFFICE_GROUP)[0])
    return user


def test_one_letter_suggests_nothing(catalog):
    assert search_suggestions(text="k", viewer=AnonymousUser()) == []
    assert search_suggestions(text="  ", viewer=AnonymousUser()) == []


def test_the_endpoint_answers_json_for_the_box(client, catalog):
    response = client.get(reverse("catalog:suggest"), {"q": "sink"})
    assert response.status_code == 200
    # The asset by its name first; its project mentions its assets, so it follows.
    assert response.json()["suggestions"][0] == {
        "label": "Kafka JDBC Sink",
        "kind": "Library",
        "url": "/catalog/kafka-connect-toolkit/assets/sink/",
    }
    assert client.get(reverse("catalog:suggest"), {"q": "x" * 5000}).json() == {"suggestions": []}


def test_no_project_slug_can_take_a_catalog_page_s_address():
    words = {
        str(pattern.pattern).split("/")[0]
        for pattern in urlpatterns
        if isinstance(pattern, URLPattern) and "<" not in str(pattern.pattern).split("/")[0]
    } - {""}
    assert words <= RESERVED_SLUGS, words - RESERVED_SLUGS
