"""The printed figures: latency per scenario (and per request kind), then resource use."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from _load import TIMED_OUT, TRANSPORT_ERROR, Run, Summary, summarise
from _server import Usage

GOAL_P95_MS = 20.0
KIND_ORDER = ("list", "list-deep", "get", "create", "other-tenant")
_LATENCY_HEAD = (
    f"{'scenario':<28}{'sent':>7}{'2xx':>7}{'errors':>8}{'ok/s':>8}"
    f"{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}  verdict"
)
_USAGE_HEAD = (
    f"{'scenario':<28}{'server CPU':>11}{'CPU ms/ans':>11}{'RSS MB':>8}{'postgres':>10}"
    f"{'loadgen':>9}{'others':>8}{'send lag ms':>13}"
)


@dataclass(frozen=True, slots=True)
class Result:
    name: str
    run: Run
    usage: Usage

    @property
    def summary(self) -> Summary:
        return summarise(self.run.outcomes, self.run.elapsed_s)

    @property
    def passed(self) -> bool:
        summary = self.summary
        return summary.p95_ms < GOAL_P95_MS and not summary.errors

    def kinds(self) -> list[str]:
        seen = {o.kind for o in self.run.outcomes}
        return sorted(seen, key=lambda k: (KIND_ORDER.index(k) if k in KIND_ORDER else 99, k))


def _status_name(status: int) -> str:
    return {TIMED_OUT: "timeout", TRANSPORT_ERROR: "conn-error"}.get(status, str(status))


def errors_text(errors: Counter[int]) -> str:
    return ", ".join(f"{_status_name(s)}×{n}" for s, n in sorted(errors.items())) or "none"


def _latency_row(label: str, s: Summary, verdict: str) -> str:
    return (
        f"{label:<28}{s.sent:>7}{s.ok:>7}{sum(s.errors.values()):>8}{s.achieved_rps:>8.1f}"
        f"{s.p50_ms:>9.1f}{s.p95_ms:>9.1f}{s.p99_ms:>9.1f}{s.max_ms:>9.1f}  {verdict}"
    )


def verdict(result: Result) -> str:
    summary = result.summary
    if result.passed:
        return "PASS"
    why = [f"p95 ≥ {GOAL_P95_MS:.0f} ms"] if summary.p95_ms >= GOAL_P95_MS else []
    why += ["errors"] if summary.errors else []
    return f"FAIL ({', '.join(why)})"


def latency_table(results: list[Result]) -> list[str]:
    lines = [_LATENCY_HEAD, "-" * len(_LATENCY_HEAD)]
    for result in results:
        lines.append(_latency_row(result.name, result.summary, verdict(result)))
        kinds = result.kinds()
        if len(kinds) > 1:
            for kind in kinds:
                part = summarise(result.run.of_kind(kind), result.run.elapsed_s)
                lines.append(_latency_row(f"  · {kind}", part, ""))
    return lines


def usage_table(results: list[Result]) -> list[str]:
    lines = [_USAGE_HEAD, "-" * len(_USAGE_HEAD)]
    for result in results:
        u = result.usage
        answered = sum(1 for o in result.run.outcomes if o.status > 0)
        per_answer = 1000 * u.server_cpu_s / answered if answered else float("nan")
        lines.append(
            f"{result.name:<28}{u.server_cpu_pct:>10.0f}%{per_answer:>11.2f}"
            f"{u.server_rss_peak_mb:>8.0f}{u.postgres_cpu_pct:>9.0f}%{u.loadgen_cpu_pct:>8.0f}%"
            f"{u.others_cpu_pct:>7.0f}%{result.run.max_late_s * 1000:>13.1f}"
        )
    return lines


def error_lines(results: list[Result]) -> list[str]:
    return [
        f"errors in {r.name}: {errors_text(r.summary.errors)}" for r in results if r.summary.errors
    ]
