"""The README runs as written: every kling-mcp command it shows parses with the real argument parser, is written
the way it runs from a clone (.venv/bin/kling-mcp), and every option of every command is documented."""

from __future__ import annotations

import argparse
import re
import shlex
from pathlib import Path

import pytest

from kling_mcp.cli import build_parser

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
# Where a bare `kling-mcp` is right: after `pipx install kling-mcp` or `uvx kling-mcp`, which put it on the PATH.
INSTALLED_SECTIONS = ("## Install",)


def _sections() -> dict[str, str]:
    parts = re.split(r"^(## .+)$", README, flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def _command_lines() -> list[tuple[str, str]]:
    found = []
    for title, body in _sections().items():
        for block in re.findall(r"```bash\n(.+?)```", body, flags=re.S):
            for text in block.splitlines():
                for line in text.split("  #")[0].split("&&"):
                    line = line.strip().rstrip("&").strip()
                    if re.search(r"(^|[\s/])kling-mcp(\s|$)", line) and "install" not in line:
                        found.append((title, line))
    return found


COMMANDS = _command_lines()


def test_the_readme_shows_commands() -> None:
    assert len(COMMANDS) >= 8


@pytest.mark.parametrize(("section", "line"), COMMANDS, ids=[line for _, line in COMMANDS])
def test_every_readme_command_parses_and_runs_from_where_the_readme_installs_it(section: str, line: str) -> None:
    words = shlex.split(line)
    start = next(i for i, w in enumerate(words) if w.endswith("kling-mcp") and not w.startswith("-"))
    program = words[start]
    if not section.startswith(INSTALLED_SECTIONS) and not (start and words[start - 1] in ("uvx", "pipx")):
        # After the README's install (a venv in the clone) the command is not on the PATH.
        assert program == ".venv/bin/kling-mcp", f"{section}: {line}"
    try:
        build_parser().parse_args(words[start + 1 :])
    except SystemExit as exc:  # argparse exits on a bad option
        pytest.fail(f"{line!r} does not parse (exit {exc.code})")


def _options(parser: argparse.ArgumentParser) -> set[str]:
    return {
        option
        for action in parser._actions  # argparse has no public listing of its options
        for option in action.option_strings
        if option.startswith("--") and option != "--help"
    }


def test_every_command_and_option_is_documented() -> None:
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    missing = [f"kling-mcp {option}" for option in _options(parser) if option not in README]
    for name, sub in commands.choices.items():
        assert f"kling-mcp {name}" in README or f"`{name}`" in README, name
        missing += [f"kling-mcp {name} {option}" for option in _options(sub) if option not in README]
    assert not missing, f"undocumented: {missing}"
