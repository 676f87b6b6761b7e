"""A throwaway PostgreSQL cluster for the tests (and benchmarks/replicas.py), from Debian's packages: ``initdb`` and
``pg_ctl`` in a temporary folder, on a private loopback port, no system service. initdb refuses to run as root, so
as root the cluster runs as ``nobody``. Where PostgreSQL (or the psycopg driver) is not installed the tests are
skipped saying so, and fail under CI=true (``.ci/run`` installs it)."""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.outside import unavailable

USER = "kling"
_numbers = itertools.count(1)


def binaries() -> Path | None:
    """The folder of initdb and pg_ctl: Debian keeps them in /usr/lib/postgresql/<version>/bin, off the PATH."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name), reverse=True)
    if (initdb := shutil.which("initdb")) is not None:
        candidates.append(str(Path(initdb).resolve().parent))
    return next((Path(c) for c in candidates if (Path(c) / "initdb").exists() and (Path(c) / "pg_ctl").exists()), None)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Cluster:
    port: int
    folder: Path

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{dbname}"

    def new_database(self) -> str:
        """A fresh, empty database of the cluster; its URL."""
        import psycopg

        name = f"t{os.getpid()}_{next(_numbers)}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")  # a name made above
        return self.url(name)

    def execute(self, url: str, statement: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Run one statement in the database ``url`` names (tests reach under the ledger with it)."""
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            cursor = conn.execute(statement, args)
            return list(cursor.fetchall()) if cursor.description else []


@contextmanager
def cluster() -> Iterator[Cluster]:
    """Start a cluster for the length of a test module (fsync off: it is thrown away); skip, or fail under CI,
    where PostgreSQL or psycopg is missing."""
    if binaries() is None:
        unavailable("PostgreSQL is not installed here (apt-get install postgresql gives initdb and pg_ctl)")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        unavailable("the psycopg driver is not installed (pip install -e '.[test]' installs it)")
    with start_cluster(durable=False) as running:
        yield running


@contextmanager
def start_cluster(*, durable: bool) -> Iterator[Cluster]:
    """Start a cluster in a temporary folder for the length of the block. ``durable``: PostgreSQL's defaults (fsync
    at every commit, as the benchmark compares it with SQLite); else fsync off."""
    folder = binaries()
    if folder is None:
        raise RuntimeError("PostgreSQL is not installed here (apt-get install postgresql gives initdb and pg_ctl)")
    home = Path(tempfile.mkdtemp(prefix="kling-pg-"))
    run_as: dict[str, Any] = {}
    if os.geteuid() == 0:  # initdb: "cannot be run as root"
        nobody = pwd.getpwnam("nobody")
        os.chown(home, nobody.pw_uid, nobody.pw_gid)
        run_as = {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []}
    data, port = home / "data", _free_port()
    try:
        subprocess.run(
            [folder / "initdb", "-D", data, "-U", USER, "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"],
            check=True,
            capture_output=True,
            cwd=home,
            **run_as,
        )
        options = f"-p {port} -k {home} -c listen_addresses=127.0.0.1 -c max_connections=80"
        if not durable:
            options += " -F -c shared_buffers=16MB -c synchronous_commit=off -c full_page_writes=off"
        started = subprocess.run(
            [folder / "pg_ctl", "-D", data, "-l", home / "log", "-o", options, "-w", "-t", "60", "start"],
            capture_output=True,
            cwd=home,
            **run_as,
        )
        if started.returncode != 0:
            log = (home / "log").read_text(errors="replace") if (home / "log").exists() else ""
            raise RuntimeError(f"PostgreSQL did not start: {started.stderr.decode(errors='replace')}\n{log[-2000:]}")
        try:
            yield Cluster(port, home)
        finally:
            subprocess.run(
                [folder / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"],
                capture_output=True,
                cwd=home,
                **run_as,
            )
    finally:
        shutil.rmtree(home, ignore_errors=True)
