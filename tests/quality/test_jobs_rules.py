"""Rules of the job logic (kling_mcp/jobs) that protect the user's credits and files, each held by a test that a
mutant of it survived before (mutmut, see tests/quality/mutation.py). The mutant each test kills is in its docstring.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import sqlite3
import struct
import subprocess
import sys
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
import respx
from mcp import Client
from mcp.types import ListRootsResult, Root
from pydantic import FileUrl

from kling_mcp.api.errors import DownloadError, InvalidParameterError
from kling_mcp.jobs import transfers, uploads, waiting
from kling_mcp.jobs.ledger import Ledger
from kling_mcp.jobs.service import KlingService
from kling_mcp.server import create_server
from tests.factories import MP4, accounts, task
from tests.mcp_results import error_of

pytestmark = pytest.mark.anyio


def png(width: int = 320, height: int = 320) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))


def frames_upstream(api: respx.MockRouter, *emails: str) -> tuple[respx.Route, respx.Route]:
    api.get("/accounts").respond(json=accounts(*emails))
    upload = api.post(path__regex=r"/assets/?").respond(
        json={"status": 3, "url": "https://s21-kling.klingai.com/up/1.png", "message": ""}
    )
    create = api.post("/videos/image2video-frames").respond(json=task(42))
    return upload, create


async def test_every_frame_is_checked_against_the_clients_roots_before_any_upload(
    make_settings: Any, api: respx.MockRouter, tmp_path: Path
) -> None:
    """Mutants killed: the check of every local frame made before anything is uploaded no longer given the client's
    roots (``check_local_images(..., roots)`` made None or dropped). The start frame, inside the roots, would then
    be uploaded before the end frame, outside them, is refused: a file sent to useapi for a call that fails."""
    shared, private = tmp_path / "shared", tmp_path / "private"
    for folder in (shared, private):
        folder.mkdir()
        (folder / "frame.png").write_bytes(png())
    upload, create = frames_upstream(api, "a@x.com")

    async def roots(context: Any) -> ListRootsResult:
        return ListRootsResult(roots=[Root(uri=FileUrl(shared.as_uri()), name="shared")])

    async with Client(create_server(make_settings(allowed_dirs=(tmp_path,))), list_roots_callback=roots) as c:
        result = await c.call_tool(
            "animate_image",
            {"image": str(shared / "frame.png"), "image_tail": str(private / "frame.png"), "model_name": "kling-v2-5"},
        )
    err = error_of(result)
    assert err["code"] == "invalid_parameter" and err["details"]["parameter"] == "image_tail"
    assert not upload.called and not create.called


async def test_animate_uploads_and_submits_on_the_account_asked_for(
    make_settings: Any, api: respx.MockRouter, tmp_path: Path
) -> None:
    """Mutants killed: animate resolving the account without the caller's ``email`` (``resolve_email(None)``, or the
    account made None before the upload or the submission). The video would be billed to another account, or the
    frame uploaded to one account and used by another."""
    image = tmp_path / "start.png"
    image.write_bytes(png())
    upload, create = frames_upstream(api, "a@x.com", "b@y.com")
    async with Client(create_server(make_settings())) as c:
        result = await c.call_tool(
            "animate_image", {"image": str(image), "model_name": "kling-v2-5", "email": "b@y.com"}
        )
    assert not result.is_error, result.content
    assert upload.calls.last.request.url.params["email"] == "b@y.com"
    assert json.loads(create.calls.last.request.content)["email"] == "b@y.com"


async def test_a_replay_reads_the_task_from_the_account_that_submitted_it(
    make_settings: Any, api: respx.MockRouter
) -> None:
    """Mutant killed: a replay of an idempotency key polling the earlier task without its account
    (``watcher.poll(job.task_id, None)``). useapi would look for the task in the default account and answer 404,
    which the ledger takes as the task being gone: a billed task recorded as failed."""
    api.get("/accounts").respond(json=accounts("a@x.com", "b@y.com"))
    create = api.post("/videos/text2video").respond(json=task(42))
    poll = api.get("/tasks/42").respond(json=task(42, 10))
    args = {"prompt": "a fox", "email": "b@y.com", "idempotency_key": "fox-on-b"}
    async with Client(create_server(make_settings())) as c:
        assert not (await c.call_tool("generate_video", args)).is_error
        replay = await c.call_tool("generate_video", args)
    assert not replay.is_error, replay.content
    assert replay.structured_content["reused"] is True and create.call_count == 1
    assert poll.calls.last.request.url.params["email"] == "b@y.com"


@contextmanager
def local_time_zone(zone: str) -> Iterator[None]:
    saved = os.environ.get("TZ")
    os.environ["TZ"] = zone
    time.tzset()
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = saved
        time.tzset()


def test_the_spending_window_is_read_in_utc_in_any_local_time_zone(tmp_path: Path) -> None:
    """Mutant killed: the start of the spending window written in local time (``since.astimezone(None)``) while the
    ledger's times are UTC. On a machine at UTC+14 every job of the last 14 hours would fall before the window's
    start as written, so the daily budget (which reads the last 24 hours this way) would count only the jobs 14 to
    24 hours old and let the recent ones through. Through the tools this needs jobs many hours old, so the ledger's
    own reading is checked here, with a window of five minutes."""
    with local_time_zone("KIR-14"):  # POSIX form: a zone 14 hours ahead of UTC, without the tz database
        ledger = Ledger(tmp_path / "jobs.sqlite3")
        try:
            ledger.begin_sync(
                kind="text2video",
                params={},
                email="a@x.com",
                model_name="kling-v1-6",
                prompt="a fox",
                credits_estimated=20.0,
            )
            recent = ledger.spent_sync(datetime.now(UTC) - timedelta(minutes=5))
        finally:
            ledger.close()
    assert [job.credits for job in recent] == [20.0]


async def test_a_blank_key_is_refused_for_text_to_video_too(make_settings: Any, api: respx.MockRouter) -> None:
    """Mutant killed: the submission's own blank-key check given nothing to check (``_check_key(None)``). A blank key
    would be recorded, and the next call with a blank key (an agent filling the field with "") would be answered
    with the first call's task instead of the video it asked for."""
    api.get("/accounts").respond(json=accounts("a@x.com"))
    create = api.post("/videos/text2video").respond(json=task(42))
    async with Client(create_server(make_settings())) as c:
        err = error_of(await c.call_tool("generate_video", {"prompt": "a fox", "idempotency_key": "  "}))
    assert err["code"] == "invalid_parameter" and err["details"]["parameter"] == "idempotency_key"
    assert not create.called


@pytest.mark.parametrize("tool", ["generate_video", "animate_image"])
async def test_a_create_that_fails_oddly_once_sent_is_never_sent_again(
    make_settings: Any, api: respx.MockRouter, tool: str
) -> None:
    """Mutants killed: the service's create not handing its tracker to the client (``tracker=attempt`` made None or
    dropped). The service then cannot tell that the request had left: an unexpected failure mid-request is recorded
    as "nothing was sent", the idempotency key is freed, and the retry with the same key sends (and pays) again."""
    api.get("/accounts").respond(json=accounts("a@x.com"))
    path = "/videos/text2video" if tool == "generate_video" else "/videos/image2video-frames"
    create = api.post(path).mock(side_effect=RuntimeError("a failure httpx does not wrap"))
    arguments: dict[str, Any] = (
        {"prompt": "a fox"}
        if tool == "generate_video"
        else {"image": "https://s21-kling.klingai.com/frames/start.png", "model_name": "kling-v2-5"}
    )
    arguments["idempotency_key"] = "fox-odd-failure"
    async with Client(create_server(make_settings())) as c:
        first = error_of(await c.call_tool(tool, arguments))
        retry = error_of(await c.call_tool(tool, arguments))
    assert first["code"] == retry["code"] == "outcome_unknown"
    assert create.call_count == 1


async def test_a_wait_polls_the_account_that_submitted(make_settings: Any, api: respx.MockRouter) -> None:
    """Mutant killed: the polls of a wait made without the account (``self.poll(task_id, None)`` in the loop).
    useapi would look for the task in the default account and answer 404, which the ledger takes as the task being
    gone: a billed task recorded as failed."""
    api.get("/accounts").respond(json=accounts("a@x.com", "b@y.com"))
    api.post("/videos/text2video").respond(json=task(42))
    poll = api.get("/tasks/42").mock(
        side_effect=[httpx.Response(200, json=task(42, 10)), httpx.Response(200, json=task(42, 99, works=1))]
    )
    async with Client(create_server(make_settings())) as c:
        with anyio.fail_after(20):  # only stops a hang
            result = await c.call_tool("generate_video", {"prompt": "a fox", "email": "b@y.com", "wait_seconds": 30})
    assert result.structured_content["state"] == "succeeded"
    assert poll.call_count == 2
    assert [call.request.url.params.get("email") for call in poll.calls] == ["b@y.com", "b@y.com"]


async def test_a_wait_ends_at_the_cap_even_in_the_middle_of_a_heartbeat(
    make_settings: Any, api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Mutant killed: the last sleep of a wait no longer cut to what is left of it (``deadline - clock`` made
    ``deadline + clock``): the wait would end a whole step (up to the 5 s heartbeat) past KLING_MCP_WAIT_CAP. Here the
    heartbeat and the poll interval are 5 s and the cap 0.3 s; the bound of 3 s only turns the overrun into a
    failure."""
    monkeypatch.setattr(waiting, "HEARTBEAT_S", 5.0)  # its real value (the suite's fixture makes it 0.01 s)
    api.get("/accounts").respond(json=accounts("a@x.com"))
    api.post("/videos/text2video").respond(json=task(42))
    api.get("/tasks/42").respond(json=task(42, 10))
    async with Client(create_server(make_settings(wait_cap=0.3, min_poll_interval=5.0))) as c:
        with anyio.fail_after(3):
            result = await c.call_tool("generate_video", {"prompt": "a fox", "wait_seconds": 3600})
    assert result.structured_content["final"] is False


LOCAL_API = "http://127.0.0.1/v1/kling"


@pytest.mark.parametrize(
    ("clean_url", "fetched"),
    [
        ("https://127.0.0.1/clean.mp4", False),  # port 443: not the upstream's origin, and internal
        ("http://127.0.0.1/clean.mp4", True),  # port 80: the configured upstream's own origin, trusted
    ],
)
async def test_only_the_upstreams_own_origin_may_be_internal(make_settings: Any, clean_url: str, fetched: bool) -> None:
    """Mutants killed: the default port of a download URL taken from the wrong scheme (``443 if scheme == "https"
    else 80`` negated, made always one or the other, or 81). The check that lets only the configured upstream (here
    http://127.0.0.1, port 80) be an internal address would then let https://127.0.0.1 (port 443, another service
    on that machine) through as if it were the upstream, or refuse the upstream itself."""
    with respx.mock(base_url=LOCAL_API, assert_all_called=False) as local:
        local.get("/accounts").respond(json=accounts("a@x.com"))
        local.get("/tasks/42").respond(json=task(42, 99, works=1))
        local.get("/assets/download").respond(json={"cdnUrl": clean_url, "status": "success"})
        media = local.get(clean_url).respond(content=MP4)
        local.get(path__regex=r".*preview\.mp4$").respond(content=MP4)
        async with Client(create_server(make_settings(base_url="http://127.0.0.1"))) as c:
            result = await c.call_tool("download_clean", {"task_id": 42})
    assert media.called is fetched
    if fetched:
        assert not result.is_error, result.content
        assert result.structured_content["clean"] is True and result.structured_content["saved"] is True
    else:
        assert result.is_error or result.structured_content["clean"] is False


# --- survivors of the whole-package run (tests/quality/mutation.py jobs --whole) ------------------------------------

HTTPS_LOCAL_API = "https://127.0.0.1/v1/kling"


@pytest.mark.parametrize(
    ("clean_url", "fetched"),
    [
        ("https://127.0.0.1/clean.mp4", True),  # port 443: the configured https upstream's own origin, trusted
        ("http://127.0.0.1/clean.mp4", False),  # port 80: another service on that machine, internal
        ("https://127.0.0.1:444/clean.mp4", False),  # another port of the same host
    ],
)
async def test_an_https_upstreams_own_origin_is_its_host_on_port_443(
    make_settings: Any, clean_url: str, fetched: bool
) -> None:
    """Mutants killed: the default port of the configured upstream's own origin (``addresses.origin``, from which
    the downloads' trusted origin is made) taken from the wrong scheme (always 80, or 444 for https). With
    USEAPI_BASE_URL=https://127.0.0.1 the download filter would then trust http://127.0.0.1 (port 80, another
    service on that machine: a request to an internal address) and refuse the upstream itself."""
    with respx.mock(base_url=HTTPS_LOCAL_API, assert_all_called=False) as local:
        local.get("/accounts").respond(json=accounts("a@x.com"))
        local.get("/tasks/42").respond(json=task(42, 99, works=1))
        local.get("/assets/download").respond(json={"cdnUrl": clean_url, "status": "success"})
        media = local.get(clean_url).respond(content=MP4)
        local.get(path__regex=r".*preview\.mp4$").respond(content=MP4)
        async with Client(create_server(make_settings(base_url="https://127.0.0.1"))) as c:
            result = await c.call_tool("download_clean", {"task_id": 42})
    assert media.called is fetched
    if fetched:
        assert not result.is_error, result.content
        assert result.structured_content["clean"] is True and result.structured_content["saved"] is True
    else:
        assert result.is_error or result.structured_content["clean"] is False


async def test_a_file_swapped_for_a_symlink_after_the_folder_check_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Mutants killed: the read of a local image opened without ``O_NOFOLLOW`` (the flag dropped by ``&`` for ``|``,
    or looked up under another name). A file replaced by a symbolic link between the folder check and the read (by
    another process) would then be followed, and a file outside the allowed folders read and uploaded. The swap is
    made here right after the real check."""
    shared = tmp_path / "shared"
    shared.mkdir()
    image = shared / "frame.png"
    image.write_bytes(png())
    secret = tmp_path / "secret.png"
    secret.write_bytes(png(400, 400))
    check = uploads.check_allowed

    def check_then_swap(*args: Any, **kwargs: Any) -> Path:
        checked = check(*args, **kwargs)
        checked.unlink()
        checked.symlink_to(secret)
        return checked

    monkeypatch.setattr(uploads, "check_allowed", check_then_swap)
    with pytest.raises(InvalidParameterError) as caught:
        await uploads.read_local(str(image), "image", [shared])
    assert caught.value.parameter == "image"


def test_a_download_never_writes_through_a_file_planted_at_its_temporary_name(tmp_path: Path) -> None:
    """Mutant killed: the temporary file of a download opened without ``O_EXCL`` (dropped by ``&`` for ``|``). A
    symbolic link planted under the temporary name would then be followed and the file it points to (anywhere on
    the disk) overwritten, with its own permissions kept instead of the download's 0600."""
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    planted = tmp_path / "out" / ".kling_42_420.mp4.0123abcd.part"
    planted.parent.mkdir()
    planted.symlink_to(victim)
    with pytest.raises(FileExistsError):
        transfers.create_private(planted).close()
    assert victim.read_text() == "keep me"


async def test_a_data_uri_frame_is_checked_before_any_frame_is_uploaded(
    make_settings: Any, api: respx.MockRouter, tmp_path: Path
) -> None:
    """Mutants killed: the checks made before any upload skipping data: URIs (their prefix misspelt). A valid local
    start frame would be uploaded before the end frame, a data: URI of a 100 px image, is refused: a file sent to
    useapi for a call that fails."""
    start = tmp_path / "start.png"
    start.write_bytes(png())
    tail = "data:image/png;base64," + base64.b64encode(png(100, 100)).decode()
    upload, create = frames_upstream(api, "a@x.com")
    async with Client(create_server(make_settings())) as c:
        result = await c.call_tool(
            "animate_image", {"image": str(start), "image_tail": tail, "model_name": "kling-v2-5"}
        )
    err = error_of(result)
    assert err["code"] == "invalid_parameter" and err["details"]["parameter"] == "image_tail"
    assert not upload.called and not create.called


CHILD = """
import signal, sys
signal.signal(signal.SIGHUP, lambda *_: (print("signalled", flush=True), sys.exit(3)))
print("ready", flush=True)
sys.stdin.read()
print("untouched", flush=True)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="no SIGHUP; the ledger does not ask other processes there")
def test_asking_whether_a_rows_process_is_alive_sends_it_no_signal(tmp_path: Path) -> None:
    """Mutant killed: the liveness check of the process that owns a row left submitting made with signal 1
    (``os.kill(pid, 1)``, SIGHUP) instead of 0. Opening the ledger would then stop that process: another kling-mcp
    sharing the ledger, killed in the middle of a create whose task id it has not recorded yet (or any program that
    got the pid). Here the owner is a live child process, which must come through untouched, its row left alone."""
    path = tmp_path / "jobs.sqlite3"
    ledger = Ledger(path)
    try:
        job = ledger.begin_sync(
            kind="text2video", params={}, email="a@x.com", model_name="kling-v1-6", prompt="a fox", credits_estimated=20
        )
    finally:
        ledger.close()
    child = subprocess.Popen([sys.executable, "-c", CHILD], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline() == "ready\n"
        with sqlite3.connect(path) as conn:
            conn.execute("UPDATE jobs SET owner = ? WHERE id = ?", (f"{socket.gethostname()}:{child.pid}", job.id))
        conn.close()
        Ledger(path).close()  # opening settles the rows of stopped processes, asking each owner whether it is alive
        with sqlite3.connect(path) as conn:
            (state,) = conn.execute("SELECT state FROM jobs WHERE id = ?", (job.id,)).fetchone()
        conn.close()
        out, _ = child.communicate("", timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert state == "submitting"
    assert (out, child.returncode) == ("untouched\n", 0)


CLEAN = "https://cdn.test/clean/420.mp4"


def finished_on(api: respx.MockRouter, *emails: str) -> tuple[respx.Route, respx.Route]:
    """Task 42 submitted and finished (one video, work 420) on a useapi with these accounts: (polls, asset asks)."""
    api.get("/accounts").respond(json=accounts(*emails))
    api.post("/videos/text2video").respond(json=task(42))
    polls = api.get("/tasks/42").respond(json=task(42, 99, works=1))
    asks = api.get("/assets/download").respond(json={"cdnUrl": CLEAN, "status": "success"})
    api.get(CLEAN).respond(content=MP4)
    return polls, asks


async def job_of_42_when(c: Client, ready: Any) -> dict[str, Any]:
    """Task 42's job in list_jobs once ``ready(job)`` holds (bounded: a hang fails the test)."""
    with anyio.fail_after(10):
        while True:
            result = await c.call_tool("list_jobs", {})
            assert not result.is_error, result.content
            jobs = [job for job in result.structured_content["jobs"] if job["task_id"] == 42]
            if jobs and ready(jobs[0]):
                return dict(jobs[0])
            await anyio.sleep(0.02)


def downloaded_or_failed(job: dict[str, Any]) -> bool:
    record = job["downloads"].get("420") or {}
    return bool(record.get("path") or job["download_error"])


async def test_a_background_download_asks_the_account_that_submitted(make_settings: Any, api: respx.MockRouter) -> None:
    """Mutants killed: the background download (KLING_MCP_AUTO_DOWNLOAD) started, run or polled without the task's
    account (``email`` made None where the watcher hands a finished task over, where the downloader schedules or
    runs it, or in its poll). useapi would look for the task in the default account: a 404 there is recorded as the
    task being gone (a billed task marked failed), and the watermark-free master is asked of an account that does
    not own it (the user gets the watermarked preview)."""
    polls, asks = finished_on(api, "a@x.com", "b@y.com")
    async with Client(create_server(make_settings(auto_download=True))) as c:
        assert not (await c.call_tool("generate_video", {"prompt": "a fox", "email": "b@y.com"})).is_error
        got = await c.call_tool("get_task", {"task_id": 42, "email": "b@y.com"})
        assert got.structured_content["state"] == "succeeded"
        job = await job_of_42_when(c, downloaded_or_failed)
    assert job["download_error"] is None and job["downloads"]["420"]["clean"] is True
    assert asks.called
    assert {call.request.url.params.get("email") for call in polls.calls} == {"b@y.com"}
    assert {call.request.url.params.get("email") for call in asks.calls} == {"b@y.com"}


async def test_the_account_asked_for_wins_over_kling_email(make_settings: Any, api: respx.MockRouter) -> None:
    """Mutants killed: get_task and download_clean resolving the account without the caller's ``email``
    (``resolve_email(None, ...)``), and the download polling the task without it (``watcher.poll(task_id, None)``).
    With KLING_EMAIL naming another account (or none), the task would be polled, and its file asked for, in another
    account: useapi answers 404, which the ledger takes as the task being gone. Each call runs in a fresh server, so
    that its poll is not answered from the previous call's."""
    polls, asks = finished_on(api, "a@x.com", "b@y.com")
    settings = make_settings(email="a@x.com")
    async with Client(create_server(settings)) as c:
        got = await c.call_tool("get_task", {"task_id": 42, "email": "b@y.com"})
    async with Client(create_server(settings)) as c:
        saved = await c.call_tool("download_clean", {"task_id": 42, "email": "b@y.com"})
    assert not got.is_error, got.content
    assert not saved.is_error, saved.content
    assert polls.call_count == 2 and asks.called
    assert {call.request.url.params.get("email") for call in polls.calls} == {"b@y.com"}
    assert {call.request.url.params.get("email") for call in asks.calls} == {"b@y.com"}


async def test_a_download_not_told_to_overwrite_leaves_a_file_standing_at_its_name(
    make_settings: Any, api: respx.MockRouter
) -> None:
    """Mutant killed: the service's download_clean defaulting to ``overwrite=True``. The batch (kling-mcp-batch)
    downloads each finished task with the defaults: a file of the user's standing under the video's name would be
    replaced."""
    settings = make_settings(email="a@x.com")
    finished_on(api, "a@x.com")
    settings.output_dir.mkdir(parents=True)
    standing = settings.output_dir / "kling_42_420.mp4"
    standing.write_text("my notes")
    async with KlingService.open(settings) as service:
        with pytest.raises(DownloadError) as caught:
            await service.download_clean(42)
    assert caught.value.details["existing_path"] == str(standing)
    assert standing.read_text() == "my notes"


async def test_a_background_download_never_replaces_a_file_standing_at_its_name(
    make_settings: Any, api: respx.MockRouter
) -> None:
    """Mutant killed: the downloader's own download defaulting to ``overwrite=True``: the background download (which
    passes no overwrite) would replace a file of the user's standing under the video's name."""
    settings = make_settings(auto_download=True)
    finished_on(api, "a@x.com")
    settings.output_dir.mkdir(parents=True)
    standing = settings.output_dir / "kling_42_420.mp4"
    standing.write_text("my notes")
    async with Client(create_server(settings)) as c:
        assert not (await c.call_tool("generate_video", {"prompt": "a fox"})).is_error
        assert (await c.call_tool("get_task", {"task_id": 42})).structured_content["state"] == "succeeded"
        job = await job_of_42_when(c, downloaded_or_failed)
    assert job["download_error"] is not None and "left untouched" in job["download_error"]
    assert standing.read_text() == "my notes"
