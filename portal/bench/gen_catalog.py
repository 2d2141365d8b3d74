"""The synthetic organisation, part one: business units, people, the catalog and its search index.

Deterministic: everything comes from one seeded `random.Random`, and dates are relative to `now`.
Ids are assigned here (1..n in each table), so later parts refer to rows without reading them back.
"""

import json
import random
from bisect import bisect
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import accumulate

from portal.bench import dbtools
from portal.bench.gen_search import pairs, search_index
from portal.bench.scales import Scale

KINDS = ["library", "service", "template", "tool", "dataset", "model", "documentation", "pipeline"]
KIND_WEIGHTS = [35, 25, 10, 10, 8, 4, 5, 3]
LIFECYCLES = ["active", "maintained", "incubating", "proposed", "deprecated", "archived"]
LIFECYCLE_WEIGHTS = [40, 25, 15, 8, 7, 5]
LANGUAGES = [
    "Python", "Java", "Go", "TypeScript", "JavaScript", "Kotlin", "Rust", "C#", "C++", "Scala", "Ruby",
    "PHP", "Swift", "Shell", "SQL", "R", "Dart", "Elixir", "Haskell", "Clojure", "Terraform", "Groovy",
    "Lua", "Perl", "Julia", "Erlang", "OCaml", "F#", "Zig", "Nim",
]  # fmt: skip
FIRST = [
    "Ada",
    "Ben",
    "Chloe",
    "Dan",
    "Eva",
    "Finn",
    "Gita",
    "Hugo",
    "Ines",
    "Jon",
    "Kira",
    "Liam",
    "Maya",
    "Noah",
    "Olga",
    "Paul",
    "Quinn",
    "Rosa",
    "Sam",
    "Tara",
]
LAST = [
    "Ahn",
    "Berg",
    "Costa",
    "Dahl",
    "Evans",
    "Fox",
    "Garcia",
    "Hill",
    "Ito",
    "Jones",
    "Khan",
    "Lopez",
    "Moreau",
    "Novak",
    "Ortiz",
    "Park",
    "Rossi",
    "Silva",
    "Tan",
    "Weber",
]
ONSETS = [
    "b",
    "c",
    "d",
    "f",
    "g",
    "k",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "t",
    "v",
    "z",
    "br",
    "dr",
    "gr",
    "kr",
    "pl",
    "st",
    "tr",
]
VOWELS = ["a", "e", "i", "o", "u", "ai", "ea", "io"]
STOPWORDS = {"a", "i", "is", "it", "in", "on", "at", "to", "be", "do", "so", "no", "an", "as", "or"}
READINESS = ["README", "CONTRIBUTING", "CODE_OF_CONDUCT", "LICENSE", "CODEOWNERS", "PULL_REQUEST_TEMPLATE"]


def zipf_weights(n: int, s: float = 1.0) -> list[float]:
    return list(accumulate(1.0 / (k + 1) ** s for k in range(n)))


class Picker:
    """Zipf-distributed choices of 0..n-1 (0 the most frequent)."""

    def __init__(self, rng: random.Random, n: int, s: float = 1.0):
        self.rng, self.n, self.cum = rng, n, zipf_weights(n, s)
        self.total = self.cum[-1]

    def one(self) -> int:
        return min(bisect(self.cum, self.rng.random() * self.total), self.n - 1)

    def many(self, k: int) -> list[int]:
        return self.rng.choices(range(self.n), cum_weights=self.cum, k=k)


def vocabulary(rng: random.Random, n: int) -> list[str]:
    words: list[str] = []
    seen: set[str] = set()
    while len(words) < n:
        word = "".join(rng.choice(ONSETS) + rng.choice(VOWELS) for _ in range(rng.choice((2, 2, 3, 3, 4))))
        word += rng.choice(("", "", "n", "r", "x", "l"))
        if word not in seen and word not in STOPWORDS:
            seen.add(word)
            words.append(word)
    return words


@dataclass
class World:
    """What later parts of the generation and the measurements need to know about the catalog."""

    scale: Scale
    now: datetime
    vocabulary: list[str]
    project_slugs: list[str] = field(default_factory=list)  # index i: project id i + 1
    project_unit: list[int] = field(default_factory=list)
    asset_project: list[int] = field(default_factory=list)  # index j: asset id j + 1
    asset_slugs: list[str] = field(default_factory=list)
    user_unit: list[int | None] = field(default_factory=list)  # index i: user id i + 1
    unit_slugs: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    word_entries: dict[str, int] = field(default_factory=dict)  # entries whose text uses the word
    counts: dict[str, int] = field(default_factory=dict)
    password_hash: str = ""


def _ts(moment: datetime) -> str:
    return moment.isoformat()


def generate_catalog(conn, *, scale: Scale, now: datetime, seed: int, password_hash: str) -> World:
    rng = random.Random(seed)
    words = vocabulary(rng, scale.vocabulary)
    world = World(scale=scale, now=now, vocabulary=words, password_hash=password_hash)
    word_pick = Picker(rng, len(words), 1.05)
    start = now - timedelta(days=365 * scale.activity_years)
    span = (now - start).total_seconds()

    def moment() -> datetime:
        return start + timedelta(seconds=rng.random() * span)

    # Business units, topics, languages.
    world.unit_slugs = [f"unit-{words[-1 - i]}" for i in range(scale.business_units)]
    dbtools.copy_rows(
        conn, "catalog_businessunit", ["id", "name", "slug"],
        ((i + 1, slug.removeprefix("unit-").title() + " Unit", slug) for i, slug in enumerate(world.unit_slugs)),
    )  # fmt: skip
    topic_names = [f"{w}" for w in rng.sample(words, scale.topics)]
    dbtools.copy_rows(conn, "catalog_topic", ["id", "name"], ((i + 1, n) for i, n in enumerate(topic_names)))
    world.languages = (LANGUAGES + [f"Lang{i}" for i in range(scale.languages)])[: scale.languages]
    dbtools.copy_rows(
        conn, "catalog_language", ["id", "name"], ((i + 1, n) for i, n in enumerate(world.languages))
    )

    # People: users, practitioners, forge accounts.
    names = []
    users, practitioners, accounts = [], [], []
    for i in range(scale.users):
        uid = i + 1
        first, last = rng.choice(FIRST), rng.choice(LAST)
        names.append(f"{first} {last}")
        username = f"user{uid:06d}"
        joined = moment()
        unit = rng.randrange(scale.business_units) + 1 if rng.random() < 0.95 else None
        world.user_unit.append(unit)
        email = f"{username}@bench.example"
        users.append(
            (uid, password_hash, None, False, username, first, last, email, False, True, _ts(joined))
        )
        practitioners.append(
            (uid, f"{first} {last}", f"team-{rng.randrange(500)}", "", username, "", unit, uid, None,
             "[]", "open", True, True, True, "explorer", _ts(joined), "company")
        )  # fmt: skip
        accounts.append((uid, "github", username, str(1000 + uid), f"{first} {last}", email, False, uid))
    for j in range(scale.unlinked_accounts):
        aid = scale.users + j + 1
        accounts.append((aid, "github", f"ext-{j:05d}", str(1000 + aid), "", "", False, None))
    for j in range(scale.bots):
        aid = scale.users + scale.unlinked_accounts + j + 1
        accounts.append((aid, "github", f"helper{j}[bot]", str(1000 + aid), "", "", True, None))
    dbtools.copy_rows(
        conn, "auth_user",
        ["id", "password", "last_login", "is_superuser", "username", "first_name", "last_name", "email",
         "is_staff", "is_active", "date_joined"], users,
    )  # fmt: skip
    dbtools.copy_rows(
        conn, "community_practitioner",
        ["id", "display_name", "team", "bio", "github_login", "gitlab_username", "business_unit_id", "user_id",
         "evaluated_at", "interests", "participation_level", "show_activity", "show_badges",
         "show_projects", "stage", "stage_since", "visibility"], practitioners,
    )  # fmt: skip
    dbtools.copy_rows(
        conn, "metrics_forgeaccount",
        ["id", "forge", "login", "external_id", "name", "email", "is_bot", "user_id"], accounts,
    )  # fmt: skip
    rules_id = conn.execute("SELECT id FROM community_rulesversion ORDER BY version DESC LIMIT 1").fetchone()
    if rules_id:
        dbtools.copy_rows(
            conn, "community_rulesacceptance", ["id", "accepted_at", "user_id", "rules_id"],
            ((k + 1, _ts(now - timedelta(days=30)), uid, rules_id[0])
             for k, uid in enumerate(u for u in range(1, scale.users + 1) if u % 10 < 7)),
        )  # fmt: skip

    # Projects (ids 1..projects listed, then the pending ones), roles, topics, languages.
    total_projects = scale.projects + scale.pending_projects
    user_pick = Picker(rng, scale.users, 0.6)
    projects, project_topics, project_languages, roles = [], [], [], []
    project_people: list[list[str]] = []
    project_text: list[tuple[str, str, list[str], list[str], list[str]]] = []
    role_keys: set[tuple[int, int, str]] = set()

    def role(pid: int, uid: int, kind: str) -> None:
        if (pid, uid, kind) not in role_keys:
            role_keys.add((pid, uid, kind))
            roles.append((len(roles) + 1, kind, _ts(now - timedelta(days=400)), pid, uid))

    trusted_budget = max(1, scale.users // 4)
    for i in range(total_projects):
        pid = i + 1
        w1, w2 = words[word_pick.one()], words[word_pick.one()]
        name, slug = f"{w1.title()} {w2.title()}", f"{w1}-{w2}-{pid}"
        description = " ".join(words[k] for k in word_pick.many(rng.randrange(6, 12))).capitalize() + "."
        unit = rng.randrange(scale.business_units) + 1
        lifecycle = rng.choices(LIFECYCLES, LIFECYCLE_WEIGHTS)[0]
        wants = "Help with docs and tests." if rng.random() < 0.3 else ""
        skills = [words[k] for k in word_pick.many(2)] if wants else []
        listed = pid <= scale.projects
        score = max(0, min(100, int(100 * (1 - i / total_projects) ** 3) + rng.randrange(-5, 6)))
        created = moment()
        projects.append(
            (pid, name, slug, description, "", lifecycle, "Apache-2.0", "", "", "", json.dumps(skills), wants,
             "", "[]", "approved" if listed else "pending", "", rng.random() < 0.01, rng.random() < 0.1, score,
             "[]", _ts(created), _ts(created), unit, None, None)
        )  # fmt: skip
        world.project_slugs.append(slug)
        world.project_unit.append(unit)
        topics = sorted(set(rng.sample(range(scale.topics), rng.randrange(1, 4))))
        languages = sorted(set(rng.sample(range(scale.languages), rng.randrange(1, 3))))
        project_topics += [(pid, t + 1) for t in topics]
        project_languages += [(pid, lang + 1) for lang in languages]
        role(pid, user_pick.one() + 1, "owner")
        if rng.random() < 0.3:
            role(pid, user_pick.one() + 1, "maintainer")
        if listed and trusted_budget and rng.random() < 0.5:
            role(pid, user_pick.one() + 1, "trusted_committer")
            trusted_budget -= 1
        project_text.append(
            (
                name,
                description,
                [topic_names[t] for t in topics],
                [world.languages[x] for x in languages],
                skills,
            )
        )
        project_people.append([])
    for _, _, _, pid, uid in roles:
        project_people[pid - 1].append(names[uid - 1])
    dbtools.copy_rows(
        conn, "catalog_project",
        ["id", "name", "slug", "description", "motivation", "lifecycle", "license", "docs_url", "contributing_url",
         "communication_url", "skills_wanted", "contributions_wanted", "logo_url", "declared_readiness",
         "review_status", "review_note", "featured", "verified", "activity_score", "activity_score_explanation",
         "created_at", "updated_at", "business_unit_id", "created_by_id", "merged_into_id"], projects,
    )  # fmt: skip
    pairs(conn, "catalog_project_topics", ["project_id", "topic_id"], project_topics)
    pairs(conn, "catalog_project_languages", ["project_id", "language_id"], project_languages)
    dbtools.copy_rows(
        conn, "catalog_projectrole", ["id", "role", "created_at", "project_id", "user_id"], roles
    )

    # Assets, adoptions.
    assets, asset_names = [], []
    for j in range(scale.assets):
        aid, pid = j + 1, (j % scale.projects) + 1
        w = words[word_pick.one()]
        kind = rng.choices(KINDS, KIND_WEIGHTS)[0]
        name, slug = f"{w.title()} {kind.title()}", f"{w}-{kind}-{aid}"
        description = " ".join(words[k] for k in word_pick.many(rng.randrange(5, 10))).capitalize() + "."
        created = moment()
        assets.append((aid, name, slug, kind, description, "", _ts(created), _ts(created), pid))
        asset_names.append((name, description))
        world.asset_project.append(pid)
        world.asset_slugs.append(slug)
    dbtools.copy_rows(
        conn, "catalog_asset",
        ["id", "name", "slug", "kind", "description", "url", "created_at", "updated_at", "project_id"], assets,
    )  # fmt: skip
    asset_pick = Picker(rng, scale.assets, 0.8)
    adoptions, active_per_asset = [], [0] * scale.assets
    for k in range(scale.adoptions):
        j = asset_pick.one()
        since = (now - timedelta(days=rng.randrange(1, 3 * 365))).date()
        ended = since + timedelta(days=rng.randrange(30, 400)) if rng.random() < 0.1 else None
        if ended is not None and ended >= now.date():
            ended = None
        active_per_asset[j] += ended is None
        adoptions.append(
            (k + 1, f"team-{rng.randrange(800)}", f"product-{rng.randrange(300)}", since.isoformat(),
             ended.isoformat() if ended else None, _ts(now - timedelta(days=(now.date() - since).days)),
             None, j + 1, rng.randrange(scale.business_units) + 1)
        )  # fmt: skip
    dbtools.copy_rows(
        conn, "catalog_adoption",
        ["id", "team", "product", "since", "ended_on", "created_at", "created_by_id", "asset_id", "business_unit_id"],
        adoptions,
    )  # fmt: skip

    # Memberships: a few communities per person, popular ones more often.
    project_pick = Picker(rng, scale.projects, 0.9)
    memberships, seen = [], set()
    for uid in range(1, scale.users + 1):
        for _ in range(rng.choice((0, 1, 1, 2, 3, 5))):
            pid = project_pick.one() + 1
            if (pid, uid) not in seen:
                seen.add((pid, uid))
                memberships.append(
                    (len(memberships) + 1, _ts(now - timedelta(days=rng.randrange(1, 900))), None, pid, uid)
                )
    dbtools.copy_rows(
        conn, "community_membership", ["id", "joined_at", "left_at", "project_id", "user_id"], memberships
    )

    search_index(conn, world, projects, project_text, project_people, assets, asset_names, active_per_asset,
                  project_topics, project_languages)  # fmt: skip
    world.counts.update(
        users=len(users), practitioners=len(practitioners), forge_accounts=len(accounts), projects=len(projects),
        assets=len(assets), adoptions=len(adoptions), memberships=len(memberships), project_roles=len(roles),
    )  # fmt: skip
    for table in ("auth_user", "community_practitioner", "metrics_forgeaccount", "catalog_project",
                  "catalog_asset", "catalog_adoption", "community_membership", "catalog_projectrole",
                  "catalog_businessunit", "catalog_topic", "catalog_language", "community_rulesacceptance",
                  "catalog_project_topics", "catalog_project_languages"):  # fmt: skip
        dbtools.reset_sequence(conn, table)
    return world
