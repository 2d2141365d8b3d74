"""The words of a catalog search: which it looks for, how an index row matches them, and how much each
match weighs (PostgreSQL full text with prefixes; SQLite substrings)."""

import functools
import math
import operator
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Case, Count, F, FloatField, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import CombinedExpression
from django.utils.text import slugify

from catalog.models import SearchEntry
from catalog.search_index import uses_postgres

TOKEN_RE = re.compile(r"[\w+#]+", re.UNICODE)


def query_tokens(text: str) -> list[str]:
    return [t.lower() for t in TOKEN_RE.findall(text)][:10]


# Words that say nothing of what a search is about, left out of its words (unless it has no other, then
# searched as typed): "how do I stop my service from hammering a flaky API?" searches "stop", "service",
# "hammering", "flaky", "api". PostgreSQL's english configuration drops these (and more) by itself; on
# SQLite, which matches substrings, "to" or "my" would be found inside most descriptions. Words of one
# letter are left out likewise.
STOP_WORDS = frozenset(
    """a about an and any are as at be but by can could do does for from get has have how i if in into is
    it its me my need of on or our should so some that the their them then there these this those to
    use using want was we what when where which who why will with would you your""".split()  # noqa: SIM905
)


def searched_words(q: str) -> list[str]:
    """The words of q a search looks for: its tokens without stop words and one-letter words, each once."""
    tokens = list(dict.fromkeys(query_tokens(q)))
    kept = [t for t in tokens if len(t) > 1 and t not in STOP_WORDS]
    return kept or tokens


def _lexeme(token: str) -> str:
    return re.sub(r"\W", "", token)


def _prefix_query(words: list[str], *, joiner: str) -> SearchQuery | None:
    # Prefix matching on every word, so that results follow the user as they type.
    lexemes = [w for w in (_lexeme(t) for t in words) if w]
    if not lexemes:
        return None
    return SearchQuery(f" {joiner} ".join(f"{w}:*" for w in lexemes), search_type="raw", config="english")


def word_condition(word: str) -> Q:
    """Index rows holding this word: as a prefix of one of their words (PostgreSQL), or anywhere in their
    name, description or keywords (SQLite)."""
    if uses_postgres():
        tsquery = _prefix_query([word], joiner="&")
        return Q(search_vector=tsquery) if tsquery else Q(pk__in=[])
    return Q(name__icontains=word) | Q(summary__icontains=word) | Q(keywords__icontains=word)


def word_weight(found: int, total: int) -> float:
    """How much matching a word found in `found` of `total` index rows says: its inverse document
    frequency (as BM25 computes it), always positive, larger for rarer words."""
    total = max(total, found)
    return math.log(1 + (total - found + 0.5) / (found + 0.5))


@dataclass(frozen=True, kw_only=True)
class WordPlan:
    """How a search's words match and rank (see word_plan)."""

    words: tuple[str, ...]  # the words that match: an entry holds any of them (all of them if `every`)
    every: bool
    weights: dict[str, float]  # each word found anywhere, and what matching it adds to an entry's score


def _word_counts(entries: QuerySet, words: list[str], *, cap: int) -> tuple[list[int], int]:
    """How many of `entries` hold each word (counted up to `cap`), and how many there are in all (on
    PostgreSQL, the index's size as ANALYZE estimates it unless it was never analysed). One statement."""
    if not uses_postgres():
        counted = entries.aggregate(
            all=Count("pk"), **{f"w{i}": Count("pk", filter=word_condition(w)) for i, w in enumerate(words)}
        )
        return [counted[f"w{i}"] for i in range(len(words))], counted["all"]
    parts, params = [], []
    for word in words:
        sql, word_params = entries.filter(word_condition(word)).values("pk")[:cap].query.sql_with_params()
        parts.append(f"(SELECT count(*) FROM ({sql}) w)")
        params += list(word_params)
    table = connection.ops.quote_name(SearchEntry._meta.db_table)
    reltuples = f"(SELECT c.reltuples FROM pg_class c WHERE c.oid = '{table}'::regclass)"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {reltuples}, {', '.join(parts)}", params)
        table_rows, *found = cursor.fetchone()
    total = int(table_rows) if table_rows and table_rows >= 1 else entries.count()
    return found, total


def word_plan(entries: QuerySet, q: str) -> WordPlan | None:
    """Which words of q an entry must hold, and what each adds to its score (None: q has no word).

    An entry needs to hold only one of the words, and ranks by how many it holds and how rare they are
    (the sum of their weights): a question typed as a sentence still finds what it names. A word found
    nowhere (a typo) matches nothing and weighs nothing. A word held by more than
    CATALOG_SEARCH_EXACT_MAX entries is a common one: it adds to the score but matches on its own only
    when the search has no rarer word, and then every common word must match (as a broad search does)."""
    words = searched_words(q)
    if not words:
        return None
    if len(words) == 1:
        return WordPlan(words=tuple(words), every=True, weights={words[0]: 1.0})
    limit = max(2, settings.CATALOG_SEARCH_EXACT_MAX)
    found, total = _word_counts(entries, words, cap=limit + 1)
    weights = {w: word_weight(n, total) for w, n in zip(words, found, strict=True) if n}
    rare = tuple(w for w, n in zip(words, found, strict=True) if 0 < n <= limit)
    if rare:
        return WordPlan(words=rare, every=False, weights=weights)
    if weights:
        return WordPlan(words=tuple(weights), every=True, weights=weights)
    return WordPlan(words=tuple(words), every=False, weights={})


def _plan_filter(entries: QuerySet, plan: WordPlan) -> QuerySet:
    if uses_postgres():
        tsquery = _prefix_query(list(plan.words), joiner="&" if plan.every else "|")
        return entries.filter(search_vector=tsquery) if tsquery else entries.none()
    conditions = [word_condition(w) for w in plan.words]
    return entries.filter(functools.reduce(operator.and_ if plan.every else operator.or_, conditions))


def text_filter(entries: QuerySet, q: str, *, plan: WordPlan | None = None) -> QuerySet:
    """Entries matching the words of q, without the ranking annotations."""
    plan = plan or word_plan(entries, q)
    return _plan_filter(entries, plan) if plan else entries


def text_match(
    entries: QuerySet, q: str, *, plan: WordPlan | None = None, known_matches: bool = False
) -> QuerySet:
    """Entries matching the words of q, annotated for ordering with `exact` (2: the name or slug, 1: the
    name starts with q), `score` (the weights of the words held: see word_plan) and `rank` (PostgreSQL:
    the weighted full-text rank, names above keywords above descriptions; SQLite: the weights of the
    words held in the name). `plan` is word_plan(entries, q) when the caller has it. `known_matches`:
    `entries` are the matches already (read by id), so only the annotations are added: a filter by the
    words would have PostgreSQL search the words' index again rather than look the ids up."""
    plan = plan or word_plan(entries, q)
    if plan is None:
        zero = Value(0.0, output_field=FloatField())
        return entries.annotate(exact=Value(0, output_field=IntegerField()), score=zero, rank=zero)
    exact = Case(
        When(Q(name__iexact=q) | Q(slug=slugify(q)), then=Value(2)),
        When(name__istartswith=q, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    weighed = list(plan.weights.items())
    score: Value | Case | CombinedExpression = Value(0.0, output_field=FloatField())
    if len(weighed) > 1:
        terms = [
            Case(When(word_condition(w), then=Value(weight)), default=Value(0.0), output_field=FloatField())
            for w, weight in weighed
        ]
        score = functools.reduce(operator.add, terms)
    matched = entries if known_matches else _plan_filter(entries, plan)
    if uses_postgres():
        tsquery = _prefix_query([w for w, _ in weighed] or list(plan.words), joiner="|")
        text_rank = SearchRank(F("search_vector"), tsquery) if tsquery else Value(0.0)
        return matched.annotate(exact=exact, score=score, rank=text_rank)
    in_name = [
        Case(When(name__icontains=w, then=Value(weight)), default=Value(0.0), output_field=FloatField())
        for w, weight in weighed
    ]
    name_rank = functools.reduce(operator.add, in_name) if in_name else Value(0.0, output_field=FloatField())
    return matched.annotate(exact=exact, score=score, rank=name_rank)
