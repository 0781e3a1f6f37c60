"""The job service's REST layer: request and response models, identity, errors, OpenAPI.

`job_service/app.py` holds the Chalice routes; each calls an action of `jobs` or `profiles`
through `runtime.serve`.
"""
