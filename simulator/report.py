"""The figures as a table (stdout), and as one offline HTML file with matplotlib plots inlined
as base64 PNG: cost against critical p95 wait per policy, clusters per profile over time
against demand (the platform run), and the wait CDF per priority class (the platform run)."""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path
from typing import Any

from simulator.stats import PolicyResult
from simulator.workload import PRIORITY_CLASSES


def table(results: list[PolicyResult]) -> str:
    """One line per policy: cost, cluster-hours, clusters, utilization, jobs, waits, SLA."""
    head = (
        f"{'policy':<16}{'cost $':>11}{'cl-hours':>10}{'started':>8}{'util':>6}{'finished':>9}"
        f"{'crit p95':>9}{'high p95':>9}{'norm p95':>9}{'low p95':>9}  sla"
    )
    lines = [head, "-" * len(head)]
    for r in results:
        p95 = [
            f"{r.waits.p95(c):>9.0f}" if c in r.waits.by_class else f"{'-':>9}"
            for c in PRIORITY_CLASSES
        ]
        misses = ",".join(r.sla_misses) or ("met" if r.sla_met else "unfinished")
        lines.append(
            f"{r.name:<16}{r.cost_usd:>11.0f}{r.cluster_hours:>10.0f}{r.clusters_started:>8}"
            f"{r.utilization:>6.2f}{r.jobs_finished:>9}" + "".join(p95) + f"  {misses}"
        )
    return "\n".join(lines)


def tenant_table(results: list[PolicyResult]) -> str:
    """Wait p50/p95/p99 per tenant, one line per policy and tenant."""
    head = f"{'policy':<16}{'tenant':<10}{'jobs':>8}{'p50':>9}{'p95':>9}{'p99':>9}"
    lines = [head, "-" * len(head)]
    for r in results:
        for tenant, histogram in sorted(r.waits.by_tenant.items()):
            figures = histogram.summary()
            lines.append(
                f"{r.name:<16}{tenant:<10}{histogram.total:>8}"
                f"{figures['p50']:>9.0f}{figures['p95']:>9.0f}{figures['p99']:>9.0f}"
            )
    return "\n".join(lines)


def _png(figure: Any) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _plots(results: list[PolicyResult]) -> list[tuple[str, str]]:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    out: list[tuple[str, str]] = []
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for r in results:
        ax.scatter(r.cost_usd, r.waits.p95("critical"), s=40)
        ax.annotate(r.name, (r.cost_usd, r.waits.p95("critical")), fontsize=8)
    if results and "critical" in results[0].sla:
        ax.axhline(results[0].sla["critical"], linestyle="--", color="grey", label="SLA")
        ax.legend()
    ax.set_xlabel("cost (USD)")
    ax.set_ylabel("critical wait p95 (s)")
    ax.set_title("cost against critical p95 wait")
    out.append(("Cost against critical p95 wait, per policy", _png(fig)))
    plt.close(fig)
    for r in results:
        if r.timeline is None or not r.timeline.times:
            continue
        names = sorted(set(r.timeline.clusters) | set(r.timeline.demand))
        fig, axes = plt.subplots(len(names), 1, figsize=(9, 2.2 * len(names)), sharex=True)
        days = [t / 86_400 for t in r.timeline.times]
        for ax, name in zip(axes if len(names) > 1 else [axes], names, strict=False):
            ax.plot(days, r.timeline.clusters.get(name, [0.0] * len(days)), label="clusters")
            ax.plot(days, r.timeline.demand.get(name, [0.0] * len(days)), label="demand", lw=0.7)
            ax.set_ylabel(name)
            ax.legend(loc="upper right", fontsize=7)
        axes_last = axes[-1] if len(names) > 1 else axes
        axes_last.set_xlabel("day of the log")
        fig.suptitle(f"{r.name}: clusters per profile against demand (jobs / slots)")
        out.append((f"{r.name}: clusters per profile over time against demand", _png(fig)))
        plt.close(fig)
        fig, ax = plt.subplots(figsize=(7, 4.5))
        for c in PRIORITY_CLASSES:
            if c in r.waits.by_class:
                xs, ys = r.waits.by_class[c].cdf()
                ax.step([max(x, 1.0) for x in xs], ys, where="post", label=c)
        ax.set_xscale("log")
        ax.set_xlabel("wait from submission to start (s)")
        ax.set_ylabel("share of jobs")
        ax.legend()
        ax.set_title(f"{r.name}: wait CDF per priority class")
        out.append((f"{r.name}: wait CDF per priority class", _png(fig)))
        plt.close(fig)
    return out


def write_html(path: Path, document: dict[str, Any], results: list[PolicyResult]) -> None:
    """One self-contained HTML file: the table, the plots, the JSON."""
    images = "".join(
        f"<h2>{html.escape(title)}</h2><img alt='{html.escape(title)}' "
        f"src='data:image/png;base64,{data}'>"
        for title, data in _plots(results)
    )
    notes = "".join(
        f"<li><b>{html.escape(r.name)}</b> ({r.model}): {html.escape('; '.join(r.notes))}</li>"
        for r in results
        if r.notes
    )
    log = document.get("log", {})
    path.write_text(
        "<!doctype html><html><head><meta charset='utf-8'><title>Capacity simulator</title>"
        "<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto}"
        "pre{background:#f4f4f4;padding:1em;overflow:auto}</style></head><body>"
        f"<h1>Capacity simulator: {html.escape(str(log.get('name', '')))}</h1>"
        f"<p>{log.get('jobs')} jobs over {log.get('span_days')} days; SLA (p95 wait, s): "
        f"{html.escape(json.dumps(document.get('sla')))}; simulated in "
        f"{document.get('elapsed_s')} s.</p>"
        f"<pre>{html.escape(table(results))}</pre>{images}"
        f"<h2>Waits per tenant (s)</h2><pre>{html.escape(tenant_table(results))}</pre>"
        f"<h2>Notes</h2><ul>{notes}</ul>"
        f"<h2>JSON</h2><pre>{html.escape(json.dumps(document, indent=1))}</pre></body></html>"
    )
