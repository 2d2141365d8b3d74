"""The catalog's search index as catalog.search_index.entries_rebuild writes it, by COPY."""

import random

from catalog.models import SAMPLE_KEY_RANGE
from catalog.search_index import words_of
from portal.bench import dbtools


def pairs(conn, table: str, columns: list[str], rows: list[tuple]) -> None:
    dbtools.copy_rows(conn, table, ["id", *columns], ((k + 1, *row) for k, row in enumerate(rows)))


def search_index(conn, world, projects, project_text, project_people, assets, asset_names, active_per_asset,
                  project_topics, project_languages) -> None:  # fmt: skip
    """SearchEntry rows as catalog.search_index.entries_rebuild writes them, for listed projects and
    their assets; the search vector is computed by PostgreSQL afterwards, as the rebuild does."""
    scale = world.scale
    adoptions_of_project = [0] * scale.projects
    assets_of_project: list[list[int]] = [[] for _ in range(scale.projects)]
    for j, pid in enumerate(world.asset_project):
        adoptions_of_project[pid - 1] += active_per_asset[j]
        assets_of_project[pid - 1].append(j)
    topics_of: dict[int, list[int]] = {}
    for pid, tid in project_topics:
        topics_of.setdefault(pid, []).append(tid)
    languages_of: dict[int, list[int]] = {}
    for pid, lid in project_languages:
        languages_of.setdefault(pid, []).append(lid)
    entries, entry_topics, entry_languages = [], [], []
    vocabulary: set[str] = set()
    counts: dict[str, int] = {}

    # Sample keys as SearchEntry's default draws them, from a seeded generator (the run is deterministic).
    keys = random.Random(len(projects))

    def add(entry: tuple, pid: int, text: str) -> None:
        eid = len(entries) + 1
        topic_ids, language_ids = topics_of.get(pid, []), languages_of.get(pid, [])
        # The facet arrays copy the relations, as entries_rebuild fills them (COPY's array literal).
        arrays = ("{" + ",".join(map(str, ids)) + "}" for ids in (topic_ids, language_ids))
        entries.append((eid, *entry, keys.randrange(SAMPLE_KEY_RANGE), *arrays))
        entry_topics.extend((eid, t) for t in topic_ids)
        entry_languages.extend((eid, lang) for lang in language_ids)
        for word in set(text.lower().split()):
            counts[word] = counts.get(word, 0) + 1

    for i in range(scale.projects):
        p = projects[i]
        pid, name, slug, description, lifecycle, wants = p[0], p[1], p[2], p[3], p[5], bool(p[11])
        featured, verified, score, created, unit = p[16], p[17], p[18], p[20], p[22]
        pname, pdesc, topics, languages, skills = project_text[i]
        people = project_people[i]
        asset_list = assets_of_project[i]
        keywords = " ".join(topics + languages + skills + people + [asset_names[j][0] for j in asset_list])
        add(("project", name, slug, f"/catalog/{slug}/", description, "project", lifecycle, wants, featured,
             verified, score, adoptions_of_project[i], keywords, created, None, unit, pid), pid,
            f"{name} {description} {keywords}")  # fmt: skip
        vocabulary |= words_of(name, description, keywords)
        for j in asset_list:
            a = assets[j]
            akeywords = " ".join(topics + languages + [name] + people)
            add(("asset", a[1], a[2], f"/catalog/{slug}/assets/{a[2]}/", a[4], a[3], lifecycle, wants, featured,
                 verified, score, active_per_asset[j], akeywords, a[6], a[0], unit, pid), pid,
                f"{a[1]} {a[4]} {akeywords}")  # fmt: skip
            vocabulary |= words_of(a[1], a[4])
    world.word_entries = counts
    columns = ["id", "entry_type", "name", "slug", "path", "summary", "kind", "lifecycle", "wants_contributions",
               "featured", "verified", "activity_score", "adoption_count", "keywords", "created_at", "asset_id",
               "business_unit_id", "project_id", "sample_key", "topic_ids", "language_ids"]  # fmt: skip
    with dbtools.without_indexes(conn, "catalog_searchentry"):
        dbtools.copy_rows(conn, "catalog_searchentry", columns, entries)
        conn.execute(
            """UPDATE catalog_searchentry SET search_vector =
                 setweight(to_tsvector('english'::regconfig, COALESCE(name, '')), 'A')
              || setweight(to_tsvector('english'::regconfig, COALESCE(keywords, '')), 'B')
              || setweight(to_tsvector('english'::regconfig, COALESCE(summary, '')), 'C')"""
        )
    for table, column, rows in (("catalog_searchentry_topics", "topic_id", entry_topics),
                                ("catalog_searchentry_languages", "language_id", entry_languages)):  # fmt: skip
        with dbtools.without_indexes(conn, table):
            pairs(conn, table, ["searchentry_id", column], rows)
    dbtools.copy_rows(conn, "catalog_searchterm", ["id", "word"], enumerate(sorted(vocabulary), 1))
    for table in ("catalog_searchentry", "catalog_searchentry_topics", "catalog_searchentry_languages",
                  "catalog_searchterm"):  # fmt: skip
        dbtools.reset_sequence(conn, table)
    world.counts.update(search_entries=len(entries), search_terms=len(vocabulary))
