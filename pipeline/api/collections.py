"""The learner's collection link in the provider API (issue 9, "The technician's collection").

- `GET /learners/<email or DID>/credentials` answers `collection_url` too (`tokens.collection_url`):
  the learner's private page `/me/<token>`, made on first request, which the provider passes on.
  It is null when the learner is unknown or holds nothing this provider can see.
- `POST /learners/<email or DID>/collection:rotate`: a new link; the old one stops working.
  `{"learner", "collection_url"}`; 404 when the provider sees none of the learner's credentials.
"""

from __future__ import annotations

from flask import Blueprint, Response

from pipeline.holder.tokens import collection_path, collection_secret, rotate_token
from pipeline.services import Services

from .auth import current_caller
from .events import json_response
from .problems import NotFound
from .reads import find_named_learner, learner_query, visible_credentials


def sees_learner(services: Services, learner_id: int, provider_id: str) -> bool:
    """True when at least one of the learner's credentials is visible to the provider."""
    with services.read_sessions() as session:
        return bool(visible_credentials(session, services.registry, learner_id, provider_id))


def register_collection_routes(bp: Blueprint, services: Services) -> None:
    """Add `POST /learners/<learner>/collection:rotate` to `bp` (mounted at `/api/v1`)."""

    @bp.post("/learners/<path:learner>/collection:rotate")
    def rotate_collection(learner: str) -> Response:
        caller = current_caller()
        query = learner_query(learner)
        with services.read_sessions() as session:
            found = find_named_learner(session, query)
            learner_id = found.id if found is not None else None
        if learner_id is None or not sees_learner(services, learner_id, caller.provider_id):
            raise NotFound("no learner with credentials visible to this API key")
        secret = collection_secret(services.settings)
        with services.sessions.begin() as session:
            token = rotate_token(session, learner_id, secret, services.clock())
        url = services.settings.public_url + collection_path(token)
        return json_response({"learner": query, "collection_url": url})
