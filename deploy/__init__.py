"""Deploying to AWS: the consumer resources of the SAM templates, rendered (consumers.py)."""
