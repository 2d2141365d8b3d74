"""Database settings for the queries that read the activity tables wholesale (badge rules, the journey's
activity read once for everyone)."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction

__all__ = ["whole_table_reads"]


@contextmanager
def whole_table_reads() -> Iterator[None]:
    """Run the enclosed queries in one transaction with PostgreSQL's JIT compilation off.

    These queries join millions of rows, so their estimated cost is far above `jit_above_cost` and
    PostgreSQL compiles (inlines and optimises) each plan first: measured at the large benchmark, that
    took four of the six seconds of the first-responder query, for no gain in the run itself. SET LOCAL
    keeps the change to this transaction. Other databases: only the transaction."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        yield
