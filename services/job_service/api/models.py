"""What a client may send: strict pydantic models, checked before anything reaches the store.

Every request model forbids unknown fields and coerces nothing (a number is not a string).
Limits follow what the job service must publish later (events/schemas/jobs.py): parameter
names and values as JobSubmitted takes them, at most 256 of them, and at most
MAX_PARAMETERS_BYTES of JSON, so that a JobSubmitted always fits one EventBridge entry.
"""

from __future__ import annotations

import json
import math
from typing import Annotated, Final, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from job_service.domain import PRIORITIES, ProfileTerms, StepTemplate
from job_service.domain.parameter_types import MAX_ENUM_VALUES, MAX_PATTERN_CHARS, ParameterType
from job_service.domain.values import JobType, Priority

MAX_PARAMETERS_BYTES: Final = 128 * 1024
STRICT: Final = ConfigDict(extra="forbid", strict=True, use_attribute_docstrings=True)

ProfileName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
"""A job profile's name as the API creates it: safe in a URL path without escaping."""
Identifier = Annotated[str, StringConstraints(pattern=r"^[!-~]{1,256}$")]
JobName = Annotated[str, StringConstraints(min_length=1, max_length=256)]
ParameterName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_.-]{0,127}$")]
MAX_VALUE_CHARS: Final = 4096
XML_TEXT: Final = r"[^\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]"
"""One character of EMR's XmlString alphabet (the domain's is_xml_text), as a regex class."""
ARG_PATTERN: Final = (
    r"^(?:[^{}\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|\{\{|\}\}"
    r"|\{[A-Za-z_][A-Za-z0-9_.-]{0,127}\})*$"
)
"""A step template arg: XmlString text whose braces are `{{`, `}}` or a `{name}` placeholder
(step_template.py checks the same; the document states it, the domain words the refusal)."""
_VALUE_SCHEMA: Final = {
    "anyOf": [
        {"type": "string", "maxLength": MAX_VALUE_CHARS, "pattern": f"^{XML_TEXT}*$"},
        {"type": "boolean"},
        {"type": "integer", "minimum": -(2**63), "maximum": 2**63 - 1},
        {"type": "number"},
    ]
}


def _parameter_value(value: object) -> str | bool | int | float:
    """One error naming every accepted kind (a plain union reports one per kind)."""
    if isinstance(value, bool) or (isinstance(value, float) and math.isfinite(value)):
        return value
    if isinstance(value, int) and -(2**63) <= value < 2**63:
        return value
    if isinstance(value, str) and len(value) <= MAX_VALUE_CHARS:
        return value
    raise ValueError(
        f"must be a string of at most {MAX_VALUE_CHARS} characters, true or false, "
        "a whole number within 64 bits, or a finite number"
    )


ParameterValue = Annotated[
    str | bool | int | float, PlainValidator(_parameter_value), WithJsonSchema(_VALUE_SCHEMA)
]
JobStatusName = Literal[  # JobStatus's values (a test checks)
    "submitted", "queued", "allocated", "running", "succeeded", "failed", "cancelled"
]


class SubmitJob(BaseModel):
    """POST /jobs."""

    model_config = STRICT

    profile: Identifier
    """The job profile the job runs under."""
    name: JobName
    parameters: Annotated[
        dict[ParameterName, ParameterValue],
        Field(max_length=256, json_schema_extra={"additionalProperties": False}),
    ] = {}
    """One value for each placeholder of the profile's step template, no more (a name that does
    not fit the pattern is refused, and the document says so)."""
    priority: Priority | None = None
    """One of the profile's allowed priorities; the profile's priority class if left out."""

    @field_validator("parameters")
    @classmethod
    def _fits_one_event(cls, value: dict[str, object]) -> dict[str, object]:
        if len(json.dumps(value)) > MAX_PARAMETERS_BYTES:
            raise ValueError(f"must be at most {MAX_PARAMETERS_BYTES} bytes as JSON")
        return value


_ARG_SCHEMA: Final = {"pattern": ARG_PATTERN}


class StepTemplateBody(BaseModel):
    """A job profile's EMR step: spark (spark-submit + args) or command (args alone)."""

    model_config = STRICT

    kind: Literal["spark", "command"]
    args: Annotated[
        list[
            Annotated[
                str, StringConstraints(max_length=10280), Field(json_schema_extra=_ARG_SCHEMA)
            ]
        ],
        Field(min_length=1, max_length=256),
    ]
    """Fixed args with `{name}` placeholders, each filled from one job parameter."""

    @model_validator(mode="after")
    def _renders(self) -> StepTemplateBody:
        self.template()  # InvalidTemplate is a ValueError: pydantic reports it here
        return self

    def template(self) -> StepTemplate:
        return StepTemplate(self.kind, tuple(self.args))


class ParameterTypeBody(BaseModel):
    """The type a placeholder's value must have: string (pattern, max_length), integer or
    number (minimum, maximum), date (YYYY-MM-DD), enum (values) or boolean."""

    model_config = STRICT

    type: Literal["string", "integer", "number", "date", "enum", "boolean"]
    pattern: Annotated[str, StringConstraints(max_length=MAX_PATTERN_CHARS)] | None = None
    """string: a regular expression the whole value must match."""
    max_length: Annotated[int, Field(ge=1, le=MAX_VALUE_CHARS)] | None = None
    """string: at most this many characters."""
    minimum: Annotated[float, Field(allow_inf_nan=False)] | None = None
    """integer, number: the least value allowed."""
    maximum: Annotated[float, Field(allow_inf_nan=False)] | None = None
    """integer, number: the greatest value allowed."""
    values: (
        Annotated[
            list[Annotated[str, StringConstraints(max_length=MAX_VALUE_CHARS)]],
            Field(min_length=1, max_length=MAX_ENUM_VALUES),
        ]
        | None
    ) = None
    """enum: the values allowed."""

    @model_validator(mode="after")
    def _usable(self) -> ParameterTypeBody:
        self.declared()  # a ProfileError is a ValueError: pydantic reports it here
        return self

    def declared(self) -> ParameterType:
        fields = self.model_dump(exclude_none=True)
        for bound in ("minimum", "maximum"):
            if bound in fields and float(fields[bound]).is_integer():
                fields[bound] = int(fields[bound])
        return ParameterType.from_fields(fields)


TenantId = Annotated[str, StringConstraints(pattern=r"^(\*|[A-Za-z0-9][A-Za-z0-9._-]{0,127})$")]
_TENANTS_SCHEMA: Final = {
    "type": "array",
    "minItems": 1,
    "maxItems": 1000,
    "anyOf": [
        {"items": {"const": "*"}},
        {"items": {"type": "string", "pattern": r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"}},
    ],
}
"""["*"] or tenant ids, never both (the domain refuses a mix)."""


class ProfileTermsBody(BaseModel):
    """Everything a job profile says besides its name."""

    model_config = STRICT

    job_type: JobType
    cluster_profile: Identifier
    step_template: StepTemplateBody
    allowed_priorities: Annotated[list[Priority], Field(min_length=1, max_length=4)] = list(
        PRIORITIES
    )
    priority_class: Priority = "normal"
    """The priority of a job that names none; one of allowed_priorities."""
    max_attempts: Annotated[int, Field(ge=1, le=1000)] = 3
    timeout_seconds: Annotated[int, Field(ge=1, le=2**31 - 1)] = 3600
    tenants: Annotated[
        list[TenantId], Field(min_length=1, max_length=1000), WithJsonSchema(_TENANTS_SCHEMA)
    ] = ["*"]
    """Who may list, read and submit to it: ["*"] (every tenant) or tenant ids."""
    parameters: Annotated[
        dict[ParameterName, ParameterTypeBody],
        Field(
            max_length=256,
            validate_default=True,
            json_schema_extra={"additionalProperties": False},
        ),
    ] = {}
    """The type of each placeholder of step_template, e.g. {"date": {"type": "date"}};
    every placeholder must have one."""

    @field_validator("priority_class")
    @classmethod
    def _allowed(cls, value: Priority, info: ValidationInfo) -> Priority:
        allowed = info.data.get("allowed_priorities")
        if allowed is not None and value not in allowed:
            raise ValueError(f"must be one of allowed_priorities {sorted(set(allowed))}")
        return value

    @field_validator("parameters")
    @classmethod
    def _every_placeholder_declared(
        cls, value: dict[str, ParameterTypeBody], info: ValidationInfo
    ) -> dict[str, ParameterTypeBody]:
        step_template = info.data.get("step_template")
        if step_template is None:
            return value
        placeholders = step_template.template().placeholders
        if unused := value.keys() - placeholders:
            raise ValueError(f"declares {sorted(unused)}, which step_template does not use")
        undeclared = placeholders - value.keys()
        if undeclared:
            example = ", ".join(f'"{n}": {{"type": "string"}}' for n in sorted(undeclared))
            raise ValueError(
                f"must declare a type for each placeholder of step_template; "
                f"missing {sorted(undeclared)} (e.g. {{{example}}})"
            )
        return value

    def terms(self) -> ProfileTerms:
        return ProfileTerms(
            job_type=self.job_type,
            cluster_profile=self.cluster_profile,
            step_template=self.step_template.template(),
            priority_class=self.priority_class,
            allowed_priorities=frozenset(self.allowed_priorities),
            max_attempts=self.max_attempts,
            timeout_seconds=self.timeout_seconds,
            tenants=frozenset(self.tenants),
            parameters={name: body.declared() for name, body in self.parameters.items()},
        )


class CreateProfile(ProfileTermsBody):
    """POST /job-profiles."""

    name: ProfileName


class UpdateProfile(ProfileTermsBody):
    """PUT /job-profiles/{name}: every term again; `name`, if given, must be the path's."""

    name: ProfileName | None = None


class JobListQuery(BaseModel):
    """GET /jobs query parameters (strings in the URL, so numbers are parsed)."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    status: JobStatusName | None = None
    profile: Identifier | None = None
    limit: Annotated[int, Field(ge=1, le=100)] = 20
    next_token: Annotated[str, StringConstraints(max_length=1024)] | None = None
    """The previous page's next_token; the other parameters must stay the same."""
