"""The actions of /job-profiles: list, create, read and replace job profiles.

Only operators create and replace job profiles (a tenant gets 403 and nothing is stored): a
profile says which program a tenant's job runs, so no tenant may choose it for another.
"""

from __future__ import annotations

from chalice.app import Response

from backbone.http.errors import ApiError
from backbone.http.runtime import json_response
from job_service.api.models import CreateProfile, UpdateProfile
from job_service.api.runtime import JobCall
from job_service.api.views import ProfileList, profile_view


def list_profiles(call: JobCall) -> Response:
    profiles = [profile_view(profile) for profile in call.app.list_profiles()]
    return json_response(ProfileList(profiles=profiles))


def create(call: JobCall) -> Response:
    """201 with the new profile; 409 if the name is taken; 403 for a tenant."""
    call.require_operator()
    body = call.body(CreateProfile)
    profile = call.app.create_profile(body.name, body.terms(), at=call.now())
    return json_response(profile_view(profile), 201, {"Location": f"/job-profiles/{body.name}"})


def get(call: JobCall, name: str) -> Response:
    return json_response(profile_view(call.app.get_profile(name)))


def update(call: JobCall, name: str) -> Response:
    """200 with the profile's new terms; jobs submitted before keep theirs; 403 for a tenant."""
    call.require_operator()
    body = call.body(UpdateProfile)
    if body.name is not None and body.name != name:
        message = f"must be the name in the path, {name!r}, or left out"
        raise ApiError(400, "invalid_request", message, field="name")
    profile = call.app.update_profile(name, body.terms(), at=call.now())
    return json_response(profile_view(profile))
