"""SsmThresholds: the ThresholdSource on SSM Parameter Store.

Parameters `/<prefix>/<profile>/minimum`, `.../maximum` and `.../idle-ttl-seconds`, read with one
paginated GetParametersByPath. A reading's version joins each parameter's own Version, so it
changes whenever one of them is written (even with the same value).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from cluster_service.application.ports import THRESHOLD_KEYS, ThresholdReading, ThresholdSource


class SsmThresholds(ThresholdSource):
    """Pool limits under `/<prefix>/` (`ssm_client` is boto3's "ssm" client)."""

    def __init__(self, ssm_client: Any, prefix: str) -> None:
        self._ssm = ssm_client
        self.path = "/" + prefix.strip("/") + "/"

    def read(self) -> dict[str, ThresholdReading]:
        found: dict[str, dict[str, tuple[str, int]]] = defaultdict(dict)
        pages = self._ssm.get_paginator("get_parameters_by_path").paginate(
            Path=self.path.rstrip("/"), Recursive=True
        )
        for page in pages:
            for parameter in page.get("Parameters", ()):
                profile, _, key = parameter["Name"][len(self.path) :].partition("/")
                if profile and key in THRESHOLD_KEYS:
                    found[profile][key] = (parameter["Value"], int(parameter.get("Version", 0)))
        return {profile: _reading(values) for profile, values in found.items()}


def _reading(values: dict[str, tuple[str, int]]) -> ThresholdReading:
    version = ",".join(f"{key}@{values[key][1]}" for key in sorted(values))
    return ThresholdReading({key: value for key, (value, _) in values.items()}, version)
