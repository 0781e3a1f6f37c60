"""The local stand-in for EMR and CloudFormation moving on their own (in the process hosting moto).

moto's EMR does not move: RunJobFlow jumps to WAITING, steps never finish, and a stack's cluster
comes out TERMINATED. LocalAwsDriver takes over moto's stacks, clusters and steps, moves them
through AWS's real state sequences on configurable timings, injects failures on request, and
puts the events AWS would emit (aws.emr, aws.cloudformation) on the default bus.
"""

from .driver import LocalAwsDriver
from .settings import FAILURES_VARIABLE, TIMINGS_VARIABLE, DriverTimings, FailureRates

__all__ = [
    "FAILURES_VARIABLE",
    "TIMINGS_VARIABLE",
    "DriverTimings",
    "FailureRates",
    "LocalAwsDriver",
]
