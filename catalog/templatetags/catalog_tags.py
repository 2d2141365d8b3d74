from django import template
from django.http import QueryDict

register = template.Library()


@register.filter
def get_item(mapping: dict, key: str):
    return mapping.get(key)


@register.simple_tag
def query_with(params: QueryDict, **changes) -> str:
    """The current query string with some parameters replaced, so that a search can be shared."""
    query = params.copy()
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()
