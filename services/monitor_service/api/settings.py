"""Settings of the monitor's REST API: OPERATOR_API_KEYS, as every operators' API reads it
(backbone.http.service_api.OperatorApiSettings)."""

from __future__ import annotations

from backbone.http.service_api import OperatorApiSettings

ApiSettings = OperatorApiSettings
