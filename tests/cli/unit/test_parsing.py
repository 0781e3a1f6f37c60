"""jobctl's arguments, parameters and settings: parsed without any service."""

from __future__ import annotations

import io
from typing import Any

import pytest

from cli.commands.jobs import parse_parameters
from cli.exits import USAGE, UsageError
from cli.main import main
from cli.parser import build_parser
from cli.settings import LOCAL_API_KEY, LOCAL_OPERATOR_KEY, Settings


def parse(*argv: str) -> Any:
    return build_parser().parse_args(list(argv))


def run(*argv: str, **environ: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), environ=environ, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    "argv",
    [["--json", "list"], ["list", "--json"]],
)
def test_global_options_go_before_or_after_the_command(argv: list[str]) -> None:
    assert parse(*argv).json is True


def test_a_global_option_after_the_command_wins_over_one_before() -> None:
    args = parse("--api-key", "before-key", "status", "j-1", "--api-key", "after-key")
    assert args.api_key == "after-key"


def test_global_options_reach_the_nested_pools_set_command() -> None:
    args = parse("pools", "set", "small", "--max", "4", "--json", "--operator-key", "op-key-1")
    assert (args.profile, args.max, args.min, args.json) == ("small", 4, None, True)
    assert args.operator_key == "op-key-1"


def test_pools_alone_and_pools_show_name_no_or_one_profile() -> None:
    assert parse("pools").profile is None
    assert parse("pools", "show", "large").profile == "large"


def test_submit_takes_repeated_parameters_and_its_options() -> None:
    args = parse(
        "submit",
        "scoring",
        "--name",
        "n",
        "-p",
        "a=1",
        "--param",
        "b:=2",
        "--priority",
        "high",
        "--idempotency-key",
        "k-1",
        "--wait",
        "--timeout",
        "30",
    )
    assert (args.param, args.priority, args.idempotency_key) == (["a=1", "b:=2"], "high", "k-1")
    assert (args.wait, args.timeout, args.interval) == (True, 30.0, 1.0)


@pytest.mark.parametrize(
    "argv",
    [
        ["list", "--limit", "0"],
        ["list", "--limit", "101"],
        ["list", "--status", "done"],
        ["submit", "scoring"],  # --name is required
        ["submit", "scoring", "--name", "n", "--priority", "urgent"],
        ["watch", "--interval", "0"],
        ["watch", "--timeout", "nan"],
        ["pools", "set", "small", "--max", "-1"],
        ["nonsense"],
        [],
    ],
)
def test_bad_usage_exits_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv, environ={})
    assert exited.value.code == USAGE
    assert "usage: jobctl" in capsys.readouterr().err


def test_text_numbers_and_booleans_become_parameters() -> None:
    parsed = parse_parameters(["date=2026-11-24", "n:=5", "f:=1.5", "on:=true", "eq=a=b"])
    assert parsed == {"date": "2026-11-24", "n": 5, "f": 1.5, "on": True, "eq": "a=b"}


def test_a_text_that_looks_like_a_number_stays_text_without_colon() -> None:
    assert parse_parameters(["seconds=5"]) == {"seconds": "5"}


@pytest.mark.parametrize("item", ["novalue", "=x", "a:=[1]", "a:=null", "a:=nope"])
def test_unusable_parameters_are_usage_errors(item: str) -> None:
    with pytest.raises(UsageError):
        parse_parameters([item])


def test_a_parameter_given_twice_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="twice"):
        parse_parameters(["a=1", "a:=2"])


def test_local_services_get_the_local_keys_by_default() -> None:
    settings = Settings.resolve({})
    assert (settings.job.key, settings.cluster.key) == (LOCAL_API_KEY, LOCAL_OPERATOR_KEY)
    assert settings.job.url == "http://127.0.0.1:8001"


def test_options_win_over_the_environment_which_wins_over_defaults() -> None:
    environ = {"JOBCTL_API_KEY": "env-key", "JOBCTL_JOB_URL": "http://jobs.example:80/"}
    settings = Settings.resolve(environ, api_key="option-key")
    assert (settings.job.key, settings.job.url) == ("option-key", "http://jobs.example:80")
    assert Settings.resolve(environ).job.key == "env-key"


def test_no_key_is_guessed_for_a_service_elsewhere() -> None:
    code, out, err = run("status", "j-1", JOBCTL_JOB_URL="https://jobs.example.com")
    assert (code, out) == (USAGE, "")
    assert "no key for the job service at https://jobs.example.com" in err
    assert "--api-key or JOBCTL_API_KEY" in err


def test_a_url_that_is_not_http_is_a_usage_error() -> None:
    code, _, err = run("list", "--job-url", "localhost:8001")
    assert code == USAGE
    assert "is not a service URL" in err


def test_pools_set_without_a_change_is_a_usage_error() -> None:
    code, _, err = run("pools", "set", "small")
    assert code == USAGE
    assert "give at least one of --min, --max, --idle-ttl" in err


def test_the_help_lists_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "exit codes:\n  0" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--from", "yesterday", "--to", "2026-12-02"], "'yesterday' is not an ISO 8601 time"),
        (["--from", "2026-12-01", "--to", "2026-02-30"], "'2026-02-30' is not an ISO 8601 time"),
        (["--to", "2026-12-02"], "the following arguments are required: --from"),
        (["--from", "2026-12-01", "--to", "2026-12-02", "--page-size", "0"], "not between"),
    ],
)
def test_export_refuses_bad_times_before_asking_anything(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        parse("export", *argv)
    assert exited.value.code == USAGE
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("to", ["2026-12-01T00:00:00Z", "2026-11-30"])
def test_export_refuses_a_range_that_ends_before_it_starts(to: str) -> None:
    code, out, err = run("export", "--from", "2026-12-01", "--to", to)
    assert code == USAGE and out == ""
    assert "--to (" in err and "must come after --from (2026-12-01T00:00:00Z)" in err
