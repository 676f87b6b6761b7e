"""Mutation testing of kling-mcp with mutmut 3 (issue 19): the configuration of each run and the script that runs it.

mutmut is not in the test extra: install it into a venv of its own (the score in BENCHMARKS.md used mutmut 3.8.1 and
mypy 2.4.1 with the versions of the test extra), then run one package at a time:

    python3 -m venv /tmp/mutvenv
    /tmp/mutvenv/bin/pip install -e '.[test]' mutmut==3.8.1
    /tmp/mutvenv/bin/python tests/quality/mutation.py api        # then: catalog, jobs

Each run works in a copy of the tree (``--workdir``, default /tmp/kling-mcp-mutation/<package>), so mutmut's
``mutants/`` folder never lands in the checkout; run again with the same workdir and mutmut re-tests only the
functions that changed. ``--ref HEAD`` copies a commit instead of the working tree (tests/quality still comes from
the working tree). Mutant names (globs) after the package re-test just those, e.g. after adding a test for them.
The run uses one worker: the score is the same with more, and the machine is shared. On two shared cores the
first run took about 50 minutes for api, 5 for catalog and 26 for jobs' profile. jobs' profile lists the functions
that hold a rule protecting the user's credits, files or token, and by default only their mutants are run (every
time, since they are named); ``--whole`` runs every mutant of the package (jobs: about 3.5 hours on two shared
cores), and ``--report-only`` summarises the last run.

What is mutated and how (the same for every package):
- lines that only carry words for people are not mutated: a line that starts with a string literal (a message's
  continuation), a ``hint=`` argument, a ``logger.`` call. A mutant there changes what a message says, never what
  the code does with the user's credits, files or token.
- mutants that strict mypy (the project's own configuration) refuses are counted as caught by the type checker:
  such code could not pass the project's checks. mutmut's generated code needs ``--no-warn-unused-ignores`` and
  ``--disable-error-code no-redef``.
- each package is tested with its own test folders only (and tests/quality's rule tests), and mutmut runs for each
  mutant only the tests that reach the mutated function.
"""

from __future__ import annotations

import argparse
import fnmatch
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", ".git", "node_modules", ".hypothesis", ".mypy_cache", ".pytest_cache", ".ruff_cache", "mutants"}

# Per package: the files mutated (fnmatch patterns, ``*`` spans folders), the tests that may kill them (globs) and,
# where the whole package would not fit the time bound, the functions whose mutants are run ("module:function" or
# "module:Class.method"): the ones that hold a rule protecting the user's credits, files or token.
PROFILES: dict[str, dict[str, list[str]]] = {
    "api": {
        "mutate": ["kling_mcp/api/*"],
        "tests": ["tests/api", "tests/quality/test_api_rules.py"],
    },
    "catalog": {
        "mutate": ["kling_mcp/catalog*"],
        "tests": [
            "tests/test_catalog.py",
            "tests/test_arguments.py",
            "tests/test_spending.py",
            "tests/simulator/test_rules_agree.py",
            "tests/test_docs.py",
            "tests/tools/test_budget.py",
            "tests/tools/test_tools.py",
            "tests/quality/test_catalog_rules.py",
            "tests/quality/test_safety_rules.py::test_kling_v2_6_native_audio_takes_no_end_frame",
        ],
    },
    "jobs": {
        "mutate": ["kling_mcp/jobs/*"],
        "tests": [
            "tests/jobs",
            "tests/test_spending.py",
            "tests/tools/test_budget.py",
            "tests/tools/test_downloads.py",
            "tests/tools/test_guard.py",
            "tests/tools/test_long_jobs.py",
            "tests/tools/test_secrets.py",
            "tests/tools/test_service.py",
            "tests/tools/test_tools.py",
            "tests/quality/test_safety_rules.py",
            "tests/quality/test_jobs_rules.py",
        ],
        "functions": [
            # credits: idempotency, the blank key, uploads only after every check, budgets, shielded creates
            "kling_mcp.jobs.service:_check_key",
            "kling_mcp.jobs.service:KlingService.create",
            "kling_mcp.jobs.service:KlingService._check_media",
            "kling_mcp.jobs.service:KlingService._finished_video",
            "kling_mcp.jobs.service:KlingService.create_element",
            "kling_mcp.jobs.service:_made_elements",
            "kling_mcp.jobs.service:KlingService.check_budget",
            "kling_mcp.jobs.service:KlingService._submit",
            "kling_mcp.jobs.service:KlingService._send_recorded",
            "kling_mcp.jobs.service:KlingService._send_and_record",
            "kling_mcp.jobs.service:KlingService._release",
            "kling_mcp.jobs.service:KlingService._reused",
            "kling_mcp.jobs.ledger:Ledger.begin_sync",
            "kling_mcp.jobs.ledger:Ledger.find_key",
            "kling_mcp.jobs.ledger:Ledger._settle_orphans",
            "kling_mcp.jobs.ledger:Ledger._spent",
            "kling_mcp.jobs.spending:Budget.check_call",
            "kling_mcp.jobs.spending:Budget.check_window",
            "kling_mcp.jobs.waiting:TaskWatcher.wait",
            # files: what is read (allowed folders), where downloads come from (SSRF) and where they are written
            "kling_mcp.jobs.uploads:local_path",
            "kling_mcp.jobs.uploads:_under",
            "kling_mcp.jobs.uploads:check_allowed",
            "kling_mcp.jobs.uploads:check_local_media",
            "kling_mcp.jobs.videos:check_video",
            "kling_mcp.jobs.videos:resolve_video",
            "kling_mcp.jobs.addresses:embedded_ipv4",
            "kling_mcp.jobs.addresses:is_internal",
            "kling_mcp.jobs.addresses:check_url",
            "kling_mcp.jobs.transfers:confined_path",
            "kling_mcp.jobs.downloads:Downloader._save",
        ],
    },
}
COMMON: dict[str, Any] = {
    "source_paths": ["kling_mcp/"],
    # files some tests read (tests/test_docs.py holds the README to the catalog and the CI script)
    "also_copy": ["README.md", ".ci", "claude_desktop_config.example.json"],
    "do_not_mutate_patterns": [r'^\s*(?:[rRfF]{1,2})?"', r"^\s*hint=", r"^\s*logger\."],
    # in-process (the suite's addopts run it on xdist workers, which mutmut cannot follow); no real Node clients
    "pytest_add_cli_args": ["-p", "no:cacheprovider", "-q", "-n", "0", "-m", "not real_clients"],
    "type_check_command": [
        "mypy",
        "kling_mcp",
        "--output",
        "json",
        "--no-warn-unused-ignores",
        "--disable-error-code",
        "no-redef",
    ],
}
KILLED = {"killed", "timeout", "caught by type check"}


def mutant_globs(functions: list[str]) -> list[str]:
    """mutmut's mutant names for "module:function" / "module:Class.method" (``xǁClassǁmethod`` / ``x_function``)."""
    globs = []
    for spec in functions:
        module, _, name = spec.partition(":")
        owner, _, method = name.rpartition(".")
        mangled = f"x\u01c1{owner}\u01c1{method}" if owner else f"x_{name}"
        globs.append(f"{module}.{mangled}__mutmut_*")
    return globs


def _toml(value: Any) -> str:
    return json.dumps(value)  # a JSON string or list of strings is valid TOML


def mutmut_table(package: str, root: Path) -> str:
    profile = PROFILES[package]
    tests = sorted(
        {pattern for pattern in profile["tests"] if "::" in pattern and (root / pattern.split("::")[0]).exists()}
        | {str(p.relative_to(root)) for pattern in profile["tests"] if "::" not in pattern for p in root.glob(pattern)}
    )
    values = {
        **COMMON,
        "only_mutate": profile["mutate"],
        "pytest_add_cli_args_test_selection": tests,
    }
    return "\n[tool.mutmut]\n" + "".join(f"{key} = {_toml(value)}\n" for key, value in values.items())


def copy_tree(workdir: Path, ref: str | None) -> None:
    """The sources into ``workdir`` (replacing the old copy, keeping mutmut's ``mutants/`` cache)."""
    for child in workdir.iterdir() if workdir.exists() else []:
        if child.name != "mutants":
            shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
    workdir.mkdir(parents=True, exist_ok=True)
    if ref is None:
        shutil.copytree(ROOT, workdir, ignore=lambda _d, names: [n for n in names if n in SKIP], dirs_exist_ok=True)
        return
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref], check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(workdir, filter="data")
    shutil.copytree(ROOT / "tests" / "quality", workdir / "tests" / "quality", dirs_exist_ok=True)


def summary(workdir: Path, mutmut: Path, selected: list[str]) -> dict[str, Any]:
    listed = subprocess.run(
        [str(mutmut), "results", "--all", "true"], cwd=workdir, check=True, capture_output=True, text=True
    ).stdout
    by_file: dict[str, Counter[str]] = {}
    survivors: list[str] = []
    for line in listed.splitlines():
        name, _, status = line.strip().rpartition(": ")
        if not name or (selected and not any(fnmatch.fnmatchcase(name, glob) for glob in selected)):
            continue
        module = name.split(".x", 1)[0]
        by_file.setdefault(module, Counter())[status] += 1
        if status in ("survived", "no tests"):
            survivors.append(f"{name}: {status}")
    total: Counter[str] = sum(by_file.values(), Counter())
    return {"by_module": {m: dict(c) for m, c in sorted(by_file.items())}, "total": dict(total), "survivors": survivors}


def score(counts: dict[str, int]) -> str:
    checked = sum(n for status, n in counts.items() if status not in ("not checked", "skipped"))
    killed = sum(n for status, n in counts.items() if status in KILLED)
    by_tests = sum(n for status, n in counts.items() if status in ("killed", "timeout"))
    tested = checked - counts.get("caught by type check", 0)
    return (
        f"{killed}/{checked} = {100 * killed / max(checked, 1):.1f}% killed or caught by mypy; "
        f"by the tests alone {by_tests}/{tested} = {100 * by_tests / max(tested, 1):.1f}%"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("package", choices=sorted(PROFILES))
    parser.add_argument("--workdir", type=Path, help="default /tmp/kling-mcp-mutation/<package>")
    parser.add_argument("--ref", help="copy this git commit instead of the working tree")
    parser.add_argument("--mutmut", type=Path, default=Path(sys.executable).parent / "mutmut")
    parser.add_argument("--max-children", type=int, default=1)
    parser.add_argument("--report-only", action="store_true", help="summarise the last run without running")
    parser.add_argument(
        "--whole", action="store_true", help="every mutant of the package, not only its profile's functions"
    )
    parser.add_argument("mutants", nargs="*", help="only these mutant names (globs), e.g. after adding a test")
    args = parser.parse_intermixed_args(argv)
    workdir: Path = args.workdir or Path("/tmp/kling-mcp-mutation") / args.package
    selected = args.mutants or ([] if args.whole else mutant_globs(PROFILES[args.package].get("functions", [])))
    env = {**os.environ, "PATH": f"{args.mutmut.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    if not args.report_only:
        copy_tree(workdir, args.ref)
        pyproject = workdir / "pyproject.toml"
        if "[tool.mutmut]" in pyproject.read_text(encoding="utf-8"):
            parser.error("pyproject.toml already has a [tool.mutmut] table; this script writes its own")
        with pyproject.open("a", encoding="utf-8") as fh:
            fh.write(mutmut_table(args.package, workdir))
        command = [str(args.mutmut), "run", "--max-children", str(args.max_children), *selected]
        subprocess.run(command, cwd=workdir, env=env, check=False)
    result = summary(workdir, args.mutmut, selected)
    (workdir / "mutation-summary.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    for module, counts in result["by_module"].items():
        print(f"{module}: {counts}")
    print(f"{args.package}: {score(result['total'])}")
    print(f"{len(result['survivors'])} not killed (listed in {workdir / 'mutation-summary.json'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
