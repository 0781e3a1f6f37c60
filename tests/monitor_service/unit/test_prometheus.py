"""The Prometheus text exposition: every sample line parses, every family is declared once."""

from __future__ import annotations

import re

from bench.monitor_scenario import generate
from monitor_service.adapters import load_price_book
from monitor_service.application import to_prometheus
from monitor_service.domain import MonitorPolicy
from tests.monitor_service import support as s

LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE = re.compile(
    rf"^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{{(?P<labels>{LABEL}(?:,{LABEL})*)\}})?"
    r" (?P<value>-?(?:\d+(?:\.\d*)?(?:e[+-]?\d+)?|inf|nan))$"
)
TYPES = {"gauge", "counter", "summary"}


def _parse(text: str) -> dict[str, list[tuple[str, float]]]:
    """family -> [(labels, value)], checking each line on the way."""
    families: dict[str, list[tuple[str, float]]] = {}
    declared: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("# HELP "):
            continue
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            assert kind in TYPES and name not in declared
            declared[name] = kind
            families[name] = []
            continue
        match = SAMPLE.match(line)
        assert match, f"not a sample line: {line!r}"
        name = match["name"]
        family = re.sub(r"_(sum|count)$", "", name) if name not in declared else name
        assert family in declared, f"{name} has no # TYPE"
        families[family].append((match["labels"] or "", float(match["value"])))
    return families


def test_every_line_of_a_busy_platforms_metrics_parses() -> None:
    world = s.World(policy=MonitorPolicy(prices=load_price_book()))
    events = generate(jobs=120, seed=4)
    world.deliver_all(events)
    world.app.tick(s.at(events[-1][0]))
    text = world.app.prometheus(s.at(events[-1][0] + 60))
    families = _parse(text)
    assert text.endswith("\n")
    assert families["emrcp_queue_depth"] and families["emrcp_tenant_cost_dollars_total"]
    assert any('quantile="0.99"' in labels for labels, _ in families["emrcp_job_wait_seconds"])
    assert 'profile="small",state="terminated"' in {lab for lab, _ in families["emrcp_clusters"]}


def test_the_example_queue_depth_sample() -> None:
    world = s.World()
    world.deliver(s.submitted("a", 0, profile="small", priority="high", tenant="acme"))
    lines = world.app.prometheus(s.at(10)).splitlines()
    assert 'emrcp_queue_depth{profile="small",priority="high",tenant="acme"} 1' in lines
    assert "# TYPE emrcp_queue_depth gauge" in lines


def test_label_values_are_escaped() -> None:
    text = to_prometheus({"queue_depth": [{"profile": 'a"b\\c\nd', "value": 2}]})
    assert 'emrcp_queue_depth{profile="a\\"b\\\\c\\nd"} 2' in text.splitlines()
    _parse(text)
