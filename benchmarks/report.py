"""Render benchmark results as BENCHMARKS.md."""

from __future__ import annotations

from typing import Any


def _ms(s: dict[str, float]) -> str:
    return f"{s['median'] * 1000:.1f} ms (min {s['min'] * 1000:.1f}, max {s['max'] * 1000:.1f}, n={s['n']:g})"


def _s(s: dict[str, float]) -> str:
    return f"{s['median']:.2f} s (min {s['min']:.2f}, max {s['max']:.2f}, n={s['n']:g})"


def render(results: dict[str, Any], *, command: str, machine: str) -> str:
    out = [
        "# Benchmarks",
        "",
        f"Command: `{command}`  ",
        *[f"Then: `{v}` (re-ran that section)  " for k, v in results.items() if k.startswith("_partial_")],
        f"Machine: {machine}  ",
        "Every figure is measured against a baseline in the same run, on loopback, against the embedded simulator.",
        "Medians of several runs, with min and max. Ratios are what to compare across machines.",
        "",
    ]
    if (r := results.get("startup")) is not None:
        out += [
            "## 1. Start-up: spawn to the answer of tools/list (stdio)",
            "",
            "| | time |",
            "|---|---|",
            f"| minimal MCPServer, one tool (floor) | {_ms(r['minimal MCPServer'])} |",
            f"| kling-mcp | {_ms(r['kling-mcp'])} |",
            f"| **ratio** | **{r['ratio']:.2f}x** (goal ≤ {r['goal']}x) |",
            "",
        ]
    if (r := results.get("overhead")) is not None:
        out += [
            "## 2. Tool-call overhead: get_task over MCP stdio vs. the same upstream GET made directly",
            "",
            "| | per call |",
            "|---|---|",
            f"| direct httpx GET /tasks/{{id}} | {_ms(r['direct httpx GET'])} |",
            f"| get_task through MCP (stdio) | {_ms(r['get_task over MCP stdio'])} |",
            f"| **added per call (median)** | **{r['added_ms']:.2f} ms** (goal < {r['goal_added_ms']} ms) |",
            f"| of which: the SDK's own cost of a tool call that does nothing (minimal MCPServer) "
            f"| {_ms(r['minimal tool over MCP stdio'])} |",
            f"| of which: kling-mcp's own work (added minus the SDK floor) | {r['own_ms']:.2f} ms |",
            f"| a constant result of get_task's shape and schema over MCP (no upstream, no ledger) "
            f"| {_ms(r['constant get_task-shaped result over MCP stdio'])} |"
            if "constant get_task-shaped result over MCP stdio" in r
            else "",
            f"| **kling-mcp's logic per call** (added minus the shaped floor: polling, ledger, result building) "
            f"| **{r['logic_ms']:.2f} ms** |"
            if "logic_ms" in r
            else "",
            "",
            f"Upstream requests made for {r['calls']} calls: {r['upstream_requests']}, over "
            f"{r.get('upstream_connections', '?')} TCP connection(s) (counted by the simulator: the pool is reused, "
            "no new connection per call).",
            "",
        ]
    if (r := results.get("concurrency")) is not None:
        out += [
            f"## 3. Concurrency: {r['calls']} get_task calls in flight at once over Streamable HTTP",
            "",
            "| | throughput | p99 | errors |",
            "|---|---|---|---|",
            f"| direct httpx to the simulator (baseline) | {r['baseline_throughput_per_s']:.0f}/s "
            f"| {r['baseline_p99_ms']:.1f} ms | 0 |",
            f"| kling-mcp over Streamable HTTP | {r['throughput_per_s']:.0f}/s | {r['p99_ms']:.1f} ms "
            f"| {r['errors']} |",
            f"| **throughput ratio** | **{r['throughput_ratio']:.2f}x** | | |",
            "",
        ]
    if (r := results.get("download")) is not None:
        out += [
            "## 4. Downloads: download_clean vs. curl on the same URL",
            "",
            "| size | download_clean | curl | throughput ratio to curl | server peak RSS |",
            "|---|---|---|---|---|",
        ]
        for size, e in r.items():
            curl = _s(e["curl"]) if "curl" in e else "n/a"
            ratio = f"{e['ratio_to_curl']:.2f}x" if "ratio_to_curl" in e else "n/a"
            out.append(
                f"| {size} | {_s(e['download_clean'])} ({e['throughput_MBps']:.0f} MB/s) | {curl} | {ratio} "
                f"| {e['server_peak_rss_mb']:.0f} MB |"
            )
        out += ["", "Goal: at least 0.8x of curl; peak memory that does not grow with the file size.", ""]
    if (r := results.get("batch")) is not None:
        out += [
            f"## 5. Batch: {r['prompts']} prompts, account maxJobs {r['max_jobs']}, simulator speed {r['speed']}x",
            "",
            "| | wall time | ratio to lower bound |",
            "|---|---|---|",
            f"| lower bound (generation time x {r['rounds']} rounds) | {r['lower_bound_s']:.2f} s | 1.00x |",
            f"| kling-mcp batch | {r['ours_s']:.2f} s | {r['ours_s'] / r['lower_bound_s']:.2f}x |",
            f"| the strategy of useapi's Node script (kling.mjs) (sequential, 20 s polls) | {r['seed_s']:.2f} s "
            f"| {r['seed_s'] / r['lower_bound_s']:.2f}x |",
            "",
            "| | videos downloaded | seconds per downloaded video |",
            "|---|---|---|",
            f"| kling-mcp batch | {r['ours_files']}/{r['prompts']} | {r['ours_s'] / max(r['ours_files'], 1):.2f} s |",
            f"| the strategy of useapi's Node script (kling.mjs) | {r['seed_files']}/{r['prompts']} "
            f"| {r['seed_s'] / max(r['seed_files'], 1):.2f} s |",
            "",
            "useapi's Node script (from the guide 'Kling v3 via the Kling API') gives a prompt up after six 429s "
            "ten seconds apart (one minute), shorter than one "
            "generation, so prompts beyond the account's job limit are lost rather than queued; its wall time is "
            "short partly because it finishes less. Its timings are scaled by the same speed factor as the "
            "simulator.",
            "",
        ]
    if (r := results.get("load")) is not None:
        lat = r["latency_ms"]
        out += [
            f"## 6. Load test (remote use): {r['clients']} MCP clients over Streamable HTTP for {r['seconds']:g} s",
            "",
            f"Command: `{r.get('command', 'python benchmarks/load_test.py')}` (loopback only; stops by itself). Each "
            "client calls get_task four times for every generate_video, against one kling-mcp server backed by the "
            "simulator. There is no baseline here: the figures that matter are zero errors and flat memory.",
            "",
            "| calls | calls/s | get_task p50 / p99 | generate_video p50 / p99 | errors | server RSS start → end |",
            "|---|---|---|---|---|---|",
            f"| {r['calls']} | {r['calls_per_s']:.0f} | {lat['get_task']['p50']:.0f} / {lat['get_task']['p99']:.0f} ms "
            f"| {lat['generate_video']['p50']:.0f} / {lat['generate_video']['p99']:.0f} ms | {r['errors']} "
            f"| {r['server_rss_mb']['start']:.0f} → {r['server_rss_mb']['end']:.0f} MB |",
            "",
        ]
    return "\n".join(out) + "\n"
