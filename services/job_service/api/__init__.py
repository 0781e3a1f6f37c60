"""The job service's REST layer: request and response models, actions, error statuses, OpenAPI.

`job_service/app.py` holds the Chalice routes; each calls an action of `jobs` or `profiles`
through its `Server` (backbone.http does the plumbing).
"""
