"""Statistics and the load-test summary shared by the benchmarks."""

from __future__ import annotations

import math
import statistics


def p95(values: list[float]) -> float:
    """Nearest-rank 95th percentile (of 20 samples: the 19th smallest)."""
    s = sorted(values)
    return s[max(0, math.ceil(0.95 * len(s)) - 1)]


def load_report(
    title: str, sessions: int, single: list[float], many: list[float], detail: str, gate: bool = True
) -> list[str]:
    """Print one user's vs concurrent users' change latencies; return the failure if p95 exceeds 3x."""
    ratio = p95(many) / p95(single)
    print(f"| {title} | sessions | changes | median (ms) | p95 (ms) |\n|---|---:|---:|---:|---:|")
    print(f"| one session alone | 1 | {len(single)} | {statistics.median(single):.0f} | {p95(single):.0f} |")
    print(f"| concurrent | {sessions} | {len(many)} | {statistics.median(many):.0f} | {p95(many):.0f} |")
    print(f"p95 concurrent / single = {ratio:.2f}x (target <= 3x); {detail}")
    if ratio > 3 and gate:
        return [f"p95 under load is {ratio:.2f}x the single-user p95 (target <= 3x)"]
    return []


def verdict(failures: list[str]) -> int:
    """Print every failure and the load test's last line; the exit code (1 on any failure)."""
    for f in failures:
        print("FAIL:", f)
    print("load test:", "ok" if not failures else f"{len(failures)} failure(s)")
    return 1 if failures else 0
