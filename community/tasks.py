"""Background work of the community app. Thin: call the journey services; safe to run twice."""

from celery import shared_task
from django.db import OperationalError

from community.journey import everyone_evaluate, people_evaluate


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def evaluate_people(user_ids: list[int]) -> int:
    """Re-evaluate the people involved in newly recorded contributions; the number of stage changes."""
    return len(people_evaluate(user_ids=list(user_ids)))


@shared_task
def evaluate_everyone() -> int:
    """Nightly safety net: whatever a missed signal or a changed threshold left behind is caught up,
    everyone in chunks of 1000 so that memory and transactions stay small."""
    return everyone_evaluate()
