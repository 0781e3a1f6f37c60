"""Job profiles: their terms, and the EMR step they render, checked against EMR's own shapes."""

import json
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from botocore.session import get_session
from botocore.validate import validate_parameters
from eventsourcing.application import Application

from job_service.domain import (
    InvalidParameter,
    InvalidTemplate,
    JobProfile,
    MissingParameter,
    PriorityNotAllowed,
    ProfileError,
    ProfileTerms,
    StepTemplate,
    UnknownParameter,
)
from tests.job_service.support import at

REFERENCE = Path(__file__).resolve().parents[2] / "events" / "emr-api"
"""EMR's API shapes, copied into the repository (tests/events/README.md: sources, licences)."""


def reference(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((REFERENCE / name).read_text())
    return loaded


def check_shape(value: Any, shape_name: str, shapes: dict[str, Any], where: str = "") -> None:
    """Fail unless `value` fits botocore shape `shape_name`: members, required, types, limits."""
    shape = shapes[shape_name]
    if shape["type"] == "structure":
        assert isinstance(value, dict), where
        assert set(value) <= set(shape["members"]), (
            f"{where}: unknown {set(value) - set(shape['members'])}"
        )
        assert set(shape.get("required", ())) <= set(value), f"{where}: missing required"
        for key, item in value.items():
            check_shape(item, shape["members"][key]["shape"], shapes, f"{where}.{key}")
    elif shape["type"] == "list":
        assert isinstance(value, list), where
        for index, item in enumerate(value):
            check_shape(item, shape["member"]["shape"], shapes, f"{where}[{index}]")
    elif shape["type"] == "string":
        assert isinstance(value, str), where
        assert shape.get("min", 0) <= len(value) <= shape.get("max", 10**9), where
        assert value in shape.get("enum", [value]), f"{where}: {value!r} not in enum"


def spark_profile(**overrides: Any) -> JobProfile:
    template = StepTemplate(
        "spark",
        ("--deploy-mode", "cluster", "s3://jobs/train.py", "--date={date}", "--rows", "{rows}"),
    )
    fields: dict[str, Any] = {"job_type": "training", "cluster_profile": "spark-small"}
    return JobProfile.register(
        "train-xgb", ProfileTerms(step_template=template, **fields | overrides), at(0)
    )


def test_given_a_spark_profile_when_rendered_then_a_command_runner_spark_submit_step() -> None:
    step = spark_profile().render_step("nightly", {"date": "2024-01-01", "rows": 1000})

    assert step == {
        "Name": "nightly",
        "ActionOnFailure": "CONTINUE",
        "HadoopJarStep": {
            "Jar": "command-runner.jar",
            "Args": [
                "spark-submit",
                "--deploy-mode",
                "cluster",
                "s3://jobs/train.py",
                "--date=2024-01-01",
                "--rows",
                "1000",
            ],
        },
    }


def test_given_a_rendered_step_when_checked_against_emr_reference_shapes_then_it_fits() -> None:
    api = reference("emr-2009-03-31_steps-and-cluster-shapes.json")
    step = spark_profile().render_step("nightly", {"date": "2024-01-01", "rows": 1000})

    check_shape(step, "StepConfig", api["shapes"], "StepConfig")
    check_shape({"JobFlowId": "j-1ABC", "Steps": [step]}, "AddJobFlowStepsInput", api["shapes"])


def test_given_a_rendered_step_when_validated_by_botocore_then_add_job_flow_steps_accepts_it() -> (
    None
):
    model = get_session().get_service_model("emr").operation_model("AddJobFlowSteps")
    step = spark_profile().render_step("nightly", {"date": "2024-01-01", "rows": 1000})

    validate_parameters({"JobFlowId": "j-1ABC", "Steps": [step]}, model.input_shape)


def test_given_the_airflow_example_as_a_command_template_when_rendered_then_the_same_step() -> None:
    example = reference("example_emr_job_flow_and_steps.json")["SPARK_STEPS"][0]
    template = StepTemplate("command", ("/usr/lib/spark/bin/run-example", "SparkPi", "{slices}"))
    terms = ProfileTerms(job_type="scoring", cluster_profile="pi", step_template=template)
    profile = JobProfile.register("pi", terms, at(0))

    assert profile.render_step("calculate_pi", {"slices": 10}) == example


def test_given_a_parameter_missing_when_rendered_then_missing_parameter_names_it() -> None:
    with pytest.raises(MissingParameter, match="rows") as raised:
        spark_profile().render_step("nightly", {"date": "2024-01-01"})
    assert raised.value.names == ("rows",)


def test_given_an_unknown_parameter_when_rendered_then_unknown_parameter_names_it() -> None:
    with pytest.raises(UnknownParameter, match="extra"):
        spark_profile().render_step("nightly", {"date": "d", "rows": 1, "extra": "x"})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a b; rm -rf /", "a b; rm -rf /"),
        (True, "true"),
        (False, "false"),
        (-1, "-1"),
        (2.5, "2.5"),
        (-0.5, "-0.5"),
    ],
)
def test_given_a_plain_value_when_rendered_then_it_fills_exactly_one_element(
    value: Any, expected: str
) -> None:
    args = spark_profile().render_step("n", {"date": "d", "rows": value})["HadoopJarStep"]["Args"]
    assert args[-1] == expected and len(args) == 7


@pytest.mark.parametrize(
    "value",
    [
        "--conf=spark.driver.extraJavaOptions=-Dx",
        "-x",
        float("nan"),
        float("inf"),
        ["a"],
        None,
        "a\x00b",
        "x" * 4097,
    ],
)
def test_given_an_unsafe_value_when_rendered_then_invalid_parameter(value: Any) -> None:
    with pytest.raises(InvalidParameter, match="rows"):
        spark_profile().render_step("n", {"date": "d", "rows": value})


def test_given_an_element_the_template_starts_with_a_dash_when_rendered_then_dash_is_fine() -> None:
    args = spark_profile().render_step("n", {"date": "-1d", "rows": 1})["HadoopJarStep"]["Args"]
    assert "--date=-1d" in args


def test_given_placeholders_in_an_element_and_escaped_braces_when_rendered_then_one_element() -> (
    None
):
    template = StepTemplate("command", ("s3://bucket/{tenant}/{date}/in", '{{"k": 1}}'))
    assert template.placeholders == {"tenant", "date"}
    assert template.render({"tenant": "t 1", "date": "2024"}) == [
        "s3://bucket/t 1/2024/in",
        '{"k": 1}',
    ]


@pytest.mark.parametrize("arg", ["{", "}", "{not valid}", "{1x}", "a{b"])
def test_given_a_stray_brace_when_template_made_then_invalid_template(arg: str) -> None:
    with pytest.raises(InvalidTemplate):
        StepTemplate("command", ("run", arg))


@pytest.mark.parametrize("args", [(), ("a\x01",)])
def test_given_no_args_or_unprintable_args_when_template_made_then_invalid_template(
    args: tuple[str, ...],
) -> None:
    with pytest.raises(InvalidTemplate):
        StepTemplate("command", args)


def test_given_an_unknown_kind_when_template_made_then_invalid_template() -> None:
    with pytest.raises(InvalidTemplate):
        StepTemplate("hive", ("x",))


@pytest.mark.parametrize("name", ["", "x" * 257, "bad\x07"])
def test_given_a_bad_job_name_when_rendered_then_profile_error(name: str) -> None:
    with pytest.raises(ProfileError, match="job name"):
        spark_profile().render_step(name, {"date": "d", "rows": 1})


def test_given_a_profile_when_a_job_names_no_priority_then_it_gets_the_priority_class() -> None:
    profile = spark_profile(priority_class="high", max_attempts=5, timeout_seconds=120)

    terms = profile.terms_for("tenant-1", "nightly", {"date": "d", "rows": 1})

    assert (terms.priority, terms.max_attempts, terms.timeout_seconds) == ("high", 5, 120)
    assert (terms.job_profile, terms.cluster_profile) == ("train-xgb", "spark-small")


def test_given_a_profile_when_a_job_asks_a_priority_not_allowed_then_priority_not_allowed() -> None:
    profile = spark_profile(allowed_priorities=frozenset({"normal", "low"}))
    with pytest.raises(PriorityNotAllowed, match="critical"):
        profile.terms_for("tenant-1", "nightly", {"date": "d", "rows": 1}, priority="critical")


def test_given_a_profile_when_a_job_gives_bad_parameters_then_refused_before_it_is_submitted() -> (
    None
):
    with pytest.raises(MissingParameter):
        spark_profile().terms_for("tenant-1", "nightly", {"date": "d"})


@pytest.mark.parametrize(
    "bad",
    [
        {"job_type": "mining"},
        {"cluster_profile": ""},
        {"priority_class": "low", "allowed_priorities": frozenset({"high"})},
        {"max_attempts": 0},
        {"timeout_seconds": 0},
    ],
)
def test_given_bad_profile_terms_when_made_then_profile_error(bad: dict[str, Any]) -> None:
    with pytest.raises(ProfileError):
        spark_profile(**bad)


def test_given_a_name_when_registered_then_the_id_derives_from_the_name() -> None:
    profile = spark_profile()
    assert profile.id == JobProfile.id_for("train-xgb") != JobProfile.id_for("other")
    assert [type(e).__name__ for e in profile.collect_events()] == ["Registered", "Updated"]


def test_given_a_profile_when_updated_with_the_same_terms_then_no_event() -> None:
    profile = spark_profile()
    profile.collect_events()
    profile.update(profile.terms, at(5))
    assert profile.collect_events() == []


def test_given_a_profile_when_updated_and_read_back_then_it_has_the_new_terms() -> None:
    app: Application[UUID] = Application()
    profile = spark_profile()
    template = StepTemplate("command", ("python3", "score.py", "{model}"))
    profile.update(
        ProfileTerms(job_type="scoring", cluster_profile="cpu", step_template=template), at(5)
    )
    app.save(profile)

    copy: JobProfile = app.repository.get(profile.id)

    assert isinstance(copy, JobProfile)
    assert copy.terms == profile.terms and copy.terms.step_template.placeholders == {"model"}
    assert copy.render_step("s", {"model": "m1"})["HadoopJarStep"]["Args"] == [
        "python3",
        "score.py",
        "m1",
    ]
