"""No HTML injection: everything people write is shown as inert text on every page that shows it.

A script payload, with a marker naming the field it went into, is written into every text field people
(and the program office) can write: through the real forms, the admin and the import, so that validation
runs. Then every page that shows those fields is read as the people who see them, and parsed: no element
or attribute may come from a payload (no <script> carrying it, no on* handler at all, no javascript: link),
while the marker must be there (the page does show the field). A form that refuses a payload is a pass
for that field, and is asserted as such.
"""

import json
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from catalog.models import Asset, BusinessUnit, Project, ReviewStatus
from community.library import render_markdown
from community.models import (
    Badge,
    BadgeAward,
    Guide,
    GuideVersion,
    Practitioner,
    RulesVersion,
    Skill,
    Stage,
    StageContent,
)
from tests.factories import UserFactory, registration_form_data

pytestmark = pytest.mark.django_db

User = get_user_model()


# --- payloads -------------------------------------------------------------------------------------


def payload(marker: str) -> str:
    """The full payload (about 110 characters): a script, an event handler, an attribute break-out."""
    return f'{marker} <script>alert("{marker}")</script><img src=x onerror=alert(1)>"\'><svg onload=alert(2)>'


def medium(marker: str) -> str:
    """For fields of 80-100 characters."""
    return f"{marker}<script>alert(1)</script>\"'><svg onload=alert(2)>"


def short(marker: str) -> str:
    """For tags (topics, languages, interests, skills: 40-60 characters each)."""
    return f"{marker}\"'><svg onload=alert(1)>"


def markdown_payload(marker: str) -> str:
    """Markdown with raw HTML, handlers, and every spelling of a script link."""
    return "\n\n".join(
        [
            f"# {marker} heading",
            f'<script>alert("{marker}")</script>',
            "<img src=x onerror=alert(1)>",
            "<svg onload=alert(2)></svg>",
            f"[{marker}Link](javascript:alert(1))",
            f'<a href="javascript:alert(1)">{marker}RawLink</a>',
            f'<a href="JaVaScRiPt:alert(1)">{marker}CaseLink</a>',
            f'<a href="&#106;avascript:alert(1)">{marker}EntityLink</a>',
            f'<a href=" javascript:alert(1)">{marker}SpaceLink</a>',
            f"[{marker}Data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
            f"![{marker}Img](javascript:alert(1))",
            '<iframe src="javascript:alert(1)"></iframe>',
            f'<p onclick="alert(1)" style="background:url(javascript:alert(1))">{marker}Click</p>',
            f'<form action="javascript:alert(1)"><button>{marker}Form</button></form>',
        ]
    )


# --- the checker ----------------------------------------------------------------------------------

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background"}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:text/html")
FORBIDDEN_TAGS = {"iframe", "object", "embed", "base", "frame", "frameset"}
RAW_PAYLOAD_PIECES = ("<script>alert", "<img src=x", "<svg onload", "<img/src=x", "<svg/onload")


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))
        if tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def _scheme_of(value: str) -> str:
    # Browsers ignore whitespace and control characters inside a scheme ("java\tscript:").
    return re.sub(r"[\x00-\x20]", "", value).lower()


def injections(html: str) -> list[str]:
    """What in this HTML was not written by the portal's templates: handlers, script links, scripts
    carrying a payload, frames, and raw payload pieces. Empty when the page is clean."""
    found = []
    lowered = html.lower()
    for piece in RAW_PAYLOAD_PIECES:
        if piece in lowered:
            at = lowered.index(piece)
            found.append(f"raw {piece!r}: …{html[max(0, at - 60) : at + 60]}…")
    parser = _Collector()
    parser.feed(html)
    parser.close()
    for tag, attrs in parser.tags:
        if tag in FORBIDDEN_TAGS:
            found.append(f"<{tag}> element {attrs}")
        for name, value in attrs:
            if name.startswith("on"):
                found.append(f"<{tag} {name}={value!r}>: an event handler (the portal writes none)")
            if name in URL_ATTRIBUTES and value and _scheme_of(value).startswith(BAD_SCHEMES):
                found.append(f"<{tag} {name}={value!r}>: a script URL")
            if name == "style" and value and "javascript:" in _scheme_of(value):
                found.append(f"<{tag} style={value!r}>")
    for text in parser.scripts:
        if "alert(" in text or "Xq" in text:
            found.append(f"<script> carrying a payload: {text[:120]!r}")
    return found


def test_the_checker_catches_each_kind_of_injection():
    clean = '<p class="x">XqName &lt;script&gt;alert(1)&lt;/script&gt;</p><a href="/catalog/">ok</a>'
    assert injections(clean) == []
    assert injections('<input value="XqName &lt;script&gt;alert(1)&lt;/script&gt;&quot;">') == []
    for dirty in [
        "<p>XqName <script>alert(1)</script></p>",
        '<img src="x" onerror="alert(1)">',
        "<svg/onload=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        '<a href=" JaVa&#x09;Script:alert(1)">x</a>',
        '<a href="data:text/html;base64,xyz">x</a>',
        '<iframe src="/x"></iframe>',
        '<p style="background:url(javascript:alert(1))">x</p>',
    ]:
        assert injections(dirty), dirty


def test_markdown_keeps_the_text_and_drops_every_script():
    html = str(render_markdown(markdown_payload("XqMd")))
    assert injections(html) == [], html
    for marker in ["XqMd heading", "XqMdLink", "XqMdRawLink", "XqMdCaseLink", "XqMdEntityLink", "XqMdClick"]:
        assert marker in html, marker
    assert "<script" not in html and "<form" not in html and "style=" not in html


# --- refusals: fields whose validation keeps a payload out ----------------------------------------


REFUSED_PROJECT_FIELDS = [
    ("docs_url", "javascript:alert(1)"),
    ("docs_url", "JaVaScRiPt:alert(1)"),
    ("docs_url", "data:text/html;base64,PHNjcmlwdD4="),
    ("contributing_url", "javascript:alert(1)"),
    ("logo_url", "javascript:alert(1)"),
    ("logo_url", "vbscript:msgbox(1)"),
    ("repository_urls", "javascript:alert(1)"),
    ("repository_urls", payload("XqRepo")),
    ("maintainer_emails", payload("XqMaint")),
]


@pytest.mark.parametrize(
    ("field", "value"), REFUSED_PROJECT_FIELDS, ids=[f"{f}={v[:14]}" for f, v in REFUSED_PROJECT_FIELDS]
)
def test_the_registration_form_refuses_script_urls_and_malformed_addresses(client, starter, field, value):
    unit = BusinessUnit.objects.create(name="Probe unit", slug="probe-unit")
    client.force_login(starter)
    response = client.post("/catalog/register/", registration_form_data(unit=unit, **{field: value}))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Project.objects.exists()
    assert injections(response.content.decode()) == []


REFUSED_ASSET_URLS = ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", payload("XqUrl")]


@pytest.mark.parametrize("value", REFUSED_ASSET_URLS)
def test_the_asset_form_refuses_script_urls(client, starter, value):
    unit = BusinessUnit.objects.create(name="Probe unit", slug="probe-unit")
    project = Project.objects.create(
        name="Probe", slug="probe", description="d", business_unit=unit, review_status=ReviewStatus.APPROVED
    )
    project.roles.create(user=starter, role="owner")
    client.force_login(starter)
    response = client.post(
        "/catalog/probe/assets/new/", {"name": "A", "kind": "library", "description": "d", "url": value}
    )
    assert response.status_code == 200
    assert "url" in response.context["form"].errors
    assert not Asset.objects.exists()
    assert injections(response.content.decode()) == []


REFUSED_PROFILE_FIELDS = [
    ("github_login", payload("XqGh")),
    ("github_login", "javascript:alert(1)"),
    ("gitlab_username", payload("XqGl")),
    ("interests", "XqLong" + "x" * 40 + "<script>alert(1)</script>"),
]


@pytest.mark.parametrize(
    ("field", "value"),
    REFUSED_PROFILE_FIELDS,
    ids=[f[0] + str(i) for i, f in enumerate(REFUSED_PROFILE_FIELDS)],
)
def test_the_profile_form_refuses_payloads_in_identities(client, starter, field, value):
    client.force_login(starter)
    data = {"display_name": "Sam", "visibility": "company", field: value}
    response = client.post("/practitioners/me/edit/", data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Practitioner.objects.filter(user=starter).exists()
    assert injections(response.content.decode()) == []


def test_a_kudos_message_that_is_only_markup_is_refused(client, starter, outsider):
    client.force_login(outsider)
    response = client.post(
        f"/practitioners/{starter.username}/kudos/",
        {"message": "<script>alert(1)</script><svg onload=alert(2)>"},
    )
    assert response.status_code == 400
    assert not starter.kudos_received.exists()
    assert injections(response.content.decode()) == []


# --- the world: a payload in every field, written the way people write them ------------------------


def _ok(response, *, expect=302):
    assert response.status_code == expect, (
        response.status_code,
        getattr(response, "context", None)
        and response.context.get("form")
        and response.context["form"].errors,
    )
    return response


INNERSOURCE_JSON = json.dumps(
    {
        "title": payload("XqImpTitle"),
        "slug": "imported-xss",
        "description": payload("XqImpDesc"),
        "motivation": payload("XqImpMotive"),
        "contributions": [short("XqImpContrib")],
        "skills": [short("XqImpSkill")],
        "topics": [short("XqImpTopic")],
        "languages": [short("XqImpLang")],
        "license": medium("XqImpLic"),
        "communication": "javascript:alert(document.domain)//XqImpComm",
        "docs": "javascript:alert(1)",
        "logo": "javascript:alert(1)",
        "guidelines": "javascript:alert(1)",
        "business_unit": "imported-unit",
        "business_unit_name": medium("XqImpUnit"),
        "lifecycle": "active",
    }
)


@pytest.fixture
def world(client, settings):
    """Everyone's writes, each field holding a payload with its own marker."""
    # Usage (search terms on the dashboard) is written directly, in either mode of the suite.
    settings.REDIS_URL = ""
    today = timezone.now().date()

    office = UserFactory(username="office", first_name="Olivia", last_name="Office", is_staff=True)
    office.groups.add(Group.objects.get(name=settings.PROGRAM_OFFICE_GROUP))
    outsider = UserFactory(username="outsider", first_name="Otto", last_name="Outsider")

    # Sign-up: first and last name through allauth's form.
    response = client.post(
        "/accounts/signup/",
        {
            "email": "starter@example.com",
            "first_name": medium("XqFirst"),
            "last_name": medium("XqLast"),
            "password1": "a long unusual passphrase",
            "password2": "a long unusual passphrase",
        },
    )
    _ok(response)
    starter = User.objects.get(email="starter@example.com")
    client.logout()

    # The program office: a business unit and a skill in the admin, then content the admin edits.
    client.force_login(office)
    _ok(client.post("/admin/catalog/businessunit/add/", {"name": payload("XqUnitName"), "slug": "xss-unit"}))
    unit = BusinessUnit.objects.get(slug="xss-unit")
    _ok(
        client.post(
            "/admin/community/skill/add/", {"name": short("XqSkill"), "description": medium("XqSkillDesc")}
        )
    )
    skill = Skill.objects.get()
    # Guides, templates, rules, stage content and badges are edited in the admin only (no form of the
    # portal's own transforms them): written as the admin would store them.
    guide = Guide.objects.create(
        slug="xss-guide",
        title=payload("XqGuideTitle"),
        kind=Guide.Kind.GUIDE,
        summary=payload("XqGuideSummary"),
    )
    GuideVersion.objects.create(
        guide=guide, version=1, body=markdown_payload("XqGuideBody"), note=payload("XqGuideNote")
    )
    template = Guide.objects.create(
        slug="xss-template",
        title=payload("XqTplTitle"),
        kind=Guide.Kind.TEMPLATE,
        summary=payload("XqTplSummary"),
        filename="README.md",
        in_starter_kit=True,
    )
    GuideVersion.objects.create(
        guide=template, version=1, body="# {{ project.name }}\n\nXqTplBody <script>alert(1)</script>\n"
    )
    latest = RulesVersion.objects.order_by("-version").first()
    RulesVersion.objects.create(
        version=(latest.version + 1) if latest else 1,
        title=medium("XqRulesTitle"),
        body=markdown_payload("XqRulesBody"),
        published_at=timezone.now() - timedelta(days=1),
    )
    for stage in Stage:
        StageContent.objects.update_or_create(
            stage=stage,
            defaults={
                "summary": payload(f"XqStage_{stage.value}"),
                "learning": markdown_payload("XqLearning"),
                "skills": markdown_payload("XqStageSkills"),
                "incentives": markdown_payload("XqIncentives"),
            },
        )
    badge = Badge.objects.create(
        slug="xss-badge",
        name=medium("XqBadgeName"),
        description=payload("XqBadgeDesc"),
        how_to_earn=payload("XqBadgeHow"),
        tier=Badge.Tier.BRONZE,
        rule="mentor",
        parameters={"count": 1000},
    )
    # The import (JSON upload in the admin): payloads in every field, script links refused or kept as text.
    import_response = _ok(
        client.post(
            "/admin/catalog/project/import/",
            {
                "files": SimpleUploadedFile("innersource.json", INNERSOURCE_JSON.encode()),
                "format": "innersource",
            },
        ),
        expect=200,
    )
    imported = Project.objects.get(slug="imported-xss")
    assert (imported.docs_url, imported.logo_url, imported.contributing_url) == ("", "", "")
    client.logout()

    # The starter: registers two projects (one stays pending), fills the profile, adds an asset.
    client.force_login(starter)
    project_fields = {
        "name": payload("XqProjName"),
        "description": payload("XqProjDesc"),
        "business_unit": unit.pk,
        "lifecycle": "active",
        "motivation": payload("XqMotive"),
        "repository_urls": "https://github.com/acme/xss-demo",
        "topics": f"{short('XqTopic')}, {short('XqTopic2')}",
        "languages": short("XqLang"),
        "license": medium("XqLicense"),
        "docs_url": 'https://docs.example.com/XqDocs?q="><svg/onload=alert(1)>',
        "contributing_url": "https://wiki.example.com/XqGuidelines?\"'><img/src=x/onerror=alert(1)>",
        "communication_url": "javascript:alert(document.cookie)//XqComm",
        "skills_wanted": f"{payload('XqSkillWanted')}, {short('XqSkillWanted2')}",
        "contributions_wanted": payload("XqContrib"),
        "logo_url": 'https://img.example.com/XqLogo.png?"onerror="alert(1)',
        "maintainer_emails": "",
        # The payloads look alike, so every project looks like a duplicate of the imported one.
        "not_a_duplicate": "on",
    }
    _ok(client.post("/catalog/register/", project_fields))
    project = Project.objects.get(created_by=starter, name=payload("XqProjName"))
    _ok(
        client.post(
            "/catalog/register/",
            {
                "name": payload("XqPendingName"),
                "description": payload("XqPendingDesc"),
                "business_unit": unit.pk,
                "lifecycle": "proposed",
                "maintainer_emails": "",
                "not_a_duplicate": "on",
            },
        )
    )
    pending = Project.objects.get(name=payload("XqPendingName"))
    profile = {
        "display_name": payload("XqDisplay"),
        "requested_business_unit": unit.pk,
        "team": payload("XqProfTeam"),
        "bio": payload("XqBio"),
        "skills": [skill.pk],
        "interests": f"{short('XqInterest')}, {short('XqInterest2')}",
        "github_login": "xq-starter",
        "gitlab_username": "xq.starter",
        "visibility": "company",
        "show_projects": "on",
        "show_badges": "on",
        "show_activity": "on",
    }
    _ok(client.post("/practitioners/me/edit/", profile))
    # A commit address, added on allauth's e-mail page (it stays unverified until confirmed by mail).
    _ok(client.post("/accounts/email/", {"email": "xq.starter@example.org", "action_add": ""}))
    client.logout()

    # The program office sends it back with a note, the starter resubmits, the office approves with a note.
    client.force_login(office)
    _ok(
        client.post(
            f"/catalog/{project.slug}/review/", {"decision": "request_changes", "note": payload("XqSendBack")}
        )
    )
    client.logout()
    client.force_login(starter)
    _ok(client.post(f"/catalog/{project.slug}/edit/", project_fields))
    client.logout()
    client.force_login(office)
    _ok(
        client.post(f"/catalog/{project.slug}/review/", {"decision": "approve", "note": payload("XqApprove")})
    )
    # The starter asked for the unit on their profile; the program office confirms it in the admin.
    _ok(
        client.post(
            "/admin/community/practitioner/",
            {"action": "confirm_unit_requests", "_selected_action": [starter.practitioner.pk]},
        ),
        expect=302,
    )
    _ok(
        client.post(
            f"/catalog/{project.slug}/curate/",
            {"action": "archive", "note": payload("XqArchive"), "confirm": "yes"},
        )
    )
    client.logout()

    client.force_login(starter)
    _ok(
        client.post(
            f"/catalog/{project.slug}/assets/new/",
            {
                "name": payload("XqAssetName"),
                "kind": "library",
                "description": payload("XqAssetDesc"),
                "url": 'https://pkg.example.com/XqAssetUrl?"><svg/onload=alert(1)>',
                "topics": short("XqAssetTopic"),
                "languages": short("XqAssetLang"),
            },
        )
    )
    asset = Asset.objects.get(project=project)
    client.logout()

    # An outsider: adopts the asset, joins, thanks the starter; searches with a payload.
    client.force_login(outsider)
    _ok(
        client.post(
            f"/catalog/{project.slug}/assets/{asset.slug}/adopt/",
            {
                "business_unit": unit.pk,
                "team": payload("XqTeam"),
                "product": payload("XqProduct"),
                "since": today - timedelta(days=1),
            },
        )
    )
    _ok(client.post(f"/catalog/{project.slug}/community/join/"))
    _ok(
        client.post(
            f"/practitioners/{starter.username}/kudos/",
            {"message": payload("XqKudos"), "project": project.slug},
        )
    )
    assert client.get("/catalog/", {"q": payload("XqQuery")}).status_code == 200
    client.logout()
    # Two more people search it: a dashboard shows a query only once three people typed it.
    for searcher in (starter, office):
        client.force_login(searcher)
        assert client.get("/catalog/", {"q": payload("XqQuery")}).status_code == 200
        client.logout()

    # The starter appoints the outsider trusted committer (a notification names the starter).
    client.force_login(starter)
    _ok(
        client.post(
            f"/catalog/{project.slug}/community/trusted-committers/appoint/", {"user": outsider.username}
        )
    )
    client.logout()

    BadgeAward.objects.create(badge=badge, user=starter, evidence={"note": payload("XqEvidence")})
    return {
        "office": office,
        "outsider": outsider,
        "starter": starter,
        "project": project,
        "pending": pending,
        "asset": asset,
        "imported": imported,
        "import_page": import_response.content.decode(),
        "days": f"start={(today - timedelta(days=7)).isoformat()}&end={(today + timedelta(days=1)).isoformat()}",
    }


PROJECT_TEXT = [
    "XqProjName", "XqProjDesc", "XqMotive", "XqTopic", "XqTopic2", "XqLang", "XqLicense", "XqDocs",
    "XqGuidelines", "XqComm", "XqSkillWanted", "XqSkillWanted2", "XqContrib", "XqLogo", "XqAssetName",
    "XqAssetDesc", "XqTeam", "XqProduct", "XqUnitName",
]  # fmt: skip

# (page, who reads it, address, markers that prove the page shows the fields). Addresses may name
# {project}, {pending}, {asset}, {imported}, {starter} and {days}.
PAGES = [
    ("home", "outsider", "/", ["XqProjName", "XqProjDesc", "XqAssetName", "XqImpTitle"]),
    ("home, anonymous", "anonymous", "/", ["XqProjName", "XqUnitName"]),
    # The project is archived by then: archived entries show when asked for.
    ("catalog", "outsider", "/catalog/?include_retired=1", ["XqProjName", "XqProjDesc", "XqAssetName", "XqUnitName", "XqTopic", "XqLang", "XqImpTitle", "XqImpUnit", "XqImpTopic"]),
    ("catalog search", "outsider", "/catalog/?q={query}", ["XqQuery"]),
    ("catalog search with payload filters", "outsider", "/catalog/?topic={query}&language={query}&business_unit={query}&sort={query}", []),
    ("catalog live results", "htmx", "/catalog/?q={query}", ["XqQuery"]),
    ("duplicate check", "starter", "/catalog/register/duplicates/?name={projname}", ["XqProjName"]),
    ("project", "outsider", "/catalog/{project}/", PROJECT_TEXT),
    ("project, anonymous", "anonymous", "/catalog/{project}/", ["XqProjName", "XqComm"]),
    ("project, its owner", "starter", "/catalog/{project}/", [*PROJECT_TEXT, "XqSendBack", "XqApprove", "XqArchive", "XqFirst", "XqLast"]),
    ("project, program office", "office", "/catalog/{project}/", ["XqProjName", "XqApprove"]),
    ("imported project", "outsider", "/catalog/{imported}/", ["XqImpTitle", "XqImpDesc", "XqImpMotive", "XqImpContrib", "XqImpSkill", "XqImpTopic", "XqImpLang", "XqImpLic", "XqImpComm", "XqImpUnit"]),
    ("pending project, its owner", "starter", "/catalog/{pending}/", ["XqPendingName", "XqPendingDesc"]),
    ("project edit form", "starter", "/catalog/{project}/edit/", ["XqProjName", "XqProjDesc", "XqMotive", "XqTopic", "XqLicense", "XqComm", "XqSkillWanted", "XqContrib", "XqDocs", "XqLogo", "XqUnitName"]),
    ("register form", "starter", "/catalog/register/", ["XqUnitName"]),
    ("merge form", "office", "/catalog/{project}/merge/", ["XqProjName"]),
    ("asset", "outsider", "/catalog/{project}/assets/{asset}/", ["XqAssetName", "XqAssetDesc", "XqAssetTopic", "XqAssetLang", "XqAssetUrl", "XqTeam", "XqProduct", "XqUnitName", "XqProjName"]),
    ("asset edit form", "starter", "/catalog/{project}/assets/{asset}/edit/", ["XqAssetName", "XqAssetDesc", "XqAssetUrl", "XqAssetTopic"]),
    ("review queue", "office", "/catalog/review/", ["XqPendingName", "XqPendingDesc", "XqUnitName", "XqFirst"]),
    ("profile", "outsider", "/practitioners/{starter}/", ["XqDisplay", "XqProfTeam", "XqBio", "XqSkill", "XqInterest", "XqInterest2", "XqKudos", "XqBadgeName", "XqBadgeDesc", "XqProjName", "XqUnitName"]),
    ("own profile", "starter", "/practitioners/{starter}/", ["XqDisplay", "XqBio", "XqKudos", "xq-starter", "xq.starter@example.org"]),
    ("profile, program office", "office", "/practitioners/{starter}/", ["XqDisplay", "XqBio"]),
    ("profile of the kudos giver", "starter", "/practitioners/outsider/", ["XqProjName"]),
    ("profile edit form", "starter", "/practitioners/me/edit/", ["XqDisplay", "XqProfTeam", "XqBio", "XqSkill", "XqInterest", "XqUnitName"]),
    ("members", "outsider", "/catalog/{project}/community/", ["XqProjName", "XqDisplay"]),
    ("members, manager", "starter", "/catalog/{project}/community/", ["XqProjName", "XqDisplay"]),
    ("journey, trusted committer", "outsider", "/journey/", ["XqStage_trusted_committer", "XqStage_starter", "XqLearning", "XqStageSkills", "XqIncentives"]),
    ("journey, explorer", "office", "/journey/", ["XqStage_explorer", "XqStage_contributor", "XqLearning"]),
    ("rules", "outsider", "/rules/", ["XqRulesTitle", "XqRulesBody", "XqRulesBodyLink", "XqRulesBodyRawLink", "XqRulesBodyClick"]),
    ("badges", "outsider", "/badges/", ["XqBadgeName", "XqBadgeDesc"]),
    ("badge", "outsider", "/badges/xss-badge/", ["XqBadgeName", "XqBadgeDesc", "XqBadgeHow", "XqDisplay"]),
    ("guidelines", "outsider", "/guidelines/", ["XqGuideTitle", "XqGuideSummary", "XqTplTitle", "XqTplSummary"]),
    ("guidelines, project owner", "starter", "/guidelines/?project={project}", ["XqTplTitle", "XqProjName"]),
    ("guide", "anonymous", "/guidelines/xss-guide/", ["XqGuideTitle", "XqGuideBody heading", "XqGuideBodyLink", "XqGuideBodyRawLink", "XqGuideBodyCaseLink", "XqGuideBodyEntityLink", "XqGuideBodyClick", "XqGuideNote"]),
    ("template preview", "starter", "/guidelines/xss-template/?project={project}", ["XqTplTitle", "XqTplBody", "XqProjName"]),
    ("notifications, program office", "office", "/notifications/", ["XqPendingName", "XqProjName"]),
    ("notifications, starter", "starter", "/notifications/", ["XqProjName", "XqKudos"]),
    ("notifications, outsider", "outsider", "/notifications/", ["XqDisplay", "XqProjName"]),
    ("API tokens", "starter", "/practitioners/me/tokens/", []),
    ("program dashboard", "outsider", "/metrics/?{days}", ["XqQuery", "XqAssetName", "XqUnitName"]),
    ("project dashboard", "outsider", "/catalog/{project}/metrics/?{days}", ["XqProjName"]),
    ("admin: projects", "office", "/admin/catalog/project/", ["XqProjName", "XqPendingName", "XqUnitName", "XqImpTitle"]),
    ("admin: project", "office", "/admin/catalog/project/{project_pk}/change/", ["XqProjName", "XqMotive", "XqComm"]),
    ("admin: assets", "office", "/admin/catalog/asset/", ["XqAssetName", "XqProjName"]),
    ("admin: adoptions", "office", "/admin/catalog/adoption/", ["XqTeam", "XqProduct"]),
    ("admin: changes", "office", "/admin/catalog/projectchange/", ["XqApprove", "XqSendBack"]),
    ("admin: practitioners", "office", "/admin/community/practitioner/", ["XqDisplay", "XqProfTeam"]),
    ("admin: kudos", "office", "/admin/community/kudos/", ["XqKudos"]),
    ("admin: badges", "office", "/admin/community/badge/", ["XqBadgeName"]),
    ("admin: guides", "office", "/admin/community/guide/", ["XqGuideTitle", "XqTplTitle"]),
    ("admin: guide", "office", "/admin/community/guide/{guide_pk}/change/", ["XqGuideTitle", "XqGuideBody"]),
]  # fmt: skip

JSON_ENDPOINTS = [
    ("/api/v1/projects/", ["XqProjName", "XqImpTitle"]),
    ("/api/v1/projects/{project}/", ["XqProjName", "XqMotive", "XqComm", "XqContrib", "XqTopic"]),
    ("/api/v1/assets/", ["XqAssetName"]),
    ("/api/v1/adoptions/", ["XqTeam"]),
    ("/api/v1/search/?q=XqProjName&include_retired=1", ["XqProjName"]),
    ("/api/v1/search/?q={query}", []),
    ("/api/v1/topics/", ["XqTopic"]),
    ("/api/v1/business-units/", ["XqUnitName"]),
    ("/api/v1/practitioners/", ["XqDisplay"]),
    ("/api/v1/practitioners/{starter}/", ["XqDisplay", "XqBio"]),
    ("/api/v1/badges/", ["XqBadgeName"]),
    ("/api/v1/guidelines/", ["XqGuideTitle"]),
    ("/api/v1/guidelines/xss-guide/", ["XqGuideTitle"]),
    ("/api/v1/metrics/?{days}", []),
]


def _address(template: str, world: dict) -> str:
    from urllib.parse import quote

    return template.format(
        project=world["project"].slug,
        pending=world["pending"].slug,
        imported=world["imported"].slug,
        asset=world["asset"].slug,
        starter=world["starter"].username,
        project_pk=world["project"].pk,
        guide_pk=Guide.objects.get(slug="xss-guide").pk,
        query=quote(payload("XqQuery")),
        projname=quote(payload("XqProjName")),
        days=world["days"],
    )


def _client_for(django_client_class, world: dict, who: str):
    client = django_client_class()
    if who == "htmx":
        client.defaults.update(HTTP_HX_REQUEST="true", HTTP_HX_TARGET="catalog-results")
        who = "outsider"
    if who != "anonymous":
        client.force_login(world[who])
    return client


def test_every_page_shows_what_people_wrote_as_inert_text(world, client):
    failures = []
    clients = {}
    for name, who, template, markers in PAGES:
        if who not in clients:
            clients[who] = _client_for(type(client), world, who)
        address = _address(template, world)
        response = clients[who].get(address)
        if response.status_code != 200:
            failures.append(f"{name} ({address}) as {who}: status {response.status_code}")
            continue
        assert response["Content-Type"].startswith("text/html"), name
        html = response.content.decode()
        failures += [f"{name} as {who}: {problem}" for problem in injections(html)]
        failures += [f"{name} as {who}: does not show {marker}" for marker in markers if marker not in html]
    assert not failures, "\n".join(failures)


def test_the_import_report_and_the_filled_in_registration_form_are_inert(world, client):
    """POST answers that echo uploaded files: the admin's import report, the descriptor-filled form."""
    assert injections(world["import_page"]) == []
    assert "XqImpTitle" in world["import_page"]
    client.force_login(world["starter"])
    for descriptor in [
        INNERSOURCE_JSON.replace("imported-xss", "another"),
        "\n".join(
            [
                "apiVersion: backstage.io/v1alpha1",
                "kind: Component",
                "metadata:",
                "  name: xss-probe",
                f"  title: {json.dumps(payload('XqYamlTitle'))}",
                f"  description: {json.dumps(payload('XqYamlDesc'))}",
                f"  tags: [{json.dumps(short('XqYamlTag'))}]",
                "  links:",
                "    - url: javascript:alert(1)",
                "      title: Docs",
                "    - url: javascript:alert(2)",
                "      title: Chat channel",
                "spec:",
                "  lifecycle: production",
            ]
        ),
    ]:
        response = client.post("/catalog/register/", {"load_descriptor": "1", "descriptor_text": descriptor})
        assert response.status_code == 200
        html = response.content.decode()
        assert injections(html) == []
        assert "XqImpTitle" in html or "XqYamlTitle" in html
    # Submitting the filled-in form with the script links is refused.
    response = client.post(
        "/catalog/register/",
        {
            "name": "Xq",
            "description": "d",
            "business_unit": BusinessUnit.objects.first().pk,
            "lifecycle": "active",
            "docs_url": "javascript:alert(1)",
            "maintainer_emails": "",
        },
    )
    assert "docs_url" in response.context["form"].errors


def test_json_endpoints_answer_json_that_carries_the_text_as_data(world, client):
    client.force_login(world["outsider"])
    failures = []
    for template, markers in JSON_ENDPOINTS:
        address = _address(template, world)
        response = client.get(address, HTTP_ACCEPT="text/html,*/*")
        if response.status_code != 200:
            failures.append(f"{address}: status {response.status_code}")
            continue
        if not response["Content-Type"].startswith("application/json"):
            failures.append(f"{address}: served as {response['Content-Type']}")
        if response.get("X-Content-Type-Options") != "nosniff":
            failures.append(f"{address}: no X-Content-Type-Options: nosniff")
        text = json.dumps(response.json(), ensure_ascii=False)
        failures += [f"{address}: does not carry {marker}" for marker in markers if marker not in text]
    assert not failures, "\n".join(failures)


def test_exports_and_downloads_are_attachments_never_pages(world, client):
    client.force_login(world["starter"])
    project = world["project"].slug
    for address, kind in [
        (f"/metrics/?format=csv&{world['days']}", "text/csv"),
        (f"/catalog/{project}/metrics/?format=csv&{world['days']}", "text/csv"),
        (f"/api/v1/metrics/?format=csv&{world['days']}", "text/csv"),
        (f"/guidelines/xss-template/download/?project={project}", "text/"),
        (f"/guidelines/starter-kit/?project={project}", "application/zip"),
    ]:
        response = client.get(address)
        assert response.status_code == 200, address
        assert response["Content-Type"].startswith(kind), (address, response["Content-Type"])
        assert not response["Content-Type"].startswith("text/html"), address
        assert response["Content-Disposition"].startswith("attachment"), address
        assert response["X-Content-Type-Options"] == "nosniff", address
    # The file a template becomes is plain text with the project's values as they are.
    body = client.get(f"/guidelines/xss-template/download/?project={project}").content.decode()
    assert "XqProjName" in body and "XqTplBody" in body


def test_the_payload_names_in_the_admin_are_escaped_in_the_page_title_and_breadcrumbs(world, client):
    client.force_login(world["office"])
    html = client.get(f"/admin/catalog/project/{world['project'].pk}/change/").content.decode()
    assert "&lt;script&gt;alert" in html
    assert injections(html) == []


def test_a_private_profile_still_shows_the_name_inert(world, client):
    Practitioner.objects.filter(user=world["starter"]).update(visibility=Practitioner.Visibility.PRIVATE)
    client.force_login(world["outsider"])
    html = client.get(f"/practitioners/{world['starter'].username}/").content.decode()
    assert "XqDisplay" in html and "XqBio" not in html
    assert injections(html) == []
