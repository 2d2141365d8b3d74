"""The bench database: its URL, creating and dropping it, and bulk loading with COPY.

Big tables are loaded the way PostgreSQL's documentation advises for a bulk load: their secondary
indexes and constraints are dropped first and built again afterwards (foreign keys come back as NOT
VALID: the generator writes consistent references by construction, and validating 10 million rows
would only measure the validation).
"""

import json
import re
from collections.abc import Iterable
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

NAME_RE = re.compile(r"^[a-z_][a-z0-9_]*$")


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def with_redis_db(url: str, db: int) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, parts.fragment))


def conninfo(url: str) -> str:
    """A libpq URL (psycopg wants postgresql:// or postgres://, both fine) without Django's extras."""
    return url


def connect(url: str, **kwargs) -> psycopg.Connection:
    return psycopg.connect(conninfo(url), autocommit=True, **kwargs)


def recreate_database(url: str) -> None:
    """Drop (if there) and create the database of `url`, through the server's `postgres` database."""
    name = database_name(url)
    if not NAME_RE.match(name):
        raise ValueError(f"refusing an unusual database name {name!r}")
    with connect(with_database(url, "postgres")) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(url: str) -> None:
    name = database_name(url)
    with connect(with_database(url, "postgres")) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def bulk_session(conn: psycopg.Connection) -> None:
    conn.execute("SET synchronous_commit = off")
    conn.execute("SET maintenance_work_mem = '512MB'")
    conn.execute("SET work_mem = '128MB'")


@contextmanager
def without_indexes(conn: psycopg.Connection, table: str):
    """Drop the table's constraints (but its primary key) and secondary indexes, then restore them."""
    constraints = conn.execute(
        """SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint
           WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY contype DESC, conname""",
        (table,),
    ).fetchall()
    indexes = conn.execute(
        """SELECT i.indexname, i.indexdef FROM pg_indexes i
           WHERE i.tablename = %s AND i.indexname NOT IN (
             SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)""",
        (table, table),
    ).fetchall()
    for name, _definition, _type in constraints:
        conn.execute(
            sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(sql.Identifier(table), sql.Identifier(name))
        )
    for name, _definition in indexes:
        conn.execute(sql.SQL("DROP INDEX IF EXISTS {}").format(sql.Identifier(name)))
    try:
        yield
    finally:
        for _name, definition in indexes:
            conn.execute(definition)
        for name, definition, contype in constraints:
            suffix = " NOT VALID" if contype == "f" else ""
            conn.execute(
                sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} ").format(
                    sql.Identifier(table), sql.Identifier(name)
                )
                + sql.SQL(definition + suffix)
            )


def _text(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
    return text


def row_line(values: Iterable) -> str:
    """One line of COPY's text format."""
    return "\t".join(map(_text, values)) + "\n"


def model_defaults(table: str, columns: list[str]) -> tuple[list[str], str]:
    """The columns of `table`'s model that `columns` leave out, with each one's default in COPY text form
    (the model's default, else NULL): fields added to a model later need no change here."""
    from django.apps import apps
    from django.db import connection

    model = next((m for m in apps.get_models(include_auto_created=True) if m._meta.db_table == table), None)
    if model is None:
        return [], ""
    extra, values = [], []
    for field_ in model._meta.concrete_fields:
        if field_.column in columns:
            continue
        if not field_.has_default() and not field_.null:
            raise ValueError(f"{table}.{field_.column} has no default: the benchmark must generate it")
        value = field_.get_db_prep_save(field_.get_default(), connection) if field_.has_default() else None
        if hasattr(value, "adapted"):  # JSONField's Jsonb wrapper
            value = json.dumps(value.obj)
        extra.append(field_.column)
        values.append(_text(value))
    return extra, "".join("\t" + v for v in values)


def copy_lines(conn: psycopg.Connection, table: str, columns: list[str], lines: Iterable[str]) -> int:
    """COPY pre-formatted text lines (see row_line) into table; returns how many were sent. Columns of
    the model that are not given get the model's default."""
    extra, suffix = model_defaults(table, columns)
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, [*columns, *extra]))
    )
    count = 0
    buffer: list[str] = []
    with conn.cursor() as cursor, cursor.copy(statement) as copy:
        for line in lines:
            buffer.append(line[:-1] + suffix + "\n" if suffix else line)
            if len(buffer) >= 5000:
                copy.write("".join(buffer))
                count += len(buffer)
                buffer.clear()
        if buffer:
            copy.write("".join(buffer))
            count += len(buffer)
    return count


def copy_rows(conn: psycopg.Connection, table: str, columns: list[str], rows: Iterable[Iterable]) -> int:
    return copy_lines(conn, table, columns, (row_line(row) for row in rows))


def reset_sequence(conn: psycopg.Connection, table: str) -> None:
    conn.execute(
        sql.SQL(
            "SELECT setval(pg_get_serial_sequence({t}, 'id'), COALESCE((SELECT max(id) FROM {i}), 0) + 1, false)"
        ).format(t=sql.Literal(table), i=sql.Identifier(table))
    )


def count(conn: psycopg.Connection, table: str) -> int:
    return conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()[0]
