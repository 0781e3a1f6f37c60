"""The actions of the operators' API: cluster profiles, pools and clusters."""

from __future__ import annotations

from chalice.app import Response

from backbone.http.runtime import json_response
from cluster_service.api.errors import ERRORS
from cluster_service.api.models import (
    ChangeThresholds,
    ClusterListQuery,
    CreateProfile,
    ProfileShape,
    SetSchedule,
)
from cluster_service.api.runtime import ClusterCall
from cluster_service.api.views import (
    ClusterList,
    PoolList,
    ProfileCreated,
    ProfileList,
    cluster_view,
    pool_view,
    profile_view,
)
from cluster_service.application import ProfileNotFound
from cluster_service.domain.errors import InvalidSchedule, InvalidThresholds


def list_profiles(call: ClusterCall) -> Response:
    profiles = [profile_view(profile) for profile in call.app.list_profiles()]
    return json_response(ProfileList(profiles=profiles))


def get_profile(call: ClusterCall, name: str) -> Response:
    return json_response(profile_view(call.app.get_profile(name)))


def create_profile(call: ClusterCall) -> Response:
    """201 with the new profile and its pool (reconciled at once); 409 if the name is taken."""
    body = call.body(CreateProfile)
    profile = body.profile()
    limits = body.pool
    try:
        pool = call.app.register_profile(
            profile, limits.minimum, limits.maximum, limits.idle_ttl_seconds, at=call.now()
        )
    except InvalidThresholds as error:
        raise ERRORS.answer_or_raise(error, field=f"pool.{error.field}") from None
    created = ProfileCreated(profile=profile_view(profile), pool=pool_view(pool))
    return json_response(created, 201, {"Location": f"/cluster-profiles/{profile.name}"})


def update_profile(call: ClusterCall, name: str) -> Response:
    """200 with the profile's new shape; clusters already started keep theirs."""
    body = call.body(ProfileShape)
    profile = body.profile_named(name)
    return json_response(profile_view(call.app.update_profile(profile, at=call.now())))


def list_clusters(call: ClusterCall) -> Response:
    query = call.query(ClusterListQuery)
    try:
        clusters = call.app.list_clusters(query.profile)
    except ProfileNotFound as error:
        raise ERRORS.answer_or_raise(error, field="profile") from None
    listed = [cluster_view(c) for c in clusters if query.state in (None, c.state)]
    return json_response(ClusterList(clusters=listed))


def list_pools(call: ClusterCall) -> Response:
    pools = call.app.list_pools(call.now())
    return json_response(PoolList(pools=[pool_view(pool) for pool in pools]))


def get_pool(call: ClusterCall, profile: str) -> Response:
    return json_response(pool_view(call.app.get_pool(profile, call.now())))


def set_schedule(call: ClusterCall, profile: str) -> Response:
    """200 with the pool, reconciled to the schedule's value for this hour."""
    body = call.body(SetSchedule)
    try:
        pool = call.app.set_schedule(profile, body.time_zone, body.hours(), "api", at=call.now())
    except InvalidSchedule as error:
        field = error.field
        if body.minimum is None and field.startswith("minimum"):
            field = "rules"  # the rules gave the value: name them
        raise ERRORS.answer_or_raise(error, field=field) from None
    return json_response(pool_view(pool))


def clear_schedule(call: ClusterCall, profile: str) -> Response:
    """200 with the pool, its own MINIMUM alone in force (also when it kept no schedule)."""
    return json_response(pool_view(call.app.clear_schedule(profile, "api", at=call.now())))


def change_thresholds(call: ClusterCall, profile: str) -> Response:
    """200 with the pool, reconciled to its new limits; a limit left out stays as it is."""
    body = call.body(ChangeThresholds)
    current = call.app.get_pool(profile)
    minimum = current.minimum if body.minimum is None else body.minimum
    maximum = current.maximum if body.maximum is None else body.maximum
    ttl = current.idle_ttl_seconds if body.idle_ttl_seconds is None else body.idle_ttl_seconds
    try:
        pool = call.app.change_thresholds(profile, minimum, maximum, ttl, "api", at=call.now())
    except InvalidThresholds as error:
        # "minimum is above maximum" is about whichever of the two the request changed
        field = error.field
        if field == "minimum" and body.minimum is None and body.maximum is not None:
            field = "maximum"
        raise ERRORS.answer_or_raise(error, field=field) from None
    return json_response(pool_view(pool))
