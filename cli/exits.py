"""Exit codes of jobctl (EXIT_CODES, also in `jobctl --help`), and the errors that end a command
with one of them."""

from __future__ import annotations

from typing import Any, Final

OK: Final = 0
JOB_UNSUCCESSFUL: Final = 1
USAGE: Final = 2
NOT_FOUND: Final = 3
AUTH: Final = 4
UNREACHABLE: Final = 5
REFUSED: Final = 6
SERVER_ERROR: Final = 7
TIMED_OUT: Final = 8
INTERRUPTED: Final = 130

EXIT_CODES: Final = (
    (OK, "done; with --wait, watch and demo: every job succeeded"),
    (JOB_UNSUCCESSFUL, "--wait, watch, demo: a job failed or was cancelled (demo: lost, stuck)"),
    (USAGE, "usage: a bad option or argument, or no API key for a service elsewhere"),
    (NOT_FOUND, "not found (404): no such job, profile or pool, or no such route"),
    (AUTH, "credentials refused (401, 403): check --api-key or --operator-key"),
    (UNREACHABLE, "the service did not answer: nothing listens on its URL, or it timed out"),
    (REFUSED, "the API refused the request (400, 409, 413, ...): its message says what to fix"),
    (SERVER_ERROR, "the API failed (5xx) or answered with something that is not its JSON"),
    (TIMED_OUT, "--wait or watch gave up at --timeout before every job ended"),
    (INTERRUPTED, "interrupted (Ctrl-C)"),
)


def exit_codes_help() -> str:
    return "exit codes:\n" + "\n".join(f"  {code:<3}  {text}" for code, text in EXIT_CODES)


class CliError(Exception):
    """An error that ends the command: `message` for the user, `exit_code` for the shell."""

    exit_code: int = USAGE

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code

    def document(self) -> dict[str, Any]:
        """The error as --json prints it."""
        return {"error": {"message": self.message}, "exit_code": self.exit_code}


class UsageError(CliError):
    exit_code = USAGE


class Unreachable(CliError):
    """Nothing answered at the service's URL."""

    exit_code = UNREACHABLE


class ApiError(CliError):
    """The API answered with an error status; `body` is its JSON error body, if it sent one."""

    def __init__(self, service: str, status: int, body: Any, fallback: str) -> None:
        self.service, self.status, self.body = service, status, body
        super().__init__(_describe(service, status, body, fallback), exit_code_of(status))

    @property
    def code(self) -> str | None:
        error = self.body.get("error") if isinstance(self.body, dict) else None
        return error.get("code") if isinstance(error, dict) else None

    def document(self) -> dict[str, Any]:
        body = self.body if isinstance(self.body, dict) else {"error": {"message": self.message}}
        return body | {"http_status": self.status, "exit_code": self.exit_code}


def exit_code_of(status: int) -> int:
    """The exit code of an HTTP error status."""
    if status == 404:
        return NOT_FOUND
    if status in (401, 403):
        return AUTH
    if 400 <= status < 500:
        return REFUSED
    return SERVER_ERROR


def _describe(service: str, status: int, body: Any, fallback: str) -> str:
    """One line per problem: the API's message, the field it names, and every detail."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return f"the {service} answered {status}: {fallback}"
    code, message, field = error.get("code"), error.get("message"), error.get("field")
    text = f"the {service} answered {status} {code}: {message}"
    if field:
        text += f" (field: {field})"
    for detail in error.get("details") or ():
        if isinstance(detail, dict):
            text += f"\n  - {detail.get('field') or '(body)'}: {detail.get('message')}"
    return text
