"""The cluster service's operator REST API: request and response models, identity, errors,
OpenAPI.

`cluster_service/app.py` holds the Chalice routes; each calls an action of `actions` through
`runtime.serve`.
"""
