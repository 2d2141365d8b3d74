"""Adoptions are facts, counted once: one active adoption per asset, business unit, team and product;
"Use this" again says it is already recorded; the recorder, the asset's editors and the program office
end an adoption (kept in history with its end date); every figure counts distinct active adoptions.

Dates are relative to the day the test runs: the pages record "today", and the figures read it."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from catalog import services
from catalog.models import Adoption, ProjectChange, ProjectRole, SearchEntry
from catalog.search_index import entries_rebuild
from catalog.selectors import home_highlights
from metrics.selectors import reuse_adoptions
from tests.factories import (
    AssetFactory,
    BusinessUnitFactory,
    PractitionerFactory,
    ProjectFactory,
    UserFactory,
)


def today():
    return timezone.now().date()


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def world(db, program_office):
    host = BusinessUnitFactory(name="Payments", slug="payments")
    retail = BusinessUnitFactory(name="Retail", slug="retail")
    project = ProjectFactory(name="Payments Ledger", slug="ledger", business_unit=host)
    asset = AssetFactory(project=project, name="Ledger SDK", slug="sdk")
    entries_rebuild(project_ids=[project.pk])
    maintainer = UserFactory(username="maintainer")
    ProjectRole.objects.create(project=project, user=maintainer, role=ProjectRole.Role.MAINTAINER)
    owner = UserFactory(username="owner")
    ProjectRole.objects.create(project=project, user=owner, role=ProjectRole.Role.OWNER)
    committer = UserFactory(username="committer")
    ProjectRole.objects.create(project=project, user=committer, role=ProjectRole.Role.TRUSTED_COMMITTER)
    return {
        "project": project,
        "asset": asset,
        "retail": retail,
        "recorder": UserFactory(username="recorder"),
        "maintainer": maintainer,
        "owner": owner,
        "committer": committer,
        "outsider": UserFactory(username="someone"),
        "office": program_office,
    }


def adopt_url(world) -> str:
    return reverse("catalog:adopt", args=[world["project"].slug, world["asset"].slug])


def end_url(world, adoption) -> str:
    return reverse("catalog:adoption_end", args=[world["project"].slug, world["asset"].slug, adoption.pk])


def record(world, *, team="Checkout", product="Web shop", by=None) -> Adoption:
    adoption, _ = services.adoption_create(
        asset=world["asset"],
        user=by or world["recorder"],
        business_unit=world["retail"],
        team=team,
        product=product,
        since=today() - timedelta(days=30),
    )
    return adoption


def figures(world) -> dict:
    """Every figure that counts adoptions, as read today."""
    entry = SearchEntry.objects.get(asset=world["asset"])
    project_entry = SearchEntry.objects.get(project=world["project"], asset__isnull=True)
    reuse = reuse_adoptions(projects=None, start=today() - timedelta(days=90), end=today())
    # New adoptions are those declared in [start, end): a period that ends tomorrow holds today's.
    declared = reuse_adoptions(
        projects=None, start=today() - timedelta(days=90), end=today() + timedelta(days=1)
    )
    return {
        "home": home_highlights()["figures"]["adoptions"],
        "asset_index": entry.adoption_count,
        "project_index": project_entry.adoption_count,
        "active": reuse["adoptions_active"],
        "new": declared["adoptions_new"],
        "units": reuse["adopting_business_units"],
        "products": reuse["product_integrations"],
    }


# --- "Use this" twice records one adoption --------------------------------------------------------------


def test_clicking_use_this_twice_records_one_adoption_and_the_figures_stay(world):
    client = signed_in(world["recorder"])
    form = {"business_unit": world["retail"].pk, "team": "Checkout", "product": "Web shop"}
    first = client.post(adopt_url(world), {**form, "since": str(today() - timedelta(days=3))})
    assert first.status_code == 302
    once = figures(world)
    assert once == {
        "home": 1, "asset_index": 1, "project_index": 1, "active": 1, "new": 1, "units": 1, "products": 1
    }  # fmt: skip

    # The same team and product again, typed with other case and spaces: the same fact.
    again = client.post(
        adopt_url(world),
        {**form, "team": "  checkout ", "product": "WEB SHOP", "since": str(today())},
        follow=True,
    )
    assert again.status_code == 200
    assert "already recorded" in again.content.decode()
    assert Adoption.objects.count() == 1
    assert Adoption.objects.get().since == today() - timedelta(days=3)
    assert figures(world) == once
    assert ProjectChange.objects.filter(action=ProjectChange.Action.ADOPTED).count() == 1
    page = client.get(world["asset"].get_absolute_url()).content.decode()
    assert "Used by 1 team<" in page


def test_another_product_or_another_unit_is_another_adoption(world):
    record(world, team="Checkout", product="Web shop")
    record(world, team="Checkout", product="Mobile app")
    services.adoption_create(
        asset=world["asset"], user=world["recorder"], business_unit=world["project"].business_unit,
        team="Checkout", product="Web shop",
    )  # fmt: skip
    assert Adoption.objects.count() == 3


def test_the_asset_page_counts_teams_lists_ten_and_shows_all_on_demand(world):
    record(world, team="Checkout", product="Web shop")
    record(world, team=" CHECKOUT", product="Mobile app")  # the same team, another product
    for n in range(10):
        record(world, team=f"Team {n:02}", product="")
    page = signed_in(world["outsider"]).get(world["asset"].get_absolute_url())
    body = page.content.decode()
    assert "Used by 11 teams (12 adoptions: one per team and product)" in body
    assert len(page.context["adoptions"]) == 10 and len(page.context["more_adoptions"]) == 2
    assert "Show all 12 adoptions" in body
    shown = body.count("<tr><td>")  # every row is on the page, two of them behind the disclosure
    assert shown == 12


def test_use_this_is_filled_from_the_persons_profile(world, client):
    PractitionerFactory(user=world["outsider"], business_unit=world["retail"], team="Checkout")
    client.force_login(world["outsider"])
    initial = client.get(world["asset"].get_absolute_url()).context["form"].initial
    assert initial == {"since": today(), "business_unit": world["retail"].pk, "team": "Checkout"}
    client.force_login(world["recorder"])  # no profile: only the date
    assert client.get(world["asset"].get_absolute_url()).context["form"].initial == {"since": today()}


def test_use_this_on_the_project_page_opens_the_asset_s_form_or_the_choice_of_assets(world):
    one = signed_in(world["outsider"]).get(world["project"].get_absolute_url()).content.decode()
    assert f'href="{world["asset"].get_absolute_url()}#use-heading">Use this</a>' in one
    second = AssetFactory(project=world["project"], name="Ledger CLI", slug="cli")
    several = signed_in(world["outsider"]).get(world["project"].get_absolute_url()).content.decode()
    main = several.split('<main id="main"')[1]
    menu = main.split('<details class="menu">')[1].split("</details>")[0]
    assert "Use this</summary>" in menu
    for asset in (world["asset"], second):
        assert f'<a href="{asset.get_absolute_url()}#use-heading">{asset.name}</a>' in menu


def test_the_database_refuses_a_second_active_adoption_of_the_same_team_and_product(world):
    first = record(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        Adoption.objects.create(
            asset=first.asset, business_unit=first.business_unit, team=" CHECKOUT", product="web shop "
        )
    # An ended adoption does not stand in the way of a new one.
    Adoption.objects.filter(pk=first.pk).update(ended_on=today())
    Adoption.objects.create(
        asset=first.asset, business_unit=first.business_unit, team="Checkout", product="Web shop"
    )
    assert Adoption.objects.count() == 2


def test_the_api_answers_a_repeated_adoption_with_the_one_already_recorded(world):
    api = api_for(world["recorder"])
    body = {"asset": world["asset"].pk, "business_unit": "retail", "team": "Checkout", "product": "Web shop"}
    created = api.post("/api/v1/adoptions/", body, format="json")
    assert created.status_code == 201, created.json()
    repeated = api.post("/api/v1/adoptions/", {**body, "team": "CHECKOUT "}, format="json")
    assert repeated.status_code == 200, repeated.json()
    assert repeated.json() == created.json()
    assert Adoption.objects.count() == 1


# --- ending an adoption ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["recorder", "maintainer", "owner", "office"])
def test_the_recorder_the_asset_editors_and_the_program_office_end_an_adoption(world, who):
    adoption = record(world)
    client = signed_in(world[who])
    page = client.get(world["asset"].get_absolute_url()).content.decode()
    assert end_url(world, adoption) in page  # the End button beside it

    # The End button asks first (a page, no JavaScript needed) and changes nothing yet.
    asked = client.post(end_url(world, adoption))
    assert asked.status_code == 200
    assert "Checkout" in asked.content.decode()
    adoption.refresh_from_db()
    assert adoption.ended_on is None

    done = client.post(end_url(world, adoption), {"confirm": "yes", "on": str(today())})
    assert done.status_code == 302
    adoption.refresh_from_db()
    assert adoption.ended_on == today()
    change = ProjectChange.objects.filter(project=world["project"]).first()
    assert change.actor == world[who]
    assert "Checkout" in change.note and "Ledger SDK" in change.note


@pytest.mark.parametrize("who", ["outsider", "committer"])
def test_anyone_else_may_not_end_an_adoption(world, who):
    adoption = record(world)
    client = signed_in(world[who])
    page = client.get(world["asset"].get_absolute_url()).content.decode()
    assert end_url(world, adoption) not in page
    assert client.post(end_url(world, adoption), {"confirm": "yes"}).status_code == 403
    response = api_for(world[who]).post(f"/api/v1/adoptions/{adoption.pk}/end/", {}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]
    with pytest.raises(PermissionDenied):
        services.adoption_end(adoption=adoption, user=world[who])
    adoption.refresh_from_db()
    assert adoption.ended_on is None


def test_an_adoption_of_a_project_one_does_not_see_is_not_found(world):
    adoption = record(world)
    world["project"].visibility = "units"
    world["project"].save()
    client = signed_in(world["outsider"])
    assert client.post(end_url(world, adoption), {"confirm": "yes"}).status_code == 404
    assert api_for(world["outsider"]).post(f"/api/v1/adoptions/{adoption.pk}/end/").status_code == 404
    # An adoption id under another asset's address is not found either.
    other = AssetFactory(project=world["project"], slug="other")
    wrong = reverse("catalog:adoption_end", args=[world["project"].slug, other.slug, adoption.pk])
    assert signed_in(world["office"]).post(wrong, {"confirm": "yes"}).status_code == 404
    adoption.refresh_from_db()
    assert adoption.ended_on is None


def test_the_api_ends_an_adoption_and_keeps_it_in_history(world):
    adoption = record(world)
    response = api_for(world["maintainer"]).post(f"/api/v1/adoptions/{adoption.pk}/end/", {}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["ended_on"] == str(today())
    assert Adoption.objects.filter(pk=adoption.pk, ended_on=today()).exists()
    listed = api_for(world["outsider"]).get(f"/api/v1/adoptions/?asset={world['asset'].pk}&active=false")
    assert [a["id"] for a in listed.json()["results"]] == [adoption.pk]
    again = api_for(world["maintainer"]).post(f"/api/v1/adoptions/{adoption.pk}/end/", {}, format="json")
    assert again.status_code == 400
    assert "already ended" in again.json()["error"]


@pytest.mark.parametrize(("days", "message"), [(1, "cannot end in the future"), (-31, "before it started")])
def test_an_end_date_in_the_future_or_before_the_start_is_refused(world, days, message):
    adoption = record(world)  # since 30 days ago
    on = str(today() + timedelta(days=days))
    page = signed_in(world["recorder"]).post(end_url(world, adoption), {"confirm": "yes", "on": on})
    assert page.status_code == 400
    assert message in page.content.decode()
    api = api_for(world["recorder"]).post(f"/api/v1/adoptions/{adoption.pk}/end/", {"on": on}, format="json")
    assert api.status_code == 400
    assert api.json()["field"] == "on" and message in api.json()["error"]
    adoption.refresh_from_db()
    assert adoption.ended_on is None


def test_ended_adoptions_leave_every_active_figure_and_show_as_past(world):
    kept = record(world, team="Checkout")
    ended = record(world, team="Billing", product="Invoices")
    assert figures(world)["active"] == figures(world)["home"] == 2

    services.adoption_end(adoption=ended, user=world["recorder"])

    after = figures(world)
    assert (after["home"], after["asset_index"], after["project_index"], after["active"]) == (1, 1, 1, 1)
    assert after["products"] == 1
    # ended_on is exclusive: in use until the day before, not on the end day.
    assert set(Adoption.objects.active(on=today() - timedelta(days=1))) == {ended, kept}
    assert set(Adoption.objects.active()) == {kept}
    asset_page = signed_in(world["outsider"]).get(world["asset"].get_absolute_url())
    assert [a.team for a in asset_page.context["adoptions"]] == ["Checkout"]
    assert [a.team for a in asset_page.context["past_adoptions"]] == ["Billing"]
    body = asset_page.content.decode()
    assert "Used by 1 team<" in body and "<details" in body
    project_page = signed_in(world["outsider"]).get(world["project"].get_absolute_url())
    assert "1 active adoption" in project_page.content.decode()


def test_an_adoption_ended_on_the_day_it_started_never_counts(world):
    """A mistaken "Use this", ended the same day, is no new adoption either."""
    adoption, _ = services.adoption_create(
        asset=world["asset"], user=world["recorder"], business_unit=world["retail"], team="Oops"
    )
    services.adoption_end(adoption=adoption, user=world["recorder"])
    assert figures(world)["new"] == 0
    assert figures(world)["active"] == 0


def test_a_team_adopts_again_after_ending_and_is_counted_once(world):
    first = record(world)
    services.adoption_end(adoption=first, user=world["recorder"])
    again, created = services.adoption_create(
        asset=world["asset"], user=world["recorder"], business_unit=world["retail"],
        team="Checkout", product="Web shop",
    )  # fmt: skip
    assert created and again.pk != first.pk
    assert figures(world)["active"] == 1
    # Starting again before the earlier adoption ended would count the team twice on those days.
    second = services.adoption_end(adoption=again, user=world["recorder"])
    with pytest.raises(ValidationError) as refused:
        services.adoption_create(
            asset=world["asset"], user=world["recorder"], business_unit=world["retail"],
            team="Checkout", product="Web shop", since=today() - timedelta(days=10),
        )  # fmt: skip
    assert "since" in refused.value.message_dict
    assert second.ended_on == today()


def test_adoptions_active_counts_a_team_once_even_where_old_rows_overlap(world):
    """Rows from before the constraint, or edited in the admin, may overlap; the figures count teams."""
    start = today() - timedelta(days=60)
    declared = timezone.now() - timedelta(days=10)
    for team, ended_on in [("Checkout", today() + timedelta(days=5)), (" checkout", None)]:
        Adoption.objects.create(
            asset=world["asset"], business_unit=world["retail"], team=team, since=start, ended_on=ended_on,
            created_at=declared,
        )  # fmt: skip
    reuse = reuse_adoptions(projects=None, start=start, end=today())
    assert reuse["adoptions_active"] == 1
    assert reuse["adoptions_new"] == 1


# --- the migration's data step ---------------------------------------------------------------------------

MIGRATION = ("catalog", "0010_adoption_one_active_per_team")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_merges_duplicate_active_adoptions_keeping_the_earliest():
    unit, other_unit = BusinessUnitFactory(), BusinessUnitFactory()
    asset = AssetFactory()
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    before = [d for d in executor.loader.get_migration(*MIGRATION).dependencies if d[0] == "catalog"]
    executor.migrate(before)
    try:
        old = MigrationExecutor(connection).loader.project_state(before).apps.get_model("catalog", "Adoption")
        base = today() - timedelta(days=100)

        def row(team, product="", *, days=0, unit=unit, ended=None):
            return old.objects.create(
                asset_id=asset.pk, business_unit_id=unit.pk, team=team, product=product,
                since=base + timedelta(days=days), ended_on=ended,
            ).pk  # fmt: skip

        later = row("Checkout", "Web shop", days=20)
        earliest = row("checkout ", "WEB SHOP", days=5)
        latest_click = row("CHECKOUT", "web shop", days=40)
        history = row("Checkout", "Web shop", days=1, ended=base + timedelta(days=3))
        other_product = row("Checkout", "Mobile app", days=30)
        other_unit_row = row("Checkout", "Web shop", days=30, unit=other_unit)

        executor = MigrationExecutor(connection)
        executor.migrate([MIGRATION])
        # The model as that migration left it: later migrations add columns.
        migrated = (
            MigrationExecutor(connection)
            .loader.project_state([MIGRATION])
            .apps.get_model("catalog", "Adoption")
        )
        kept = set(migrated.objects.values_list("pk", flat=True))
        assert kept == {earliest, history, other_product, other_unit_row}
        assert later not in kept and latest_click not in kept
        assert migrated.objects.get(pk=earliest).since == base + timedelta(days=5)
    finally:
        MigrationExecutor(connection).migrate(latest)
