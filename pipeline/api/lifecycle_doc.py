"""OpenAPI description of the credential lifecycle routes (`pipeline.api.lifecycle`), merged into
the provider API document by `pipeline.api.openapi.openapi_document`."""

from __future__ import annotations

from typing import Any

from . import problems as p
from .openapi import _content, _operation, _ref, _responses, path_param

REVOCATION_CODES = ["reason_missing", "reason_too_long"]


def lifecycle_schemas() -> dict[str, Any]:
    date = {"type": ["string", "null"], "format": "date-time"}
    link = {"oneOf": [{"type": "null"}, {"type": "object", "required": ["id", "url"], "properties": {
        "id": {"type": "string"}, "url": {"type": "string", "format": "uri"}}}]}
    audit = {"type": "object", "required": ["action", "actor", "provider_id", "reason", "at"], "properties": {
        "action": {"enum": ["revoked"]}, "actor": {"enum": ["provider", "admin", "cli"]},
        "provider_id": {"type": ["string", "null"]}, "reason": {"type": ["string", "null"]},
        "at": {"type": "string", "format": "date-time"}}}
    return {
        "CredentialResource": {"type": "object", "required": [
            "id", "url", "document_url", "status", "issued_at", "valid_until", "revoked_at", "revocation_reason",
            "framework", "level", "renewal", "credential_status", "replaces", "superseded_by", "audit"],
            "properties": {
                "id": {"type": "string"}, "url": {"type": "string", "format": "uri"},
                "document_url": {"type": "string", "format": "uri",
                                 "description": "Where the signed credential is (GET /credentials/{id})."},
                "status": {"enum": ["active", "expired", "revoked"]},
                "issued_at": {"type": "string", "format": "date-time"}, "valid_from": {"type": ["string", "null"]},
                "valid_until": date, "revoked_at": date, "revocation_reason": {"type": ["string", "null"]},
                "framework": {"type": "object", "required": ["id", "version"]}, "level": {"type": "string"},
                "renewal": {"type": "integer", "description": "0 for a first award, n for its n-th renewal."},
                "credential_status": {"type": ["object", "null"]},
                "replaces": {**link, "description": "The credential this one renews."},
                "superseded_by": {**link, "description": "The newer credential that renews this one."},
                "audit": {"type": "array", "items": audit}}},
        "ExpiringCredentials": {"type": "object", "required": ["expiring_within", "credentials"], "properties": {
            "expiring_within": {"type": "string"},
            "credentials": {"type": "array", "items": {"allOf": [_ref("CredentialSummary"), {
                "required": ["valid_until"], "properties": {"valid_until": {"type": "string"}}}]}}}},
        "RevokeRequest": {"type": "object", "required": ["reason"], "properties": {
            "reason": {"type": "string", "minLength": 1, "maxLength": 1000}}},
    }


def _unprocessable() -> dict[str, Any]:
    schema = {"allOf": [_ref("Problem"), {"properties": {"status": {"const": 422},
                                                          "code": {"enum": REVOCATION_CODES}}}]}
    return {"description": p.title_for(REVOCATION_CODES[0]), "content": _content(schema, p.PROBLEM_JSON)}


def lifecycle_paths() -> dict[str, Any]:
    resource = ("The credential resource.", _ref("CredentialResource"))
    credential_id = path_param("id", "The UUID of the credential's urn:uuid id.")
    revoke = _responses({200: resource}, [401, 404])
    revoke["422"] = _unprocessable()
    admin = " The admin key (BADGELINE_ADMIN_KEY_HASH) may call it for any credential."
    return {
        "/credentials": {"get": _operation(
            "listExpiringCredentials", "Your credentials, not revoked nor renewed, expiring within a window.",
            _responses({200: ("Soonest first.", _ref("ExpiringCredentials"))}, [400, 401]), description=admin,
            parameters=[{"name": "expiring_within", "in": "query", "required": True,
                         "schema": {"type": "string", "pattern": "^[1-9][0-9]{0,4}[dh]$"},
                         "description": "Days (30d) or hours (12h)."}])},
        "/credentials/{id}/resource": {"get": _operation(
            "getCredentialResource", "A credential's life: status, validity, renewals, audit trail.",
            _responses({200: resource}, [401, 404]), description=admin, parameters=credential_id)},
        "/credentials/{id}/revoke": {"post": _operation(
            "revokeCredential", "Revoke for good (every copy of the award); again: 200, nothing changed.",
            revoke, parameters=credential_id, description=admin + " The signed status list shows the bit "
            "once a worker has re-signed it (seconds).",
            requestBody={"required": True, "content": _content(_ref("RevokeRequest"))})},
    }


__all__ = ["lifecycle_paths", "lifecycle_schemas"]
