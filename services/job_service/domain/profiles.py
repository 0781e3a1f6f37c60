"""JobProfile: what a kind of job runs (its EMR step), where (cluster profile) and on what terms.

A profile is an aggregate because it is created and replaced over the API; its id is derived from
its name (`JobProfile.id_for`), so a name is registered once and found without an index.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, cast
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from job_service.domain.errors import PriorityNotAllowed, ProfileError
from job_service.domain.lifecycle import MAX_ATTEMPTS_LIMIT, JobTerms, aware
from job_service.domain.parameter_types import ParameterType
from job_service.domain.step_template import StepKind, StepTemplate, is_xml_text
from job_service.domain.values import JOB_TYPES, PRIORITIES, JobType, Parameters, Priority

_ID_NAMESPACE: Final = UUID("0b5c7a3e-8f2d-5e61-9a4c-6d7e8f901234")
MAX_NAME_CHARS: Final = 256
EVERY_TENANT: Final = "*"
"""`tenants` of a profile every tenant may use."""
MAX_TENANTS: Final = 1000


@dataclass(frozen=True)
class ProfileTerms:
    """Everything a profile says besides its name; checked on construction."""

    job_type: JobType
    cluster_profile: str
    step_template: StepTemplate
    priority_class: Priority = "normal"
    """The priority of a job that names none."""
    allowed_priorities: frozenset[Priority] = field(default=frozenset(PRIORITIES))
    max_attempts: int = 3
    timeout_seconds: int = 3600
    tenants: frozenset[str] = frozenset({EVERY_TENANT})
    """Who may list, read and submit to it: EVERY_TENANT alone, or tenant ids."""
    parameters: Mapping[str, ParameterType] = field(default_factory=dict)
    """The declared type of each placeholder of the step template (see parameter_types.py)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "allowed_priorities", frozenset(self.allowed_priorities))
        object.__setattr__(self, "tenants", frozenset(self.tenants))
        object.__setattr__(self, "parameters", dict(self.parameters))
        self._check_tenants()
        if unused := self.parameters.keys() - self.step_template.placeholders:
            raise ProfileError(
                f"parameters declares {sorted(unused)}, which the step template does not use"
            )
        if self.job_type not in JOB_TYPES:
            raise ProfileError(f"job_type must be one of {JOB_TYPES}, not {self.job_type!r}")
        if not self.cluster_profile:
            raise ProfileError("cluster_profile must not be empty")
        if not self.allowed_priorities <= set(PRIORITIES):
            raise ProfileError(f"allowed_priorities must be among {PRIORITIES}")
        if self.priority_class not in self.allowed_priorities:
            raise PriorityNotAllowed(self.priority_class, self.allowed_priorities)
        if not 1 <= self.max_attempts <= MAX_ATTEMPTS_LIMIT:
            raise ProfileError(f"max_attempts must be 1..{MAX_ATTEMPTS_LIMIT}")
        if self.timeout_seconds < 1:
            raise ProfileError("timeout_seconds must be >= 1")

    def _check_tenants(self) -> None:
        if not 1 <= len(self.tenants) <= MAX_TENANTS:
            raise ProfileError(f"tenants must name 1 to {MAX_TENANTS} tenants, or '*'")
        if EVERY_TENANT in self.tenants and len(self.tenants) > 1:
            raise ProfileError("tenants must be ['*'] (every tenant) or tenant ids, not both")
        if not all(isinstance(t, str) and t and is_xml_text(t) for t in self.tenants):
            raise ProfileError("tenants must be tenant ids (non-empty text)")

    def grants(self, tenant_id: str) -> bool:
        """Whether the tenant may list, read and submit to the profile."""
        return EVERY_TENANT in self.tenants or tenant_id in self.tenants

    def as_fields(self) -> dict[str, Any]:
        """The terms as plain values for a stored event."""
        return {
            "job_type": self.job_type,
            "cluster_profile": self.cluster_profile,
            "priority_class": self.priority_class,
            "allowed_priorities": [p for p in PRIORITIES if p in self.allowed_priorities],
            "max_attempts": self.max_attempts,
            "timeout_seconds": self.timeout_seconds,
            "step_kind": self.step_template.kind,
            "step_args": list(self.step_template.args),
            "tenants": sorted(self.tenants),
            "parameters": {name: t.as_fields() for name, t in sorted(self.parameters.items())},
        }


class JobProfile(Aggregate):
    """A named job profile; create it with `JobProfile.register`, replace it with `update`."""

    class Registered(Aggregate.Created):
        name: str

    class Updated(Aggregate.Event):
        """Version 2 added `tenants` and `parameters` (version 1: every tenant, none declared)."""

        class_version = 2
        job_type: str
        cluster_profile: str
        priority_class: str
        allowed_priorities: list[str]
        max_attempts: int
        timeout_seconds: int
        step_kind: str
        step_args: list[str]
        tenants: list[str]
        parameters: dict[str, dict[str, Any]]

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["tenants"] = [EVERY_TENANT]
            state["parameters"] = {}

        def apply(self, profile: JobProfile) -> None:
            template = StepTemplate(cast(StepKind, self.step_kind), tuple(self.step_args))
            fields = {k: v for k, v in vars(self).items() if k in _TERMS_FIELDS}
            fields["tenants"] = frozenset(self.tenants)
            fields["parameters"] = {
                name: ParameterType.from_fields(declared)
                for name, declared in self.parameters.items()
            }
            profile._terms = ProfileTerms(step_template=template, **fields)

    class Deleted(Aggregate.Event):
        """No new job may use it; jobs accepted before run on to their end."""

        def apply(self, profile: JobProfile) -> None:
            profile.deleted = True

    class Reinstated(Aggregate.Event):
        """Created again after it was deleted (an Updated with its new terms follows)."""

        def apply(self, profile: JobProfile) -> None:
            profile.deleted = False

    def __init__(self, name: str) -> None:
        self.name = name
        self._terms: ProfileTerms | None = None
        self.deleted = False

    @staticmethod
    def id_for(name: str) -> UUID:
        """The id of the profile called `name`."""
        return uuid5(_ID_NAMESPACE, name)

    @classmethod
    def register(cls, name: str, terms: ProfileTerms, at: datetime) -> JobProfile:
        """A new profile called `name` with `terms` (Registered, then Updated, at `at`)."""
        if not name or len(name) > MAX_NAME_CHARS or not is_xml_text(name):
            raise ProfileError("name must be 1 to 256 printable characters")
        profile = cls._create(cls.Registered, id=cls.id_for(name), timestamp=aware(at), name=name)
        profile.update(terms, at)
        return profile

    def update(self, terms: ProfileTerms, at: datetime) -> None:
        """Replace every term; jobs already submitted keep the terms they were given."""
        if self.deleted:
            raise ProfileError(f"job profile {self.name!r} was deleted")
        if terms != self._terms:
            self.trigger_event(self.Updated, timestamp=aware(at), **terms.as_fields())

    def delete(self, at: datetime) -> None:
        """No new job may use the profile; jobs already accepted keep their terms and step."""
        if not self.deleted:
            self.trigger_event(self.Deleted, timestamp=aware(at))

    def reinstate(self, terms: ProfileTerms, at: datetime) -> None:
        """A deleted profile created again, with `terms`."""
        if self.deleted:
            self.trigger_event(self.Reinstated, timestamp=aware(at))
        self.trigger_event(self.Updated, timestamp=aware(at), **terms.as_fields())

    @property
    def terms(self) -> ProfileTerms:
        """The profile's terms (`register` always gives them)."""
        if self._terms is None:
            raise ProfileError(f"job profile {self.name!r} has no terms yet")
        return self._terms

    def terms_for(
        self, tenant_id: str, name: str, parameters: Parameters, priority: Priority | None = None
    ) -> JobTerms:
        """A job's terms under this profile, once its priority and parameters are checked; they
        hold the step's args as rendered now, which the job keeps whatever becomes of the
        profile."""
        terms = self.terms
        chosen = terms.priority_class if priority is None else priority
        if chosen not in terms.allowed_priorities:
            raise PriorityNotAllowed(chosen, terms.allowed_priorities)
        step = self.render_step(name, parameters)
        return JobTerms(
            tenant_id=tenant_id,
            name=name,
            job_profile=self.name,
            cluster_profile=terms.cluster_profile,
            priority=chosen,
            timeout_seconds=terms.timeout_seconds,
            max_attempts=terms.max_attempts,
            parameters=dict(parameters),
            step_args=tuple(step["HadoopJarStep"]["Args"]),
        )

    def render_step(self, job_name: str, parameters: Parameters) -> dict[str, Any]:
        """The EMR StepConfig (AddJobFlowSteps' Steps[n]) running this profile for one job."""
        if not job_name or len(job_name) > MAX_NAME_CHARS or not is_xml_text(job_name):
            raise ProfileError("a job name must be 1 to 256 printable characters")
        declared = self.terms.parameters
        for parameter, value in sorted(parameters.items()):
            if parameter in declared:
                declared[parameter].check(parameter, value)
        return {
            "Name": job_name,
            "ActionOnFailure": "CONTINUE",
            "HadoopJarStep": {
                "Jar": "command-runner.jar",
                "Args": self.terms.step_template.render(parameters),
            },
        }


_TERMS_FIELDS: Final = frozenset(ProfileTerms.__dataclass_fields__) - {
    "step_template",
    "tenants",
    "parameters",
}
