"""The radar of re-built wheels (catalog.radar): clusters of projects and assets doing the same job, the
"not duplicates" memory, telling the owners, the page and the API, for the program office only.
tests/embedders.py's WordsEmbedder stands for the model: texts sharing most of their words are near."""

import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from catalog.meaning import WordLlamaEmbedder
from catalog.models import (
    DuplicateCluster,
    DuplicateDismissal,
    DuplicateRun,
    Notification,
    Project,
    ProjectChange,
    ProjectRole,
    Visibility,
)
from catalog.radar import clusters
from catalog.radar.clusters import Item, groups_of, neighbour_pairs
from catalog.radar.selectors import cluster_for_viewer, merge_links, radar_clusters
from catalog.radar.services import (
    UPDATE_AT_MOST,
    cluster_dismiss,
    cluster_owners_tell,
    radar_run,
    radar_update,
)
from catalog.search_index import entries_rebuild
from catalog.services import ProjectFields, project_update
from tests.factories import AssetFactory, BusinessUnitFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


def _project(name: str, description: str, unit: str, **kwargs):
    business_unit = BusinessUnitFactory(name=unit.title(), slug=unit)
    return ProjectFactory(name=name, slug=name.lower().replace(" ", "-"), description=description,
                          business_unit=business_unit, **kwargs)  # fmt: skip


@pytest.fixture
def catalog():
    made = {
        "retry": _project(
            "Retry Kit", "retry failed http calls with exponential backoff and jitter", "payments"
        ),
        "resilient": _project(
            "Resilient Client",
            "http client: failed calls retry with exponential backoff, jitter",
            "logistics",
        ),
        "again": _project(
            "Again", "retry failed calls, exponential backoff with jitter, for queues", "retail"
        ),
        "tokens": _project("Design Tokens", "colour and spacing tokens for web pages", "marketing"),
        "ledger": _project("Ledger", "double-entry bookkeeping ledger for finance teams", "finance"),
        "copy": _project("Book Of Accounts", "Double-entry bookkeeping ledger for finance teams.", "defence"),
        "pdf": _project("Pdf Forge", "render html templates to printable pdf files", "finance"),
    }
    made["retry_asset"] = AssetFactory(
        project=made["retry"], name="retry-py", description="retry failed http calls with exponential backoff and jitter"
    )  # fmt: skip
    entries_rebuild(project_ids=[p.pk for k, p in made.items() if k != "retry_asset"])
    return made


def _clusters() -> list[set[str]]:
    """The clusters waiting for a decision, each as its members' project names."""
    return [
        {member.project.name for member in cluster.members.all()}
        for cluster in DuplicateCluster.objects.filter(dismissal__isnull=True).order_by("-similarity", "pk")
    ]


def _cluster_of(name: str) -> DuplicateCluster:
    return DuplicateCluster.objects.get(members__project__name=name, dismissal__isnull=True)


# --- clustering ---------------------------------------------------------------------------------------


def test_three_retry_libraries_of_three_units_are_one_cluster_and_unrelated_jobs_are_not(catalog):
    run = radar_run(now=NOW)
    clusters = _clusters()
    assert {"Retry Kit", "Resilient Client", "Again"} in clusters
    assert not any("Design Tokens" in c for c in clusters), "an unrelated job is in no cluster"
    assert not any("Pdf Forge" in c and len(c & {"Retry Kit", "Ledger"}) for c in clusters)
    retry = _cluster_of("Again")
    assert retry.business_units == 3
    assert "3 business units" in retry.evidence
    assert 0 < retry.similarity <= 1
    assert run.full and run.clusters == len(clusters)


def test_a_renamed_copy_is_found(catalog):
    radar_run(now=NOW)
    copy = _cluster_of("Book Of Accounts")
    assert {m.project.name for m in copy.members.all()} == {"Ledger", "Book Of Accounts"}
    assert copy.renamed
    assert "same description" in copy.evidence


def test_a_project_and_its_own_asset_are_never_a_pair(catalog):
    radar_run(now=NOW)
    for cluster in DuplicateCluster.objects.all():
        projects = [member.project_id for member in cluster.members.all()]
        assert len(projects) == len(set(projects)), "a project appears once per cluster"
    # The project alone with its asset (which says the same) is no cluster either.
    assert not DuplicateCluster.objects.exclude(members__project__in=[
        catalog["resilient"], catalog["again"], catalog["ledger"], catalog["copy"], catalog["pdf"]
    ]).filter(members__project=catalog["retry"]).exists()  # fmt: skip


def test_chains_do_not_join_unrelated_jobs():
    """A like B, B like C, C unlike A: complete linkage keeps A and C apart."""
    vectors = np.array([[1, 0, 0], [0.8, 0.6, 0], [0, 1, 0]], dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    items = [Item(key=f"p{i}", project_id=i) for i in range(3)]
    groups = groups_of(items, vectors, floor=0.5)
    assert [sorted(g.members) for g in groups] == [[0, 1]] or [sorted(g.members) for g in groups] == [[1, 2]]


def test_the_real_model_on_the_relevance_set_finds_rebuilt_wheels_and_every_renamed_copy():
    """WordLlama on tests/fixtures/search_eval/relevance.json: clusters hold re-built wheels, and a
    renamed copy of any entry is always found (catalog/radar/clusters.py has the figures)."""
    data = json.loads((ROOT / "tests/fixtures/search_eval/relevance.json").read_text())
    catalog_items = data["catalog"][:120]
    copies = catalog_items[:10]
    texts = [f"{e['name']}\n{e['description']}\n{', '.join(sorted(e['topics']))}" for e in catalog_items]
    texts += [
        f"Renamed {e['name']} two\n{e['description']}\n{', '.join(sorted(e['topics']))}" for e in copies
    ]
    vectors = WordLlamaEmbedder().embed(texts).astype(np.float16).astype(np.float32)
    items = [
        Item(key=f"p{i}", project_id=i, description=e["description"]) for i, e in enumerate(catalog_items)
    ]
    items += [
        Item(key=f"p{1000 + i}", project_id=1000 + i, description=e["description"])
        for i, e in enumerate(copies)
    ]
    groups = groups_of(items, vectors)
    clustered = [{items[i].project_id for i in g.members} for g in groups]
    for i in range(len(copies)):
        assert any({i, 1000 + i} <= members for members in clustered), f"the copy of {copies[i]['slug']}"
    # The feature-flag libraries of two units (other words each time) come together.
    slugs = [{(catalog_items + copies)[i if i < 1000 else i - 1000]["slug"] for i in m} for m in clustered]
    assert any({"toggle-service", "flagpole"} <= s for s in slugs)


# --- the "not duplicates" memory -------------------------------------------------------------------------


def test_not_duplicates_is_remembered_across_runs_and_a_new_member_brings_the_cluster_back(
    catalog, program_office
):
    radar_run(now=NOW)
    cluster = _cluster_of("Again")
    dismissal = cluster_dismiss(cluster=cluster, user=program_office, reason="Different runtimes", now=NOW)
    assert dismissal.by == program_office and dismissal.reason == "Different runtimes"
    assert sorted(dismissal.member_keys) == sorted(m.key for m in cluster.members.all())
    # Audited: each project's change log (which the audit log reads) says who and why.
    changes = ProjectChange.objects.filter(action=ProjectChange.Action.NOT_DUPLICATES)
    assert {c.project_id for c in changes} == {m.project_id for m in cluster.members.all()}
    assert all(c.actor == program_office and "Different runtimes" in c.note for c in changes)

    radar_run(now=NOW)
    assert {"Retry Kit", "Resilient Client", "Again"} not in _clusters(), "dismissed stays dismissed"
    assert DuplicateCluster.objects.filter(dismissal=dismissal).count() == 1

    fourth = _project("Retrier", "retry failed http calls with exponential backoff, jitter", "mobile")
    entries_rebuild(project_ids=[fourth.pk])
    radar_run(now=NOW)
    back = _cluster_of("Retrier")
    assert {m.project.name for m in back.members.all()} >= {"Retrier", "Again"}
    assert back.reopens == dismissal and back.dismissal is None


def test_not_duplicates_needs_a_reason(catalog, program_office):
    radar_run(now=NOW)
    with pytest.raises(ValueError, match="Say why"):
        cluster_dismiss(cluster=_cluster_of("Again"), user=program_office, reason="  ")
    assert not DuplicateDismissal.objects.exists()


# --- telling the owners -----------------------------------------------------------------------------------


def test_the_owners_are_told_once_a_day_with_links_to_the_others_they_may_see(catalog, program_office):
    owners = {}
    for key in ("retry", "resilient", "again"):
        owners[key] = UserFactory(username=f"owner-{key}")
        ProjectRole.objects.create(project=catalog[key], user=owners[key], role=ProjectRole.Role.OWNER)
    # Again is restricted to its unit: the other owners may not learn of it.
    catalog["again"].visibility = Visibility.UNITS
    catalog["again"].save()
    entries_rebuild(project_ids=[catalog["again"].pk])
    radar_run(now=NOW)
    cluster = _cluster_of("Again")
    with time_machine.travel(NOW, tick=False):
        result = cluster_owners_tell(cluster=cluster, user=program_office)
        assert result.sent
        again = cluster_owners_tell(cluster=cluster, user=program_office)
    assert not again.sent, "a second click the same day sends nothing"
    told = {n.user.username: n for n in Notification.objects.select_related("user")}
    assert set(told) == {"owner-retry", "owner-resilient", "owner-again"}
    assert result.notice.recipients == 3
    assert "you may want to talk" in told["owner-retry"].message.lower()
    assert "Resilient Client" in told["owner-retry"].message
    assert "Again" not in told["owner-retry"].message.replace("Again (", ""), (
        "a restricted project stays hidden"
    )
    assert "Again" not in told["owner-resilient"].message
    assert "Retry Kit" in told["owner-again"].message and "Resilient Client" in told["owner-again"].message
    assert told["owner-again"].url in {
        catalog["retry"].get_absolute_url(),
        catalog["resilient"].get_absolute_url(),
    }
    assert ProjectChange.objects.filter(action=ProjectChange.Action.OWNERS_TOLD).count() == 3
    with time_machine.travel(datetime(2026, 3, 11, 9, 0, tzinfo=UTC), tick=False):
        assert cluster_owners_tell(cluster=cluster, user=program_office).sent, "the next day, again"


# --- incremental ---------------------------------------------------------------------------------------------


def test_a_changed_project_joins_its_cluster_without_a_full_run(catalog, program_office):
    radar_run(now=NOW)
    ledger = _cluster_of("Ledger").pk
    pdf = catalog["pdf"]
    fields = ProjectFields(
        name=pdf.name, description="retry failed http calls with exponential backoff and jitter",
        business_unit=pdf.business_unit, lifecycle=pdf.lifecycle,
    )  # fmt: skip
    project_update(project=pdf, user=program_office, fields=fields)
    assert DuplicateRun.objects.filter(full=False).exists(), "the change ran the radar for its projects"
    assert any({"Pdf Forge", "Retry Kit"} <= c for c in _clusters())
    assert _cluster_of("Ledger").pk == ledger, "a cluster the change does not touch is left as it was"
    assert DuplicateRun.objects.filter(full=True).count() == 1


def test_nothing_runs_on_change_before_the_first_full_run(catalog, program_office):
    entries_rebuild(project_ids=[catalog["pdf"].pk])
    assert not DuplicateRun.objects.exists()


# --- the page, the API, permissions --------------------------------------------------------------------------


def _client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_the_page_lists_the_clusters_with_their_members_evidence_and_actions(catalog, program_office):
    radar_run(now=NOW)
    response = _client(program_office).get(reverse("catalog:duplicates"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Re-built wheels" in text and "Computed" in text
    for name in ("Retry Kit", "Resilient Client", "Again", "Book Of Accounts", "Payments", "Logistics"):
        assert name in text
    assert "Design Tokens" not in text
    assert "3 business units" in text
    assert reverse("catalog:merge", kwargs={"slug": "resilient-client"}) + "?target=" in text or (
        reverse("catalog:merge", kwargs={"slug": "again"}) + "?target=" in text
    )
    key = _cluster_of("Again").key
    assert reverse("catalog:duplicates_dismiss", kwargs={"key": key}) in text
    assert reverse("catalog:duplicates_tell", kwargs={"key": key}) in text
    assert reverse("catalog:duplicates") in text, "linked from the program office's menu"


def test_the_page_before_any_run_says_so(program_office):
    text = _client(program_office).get(reverse("catalog:duplicates")).content.decode()
    assert "Not computed yet" in text and "has not run yet" in text


def test_the_page_actions_dismiss_and_tell(catalog, program_office):
    radar_run(now=NOW)
    client = _client(program_office)
    key = _cluster_of("Again").key
    refused = client.post(reverse("catalog:duplicates_dismiss", kwargs={"key": key}), {"reason": ""})
    assert refused.status_code == 302 and not DuplicateDismissal.objects.exists()
    client.post(reverse("catalog:duplicates_tell", kwargs={"key": key}))
    told = client.get(reverse("catalog:duplicates")).content.decode()
    assert "Owners told" in told
    client.post(reverse("catalog:duplicates_dismiss", kwargs={"key": key}), {"reason": "Different jobs"})
    assert DuplicateDismissal.objects.get().reason == "Different jobs"
    assert "Resilient Client" not in client.get(reverse("catalog:duplicates")).content.decode()


def test_the_page_reads_a_fixed_number_of_queries(catalog, program_office, django_assert_num_queries):
    radar_run(now=NOW)
    client = _client(program_office)
    client.get(reverse("catalog:duplicates"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("catalog:duplicates"))
    for n in range(6):
        _project(f"Pdf Maker {n}", f"render html templates to printable pdf files {n}", f"unit-x{n}")
        _project(f"Mailer {n}", f"send transactional emails through smtp with templates {n}", f"unit-y{n}")
    entries_rebuild(project_ids=list(Project.objects.values_list("pk", flat=True)))
    radar_run(now=NOW)
    assert DuplicateCluster.objects.count() >= 2 * 2
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(reverse("catalog:duplicates")).status_code == 200


@pytest.mark.parametrize("who", ["outsider", "owner"])
def test_only_the_program_office_reads_the_radar_or_acts_on_it(catalog, who, outsider):
    user = outsider
    if who == "owner":
        user = UserFactory(username="retry-owner")
        ProjectRole.objects.create(project=catalog["retry"], user=user, role=ProjectRole.Role.OWNER)
    radar_run(now=NOW)
    key = _cluster_of("Again").key
    client = _client(user)
    assert client.get(reverse("catalog:duplicates")).status_code == 403
    assert (
        client.post(reverse("catalog:duplicates_dismiss", kwargs={"key": key}), {"reason": "x"}).status_code
        == 403
    )
    assert client.post(reverse("catalog:duplicates_tell", kwargs={"key": key})).status_code == 403
    api = APIClient()
    api.force_authenticate(user)
    assert api.get("/api/v1/duplicates/").status_code == 403
    assert (
        api.post(f"/api/v1/duplicates/{key}/not-duplicates/", {"reason": "x"}, format="json").status_code
        == 403
    )
    assert api.post(f"/api/v1/duplicates/{key}/tell-owners/").status_code == 403
    assert not DuplicateDismissal.objects.exists() and not Notification.objects.exists()
    anonymous = Client().get(reverse("catalog:duplicates"))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert APIClient().get("/api/v1/duplicates/").status_code in {401, 403}


def test_the_api_answers_the_clusters_strongest_first_in_the_issues_shape(catalog, program_office):
    # Two copies in one unit: as alike as can be, yet after every cluster across units.
    twins = [_project(f"Twin {n}", "payroll export to the bank in the sepa format", "people") for n in (1, 2)]
    entries_rebuild(project_ids=[twin.pk for twin in twins])
    radar_run(now=NOW)
    api = APIClient()
    api.force_authenticate(program_office)
    body = api.get("/api/v1/duplicates/").json()
    assert body["computed_at"].startswith("2026-03-10")
    clusters = body["clusters"]
    assert body["count"] == len(clusters) == 3
    first = clusters[0]
    assert {"projects", "similarity", "evidence"} <= set(first)
    assert all({"slug", "name", "business_unit"} <= set(p) for c in clusters for p in c["projects"])
    assert all(0 <= c["similarity"] <= 1 for c in clusters)
    assert [c["business_units"] > 1 for c in clusters] == [True, True, False], "across units first"
    assert clusters[0]["similarity"] >= clusters[1]["similarity"], "then the most alike"
    assert clusters[2]["similarity"] > clusters[1]["similarity"]
    retry = next(c for c in clusters if {p["name"] for p in c["projects"]} >= {"Resilient Client", "Again"})
    retry_kit = next(p for p in retry["projects"] if p["slug"] == "retry-kit")
    assert retry_kit["business_unit"] == "Payments"
    dismissed = api.post(f"/api/v1/duplicates/{first['id']}/not-duplicates/", {"reason": ""}, format="json")
    assert dismissed.status_code == 400
    assert (
        api.post(
            f"/api/v1/duplicates/{first['id']}/not-duplicates/", {"reason": "No"}, format="json"
        ).status_code
        == 204
    )
    assert first["id"] not in {c["id"] for c in api.get("/api/v1/duplicates/").json()["clusters"]}
    assert api.post("/api/v1/duplicates/nosuchkey/tell-owners/").status_code == 404
    assert "/api/v1/duplicates/" in api.get("/api/v1/schema/?format=json").json()["paths"]


def test_the_command_runs_the_radar_in_full(catalog, capsys):
    call_command("duplicates_radar")
    assert "clusters" in capsys.readouterr().out
    assert DuplicateRun.objects.filter(full=True).exists()


def test_the_exact_and_the_approximate_neighbours_agree_on_a_small_catalog(monkeypatch):
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((300, 32)).astype(np.float32)
    vectors[1] = vectors[0] + 0.1 * vectors[5]
    vectors[2] = vectors[0] + 0.2 * vectors[6]
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors[9] = 0  # a text with no known word matches nothing
    exact = neighbour_pairs(vectors, floor=0.5)
    monkeypatch.setattr(clusters, "EXACT_UP_TO", 0)
    approximate = neighbour_pairs(vectors, floor=0.5)
    assert {(0, 1), (0, 2), (1, 2)} <= set(exact)
    assert set(approximate) == set(exact)
    assert all(abs(approximate[pair] - exact[pair]) < 1e-3 for pair in exact)
    assert not any(9 in pair for pair in exact)


def test_the_clusters_hold_only_projects_the_viewer_may_see(catalog, program_office, outsider):
    """The page is the program office's, which sees every project; the selector still reads visibility
    from ProjectQuerySet.visible_to, so a cluster holding a restricted project is no one else's."""
    catalog["again"].visibility = Visibility.UNITS
    catalog["again"].save()
    entries_rebuild(project_ids=[catalog["again"].pk])
    radar_run(now=NOW)
    everything = {c.key for c in radar_clusters(viewer=program_office)}
    assert _cluster_of("Again").key in everything
    assert _cluster_of("Again").key not in {c.key for c in radar_clusters(viewer=outsider)}
    assert _cluster_of("Ledger").key in {c.key for c in radar_clusters(viewer=outsider)}


def test_merge_links_are_offered_between_projects_not_for_a_project_through_its_asset(
    catalog, program_office
):
    radar_run(now=NOW)
    cluster = cluster_for_viewer(viewer=program_office, key=_cluster_of("Again").key)
    links = merge_links(cluster)
    whole = {m.project.name for m in cluster.members.all() if m.asset_id is None}
    assert {duplicate for duplicate, _, _ in links} | {kept for _, kept, _ in links} == whole
    for duplicate, kept, url in links:
        project = Project.objects.get(name=duplicate)
        assert url.startswith(reverse("catalog:merge", kwargs={"slug": project.slug}) + "?target=")
        page = _client(program_office).get(url)
        assert page.status_code == 200 and kept in page.content.decode()


def test_the_audit_log_shows_who_marked_not_duplicates_and_why(catalog, program_office):
    radar_run(now=NOW)
    client = _client(program_office)
    key = _cluster_of("Again").key
    client.post(reverse("catalog:duplicates_dismiss", kwargs={"key": key}), {"reason": "Queues differ"})
    log = client.get(reverse("portal:audit_log") + "?action=not_duplicates").content.decode()
    assert "Marked not duplicates" in log and "Queues differ" in log


def test_the_threshold_is_a_setting_and_renamed_copies_are_found_whatever_it_says(catalog, settings):
    settings.CATALOG_RADAR_SIMILARITY = 0.99
    radar_run(now=NOW)
    assert _clusters() == [{"Ledger", "Book Of Accounts"}]


def test_many_changed_projects_at_once_make_a_full_run(catalog):
    radar_run(now=NOW)
    radar_update(project_ids=range(1, UPDATE_AT_MOST + 2), now=NOW)
    assert DuplicateRun.objects.filter(full=True).count() == 2
    assert {"Retry Kit", "Resilient Client", "Again"} in _clusters()
