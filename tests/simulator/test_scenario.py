"""Scenario files: the bundled default spells out the built-in one; mistakes are named."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.scenario import Scenario, ScenarioError, load_scenario, parse_sla

DEFAULT = Path(__file__).resolve().parents[2] / "simulator" / "scenarios" / "default.yaml"


def test_the_bundled_default_yaml_is_the_built_in_scenario() -> None:
    assert load_scenario(DEFAULT) == Scenario()


def test_a_scenario_overrides_only_what_it_names(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("pools:\n  small: {minimum: 3}\nstartup:\n  step_overhead_s: 5\n")
    scenario = load_scenario(path)
    assert scenario.pool("small").minimum == 3
    assert scenario.pool("small").maximum == Scenario().pool("small").maximum
    assert scenario.startup.step_overhead_s == 5
    assert scenario.startup.to_waiting_low_s == 420


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("pools:\n  tiny: {minimum: 1}\n", "'tiny' is not a profile"),
        ("pools:\n  small: {minimum: 5, maximum: 2}\n", "minimum <= maximum"),
        ("profiles:\n  x: {slots: 2}\n", "needs slots and price_per_hour"),
        ("mapping:\n  profile_field: cores\n", "unknown SWF field 'cores'"),
        ("startup:\n  warp: 1\n", "unknown field(s) warp"),
        ("- a list\n", "expected a mapping"),
    ],
)
def test_mistakes_in_a_scenario_are_named(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_scenario(path)


def test_sla_targets_parse_and_impossible_ones_are_refused() -> None:
    assert parse_sla("critical=120, high=900") == {"critical": 120.0, "high": 900.0}
    for bad in ("critical=0", "critical", "critical=soon", ""):
        with pytest.raises(ScenarioError):
            parse_sla(bad)
