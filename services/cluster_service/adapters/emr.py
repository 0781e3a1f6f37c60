"""EmrInspector: the ClusterInspector on a boto3 EMR client (DescribeCluster)."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from cluster_service.application.ports import ClusterInspector, EmrClusterInfo


class EmrInspector(ClusterInspector):
    """Reads EMR clusters (`emr_client` is boto3's "emr" client)."""

    def __init__(self, emr_client: Any) -> None:
        self._emr = emr_client

    def describe(self, emr_cluster_id: str) -> EmrClusterInfo | None:
        try:
            cluster = self._emr.describe_cluster(ClusterId=emr_cluster_id)["Cluster"]
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "InvalidRequestException":
                return None  # EMR's answer for an id it does not know
            raise
        status = cluster.get("Status", {})
        reason = status.get("StateChangeReason", {})
        return EmrClusterInfo(
            emr_cluster_id=cluster["Id"],
            state=status.get("State", ""),
            name=cluster.get("Name", ""),
            reason=" ".join(str(v) for v in (reason.get("Code"), reason.get("Message")) if v),
            tags={tag["Key"]: tag["Value"] for tag in cluster.get("Tags", ())},
        )
