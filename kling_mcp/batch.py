"""``kling-mcp batch PROMPTS.json``: everything the useapi guide's Node batch script does, concurrent and resumable.

The file format is that script's prompts.json: a list of objects with prompt, model_name, aspect_ratio, mode,
duration, negative_prompt, cfg_scale (keys starting with "__" are ignored), plus enable_audio: the parameters of
generate_video (``arguments.GenerateVideo``) but its email, idempotency_key and wait_seconds. Where that script is weak,
this does better:
- every entry is read into the generate_video arguments and checked against the model catalog first, and all problems
  are reported at once, by entry number;
- jobs run concurrently up to the account's job limit (maxJobs), 429s are retried with backoff;
- every open task is polled at once and each video is downloaded as soon as it is ready (clean master first, the
  watermarked preview as a fallback, saying which);
- everything goes into the same job ledger as the server, keyed per entry, so a re-run after Ctrl-C or a crash
  resumes: nothing is submitted twice, nothing downloaded twice; an entry whose video is already on disk is reported
  from the ledger (task id and file) without asking the upstream again;
- a live display on a terminal, plain lines otherwise, a summary table, ``--json``, and exit 0 only if every job
  succeeded.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shlex
import signal
import sys
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, TextIO

import anyio
from pydantic import ValidationError

from kling_mcp import catalog
from kling_mcp.api.errors import CapacityError, InvalidParameterError, KlingError
from kling_mcp.arguments import GenerateVideo
from kling_mcp.config import Settings
from kling_mcp.jobs.service import KlingService
from kling_mcp.jobs.spending import BudgetExceededError
from kling_mcp.runtime import configure_logging, simulated_settings

# The entry's own keys: generate_video's arguments, but how to submit them (the batch decides those).
FIELDS = tuple(name for name in GenerateVideo.model_fields if name not in GenerateVideo.SUBMISSION)
_SCHEMA: dict[str, dict[str, Any]] = GenerateVideo.model_json_schema()["properties"]
DEFAULT_POLL_S = 10.0  # the seed's script waits 20 s between polls of one task; useapi's own scripts 15–20 s
CAPACITY_WAIT_S = 10.0  # the seed's script: SLEEP_429 = 10 s

# What to do next, per error code, for a person at the command line (the errors' own hints speak of the account
# and the request; the MCP layer has its own table in tools/errors.py).
NEXT_STEPS: dict[str, str] = {
    "outcome_unknown": "It may exist and be billed: check the Kling account before running the batch again (a "
    "re-run never resubmits an entry).",
    "not_found": "Check the Kling account's credits (useapi.net shows the balance).",
    "task_failed": "Change the entry and run the batch again.",
    "moderation_rejected": "Rephrase the entry's prompt and run the batch again.",
    "download_failed": "Run the same command again to download it (nothing is resubmitted).",
}


@dataclass
class Entry:
    number: int
    args: GenerateVideo
    key: str
    estimated_credits: float = 0.0


# An entry the spending limit kept from being submitted: a later run of the same command submits it.
NOT_STARTED = "not started"


@dataclass
class Outcome:
    number: int
    prompt: str
    model_name: str
    state: str = "pending"
    task_id: int | None = None
    file: str | None = None
    clean: bool | None = None
    credits: float = 0.0
    error: str | None = None
    reused: bool = False
    history: list[str] = field(default_factory=list)


class BatchFileError(Exception):
    """The prompts file as a whole cannot be used (missing, unreadable, not a JSON list)."""


def _shown(value: Any) -> str:
    return json.dumps(value)[:40]


def _problem(name: str, value: Any) -> str | None:
    """What is wrong with the JSON type of an entry's value, read from the argument's schema; numbers may also be
    given as text, as the Node script's prompts.json does ("duration": "5")."""
    schema = _SCHEMA[name]
    kind = schema.get("type")
    if value is None:
        return None
    if kind == "string" and not isinstance(value, str):
        return f"{name} must be text, got {_shown(value)}"
    if kind == "boolean" and not isinstance(value, bool):
        return f"{name} must be true or false, got {_shown(value)}"
    if kind in ("integer", "number"):
        what = "a whole number" if kind == "integer" else "a number"
        if "minimum" in schema and "maximum" in schema:
            what += f" from {schema['minimum']:g} to {schema['maximum']:g}"
        try:
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise ValueError
            if kind == "integer" and str(value).strip() != str(int(value)):
                raise ValueError
            float(value)
        except ValueError:
            example = ' (5 or "5")' if kind == "integer" else ""
            return f"{name} must be {what}{example}, got {_shown(value)}"
    return None


def read_entry(raw: dict[str, Any]) -> GenerateVideo | str:
    """An entry as generate_video's arguments, checked against the catalog; else the problem."""
    unknown = sorted(set(raw) - set(FIELDS))
    if unknown:
        return f"not supported: {', '.join(unknown)} (allowed: {', '.join(FIELDS)})"
    for name, value in raw.items():
        if (problem := _problem(name, value)) is not None:
            return problem
    values = {name: value for name, value in raw.items() if value is not None}
    try:
        # prompt is required: without one, the catalog's own "must not be empty" answers.
        args = GenerateVideo.model_validate({"prompt": "", **values})
        catalog.validate_text2video(**args.catalog_fields())
    except ValidationError as exc:
        first = exc.errors()[0]
        return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    except InvalidParameterError as exc:
        return exc.message
    return args


def load_entries(path: Path) -> tuple[list[Entry], list[str]]:
    """Parse and validate the whole file: the valid entries, and every problem found (with its entry number).

    Raises BatchFileError when the file itself cannot be used."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BatchFileError(f"Cannot read {path}: no such file.") from None
    except OSError as exc:
        raise BatchFileError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    except UnicodeDecodeError:
        raise BatchFileError(f"Cannot read {path}: it is not UTF-8 text.") from None
    except ValueError as exc:
        raise BatchFileError(f"{path} is not valid JSON: {exc}.") from None
    if not isinstance(data, list):
        raise BatchFileError(f'{path} must hold a JSON list of prompt objects, like [{{"prompt": "a fox"}}].')
    batch_key = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]
    entries: list[Entry] = []
    problems: list[str] = []
    for number, raw in enumerate(data, start=1):
        if not isinstance(raw, dict):
            problems.append(f"Prompt {number}: must be an object")
            continue
        params = {k: v for k, v in raw.items() if not k.startswith("__")}
        args = read_entry(params)
        if isinstance(args, str):
            problems.append(f"Prompt {number}: {args}")
            continue
        _, estimate = catalog.validate_text2video(**args.catalog_fields())
        digest = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:12]
        entries.append(Entry(number, args, f"batch:{batch_key}:{number}:{digest}", estimate.credits))
    return entries, problems


class Display:
    """A live table on a terminal; one plain line per change otherwise."""

    def __init__(self, outcomes: list[Outcome], out: TextIO, live: bool) -> None:
        self.outcomes, self.out, self.live = outcomes, out, live
        self.started = time.monotonic()
        self._drawn = 0

    def changed(self, outcome: Outcome, message: str) -> None:
        outcome.history.append(message)
        if not self.live:
            self.out.write(f"#{outcome.number} {message}\n")
            self.out.flush()

    def draw(self) -> None:
        if not self.live:
            return
        counts: dict[str, int] = {}
        for o in self.outcomes:
            counts[o.state] = counts.get(o.state, 0) + 1
        lines = [
            f"kling-mcp batch — {time.monotonic() - self.started:5.0f} s — "
            + ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
        ]
        for o in self.outcomes:
            task = f"task {o.task_id}" if o.task_id else ""
            lines.append(f"  #{o.number:<3} {o.state:<10} {o.model_name:<18} {task:<16} {o.prompt[:40]}")
        if self._drawn:
            self.out.write(f"\x1b[{self._drawn}F")
        self.out.write("\n".join(f"{line}\x1b[K" for line in lines) + "\n")
        self.out.flush()
        self._drawn = len(lines)


async def run_batch(
    service: KlingService,
    entries: list[Entry],
    *,
    email: str | None,
    concurrency: int | None,
    poll_interval: float = DEFAULT_POLL_S,
    capacity_wait: float = CAPACITY_WAIT_S,
    out: TextIO = sys.stdout,
    live: bool = False,
) -> list[Outcome]:
    account = await service.resolve_email(email)
    if concurrency is None:
        concurrency = (await service.client.get_account(account)).maxJobs or 3
    outcomes = [Outcome(e.number, e.args.prompt, e.args.model_name) for e in entries]
    display = Display(outcomes, out, live)
    slots = anyio.Semaphore(max(1, concurrency))
    budget_spent: list[BudgetExceededError] = []  # once the spending limit refuses one entry, no more are submitted

    async def one(entry: Entry, outcome: Outcome) -> None:
        async with slots:
            if budget_spent and not await service.ledger.find_key(entry.key):
                _not_started(outcome, budget_spent[0], display)
                return
            try:
                await _run_entry(service, entry, outcome, account, display, poll_interval, capacity_wait)
            except BudgetExceededError as exc:
                budget_spent.append(exc)
                _not_started(outcome, exc, display)

    async def redraw() -> None:
        while True:
            display.draw()
            await anyio.sleep(0.5)

    async with anyio.create_task_group() as group:
        if live:
            group.start_soon(redraw)
        async with anyio.create_task_group() as jobs:
            for entry, outcome in zip(entries, outcomes, strict=True):
                jobs.start_soon(one, entry, outcome)
        group.cancel_scope.cancel()
    display.draw()
    return outcomes


async def _run_entry(
    service: KlingService,
    entry: Entry,
    outcome: Outcome,
    account: str,
    display: Display,
    poll_interval: float,
    capacity_wait: float,
) -> None:
    try:
        if await _from_ledger(service, entry, outcome, display):
            return
        for attempt in range(1, 1000):
            try:
                args = entry.args.model_copy(update={"idempotency_key": entry.key, "email": account})
                task = await service.generate(args, batch=entry.key.rsplit(":", 2)[0])
                break
            except CapacityError:
                # The account is busy with other work (the server's own retries are exhausted): wait, as the seed
                # script does, but without giving up after six tries.
                display.changed(outcome, f"all accounts busy (429), retry {attempt} in {capacity_wait:g} s")
                await anyio.sleep(capacity_wait * min(attempt, 3))
        outcome.task_id, outcome.reused = task.task_id, task.facts.reused
        outcome.credits = task.facts.estimated_credits or entry.estimated_credits
        outcome.state = task.state
        display.changed(outcome, f"task {task.task_id} {'already submitted' if task.facts.reused else 'submitted'}")
        while not task.final:
            await anyio.sleep(poll_interval)
            task = await service.get_task(task.task_id, account)
            if task.state != outcome.state:
                outcome.state = task.state
                display.changed(outcome, f"task {task.task_id} {task.state}")
        if task.state == "failed":
            outcome.error = task.error
            return
        download = await service.download_clean(task.task_id, email=account)
        outcome.file, outcome.clean = download.path, download.clean
        outcome.state = "succeeded"
        kind = "clean master" if download.clean else f"WATERMARKED preview ({download.reason})"
        again = "already downloaded: " if download.already_downloaded else ""
        display.changed(outcome, f"{again}{kind} -> {download.path}")
    except BudgetExceededError:
        raise
    except KlingError as exc:
        outcome.state = "unknown" if exc.code == "outcome_unknown" else "failed"
        step = NEXT_STEPS.get(exc.code)
        outcome.error = f"[{exc.code}] {exc.message}" + (f" {step}" if step else "")
        display.changed(outcome, outcome.error)


def _not_started(outcome: Outcome, error: BudgetExceededError, display: Display) -> None:
    outcome.state = NOT_STARTED
    outcome.error = f"not started (budget): {error.message}"
    display.changed(outcome, "not started (budget): run the same command again once the budget allows")


async def _from_ledger(service: KlingService, entry: Entry, outcome: Outcome, display: Display) -> bool:
    """Fill in what the ledger knows of an entry submitted by an earlier run. True when that run finished it: its
    clean video is on disk, so there is nothing to submit, poll or download."""
    job = await service.ledger.find_key(entry.key)
    if job is None or job.task_id is None:
        return False
    outcome.task_id, outcome.reused = job.task_id, True
    outcome.credits = job.credits_estimated or entry.estimated_credits
    done = [r.path for r in job.downloads.values() if r.clean and r.path and Path(r.path).is_file()]
    if not done:
        return False
    outcome.file, outcome.clean, outcome.state = done[0], True, "succeeded"
    display.changed(outcome, f"already done by an earlier run: task {job.task_id} -> {done[0]}")
    return True


def summary_table(outcomes: list[Outcome]) -> str:
    rows = [
        "",
        "  #  state      model              credits  prompt                          file / reason",
        "  " + "-" * 110,
    ]
    for o in outcomes:
        detail = o.file or o.error or ""
        if o.file and o.clean is False:
            detail += "  (WATERMARKED)"
        prompt = (o.prompt[:29] + "…") if len(o.prompt) > 30 else o.prompt
        rows.append(f"{o.number:>3}  {o.state:<10} {o.model_name:<18} {o.credits:>7g}  {prompt:<31} {detail}")
    total = sum(o.credits for o in outcomes if not o.reused)
    ok = sum(o.state == "succeeded" for o in outcomes)
    rows.append(f"\n{ok} of {len(outcomes)} succeeded; estimated credits spent this run: {total:g}")
    waiting = sum(o.state == NOT_STARTED for o in outcomes)
    if waiting:
        rows.append(
            f"{waiting} not started: the spending limit (KLING_MCP_DAILY_BUDGET / KLING_MCP_MAX_CREDITS_PER_CALL) "
            "was reached. Run the same command again later to submit them; nothing is submitted twice."
        )
    return "\n".join(rows)


def resume_command(args: argparse.Namespace) -> str:
    """The command line that resumes this batch: the same command again."""
    words = ["kling-mcp", "batch", args.prompts]
    for option in ("email", "out", "concurrency"):
        if getattr(args, option, None) is not None:
            words += [f"--{option}", str(getattr(args, option))]
    words += [f"--{flag.replace('_', '-')}" for flag in ("skip_invalid", "json", "simulate") if getattr(args, flag)]
    if args.simulate:
        words += ["--speed", f"{args.speed:g}"]
    return shlex.join(words)


def _prepare(args: argparse.Namespace) -> tuple[list[Entry], list[str], int | None]:
    """Load and check the file; print problems, and the dry run. The exit code when nothing is to be submitted."""
    out = sys.stdout
    try:
        entries, problems = load_entries(Path(args.prompts))
    except BatchFileError as exc:
        print(f"kling-mcp batch: {exc} Nothing was submitted.", file=sys.stderr)
        if args.json:
            print(json.dumps({"submitted": False, "error": str(exc), "jobs": [], "problems": []}, indent=2), file=out)
        return [], [], 2
    for problem in problems:
        print(f"⚠ {problem}", file=sys.stderr)
    if problems and not args.skip_invalid:
        print(f"Nothing was submitted: {len(problems)} problem(s). Fix them, or pass --skip-invalid.", file=sys.stderr)
        if args.json:
            print(json.dumps({"submitted": False, "jobs": [], "problems": problems}, indent=2), file=out)
        return entries, problems, 2
    if args.dry_run:
        total = sum(e.estimated_credits for e in entries)
        if args.json:
            document = {
                "dry_run": True,
                "entries": [
                    {
                        "number": e.number,
                        "model_name": e.args.model_name,
                        "estimated_credits": e.estimated_credits,
                        "prompt": e.args.prompt,
                    }
                    for e in entries
                ],
                "estimated_credits": total,
                "problems": problems,
            }
            print(json.dumps(document, indent=2), file=out)
        else:
            for e in entries:
                print(
                    f"#{e.number}: {e.args.model_name}, ~{e.estimated_credits:g} credits: {e.args.prompt[:60]}",
                    file=out,
                )
            print(f"{len(entries)} valid entries; estimated {total:g} credits. Dry run: nothing submitted.", file=out)
        return entries, problems, 0 if not problems else 2
    return entries, problems, None


async def _cancel_on_sigint(scope: anyio.CancelScope, interrupted: anyio.Event) -> None:
    with anyio.open_signal_receiver(signal.SIGINT) as signals:
        async for _ in signals:
            interrupted.set()
            scope.cancel()
            return


async def _main(
    settings: Settings,
    args: argparse.Namespace,
    entries: list[Entry],
    problems: list[str],
    poll_interval: float,
    capacity_wait: float,
) -> int:
    out = sys.stdout
    progress = sys.stderr if args.json else out  # with --json, stdout carries the summary alone
    interrupted = anyio.Event()
    outcomes: list[Outcome] = []
    async with KlingService.open(settings) as service, anyio.create_task_group() as group:
        if sys.platform != "win32":
            # Ctrl-C cancels the batch's scope, which stays cancelled: a press that lands while a create's ledger
            # record is shielded takes effect when the shield ends, instead of being lost (asyncio's own SIGINT
            # handling cancels the task once, which a shielded section can swallow).
            group.start_soon(_cancel_on_sigint, group.cancel_scope, interrupted)
        outcomes = await run_batch(
            service,
            entries,
            email=args.email,
            concurrency=args.concurrency,
            poll_interval=poll_interval,
            capacity_wait=capacity_wait,
            out=progress,
            live=progress.isatty(),
        )
        group.cancel_scope.cancel()  # the batch is done: stop listening
    if interrupted.is_set():
        raise KeyboardInterrupt
    if args.json:
        print(
            json.dumps(
                {
                    "jobs": [{k: v for k, v in asdict(o).items() if k != "history"} for o in outcomes],
                    "problems": problems,
                },
                indent=2,
            ),
            file=out,
        )
    else:
        print(summary_table(outcomes), file=out)
    return 0 if all(o.state == "succeeded" for o in outcomes) and not problems else 1


def run_batch_command(args: argparse.Namespace) -> int:
    configure_logging("WARNING")
    entries, problems, code = _prepare(args)
    if code is not None:
        return code
    settings = Settings.from_env()
    overrides: dict[str, Any] = {"auto_download": False}
    if args.out:
        overrides["output_dir"] = Path(args.out).expanduser()
    settings = replace(settings, **overrides)
    try:
        if args.simulate:
            with simulated_settings(settings, speed=args.speed) as simulated:
                return anyio.run(
                    _main, simulated, args, entries, problems, DEFAULT_POLL_S / args.speed, CAPACITY_WAIT_S / args.speed
                )
        return anyio.run(_main, settings, args, entries, problems, DEFAULT_POLL_S, CAPACITY_WAIT_S)
    except KeyboardInterrupt:
        print(
            "\nInterrupted. Nothing is lost: every submitted job is in the job ledger and keeps running. To resume "
            "(nothing is submitted or downloaded twice), run the same command again:\n  " + resume_command(args),
            file=sys.stderr,
        )
        return 130
