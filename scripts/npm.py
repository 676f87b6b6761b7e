"""``npm ci`` for the pinned Node packages the tests and the release use (tests/clients/node, tests/release/node):
once, and nothing to do while node_modules still matches the package-lock (a stamp holds the lock's sha256). Several
processes (pytest-xdist workers) may ask at once: an exclusive file lock lets one of them install."""

from __future__ import annotations

import hashlib
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

STAMP = ".kling-mcp-lock.sha256"


class NpmUnavailable(RuntimeError):
    """npm could not install the packages (no npm, no registry, a failing install); the message says which."""


def npm_ci(npm: str, directory: Path, *, timeout: float = 900) -> None:
    lock = directory / "package-lock.json"
    digest = hashlib.sha256(lock.read_bytes()).hexdigest()
    stamp = directory / "node_modules" / STAMP
    with _one_process_at_a_time(directory):
        if stamp.is_file() and stamp.read_text().strip() == digest:
            return
        try:
            done = subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=directory,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise NpmUnavailable(
                f"npm ci in {directory} took over {timeout:g} s (is the npm registry reachable?)"
            ) from None
        if done.returncode != 0:
            said = " / ".join(line.strip() for line in done.stderr.splitlines() if line.strip())[:600]
            raise NpmUnavailable(f"npm ci in {directory} failed (is the npm registry reachable?): {said}")
        stamp.write_text(digest + "\n")


@contextmanager
def _one_process_at_a_time(directory: Path) -> Iterator[None]:
    """An exclusive lock across processes, one per package folder."""
    key = hashlib.sha256(str(directory.resolve()).encode()).hexdigest()[:12]
    path = Path(tempfile.gettempdir()) / f"kling-mcp-npm-{key}.lock"
    with path.open("a") as handle:
        try:
            import fcntl
        except ImportError:  # Windows has no flock: one process at a time is then the caller's affair
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
