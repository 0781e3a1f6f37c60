"""The monitor's figures as CloudWatch Embedded Metric Format (EMF) documents, one per log line.

On AWS, Lambda sends what a function writes to stdout to CloudWatch Logs, and CloudWatch turns
each EMF document into metric data points; aws-lambda-powertools' EMF provider builds and checks
the documents. Samples that share their labels go into one document: the labels are its
dimensions (an empty label value is written "none": CloudWatch refuses empty ones), the figures
its metrics, the report's time its timestamp. Each distinct metric name and set of dimension
values is one CloudWatch custom metric, billed monthly: the tenant label makes that number grow
with the tenants.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from itertools import groupby
from typing import Any, Final

from aws_lambda_powertools.metrics.provider.cloudwatch_emf.cloudwatch import (
    AmazonCloudWatchEMFProvider,
)

from monitor_service.application.ports import MetricsPublisher, Sample

DEFAULT_NAMESPACE: Final = "EmrControlPlane"
METRICS_PER_DOCUMENT: Final = 90
"""Under the provider's 100, at which it would print a document of its own."""
EMPTY_LABEL: Final = "none"


def unit_of(name: str) -> str:
    """The CloudWatch unit of a metric, from how its name ends."""
    if name.endswith(("_seconds", "_seconds_total", "_seconds_sum")) or "_seconds_p" in name:
        return "Seconds"
    if "dollars" in name or name.endswith(("_ratio", "_up")):
        return "None"
    return "Count"


def _stdout(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class EmfMetricsPublisher(MetricsPublisher):
    """Writes each document with `write` (stdout by default, one JSON document per line)."""

    def __init__(
        self, namespace: str = DEFAULT_NAMESPACE, write: Callable[[str], None] = _stdout
    ) -> None:
        self.namespace = namespace
        self._write = write

    def publish(self, samples: Sequence[Sample], at: datetime) -> None:
        for document in self.documents(samples, at):
            self._write(json.dumps(document, separators=(",", ":")))

    def documents(self, samples: Sequence[Sample], at: datetime) -> Iterator[dict[str, Any]]:
        """The EMF documents of `samples`: one per label set (sorted by labels), or more if it
        holds more than METRICS_PER_DOCUMENT figures."""
        ordered = sorted(enumerate(samples), key=lambda pair: (pair[1].labels, pair[0]))
        for labels, group in groupby(ordered, key=lambda pair: pair[1].labels):
            chunk = [sample for _, sample in group]
            for begin in range(0, len(chunk), METRICS_PER_DOCUMENT):
                yield self._document(labels, chunk[begin : begin + METRICS_PER_DOCUMENT], at)

    def _document(
        self, labels: tuple[tuple[str, str], ...], samples: list[Sample], at: datetime
    ) -> dict[str, Any]:
        provider = AmazonCloudWatchEMFProvider(namespace=self.namespace)
        provider.service = ""  # no "service" dimension from POWERTOOLS_SERVICE_NAME
        for name, value in labels:
            provider.add_dimension(name=name, value=value or EMPTY_LABEL)
        for sample in samples:
            provider.add_metric(name=sample.name, unit=unit_of(sample.name), value=sample.value)
        provider.set_timestamp(at)
        document: dict[str, Any] = dict(provider.serialize_metric_set())
        return document
