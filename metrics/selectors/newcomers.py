"""Issues set aside for newcomers."""

from django.db.models import Q

# The labels that set an issue aside for newcomers (the first-project suggestions, the project page).
NEWCOMER_LABELS = ("good first issue", "help wanted")


def newcomer_labelled() -> Q:
    """Issues carrying one of NEWCOMER_LABELS. `"good first issue"` with its quotes matches a whole label
    in the JSON text, case-insensitively, on SQLite and PostgreSQL alike (a label such as "not a good
    first issue" does not match)."""
    labelled = Q()
    for label in NEWCOMER_LABELS:
        labelled |= Q(labels__icontains=f'"{label}"')
    return labelled
