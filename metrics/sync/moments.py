"""Moments as the forges write them: aware (a forge's moment without a zone is UTC) and, where every
answer has one, required."""

from datetime import UTC, datetime


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def required(moment: datetime | None) -> datetime:
    """The moment, or a ValueError (a payload the translators cannot read) when it is missing."""
    if moment is None:
        raise ValueError("a required date is missing")
    return moment
