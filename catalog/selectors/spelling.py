"""Typo correction for the catalog search: the vocabulary's words close to a misspelt one, offered only
where they find something the person may find."""

import difflib

from django.contrib.postgres.search import TrigramSimilarity
from django.db.models import QuerySet

from catalog.models import SearchEntry, SearchTerm
from catalog.search_index import uses_postgres
from catalog.selectors.words import query_tokens, text_match

__all__ = ["corrected_query", "hides_restricted", "suggest_words", "word_suggestions"]


def hides_restricted(entries: QuerySet) -> bool:
    """Whether `entries` (the index rows a person may find) leave out any restricted project's rows."""
    return (
        SearchEntry.objects.filter(restricted=True)
        .exclude(pk__in=entries.filter(restricted=True).values("pk"))
        .exists()
    )


def suggest_words(token: str, *, entries: QuerySet, limit: int = 5, verify: bool = True) -> list[str]:
    """Vocabulary words close to a (possibly misspelt) word. The vocabulary is shared and only grows,
    so a word of a project that is restricted now may still be in it: with `verify` (the search passes
    hides_restricted(entries), asked once), each candidate is offered only after it matched one of
    `entries`, the rows the person may find, so that no suggestion tells of a project they do not see."""
    token = token.lower()[:60]
    if len(token) < 3:
        return []
    if uses_postgres():
        candidates = list(
            SearchTerm.objects.filter(word__trigram_similar=token)
            .annotate(similarity=TrigramSimilarity("word", token))
            .order_by("-similarity", "word")
            .values_list("word", flat=True)[: limit * 3]
        )
    else:
        # SQLite (embedded mode): compare with the words sharing the first letter, a bounded set.
        words = list(
            SearchTerm.objects.filter(word__startswith=token[0]).values_list("word", flat=True)[:5000]
        )
        candidates = difflib.get_close_matches(token, words, n=limit * 3, cutoff=0.6)
    if not verify:
        return candidates[:limit]
    found = []
    for word in candidates:
        if text_match(entries, word).exists():
            found.append(word)
            if len(found) == limit:
                break
    return found


def word_suggestions(q: str, *, entries: QuerySet, verify) -> list[str]:
    """Up to 5 words of the catalog's vocabulary close to the words of a search that found nothing."""
    return [w for t in query_tokens(q) for w in suggest_words(t, entries=entries, limit=3, verify=verify)][:5]


def corrected_query(q: str, *, entries: QuerySet, verify: bool = True) -> str:
    """q with each word that is not in the vocabulary replaced by its closest word that finds something
    among `entries` ("" when nothing changes)."""
    tokens = query_tokens(q)
    if not tokens:
        return ""
    known = set(SearchTerm.objects.filter(word__in=tokens).values_list("word", flat=True))
    corrected = []
    for token in tokens:
        if token in known:
            corrected.append(token)
            continue
        close = suggest_words(token, entries=entries, limit=1, verify=verify)
        corrected.append(close[0] if close else token)
    result = " ".join(corrected)
    return "" if result == " ".join(tokens) else result
