"""Who may write what, on the pages: one table of every state-changing URL against every kind of person.

Each row is a write (a POST to a page of portal/, catalog/, community/ or metrics/, or to the few admin
pages the program office works in) and the set of people it is allowed to. For each of anonymous,
outsider, member, trusted committer, maintainer, owner and program office: allowed means the answer the
page gives on success and the change done; refused means the sign-in page (anonymous) or 403/404 (or the
row's own refusal), and the tables it could touch unchanged.

A meta-test walks the URL resolver: a pattern whose view accepts POST must have a row here, or be in
EXCLUDED with a reason, so that a new write cannot be added without saying who may make it. The API has
its own tables (tests/catalog/test_api.py, tests/community/test_api.py).
"""

import inspect
import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from catalog.forms import ProjectForm
from catalog.models import (
    Adoption,
    Asset,
    BusinessUnit,
    DuplicateCluster,
    DuplicateDismissal,
    DuplicateNotice,
    Notification,
    Project,
    ProjectChange,
    ProjectRole,
    ReviewStatus,
)
from catalog.radar.services import radar_run
from catalog.search_index import entries_rebuild
from community.models import (
    Badge,
    DirectoryEntry,
    Guide,
    GuideVersion,
    Kudos,
    Membership,
    Practitioner,
    RulesAcceptance,
    RulesVersion,
)
from metrics.models import ReuseValueSettings
from portal.models import ApiToken
from portal.services import api_token_create
from tests.factories import AssetFactory, BusinessUnitFactory, ProjectFactory, UserFactory

ROLES = ["anonymous", "outsider", "member", "trusted_committer", "maintainer", "owner", "program_office"]
SIGNED_IN = frozenset(ROLES) - {"anonymous"}
EDITORS = frozenset({"maintainer", "owner", "program_office"})
OFFICE = frozenset({"program_office"})
NOBODY = frozenset()


# --- the people and the catalog they act on ---------------------------------------------------------


@pytest.fixture
def ctx(db):
    payments = BusinessUnitFactory(name="Payments", slug="payments")
    ledger = ProjectFactory(name="Payments Ledger", slug="ledger", business_unit=payments)
    sdk = AssetFactory(project=ledger, name="Ledger SDK", slug="sdk")
    toolkit = ProjectFactory(name="Kafka Connect Toolkit", slug="toolkit")
    copy = ProjectFactory(name="Ledger Copy", business_unit=payments)
    pending = ProjectFactory(name="Secret Plans", review_status=ReviewStatus.PENDING)
    entries_rebuild(project_ids=[ledger.pk, toolkit.pk, copy.pk, pending.pk])

    def person(username, role=None, **fields):
        user = UserFactory(username=username, **fields)
        if role:
            ProjectRole.objects.create(project=ledger, user=user, role=role)
        return user

    office = person("office", is_staff=True)  # as seed_demo makes them: the admin is theirs too
    office.groups.add(Group.objects.get(name=settings.PROGRAM_OFFICE_GROUP))
    users = {
        "anonymous": None,
        "outsider": person("someone"),
        "member": person("member"),
        "trusted_committer": person("committer", ProjectRole.Role.TRUSTED_COMMITTER),
        "maintainer": person("maintainer", ProjectRole.Role.MAINTAINER),
        "owner": person("owner", ProjectRole.Role.OWNER),
        "program_office": office,
    }
    Membership.objects.create(project=ledger, user=users["member"])
    # Recorded by the member: the recorder, the asset's editors and the program office may end it.
    adoption = Adoption.objects.create(
        asset=sdk, business_unit=payments, team="Recorded team", created_by=users["member"]
    )
    helper = person("helper")  # thanked, appointed; asks for a business unit
    Practitioner.objects.create(
        user=helper, display_name="Helper", requested_business_unit=payments, github_login="helper-gh"
    )
    other_committer = person("committer2", ProjectRole.Role.TRUSTED_COMMITTER)  # removed
    tokens, notes = {}, {}
    for user in [*filter(None, users.values()), helper]:
        tokens[user.username] = api_token_create(user=user, name="existing")[0].pk
        notes[user.username] = Notification.objects.create(user=user, message="Hello", url="/catalog/").pk
    rules = RulesVersion.current() or RulesVersion.objects.create(
        version=1, body="Be kind.", published_at=timezone.now() - timezone.timedelta(days=1)
    )
    badge = Badge.objects.create(
        slug="probe", name="Probe", description="A probe.", tier="bronze", rule="mentor"
    )
    template = Guide.objects.create(
        slug="probe-template", title="Probe", kind=Guide.Kind.TEMPLATE, summary="s", filename="README.md"
    )
    GuideVersion.objects.create(guide=template, version=1, body="# {{ project.name }}")
    return {
        "users": users,
        "ledger": ledger,
        "sdk": sdk,
        "toolkit": toolkit,
        "copy": copy,
        "pending": pending,
        "payments": payments,
        "helper": helper,
        "other_committer": other_committer,
        "tokens": tokens,
        "notes": notes,
        "rules": rules,
        "badge": badge,
        "adoption": adoption,
        # The radar's cluster of the look-alikes (their factory descriptions are the same).
        "cluster": radar_run() and DuplicateCluster.objects.get(members__project=ledger),
    }


def snapshot() -> str:
    """Every table a write below can touch (usage counts and derived journey state aside)."""
    tables = [
        Project.objects.values("slug", "name", "description", "featured", "verified", "lifecycle", "review_status", "merged_into"),
        Asset.objects.values("project", "slug", "name", "description", "effort_days_override", "effort_override_reason"),
        ReuseValueSettings.objects.values("engineer_day_cost", "currency", "program_yearly_cost"),
        Adoption.objects.values("asset", "team", "ended_on"),
        ProjectChange.objects.values("project", "action"),
        ProjectRole.objects.values("project", "user", "role"),
        Membership.objects.values("project", "user", "left_at"),
        Kudos.objects.values("giver", "receiver", "message"),
        RulesAcceptance.objects.values("user", "rules"),
        Practitioner.objects.values("user", "display_name", "bio", "visibility", "business_unit", "requested_business_unit", "github_login_verified"),
        Notification.objects.values("user", "message", "read_at"),
        ApiToken.objects.values("user", "name", "revoked_at"),
        Guide.objects.values("slug", "title"),
        GuideVersion.objects.values("guide", "version", "body"),
        Badge.objects.values("slug", "name", "description"),
        BusinessUnit.objects.values("slug", "name"),
        DirectoryEntry.objects.values("email", "business_unit", "user"),
        DuplicateDismissal.objects.values("member_keys", "reason"),
        DuplicateNotice.objects.values("cluster_key", "recipients"),
    ]  # fmt: skip
    return json.dumps([sorted(map(str, table.order_by("pk"))) for table in tables], default=str)


# --- the table ---------------------------------------------------------------------------------------


def _edit_form(ctx, user) -> dict:
    data = ProjectForm.initial_from(ctx["ledger"])
    data.update(description="Changed by the table.", topics="", languages="", declared_readiness=[])
    return {k: v for k, v in data.items() if v is not None}


def _innersource_upload(ctx, user) -> dict:
    body = json.dumps({"title": "Imported By Table", "slug": "imported-by-table", "description": "d"})
    return {
        "files": SimpleUploadedFile("innersource.json", body.encode()),
        "format": "innersource",
        "business_unit": ctx["payments"].pk,
    }


def _guide_add(ctx, user) -> dict:
    fields = dict(slug="table-guide", title="Table guide", kind="guide", summary="s", filename="", order="0")
    # The versions inline's management form, posted with no version.
    management = {"TOTAL_FORMS": "0", "INITIAL_FORMS": "0", "MIN_NUM_FORMS": "0", "MAX_NUM_FORMS": "1000"}
    return fields | {f"versions-{key}": value for key, value in management.items()}


def _badge_change(ctx, user) -> dict:
    return {
        "slug": "probe",
        "name": "Renamed probe",
        "description": "A probe.",
        "how_to_earn": "",
        "tier": "bronze",
        "rule": "mentor",
        "parameters": "{}",
        "active": "on",
    }


def _directory_upload(ctx, user) -> dict:
    body = "email,name,business_unit\ntable.person@example.com,Table Person,payments\n"
    return {"files": SimpleUploadedFile("hr.csv", body.encode()), "format": "csv"}


def _practitioner_action(action: str) -> Callable:
    def data(ctx, user) -> dict:
        return {"action": action, "_selected_action": [ctx["helper"].practitioner.pk]}

    return data


def _helper(ctx) -> Practitioner:
    return Practitioner.objects.get(user=ctx["helper"])


def _username(user) -> str:
    return user.username if user else "nobody"


@dataclass(frozen=True)
class Write:
    name: str
    url: str  # may name {me}, {my_token}, {their_token}, {my_note}, {their_note}, {badge}, {adoption}, {cluster}
    data: dict | Callable
    allowed: frozenset
    done: Callable  # (ctx, user) -> bool: the change happened
    success: int = 302
    refused: frozenset = frozenset({403})  # what a signed-in person who may not gets
    login: str = "/accounts/login/"  # where anonymous is sent


def _ledger(ctx):
    return Project.objects.get(pk=ctx["ledger"].pk)


WRITES = [
    # portal/urls.py
    Write("make an API token", "/practitioners/me/tokens/", {"name": "table token"}, SIGNED_IN,
          lambda c, u: ApiToken.objects.filter(user=u, name="table token").exists()),
    Write("revoke one's own API token", "/practitioners/me/tokens/{my_token}/revoke/", {}, SIGNED_IN,
          lambda c, u: ApiToken.objects.get(pk=c["tokens"][u.username]).revoked_at is not None),
    # Someone else's token is not found among one's own: back to the token page, nothing revoked.
    Write("revoke someone else's API token", "/practitioners/me/tokens/{their_token}/revoke/", {}, NOBODY,
          lambda c, u: False, refused=frozenset({302})),
    Write("mark all notifications read", "/notifications/read-all/", {}, SIGNED_IN,
          lambda c, u: not Notification.objects.filter(user=u, read_at__isnull=True).exists()),
    Write("open one's own notification", "/notifications/{my_note}/open/", {}, SIGNED_IN,
          lambda c, u: Notification.objects.get(pk=c["notes"][u.username]).read_at is not None),
    Write("open someone else's notification", "/notifications/{their_note}/open/", {}, NOBODY,
          lambda c, u: False, refused=frozenset({404})),
    # metrics/urls.py
    Write("set the costs of the value of reuse", "/metrics/value-settings/",
          {"engineer_day_cost": "800", "currency": "eur", "program_yearly_cost": "365000"}, OFFICE,
          lambda c, u: ReuseValueSettings.objects.filter(engineer_day_cost=800, currency="EUR").exists()),
    # catalog/urls.py
    Write("register a project", "/catalog/register/",
          lambda c, u: {"name": "Brand New Widget", "description": "d", "business_unit": c["payments"].pk,
                        "lifecycle": "proposed", "maintainer_emails": ""},
          SIGNED_IN, lambda c, u: Project.objects.filter(name="Brand New Widget", created_by=u).exists()),
    Write("edit a project", "/catalog/ledger/edit/", _edit_form, EDITORS,
          lambda c, u: _ledger(c).description == "Changed by the table."),
    Write("review a registration", "/catalog/secret-plans/review/", {"decision": "approve"}, OFFICE,
          lambda c, u: Project.objects.get(slug="secret-plans").review_status == ReviewStatus.APPROVED),
    Write("feature a project", "/catalog/ledger/curate/", {"action": "feature"}, OFFICE,
          lambda c, u: _ledger(c).featured),
    Write("reject a registration", "/catalog/secret-plans/review/",
          {"decision": "reject", "note": "Not reusable.", "confirm": "yes"}, OFFICE,
          lambda c, u: Project.objects.get(slug="secret-plans").review_status == ReviewStatus.REJECTED),
    Write("archive a project", "/catalog/ledger/curate/", {"action": "archive", "note": "old", "confirm": "yes"},
          OFFICE, lambda c, u: _ledger(c).lifecycle == "archived"),
    Write("merge a duplicate", "/catalog/ledger-copy/merge/", {"target": "toolkit", "confirm": "yes"}, OFFICE,
          lambda c, u: Project.objects.get(slug="ledger-copy").merged_into_id == c["toolkit"].pk),
    Write("add an asset", "/catalog/ledger/assets/new/",
          {"name": "Ledger CLI", "kind": "tool", "description": "A CLI."}, EDITORS,
          lambda c, u: Asset.objects.filter(project=c["ledger"], name="Ledger CLI").exists()),
    Write("edit an asset", "/catalog/ledger/assets/sdk/edit/",
          {"name": "Ledger SDK", "kind": "library", "description": "Changed."}, EDITORS,
          lambda c, u: Asset.objects.get(pk=c["sdk"].pk).description == "Changed."),
    Write("set an asset's build effort", "/catalog/ledger/assets/sdk/edit/",
          {"name": "Ledger SDK", "kind": "library", "description": "A library.", "estimated_effort_days": "120",
           "effort_override_reason": "Booked time"}, EDITORS,
          lambda c, u: Asset.objects.get(pk=c["sdk"].pk).effort_days_override == 120),
    Write("adopt an asset", "/catalog/ledger/assets/sdk/adopt/",
          lambda c, u: {"business_unit": c["payments"].pk, "team": "Table team", "since": "2025-01-01"},
          SIGNED_IN, lambda c, u: Adoption.objects.filter(team="Table team", created_by=u).exists()),
    Write("mark look-alikes not duplicates", "/catalog/duplicates/{cluster}/not-duplicates/",
          {"reason": "Different jobs."}, OFFICE, lambda c, u: DuplicateDismissal.objects.exists()),
    Write("tell the owners of look-alikes", "/catalog/duplicates/{cluster}/tell-owners/", {}, OFFICE,
          lambda c, u: DuplicateNotice.objects.exists()),
    # The End button asks first: the confirmation page, nothing ended yet.
    Write("ask to end an adoption", "/catalog/ledger/assets/sdk/adoptions/{adoption}/end/", {},
          EDITORS | {"member"}, lambda c, u: Adoption.objects.get(pk=c["adoption"].pk).ended_on is None,
          success=200),
    Write("end an adoption", "/catalog/ledger/assets/sdk/adoptions/{adoption}/end/", {"confirm": "yes"},
          EDITORS | {"member"}, lambda c, u: Adoption.objects.get(pk=c["adoption"].pk).ended_on is not None),
    # community/urls.py (people)
    Write("edit one's profile", "/practitioners/me/edit/",
          {"display_name": "Renamed by the table", "visibility": "company"}, SIGNED_IN,
          lambda c, u: Practitioner.objects.filter(user=u, display_name="Renamed by the table").exists()),
    Write("thank someone", "/practitioners/helper/kudos/", {"message": "Thanks!"}, SIGNED_IN,
          lambda c, u: Kudos.objects.filter(giver=u, receiver=c["helper"]).exists()),
    Write("thank oneself", "/practitioners/{me}/kudos/", {"message": "Thanks me!"}, NOBODY, lambda c, u: False),
    Write("accept the rules", "/rules/", lambda c, u: {"version": c["rules"].version}, SIGNED_IN,
          lambda c, u: RulesAcceptance.objects.filter(user=u, rules=c["rules"]).exists()),
    Write("join a community", "/catalog/ledger/community/join/", {}, SIGNED_IN,
          lambda c, u: Membership.objects.filter(project=c["ledger"], user=u, left_at__isnull=True).exists()),
    Write("leave a community", "/catalog/ledger/community/leave/", {}, SIGNED_IN,
          lambda c, u: not Membership.objects.filter(project=c["ledger"], user=u, left_at__isnull=True).exists()),
    Write("appoint a trusted committer", "/catalog/ledger/community/trusted-committers/appoint/",
          {"user": "helper"}, EDITORS,
          lambda c, u: c["ledger"].roles.filter(user=c["helper"], role="trusted_committer").exists()),
    Write("remove a trusted committer", "/catalog/ledger/community/trusted-committers/remove/",
          {"user": "committer2"}, EDITORS,
          lambda c, u: not c["ledger"].roles.filter(user=c["other_committer"], role="trusted_committer").exists()),
    # The admin pages the program office works in (the rest of the admin: see EXCLUDED).
    Write("import a catalog file in the admin", "/admin/catalog/project/import/", _innersource_upload, OFFICE,
          lambda c, u: Project.objects.filter(slug="imported-by-table").exists(), success=200,
          login="/admin/login/", refused=frozenset({302})),
    Write("add a guide in the admin", "/admin/community/guide/add/", _guide_add, OFFICE,
          lambda c, u: Guide.objects.filter(slug="table-guide").exists(),
          login="/admin/login/", refused=frozenset({302})),
    Write("edit a badge in the admin", "/admin/community/badge/{badge}/change/", _badge_change, OFFICE,
          lambda c, u: Badge.objects.get(slug="probe").name == "Renamed probe",
          login="/admin/login/", refused=frozenset({302})),
    Write("confirm requested business units in the admin", "/admin/community/practitioner/",
          _practitioner_action("confirm_unit_requests"), OFFICE,
          lambda c, u: _helper(c).business_unit == c["payments"],
          login="/admin/login/", refused=frozenset({302})),
    Write("confirm forge identities in the admin", "/admin/community/practitioner/",
          _practitioner_action("confirm_forge_identities"), OFFICE,
          lambda c, u: _helper(c).github_login_verified,
          login="/admin/login/", refused=frozenset({302})),
    Write("import the organisation directory in the admin", "/admin/community/directoryentry/import/",
          _directory_upload, OFFICE,
          lambda c, u: DirectoryEntry.objects.filter(email="table.person@example.com").exists(), success=200,
          login="/admin/login/", refused=frozenset({302})),
    Write("decline requested business units in the admin", "/admin/community/practitioner/",
          _practitioner_action("decline_unit_requests"), OFFICE,
          lambda c, u: _helper(c).requested_business_unit is None and _helper(c).business_unit is None,
          login="/admin/login/", refused=frozenset({302})),
]  # fmt: skip


def _url(write: Write, ctx, user) -> str:
    me = _username(user)
    return write.url.format(
        me=me,
        my_token=ctx["tokens"].get(me, ctx["tokens"]["helper"]),
        their_token=ctx["tokens"]["helper"],
        my_note=ctx["notes"].get(me, ctx["notes"]["helper"]),
        their_note=ctx["notes"]["helper"],
        badge=ctx["badge"].pk,
        adoption=ctx["adoption"].pk,
        cluster=ctx["cluster"].key,
    )


def _client(user, **kwargs) -> Client:
    client = Client(**kwargs)
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("write", WRITES, ids=[w.name for w in WRITES])
def test_every_write_is_allowed_exactly_to_the_people_it_is_for(ctx, role, write):
    user = ctx["users"][role]
    data = write.data(ctx, user) if callable(write.data) else write.data
    url = _url(write, ctx, user)
    before = snapshot()

    response = _client(user).post(url, data)

    location = response.get("Location", "")
    if role in write.allowed:
        assert response.status_code == write.success, (response.status_code, location, _errors(response))
        assert not location.startswith(("/accounts/login/", "/admin/login/")), location
        assert write.done(ctx, user), f"{write.name}: answered {response.status_code} but nothing changed"
    else:
        if role == "anonymous":
            assert response.status_code == 302 and location.startswith(write.login + "?next="), (
                response.status_code,
                location,
            )
        else:
            assert response.status_code in write.refused, (response.status_code, location)
            assert (
                not location.startswith(("/accounts/login/", "/admin/login/"))
                or write.login == "/admin/login/"
            )
        assert snapshot() == before, f"{write.name}: refused to {role}, but something changed"


# Merge, archive and reject act only on a POST that confirms: without it, the program office gets the
# page that says what would happen, and everyone else the same refusal as for the write itself.
UNCONFIRMED = [
    ("reject", "/catalog/secret-plans/review/", {"decision": "reject", "note": "Not reusable."}),
    ("archive", "/catalog/ledger/curate/", {"action": "archive", "note": "old"}),
    ("merge", "/catalog/ledger-copy/merge/", {"target": "toolkit"}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "url", "data"), UNCONFIRMED, ids=[u[0] for u in UNCONFIRMED])
def test_merge_archive_and_reject_change_nothing_without_the_confirmation(ctx, role, name, url, data):
    before = snapshot()

    response = _client(ctx["users"][role]).post(url, data)

    if role == "program_office":
        assert response.status_code == 200
        assert 'name="confirm" value="yes"' in response.content.decode()
    elif role == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")
    else:
        assert response.status_code == 403
    assert snapshot() == before, f"{name} without confirmation changed something for {role}"


def _errors(response) -> object:
    context = getattr(response, "context", None)
    form = context.get("form") if context else None
    return form.errors if form is not None else None


@pytest.mark.parametrize("write", WRITES, ids=[w.name for w in WRITES])
def test_every_write_needs_the_csrf_token_even_from_the_program_office(ctx, write):
    user = ctx["users"]["program_office"]
    data = write.data(ctx, user) if callable(write.data) else write.data
    before = snapshot()
    response = _client(user, enforce_csrf_checks=True).post(_url(write, ctx, user), data)
    assert response.status_code == 403
    assert snapshot() == before


# --- no write without a row ---------------------------------------------------------------------------

# Prefixes of URL patterns that are not in the table, and why.
EXCLUDED = {
    "api/v1/": "the API: its writes have their own tables (tests/catalog/test_api.py, tests/community/test_api.py)",
    "accounts/": "allauth's sign-in, sign-up, e-mail and password flows: its own permissions, limited in "
    "tests/portal/test_security.py",
    "webhooks/": "forge deliveries: authenticated by signature or token, not by a person (tests/metrics/test_*_webhooks.py)",
    "usage/beacon/": "anonymous click counting by design (CSRF-exempt, rate-limited, validated; tests/metrics/test_usage.py)",
    "admin/": "Django's admin: staff status plus model permissions; the program office's own admin pages "
    "are rows above, the rest is Django's",
    "^media/": "uploaded files, served in DEBUG only",
}
# Admin patterns that are rows even though admin/ is excluded as a whole.
ADMIN_ROWS = {
    "admin:catalog_project_import",
    "admin:community_guide_add",
    "admin:community_badge_change",
    "admin:community_practitioner_changelist",
    "admin:community_directoryentry_import",
}


def _patterns(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}".strip(":") if pattern.namespace else namespace
            yield from _patterns(pattern, route, inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}".strip(":") if pattern.name else None
            yield route, name, pattern.callback


def accepts_post(callback) -> bool:
    """Whether a view may answer a POST with something other than 405: a class view with a post(), or
    a function that mentions POST (require_POST, request.POST, request.method == "POST") and is not
    limited to GET."""
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view_class is not None:
        return hasattr(view_class, "post")
    source = inspect.getsource(inspect.unwrap(callback))
    if "require_GET" in source or "require_safe" in source:
        return False
    return "POST" in source


def _excluded(route: str) -> bool:
    return route.startswith(tuple(EXCLUDED))


def test_every_url_that_accepts_a_post_has_a_row_in_the_table():
    writes = {
        name for route, name, callback in _patterns() if not _excluded(route) and accepts_post(callback)
    }
    rows = {_row_view_name(write) for write in WRITES}
    missing = writes - rows
    assert not missing, f"writes without a row in WRITES (say who may make them): {sorted(missing)}"
    stale = rows - writes - ADMIN_ROWS
    assert not stale, f"rows for URLs that take no POST: {sorted(stale)}"
    assert rows >= ADMIN_ROWS


def _row_view_name(write: Write) -> str:
    sample = write.url.format(
        me="someone", my_token=1, their_token=1, my_note=1, their_note=1, badge=1, adoption=1, cluster="k"
    )
    return resolve(sample).view_name


def test_the_meta_test_would_catch_a_new_write():
    from django.views.decorators.http import require_POST

    @require_POST
    def new_write(request):  # pragma: no cover - never called
        return None

    def new_page(request):  # pragma: no cover
        return request.GET

    assert accepts_post(new_write)
    assert not accepts_post(new_page)
    # The views the table knows are recognised as writes, the read-only pages as reads.
    assert accepts_post(resolve("/catalog/ledger/edit/").func)
    assert accepts_post(resolve("/rules/").func)
    assert not accepts_post(resolve("/catalog/").func)
    assert not accepts_post(resolve("/metrics/").func)


SAMPLE_KWARGS = {"slug": "ledger", "asset_slug": "sdk", "username": "someone"}


def test_pages_that_take_no_post_change_nothing_when_posted_to(ctx, django_user_model):
    """The other side of the meta-test: each pattern classified as read-only really writes nothing
    more when posted to than when read, even for a superuser posting a form."""
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client = _client(admin)
    checked = []
    for route, name, callback in _patterns():
        if _excluded(route) or accepts_post(callback) or name is None:
            continue
        pattern_kwargs = {k: v for k, v in SAMPLE_KWARGS.items() if f"<{k}>" in route or f":{k}>" in route}
        if name in {"community:guide_detail", "community:guide_download"}:
            pattern_kwargs["slug"] = "probe-template"
        if name == "community:badge":
            pattern_kwargs["slug"] = "probe"
        url = reverse(name, kwargs=pattern_kwargs)
        client.get(url)  # what reading does (a first journey evaluates the person) is not the POST's doing
        before = snapshot()
        response = client.post(url, {"name": "x", "action": "feature", "decision": "approve", "message": "x"})
        assert response.status_code in {200, 302, 405}, (url, response.status_code)
        assert snapshot() == before, f"POST {url} changed something though it is not in the table"
        checked.append(name)
    assert set(checked) >= {"portal:home", "catalog:search", "catalog:project", "community:profile"}
