"""PostgreSQL and Redis for the bench's second run: a database of its own, created for the run
and dropped after it, and cache keys of its own in Redis, deleted after it.

Where they are (defaults: the services of a development machine, as CI has them):

    BENCH_POSTGRES_URL   postgres://postgres@127.0.0.1:5432/postgres  (connects to create
                         and drop the bench's database; it never writes to this one)
    BENCH_REDIS_URL      redis://127.0.0.1:6379/0  (only keys under the run's own prefix)
"""

import os
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
TIMEOUT = 3  # seconds to connect


def _where(url):
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port}"


def first_line(error):
    lines = str(error).strip().splitlines()
    return " ".join(lines[0].split()) if lines else type(error).__name__


def unavailable():
    """Why the PostgreSQL + Redis run cannot happen (one line), or None when it can."""
    import psycopg
    import redis

    try:
        psycopg.connect(POSTGRES_URL, connect_timeout=TIMEOUT).close()
    except psycopg.Error as error:
        return f"no PostgreSQL at {_where(POSTGRES_URL)} ({first_line(error)})"
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=TIMEOUT).ping()
    except redis.RedisError as error:
        return f"no Redis at {_where(REDIS_URL)} ({first_line(error)})"
    return None


@contextmanager
def postgres_database(name):
    """A new database `name` on BENCH_POSTGRES_URL's server, dropped on the way out (with
    any connection still open to it); yields its URL. Fails if it already exists."""
    import psycopg
    from psycopg import sql

    def admin(statement):
        with psycopg.connect(POSTGRES_URL, connect_timeout=TIMEOUT, autocommit=True) as conn:
            conn.execute(statement)

    admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlunsplit(urlsplit(POSTGRES_URL)._replace(path=f"/{name}"))
    finally:
        admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@contextmanager
def redis_prefix(prefix):
    """Yields (REDIS_URL, prefix); deletes every key under the prefix on the way out."""
    import redis

    try:
        yield REDIS_URL, prefix
    finally:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=TIMEOUT)
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
