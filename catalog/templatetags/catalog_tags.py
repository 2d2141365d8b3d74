from urllib.parse import quote

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.http import QueryDict
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.safestring import SafeString

from catalog.selectors.facets import FacetValue

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


@register.simple_tag
def facet_choice(value: FacetValue, *, estimated: bool) -> SafeString:
    """One value of a facet as a checkbox with its label and count (about the count when `estimated`).

    A search page shows some 70 of them: written here once each, rather than a dozen variable lookups,
    filters and conditions of the template language per value (about a third of the page's rendering)."""
    if estimated:
        about = intcomma(value.count)
        count = format_html('<abbr title="about {} (estimated)">≈{}</abbr>', about, about)
    else:
        count = format_html("{}", localize(value.count))
    return format_html(
        '<li><label><input type="checkbox" class="autosubmit" id="facet-{}-{}" name="{}" value="{}" {}>'
        ' {} <span class="n">{}</span></label></li>',
        value.param,
        quote(str(value.value), safe=""),
        value.param,
        value.value,
        "checked" if value.selected else "",
        value.label,
        count,
    )
