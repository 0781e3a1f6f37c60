"""The cluster service's operator REST API: request and response models, actions, error
statuses, OpenAPI.

`cluster_service/app.py` holds the Chalice routes; each calls an action of `actions` through its
`Server` (backbone.http does the plumbing).
"""
