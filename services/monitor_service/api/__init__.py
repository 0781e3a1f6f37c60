"""The monitor service's REST layer: query models, response views, actions, the dashboard, OpenAPI.

`monitor_service/app.py` holds the Chalice routes; each calls an action of `actions` or
`dashboard` through `runtime.SERVER` (backbone.http does the plumbing).
"""
