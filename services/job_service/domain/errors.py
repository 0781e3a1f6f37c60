"""The job service's domain errors: one class per thing a caller can get wrong."""

from collections.abc import Iterable


class JobServiceError(Exception):
    """Base of every error the job service's domain raises."""


class IllegalTransition(JobServiceError):
    """A command that the job's status does not allow (the API answers 409)."""

    def __init__(self, command: str, status: str, detail: str = "") -> None:
        self.command = command
        self.status = status
        suffix = f": {detail}" if detail else ""
        super().__init__(f"cannot {command} a job that is {status}{suffix}")


class StaleSignal(JobServiceError):
    """A signal about an attempt, step or allocation that is not the job's current one."""

    def __init__(self, signal: str, detail: str) -> None:
        self.signal = signal
        super().__init__(f"stale {signal}: {detail}")


class InvalidJob(JobServiceError, ValueError):
    """A job's own terms are out of range (priority, attempts, timeout, time zone)."""


class ProfileError(JobServiceError, ValueError):
    """A job profile, or a submission against one, that cannot be used."""


class InvalidTemplate(ProfileError):
    """A step template that cannot be rendered safely."""


class PriorityNotAllowed(ProfileError):
    """A priority the job profile does not allow."""

    def __init__(self, priority: str, allowed: Iterable[str]) -> None:
        self.priority = priority
        super().__init__(f"priority {priority!r} is not allowed; use one of {sorted(allowed)}")


class MissingParameter(ProfileError):
    """The step template needs parameters the job did not give."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = tuple(sorted(names))
        super().__init__(f"missing parameter(s): {', '.join(self.names)}")


class UnknownParameter(ProfileError):
    """The job gave parameters that the step template does not use."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = tuple(sorted(names))
        super().__init__(f"unknown parameter(s): {', '.join(self.names)}")


class InvalidParameter(ProfileError):
    """A parameter value that is not a plain str/int/float/bool or would change the command."""

    def __init__(self, name: str, why: str) -> None:
        self.name = name
        super().__init__(f"parameter {name!r} {why}")
