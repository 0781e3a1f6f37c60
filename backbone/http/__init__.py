"""REST plumbing shared by the services' Chalice APIs; nothing here knows a service.

- `errors`: ApiError and its JSON body, pydantic and domain errors mapped to 4xx, the middleware
  that puts Chalice's own answers in the same body.
- `identity`: the caller of a request, from an authorizer's claims or an API key header.
- `runtime`: the process's Api built on first use (its callers judged before, by the settings),
  request bodies and query strings read into models, and `Server`, which runs a route's action
  with every error as its answer.
- `pagination`: opaque next_token values bound to the filters they were made for.
- `params`: query parameter types (ISO 8601 times).
- `negotiation`: the media type an Accept header prefers.
- `openapi`: an OpenAPI 3.1 document from a route table, written to and checked against a file;
  the standard meaning of 400, 401, 413 and 415.
"""
