"""The actions of /job-profiles: list, create, read, replace and delete job profiles.

Only operators create and replace job profiles (a tenant gets 403 and nothing is stored): a
profile says which program a tenant's job runs, so no tenant may choose it for another. A
tenant lists and reads only the profiles that grant it (`tenants`); any other is a 404, as if it
did not exist. Operators see every profile.
"""

from __future__ import annotations

from chalice.app import Response

from backbone.http.errors import ApiError
from backbone.http.runtime import json_response
from job_service.api.models import CreateProfile, UpdateProfile
from job_service.api.runtime import JobCall
from job_service.api.views import ProfileList, profile_view


def _reader(call: JobCall) -> str | None:
    """The tenant whose grants limit what the caller sees; None for an operator."""
    return None if call.is_operator else call.tenant_id


def list_profiles(call: JobCall) -> Response:
    found = call.app.list_profiles(_reader(call))
    return json_response(ProfileList(profiles=[profile_view(profile) for profile in found]))


def create(call: JobCall) -> Response:
    """201 with the new profile; 409 if the name is taken; 403 for a tenant."""
    call.require_operator()
    body = call.body(CreateProfile)
    profile = call.app.create_profile(body.name, body.terms(), at=call.now())
    return json_response(profile_view(profile), 201, {"Location": f"/job-profiles/{body.name}"})


def get(call: JobCall, name: str) -> Response:
    return json_response(profile_view(call.app.get_profile(name, _reader(call))))


def update(call: JobCall, name: str) -> Response:
    """200 with the profile's new terms; jobs submitted before keep theirs; 403 for a tenant."""
    call.require_operator()
    body = call.body(UpdateProfile)
    if body.name is not None and body.name != name:
        message = f"must be the name in the path, {name!r}, or left out"
        raise ApiError(400, "invalid_request", message, field="name")
    profile = call.app.update_profile(name, body.terms(), at=call.now())
    return json_response(profile_view(profile))


def delete(call: JobCall, name: str) -> Response:
    """200 with the profile's last terms: no new job may use it (404 from now on); its queued
    and running jobs go on to their end. 403 for a tenant; 404 if there is no such profile."""
    call.require_operator()
    return json_response(profile_view(call.app.delete_profile(name, at=call.now())))
