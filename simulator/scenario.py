"""A scenario: cluster profiles with their prices and start-up model, pools, the mapping, SLAs.

Every field has a default (`Scenario()` is the bundled default, `simulator/scenarios/default.yaml`
spells it out); a YAML file overrides any part. Prices are on-demand list prices in us-east-1,
EC2 plus the EMR uplift per instance-hour (https://aws.amazon.com/ec2/pricing/on-demand/,
https://aws.amazon.com/emr/pricing/), as of 2025:

| instance | EC2 $/h | EMR $/h | together |
|---|---|---|---|
| m5.xlarge | 0.192 | 0.048 | 0.240 |
| m5.2xlarge | 0.384 | 0.096 | 0.480 |
| r5.4xlarge | 1.008 | 0.252 | 1.260 |

so the three seeded shapes cost small (1+2 m5.xlarge) 0.72 $/h, medium (1+4 m5.2xlarge)
2.40 $/h, large (m5.2xlarge + 8 r5.4xlarge) 10.56 $/h per cluster.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final

import yaml

from simulator.workload import PRIORITY_CLASSES, Mapping


class ScenarioError(ValueError):
    """The scenario file (or an --sla option) cannot be used."""


@dataclass(frozen=True)
class StartupModel:
    """How long CloudFormation + EMR take, in seconds; each draw is uniform in [low, high].

    Default 7-15 minutes from CreateStack to WAITING. Source: the Amazon EMR Management Guide,
    "Understanding the cluster lifecycle"
    (https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-overview.html), which describes
    STARTING (EC2 provisioning), BOOTSTRAPPING (bootstrap actions, then the applications) and
    WAITING; the time spent there grows with instance count, applications and bootstrap
    actions, and runs to several minutes on EC2, which is why the platform keeps warm pools at
    all. The range is the platform's default assumption, and covers the local
    driver's `LOCAL_AWS_TIMINGS=realistic` (about eight minutes); change it per scenario
    (`startup:` in the YAML) with figures measured on your own account (the EMR console's
    cluster timeline). The stack's own work before EC2 is asked for, and the teardown after
    DeleteStack, are separate draws."""

    stack_low_s: float = 20.0
    stack_high_s: float = 60.0
    """CreateStack → the EMR cluster STARTING."""
    to_waiting_low_s: float = 7 * 60.0
    to_waiting_high_s: float = 15 * 60.0
    """CreateStack → WAITING, in all (includes the stack's part)."""
    bootstrap_share: float = 0.3
    """The last share of the start-up spent BOOTSTRAPPING."""
    terminate_low_s: float = 60.0
    terminate_high_s: float = 180.0
    """DeleteStack → TERMINATED (billing stops there)."""
    step_overhead_s: float = 15.0
    """AddJobFlowSteps → the step RUNNING (EMR's step scheduler, the jar's JVM start)."""


@dataclass(frozen=True)
class ProfileSpec:
    """One cluster profile: its shape (for the cluster service), slots and price."""

    name: str
    slots: int
    price_per_hour: float
    master_instance_type: str = "m5.xlarge"
    core_instance_type: str = "m5.xlarge"
    core_instance_count: int = 2
    task_instance_type: str | None = None
    task_instance_count: int = 0
    applications: tuple[str, ...] = ("Hadoop", "Spark")


@dataclass(frozen=True)
class PoolSettings:
    """The platform's MIN/MAX/TTL for one pool."""

    minimum: int
    maximum: int
    idle_ttl_seconds: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "minimum": self.minimum,
            "maximum": self.maximum,
            "idle_ttl_seconds": self.idle_ttl_seconds,
        }


DEFAULT_PROFILES: Final = (
    ProfileSpec("small", 2, 0.72),
    ProfileSpec("medium", 4, 2.40, "m5.2xlarge", "m5.2xlarge", 4, None, 0, ("Hadoop", "Spark")),
    ProfileSpec("large", 2, 10.56, "m5.2xlarge", "r5.4xlarge", 4, "r5.4xlarge", 4),
)
DEFAULT_POOLS: Final = {
    "small": PoolSettings(1, 12, 900),
    "medium": PoolSettings(1, 8, 900),
    "large": PoolSettings(0, 6, 900),
}
DEFAULT_SLA: Final = {"critical": 120.0, "high": 900.0}


@dataclass(frozen=True)
class Scenario:
    profiles: tuple[ProfileSpec, ...] = DEFAULT_PROFILES
    pools: dict[str, PoolSettings] = field(default_factory=lambda: dict(DEFAULT_POOLS))
    startup: StartupModel = field(default_factory=StartupModel)
    mapping: Mapping = field(default_factory=Mapping)
    sla: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_SLA))
    """Wait p95 target per priority class, seconds."""
    seed: int = 1
    bus_latency_s: float = 0.5
    """EventBridge → SQS → consumer, per delivery."""
    job_tick_s: float = 60.0
    cluster_tick_s: float = 60.0
    reconcile_s: float = 300.0
    """The services' RECONCILE_AFTER_SECONDS (their default)."""
    static_maximum: int = 64
    """The most clusters per profile the `static` search tries."""

    def profile(self, name: str) -> ProfileSpec:
        for spec in self.profiles:
            if spec.name == name:
                return spec
        raise ScenarioError(f"no cluster profile {name!r} in the scenario")

    def pool(self, name: str) -> PoolSettings:
        return self.pools.get(name) or PoolSettings(0, 4, 900)

    def with_pools(self, pools: dict[str, PoolSettings]) -> Scenario:
        return replace(self, pools={**self.pools, **pools})


def parse_sla(text: str) -> dict[str, float]:
    """`critical=120,high=900` → {"critical": 120.0, "high": 900.0}; ScenarioError if unusable."""
    targets: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or name not in PRIORITY_CLASSES:
            raise ScenarioError(
                f"--sla {part!r}: write class=seconds, class one of {', '.join(PRIORITY_CLASSES)}"
            )
        try:
            seconds = float(value)
        except ValueError:
            raise ScenarioError(f"--sla {part!r}: {value!r} is not a number of seconds") from None
        if not seconds > 0:
            raise ScenarioError(f"--sla {part!r}: an impossible target (must be > 0 seconds)")
        targets[name] = seconds
    if not targets:
        raise ScenarioError("--sla names no target; e.g. critical=120,high=900")
    return targets


def load_scenario(path: Path | None) -> Scenario:
    """The default scenario, overridden by the YAML file at `path` if given."""
    if path is None:
        return Scenario()
    try:
        data = yaml.safe_load(path.read_text())
    except OSError as error:
        raise ScenarioError(f"cannot read {path}: {error.strerror or error}") from error
    except yaml.YAMLError as error:
        raise ScenarioError(f"{path} is not YAML: {error}") from error
    if data is None:
        return Scenario()
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: expected a mapping at the top")
    try:
        return _scenario(data)
    except (TypeError, ValueError, KeyError) as error:
        if isinstance(error, ScenarioError):
            raise
        raise ScenarioError(f"{path}: {error}") from error


_TOP: Final = {
    "profiles",
    "pools",
    "startup",
    "mapping",
    "sla",
    "seed",
    "bus_latency_s",
    "job_tick_s",
    "cluster_tick_s",
    "static_maximum",
}


def _known(data: dict[str, Any], allowed: set[str] | frozenset[str], where: str) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        raise ScenarioError(
            f"unknown field(s) {', '.join(sorted(unknown))} in {where}; "
            f"known: {', '.join(sorted(allowed))}"
        )


def _scenario(data: dict[str, Any]) -> Scenario:
    _known(data, _TOP, "the scenario")
    base = Scenario()
    profiles = base.profiles
    if "profiles" in data:
        profiles = tuple(_profile(name, spec) for name, spec in dict(data["profiles"]).items())
        if not profiles:
            raise ScenarioError("profiles: at least one cluster profile")
    pools = {p.name: base.pool(p.name) for p in profiles}
    for name, spec in dict(data.get("pools") or {}).items():
        if name not in pools:
            raise ScenarioError(f"pools: {name!r} is not a profile of the scenario")
        _known(spec, {"minimum", "maximum", "idle_ttl_seconds"}, f"pools.{name}")
        pool = PoolSettings(
            int(spec.get("minimum", pools[name].minimum)),
            int(spec.get("maximum", pools[name].maximum)),
            int(spec.get("idle_ttl_seconds", pools[name].idle_ttl_seconds)),
        )
        check_pool(name, pool)
        pools[name] = pool
    startup = base.startup
    if "startup" in data:
        fields = set(StartupModel.__dataclass_fields__)
        _known(data["startup"], fields, "startup")
        startup = replace(startup, **{k: float(v) for k, v in data["startup"].items()})
        if not 0 <= startup.stack_low_s <= startup.stack_high_s <= startup.to_waiting_low_s:
            raise ScenarioError("startup: need 0 <= stack_low <= stack_high <= to_waiting_low")
        if startup.to_waiting_high_s < startup.to_waiting_low_s:
            raise ScenarioError("startup: to_waiting_high_s below to_waiting_low_s")
    mapping = base.mapping
    if "mapping" in data:
        spec = dict(data["mapping"])
        _known(spec, set(Mapping.__dataclass_fields__), "mapping")
        tuples = {"profiles", "profile_quantiles", "priority_quantiles"}
        spec = {k: tuple(v) if k in tuples else v for k, v in spec.items()}
        mapping = Mapping(**spec)
    if "mapping" not in data or "profiles" not in data.get("mapping", {}):
        mapping = replace(mapping, profiles=tuple(p.name for p in profiles))
        if len(mapping.profile_quantiles) != len(profiles) - 1:
            n = len(profiles)
            mapping = replace(mapping, profile_quantiles=tuple((i + 1) / n for i in range(n - 1)))
    unknown = set(mapping.profiles) - {p.name for p in profiles}
    if unknown:
        raise ScenarioError(f"mapping.profiles names unknown profile(s) {sorted(unknown)}")
    sla = base.sla
    if "sla" in data:
        sla = parse_sla(",".join(f"{k}={v}" for k, v in dict(data["sla"]).items()))
    return Scenario(
        profiles=profiles,
        pools=pools,
        startup=startup,
        mapping=mapping,
        sla=sla,
        seed=int(data.get("seed", base.seed)),
        bus_latency_s=float(data.get("bus_latency_s", base.bus_latency_s)),
        job_tick_s=float(data.get("job_tick_s", base.job_tick_s)),
        cluster_tick_s=float(data.get("cluster_tick_s", base.cluster_tick_s)),
        static_maximum=int(data.get("static_maximum", base.static_maximum)),
    )


def _profile(name: str, spec: dict[str, Any]) -> ProfileSpec:
    allowed = set(ProfileSpec.__dataclass_fields__) - {"name"}
    _known(spec, allowed, f"profiles.{name}")
    if "slots" not in spec or "price_per_hour" not in spec:
        raise ScenarioError(f"profiles.{name}: needs slots and price_per_hour")
    values = dict(spec)
    if "applications" in values:
        values["applications"] = tuple(values["applications"])
    profile = ProfileSpec(name=name, **values)
    if profile.slots < 1 or profile.price_per_hour < 0:
        raise ScenarioError(f"profiles.{name}: slots >= 1 and price_per_hour >= 0")
    return profile


def check_pool(name: str, pool: PoolSettings) -> None:
    if not 0 <= pool.minimum <= pool.maximum or pool.maximum < 1:
        raise ScenarioError(f"pools.{name}: need 0 <= minimum <= maximum, maximum >= 1")
    if pool.idle_ttl_seconds < 0:
        raise ScenarioError(f"pools.{name}: idle_ttl_seconds must be >= 0")
