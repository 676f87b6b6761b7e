"""The job ledger in PostgreSQL (KLING_MCP_DATABASE_URL): one ledger for every replica of a team's deployment.

All of this backend's SQL is here; the rules are ``ledger.Ledger``'s. What makes it safe across replicas:

- an idempotency key is claimed by the database: ``jobs.idempotency_key`` is UNIQUE and the claim row is committed
  before the request leaves (INSERT ... ON CONFLICT DO NOTHING waits for a concurrent claim of the same key and
  then yields to it), never by a lock inside one process;
- claims that check the daily budget take one transaction-scoped advisory lock, so two replicas cannot both take
  the last room;
- each process registers in ``replicas`` and holds a session advisory lock named by its replica id on a connection
  of its own for as long as it runs. PostgreSQL drops the lock when that connection ends (a kill -9, a crash, a lost
  host once TCP keepalives give up), so any replica can tell whether the submitter of a ``submitting`` row is still
  alive (``pg_try_advisory_xact_lock`` succeeds only when it is not): the orphan rule and the download claims then
  work across machines, with no clock and no heartbeat;
- schema migrations are versioned in ``schema_migrations`` and run at start-up under an advisory lock, so replicas
  starting together migrate once.

psycopg 3 and its connection pool (the ``postgres`` extra: ``pip install 'kling-mcp[postgres]'``). The URL's
password is never shown: errors name ``postgresql://user@host:port/dbname``.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, ClassVar

from kling_mcp.jobs.ledger import (
    JOB_COLUMNS,
    JSON_COLUMNS,
    STAMP_COLUMNS,
    LedgerStore,
    LedgerUnavailableError,
    Liveness,
    Row,
    SpendingCheck,
    now_iso,
    this_process,
)
from kling_mcp.jobs.spending import COUNTED_STATES, SpentJob

try:
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import conninfo_to_dict
    from psycopg.rows import DictRow, dict_row
    from psycopg_pool import ConnectionPool
except ImportError:  # the postgres extra is not installed
    psycopg = None  # type: ignore[assignment]

logger = logging.getLogger(__name__)

VARIABLE = "KLING_MCP_DATABASE_URL"
POOL_SIZE = 8  # connections per process: statements are short, and each holds a worker thread while it runs
CONNECT_TIMEOUT_S = 10
POOL_TIMEOUT_S = 30.0  # a statement waits this long for a free connection before the ledger reports unavailable
# Advisory locks of kling-mcp (the two-int form): (LOCKS, MIGRATING | BUDGET), and (REPLICAS, replica id) held by
# each running process.
LOCKS, REPLICAS = 0x4B4C4E47, 0x4B4C5250  # "KLNG", "KLRP"
MIGRATING, BUDGET = 1, 2
# A replica's presence connection notices a lost peer within about a minute (libpq keepalives).
KEEPALIVES: dict[str, Any] = {"keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10, "keepalives_count": 3}

# Versioned, in order, each applied once in one transaction and recorded in schema_migrations. Only additions: a
# replica still running the previous kling-mcp keeps working on the newer schema during a rolling upgrade.
MIGRATIONS: tuple[tuple[int, str, tuple[str, ...]], ...] = (
    (
        1,
        "jobs, balance readings, replicas, download claims",
        (
            """
CREATE TABLE jobs (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task_id           BIGINT UNIQUE,
    idempotency_key   TEXT UNIQUE,
    kind              TEXT NOT NULL,
    email             TEXT,
    model_name        TEXT,
    prompt            TEXT,
    params            JSONB NOT NULL,
    state             TEXT NOT NULL,
    status            INTEGER,
    status_name       TEXT,
    error             TEXT,
    videos            JSONB NOT NULL DEFAULT '[]',
    downloads         JSONB NOT NULL DEFAULT '{}',
    credits_estimated DOUBLE PRECISION,
    batch             TEXT,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    owner             TEXT,
    replica           INTEGER
)""",
            "CREATE INDEX jobs_state ON jobs (state)",
            "CREATE INDEX jobs_created ON jobs (created_at)",
            "CREATE TABLE balance_readings (email TEXT NOT NULL, at TIMESTAMPTZ NOT NULL, "
            "total DOUBLE PRECISION NOT NULL)",
            "CREATE INDEX balance_readings_at ON balance_readings (at)",
            "CREATE TABLE replicas (id INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY, owner TEXT NOT NULL, "
            "started_at TIMESTAMPTZ NOT NULL DEFAULT now())",
            "CREATE TABLE download_claims (task_id BIGINT NOT NULL, work_id BIGINT NOT NULL, "
            "replica INTEGER NOT NULL, owner TEXT NOT NULL, claimed_at TIMESTAMPTZ NOT NULL, "
            "PRIMARY KEY (task_id, work_id))",
        ),
    ),
    (
        2,
        "MCP Tasks handles",
        (
            "CREATE TABLE mcp_tasks (task_id BIGINT PRIMARY KEY, created_at TIMESTAMPTZ NOT NULL, "
            "poll_interval_ms INTEGER NOT NULL, ttl_ms BIGINT NOT NULL, cancelled_at TIMESTAMPTZ, cancel_note TEXT)",
        ),
    ),
)
SCHEMA_VERSION = MIGRATIONS[-1][0]


def describe(url: str) -> str:
    """``postgresql://user@host:port/dbname``: the database a URL names, without its password."""
    try:
        parts = conninfo_to_dict(url)
    except Exception:
        return "(KLING_MCP_DATABASE_URL, not a valid PostgreSQL URL)"
    user = f"{parts['user']}@" if parts.get("user") else ""
    port = f":{parts['port']}" if parts.get("port") else ""
    return f"postgresql://{user}{parts.get('host') or 'localhost'}{port}/{parts.get('dbname') or ''}"


def _value(column: str) -> sql.Composable:
    """The placeholder of a value written to ``column``: JSON and time stamps are given as text and cast."""
    if column in JSON_COLUMNS:
        return sql.SQL("%s::jsonb")
    if column in STAMP_COLUMNS:
        return sql.SQL("%s::timestamptz")
    return sql.SQL("%s")


class PostgresStore(LedgerStore):
    """The ledger in a PostgreSQL database, shared by every process that names it."""

    variable: ClassVar[str] = VARIABLE
    shared: ClassVar[bool] = True

    def __init__(self, url: str) -> None:
        self.where = describe(url) if psycopg is not None else "(KLING_MCP_DATABASE_URL)"
        self.owner = this_process()
        if psycopg is None:
            raise LedgerUnavailableError(
                self.where,
                "the PostgreSQL driver is not installed (pip install 'kling-mcp[postgres]')",
                VARIABLE,
            )
        self.errors = (psycopg.Error,)
        self._url = url
        self._presence_lock = threading.Lock()
        try:
            self._presence = self._connect()
            self._migrate()
            self.replica = self._register()
            self._pool: ConnectionPool[psycopg.Connection[DictRow]] = ConnectionPool(
                url,
                connection_class=psycopg.Connection[DictRow],
                kwargs={"row_factory": dict_row, "connect_timeout": CONNECT_TIMEOUT_S},
                min_size=1,
                max_size=POOL_SIZE,
                timeout=POOL_TIMEOUT_S,
                check=ConnectionPool.check_connection,  # a connection dropped by a database restart is replaced
                name="kling-mcp-ledger",
                open=False,
            )
            self._pool.open(wait=True, timeout=CONNECT_TIMEOUT_S)
        except psycopg.Error as exc:
            if getattr(self, "_presence", None) is not None:
                self._presence.close()
            raise self.unavailable(exc) from None
        except Exception as exc:  # a malformed URL, say
            raise LedgerUnavailableError(self.where, _first_line(exc), VARIABLE) from None

    def reason(self, exc: Exception) -> str:
        text = _first_line(exc)
        password = _password(self._url)
        return text.replace(password, "***") if password else text

    # --- start-up -------------------------------------------------------------------------------------------------

    def _connect(self) -> psycopg.Connection[DictRow]:
        return psycopg.Connection[DictRow].connect(
            self._url, row_factory=dict_row, connect_timeout=CONNECT_TIMEOUT_S, autocommit=True, **KEEPALIVES
        )

    def _migrate(self) -> None:
        conn = self._presence
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", (LOCKS, MIGRATING))
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                "description TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
            )
            done = {row["version"] for row in conn.execute("SELECT version FROM schema_migrations")}
            for version, description, statements in MIGRATIONS:
                if version in done:
                    continue
                for statement in statements:
                    conn.execute(statement)  # constant SQL of this module
                conn.execute(
                    "INSERT INTO schema_migrations (version, description) VALUES (%s, %s)", (version, description)
                )
                logger.info("job ledger %s: schema migrated to version %d (%s)", self.where, version, description)
        if done and max(done) > SCHEMA_VERSION:  # a newer kling-mcp migrated it: its steps only add
            logger.info(
                "job ledger %s has schema version %d (this kling-mcp knows %d)", self.where, max(done), SCHEMA_VERSION
            )

    def _register(self) -> int:
        """A replica id for this process, and the advisory lock that says it is alive."""
        row = self._presence.execute("INSERT INTO replicas (owner) VALUES (%s) RETURNING id", (self.owner,)).fetchone()
        assert row is not None
        replica = int(row["id"])
        self._presence.execute("SELECT pg_advisory_lock(%s, %s)", (REPLICAS, replica))
        return replica

    def _ensure_presence(self) -> None:
        """Before a claim: the presence lock must be held, or other replicas would take this one's submissions for
        orphans. A presence connection lost (a database restart) is made again, holding the same lock."""
        with self._presence_lock:
            try:
                self._presence.execute("SELECT 1")
                return
            except psycopg.OperationalError:
                logger.warning("job ledger %s: the presence connection was lost; connecting again", self.where)
            self._presence.close()
            self._presence = self._connect()
            self._presence.execute("SELECT pg_advisory_lock(%s, %s)", (REPLICAS, self.replica))

    def close(self) -> None:
        self._pool.close()
        with self._presence_lock:
            self._presence.close()  # the presence lock goes with it

    @contextmanager
    def _tx(self) -> Iterator[psycopg.Connection[DictRow]]:
        """One transaction on a pooled connection: committed at the end of the block, rolled back on an error."""
        with self._pool.connection() as conn:
            yield conn

    def _one(self, query: str, args: Sequence[Any]) -> Row | None:
        with self._tx() as conn:
            return conn.execute(query, args).fetchone()

    # --- writes ---------------------------------------------------------------------------------------------------

    def claim(self, values: dict[str, Any], check: SpendingCheck | None) -> tuple[Row, bool]:
        self._ensure_presence()
        key = values["idempotency_key"]
        columns = (*JOB_COLUMNS, "owner", "replica")
        insert = sql.SQL(
            "INSERT INTO jobs ({columns}) VALUES ({values}) ON CONFLICT (idempotency_key) DO NOTHING RETURNING *"
        ).format(
            columns=sql.SQL(", ").join(map(sql.Identifier, columns)),
            values=sql.SQL(", ").join(_value(column) for column in columns),
        )
        with self._tx() as conn:
            if check is not None:  # every budget-checked claim of every replica, one at a time
                conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", (LOCKS, BUDGET))
            if key is not None:
                earlier = conn.execute("SELECT * FROM jobs WHERE idempotency_key = %s", (key,)).fetchone()
                if earlier is not None:
                    return earlier, False
            if check is not None:
                check(lambda since: self._spent(conn, since))
            row = conn.execute(insert, (*(values[c] for c in JOB_COLUMNS), self.owner, self.replica)).fetchone()
            if row is None:  # another replica claimed the same key meanwhile: its row, now committed
                earlier = conn.execute("SELECT * FROM jobs WHERE idempotency_key = %s", (key,)).fetchone()
                assert earlier is not None
                return earlier, False
        return row, True

    def update(self, job_id: int, fields: dict[str, Any]) -> Row:
        query = sql.SQL("UPDATE jobs SET {assignments} WHERE id = %s RETURNING *").format(
            assignments=sql.SQL(", ").join(
                sql.SQL("{} = {}").format(sql.Identifier(column), _value(column)) for column in fields
            )
        )
        with self._tx() as conn:
            row = conn.execute(query, (*fields.values(), job_id)).fetchone()
        assert row is not None, f"no ledger job {job_id}"
        return row

    def change_download(self, task_id: int, change: Callable[[dict[str, Any]], dict[str, Any]]) -> Row | None:
        with self._tx() as conn:
            row = conn.execute("SELECT id, downloads FROM jobs WHERE task_id = %s FOR UPDATE", (task_id,)).fetchone()
            if row is None:
                return None
            downloads = change(dict(row["downloads"] or {}))
            return conn.execute(
                "UPDATE jobs SET downloads = %s::jsonb, updated_at = %s::timestamptz WHERE id = %s RETURNING *",
                (json.dumps(downloads), now_iso(), row["id"]),
            ).fetchone()

    def adopt(self, task_id: int, email: str | None, stamp: str) -> None:
        with self._tx() as conn:
            conn.execute(
                "INSERT INTO jobs (task_id, kind, email, params, state, created_at, updated_at) "
                "VALUES (%s, 'external', %s, '{}', 'queued', %s::timestamptz, %s::timestamptz) "
                "ON CONFLICT (task_id) DO NOTHING",
                (task_id, email, stamp, stamp),
            )

    def settle(self, job_id: int, error: str, stamp: str) -> bool:
        with self._tx() as conn:
            cursor = conn.execute(
                "UPDATE jobs SET state = 'unknown', error = %s, updated_at = %s::timestamptz "
                "WHERE id = %s AND state = 'submitting'",
                (error, stamp, job_id),
            )
            return cursor.rowcount > 0

    def claim_download(self, task_id: int, work_id: int) -> bool:
        with self._tx() as conn:
            mine = conn.execute(
                "INSERT INTO download_claims (task_id, work_id, replica, owner, claimed_at) "
                "VALUES (%s, %s, %s, %s, now()) ON CONFLICT (task_id, work_id) DO NOTHING RETURNING replica",
                (task_id, work_id, self.replica, self.owner),
            ).fetchone()
            if mine is not None:
                return True
            held = conn.execute(
                "SELECT replica FROM download_claims WHERE task_id = %s AND work_id = %s FOR UPDATE",
                (task_id, work_id),
            ).fetchone()
            if held is None or held["replica"] == self.replica:
                return True
            if not self._gone(conn, held["replica"]):
                return False
            conn.execute(
                "UPDATE download_claims SET replica = %s, owner = %s, claimed_at = now() "
                "WHERE task_id = %s AND work_id = %s",
                (self.replica, self.owner, task_id, work_id),
            )
            return True

    def note_balance(self, email: str, at: str, total: float) -> None:
        with self._tx() as conn:
            conn.execute(
                "INSERT INTO balance_readings (email, at, total) VALUES (%s, %s::timestamptz, %s)", (email, at, total)
            )

    def add_handle(self, task_id: int, created_at: str, poll_interval_ms: int, ttl_ms: int) -> Row:
        with self._tx() as conn:
            conn.execute(
                "INSERT INTO mcp_tasks (task_id, created_at, poll_interval_ms, ttl_ms) "
                "VALUES (%s, %s::timestamptz, %s, %s) ON CONFLICT (task_id) DO NOTHING",
                (task_id, created_at, poll_interval_ms, ttl_ms),
            )
            row = conn.execute("SELECT * FROM mcp_tasks WHERE task_id = %s", (task_id,)).fetchone()
        assert row is not None
        return row

    def handle(self, task_id: int) -> Row | None:
        return self._one("SELECT * FROM mcp_tasks WHERE task_id = %s", (task_id,))

    def cancel_handle(self, task_id: int, note: str, stamp: str) -> Row | None:
        with self._tx() as conn:
            return conn.execute(
                "UPDATE mcp_tasks SET cancelled_at = COALESCE(cancelled_at, %s::timestamptz), "
                "cancel_note = COALESCE(cancel_note, %s) WHERE task_id = %s RETURNING *",
                (stamp, note, task_id),
            ).fetchone()

    # --- reads ----------------------------------------------------------------------------------------------------

    def by_id(self, job_id: int) -> Row | None:
        return self._one("SELECT * FROM jobs WHERE id = %s", (job_id,))

    def by_task(self, task_id: int) -> Row | None:
        return self._one("SELECT * FROM jobs WHERE task_id = %s", (task_id,))

    def by_key(self, key: str) -> Row | None:
        return self._one("SELECT * FROM jobs WHERE idempotency_key = %s", (key,))

    def select(self, filters: Sequence[tuple[str, str, Any]], limit: int) -> list[Row]:
        operators = {"=": sql.SQL("="), ">=": sql.SQL(">="), "<": sql.SQL("<")}
        conditions = [
            sql.SQL("{} {} {}").format(sql.Identifier(column), operators[operator], _value(column))
            for column, operator, _ in filters
        ]
        query = sql.SQL("SELECT * FROM jobs {where} ORDER BY id DESC LIMIT %s").format(
            where=sql.SQL("WHERE ") + sql.SQL(" AND ").join(conditions) if conditions else sql.SQL("")
        )
        with self._tx() as conn:
            return list(conn.execute(query, (*(value for *_, value in filters), limit)).fetchall())

    def _spent(self, conn: psycopg.Connection[DictRow], since: datetime) -> list[SpentJob]:
        rows = conn.execute(
            "SELECT created_at, email, model_name, credits_estimated FROM jobs WHERE state = ANY(%s) "
            "AND created_at >= %s AND credits_estimated IS NOT NULL ORDER BY created_at",
            (list(COUNTED_STATES), since),
        ).fetchall()
        return [
            SpentJob(row["created_at"].astimezone(UTC), row["email"], row["model_name"], row["credits_estimated"])
            for row in rows
        ]

    def spent(self, since: datetime) -> list[SpentJob]:
        with self._tx() as conn:
            return self._spent(conn, since)

    def balance_readings(self, since: datetime) -> list[tuple[datetime, str, float]]:
        with self._tx() as conn:
            rows = conn.execute(
                "SELECT at, email, total FROM balance_readings WHERE at >= %s ORDER BY at", (since,)
            ).fetchall()
        return [(row["at"].astimezone(UTC), row["email"], row["total"]) for row in rows]

    def submitting(self) -> list[Row]:
        with self._tx() as conn:
            return list(conn.execute("SELECT * FROM jobs WHERE state = 'submitting'").fetchall())

    def owner_state(self, row: Row) -> Liveness:
        """A replica is alive while it holds its presence lock; a row without a replica cannot be told."""
        replica, owner = row.get("replica"), row.get("owner") or "?"
        if replica is None:
            return Liveness(None, f"the process {owner}")
        if replica == self.replica:
            return Liveness(True, "this process")
        with self._tx() as conn:
            gone = self._gone(conn, replica)
        return Liveness(not gone, f"the kling-mcp replica {replica} ({owner})")

    def _gone(self, conn: psycopg.Connection[DictRow], replica: int) -> bool:
        """Whether replica ``replica`` has stopped: nobody holds its presence lock. Asked with a lock that lasts
        only as long as this transaction."""
        row = conn.execute("SELECT pg_try_advisory_xact_lock(%s, %s) AS free", (REPLICAS, replica)).fetchone()
        return bool(row and row["free"])


def _first_line(exc: Exception) -> str:
    """An error in one line, without the driver's repeated detail."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:300]


def _password(url: str) -> str | None:
    try:
        return conninfo_to_dict(url).get("password") or None  # type: ignore[return-value]
    except Exception:
        return None
