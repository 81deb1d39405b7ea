#!/usr/bin/env python3
"""Writes Sources/CRMSyncServer/openapi.json, the OpenAPI 3.1 description of `crmsync serve`.

The JSON file is the checked-in contract (served at /openapi.json, compared with the router by
the tests); this script is how it is edited: change it here, run it, commit both.
"""
import json, pathlib

def ref(name): return {"$ref": f"#/components/schemas/{name}"}
def json_body(schema, description="OK"): return {"description": description, "content": {"application/json": {"schema": schema}}}
ERR = {"$ref": "#/components/responses/Error"}
def errors(*codes): return {str(c): ERR for c in codes}
ACCOUNT_ID = {"name": "account", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}
CONFLICT_ID = {"name": "conflict", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}
PROVIDER = {"name": "provider", "in": "path", "required": True, "schema": {"type": "string", "enum": ["google", "outlook"]}}
LIMIT = lambda d, m: {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": m, "default": d}}
ORG = {"$ref": "#/components/parameters/OrganizationId"}
def api(op, summary, responses, params=(), body=None, tag="calendar"):
    o = {"operationId": op, "summary": summary, "tags": [tag], "security": [{"bearer": []}],
         "parameters": [ORG, *params], "responses": {**responses, **errors(400, 401, 404)}}
    if body:
        o["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
        o["responses"].update(errors(413, 415))
    return o

# Not blank (a character other than white space), no NUL, lengths in code points: FieldRules.swift.
CALENDAR_ID = {"type": "string", "minLength": 1, "maxLength": 1024, "pattern": "^[^\\x00]*[^\\s\\x00][^\\x00]*$",
               "description": "Not blank; no NUL (Postgres text cannot hold it)."}
nullable = lambda s: {"oneOf": [s, {"type": "null"}]}
ts = {"type": "string", "format": "date-time"}
doc = {
  "openapi": "3.1.0",
  "info": {"title": "crmsync", "version": "1.0.0",
           "description": "Calendar sync service of a multi-tenant CRM. /v1 routes take a bearer JWT (HS256, RS256 or ES256; exp, nbf and aud checked) "
                          "and the active organization in X-Organization-Id; every request runs in one database transaction under that identity, "
                          "so objects of another organization or another user answer 404. Errors are {\"error\":{\"code\",\"message\"}} with stable codes. "
                          "No field of a request body is nullable (null is 400 invalid_value); a method a path does not have is 405 with Allow."},
  "servers": [{"url": "/"}],
  "paths": {
    "/v1/calendar/accounts/connect": {"post": api("startCalendarConnect", "Start connecting a calendar account: returns the provider's authorization URL (state valid 10 minutes, single use). "
        "429 too_many_connect_attempts when 20 flows of the caller are pending; 503 provider_not_configured without an OAuth client.",
        {"201": json_body(ref("ConnectStarted"), "Authorization URL to open in the browser"),
         **errors(429, 503)}, body=ref("ConnectRequest"))},
    "/v1/calendar/accounts": {"get": api("listCalendarAccounts", "The caller's calendar accounts in the active organization (a disconnected account is not listed).",
        {"200": json_body({"type": "object", "required": ["accounts"], "additionalProperties": False,
                           "properties": {"accounts": {"type": "array", "items": ref("Account")}}})})},
    "/v1/calendar/accounts/{account}": {
        "get": api("getCalendarAccount", "One of the caller's calendar accounts; 404 once it is disconnected.", {"200": json_body(ref("Account"))}, [ACCOUNT_ID]),
        "patch": api("updateCalendarAccount", "Change settings; a new calendar_id forgets the old calendar's sync state and syncs again. 404 once the account is disconnected.",
            {"200": json_body(ref("Account"))}, [ACCOUNT_ID], body=ref("AccountSettings")),
        "delete": api("disconnectCalendarAccount", "Disconnect: revoke the grant, stop push channels/subscriptions, stop syncing; mappings kept unless remove_mappings=true. "
            "Answers the account one last time (status disconnected); from then on it is gone from the API (404 on every route, not listed, its conflicts neither) "
            "until it is connected again; its row, sync log and audit stay in the database.",
            {"200": json_body(ref("Account"), "The account as disconnected")}, [ACCOUNT_ID, {"name": "remove_mappings", "in": "query", "schema": {"type": "boolean", "default": False}}]),
    },
    "/v1/calendar/accounts/{account}/sync": {"post": api("requestCalendarSync", "Ask for a sync now; returns at once, the run appears in the sync log. 409 account_not_syncable when paused or needing reconnection; 404 once disconnected.",
        {"202": json_body(ref("SyncRequested"), "Accepted"), **errors(409)}, [ACCOUNT_ID])},
    "/v1/calendar/accounts/{account}/sync-log": {"get": api("getCalendarSyncLog", "The account's sync runs, newest first; 404 once the account is disconnected.",
        {"200": json_body({"type": "object", "required": ["entries"], "additionalProperties": False,
                           "properties": {"entries": {"type": "array", "items": ref("SyncLogEntry")}}})}, [ACCOUNT_ID, LIMIT(50, 500)])},
    "/v1/calendar/conflicts": {"get": api("listCalendarConflicts", "The caller's sync conflicts (both sides changed, strategy manual), none of a disconnected account.",
        {"200": json_body({"type": "object", "required": ["conflicts"], "additionalProperties": False,
                           "properties": {"conflicts": {"type": "array", "items": ref("Conflict")}}})},
        [{"name": "account_id", "in": "query", "schema": {"type": "string", "format": "uuid"}},
         {"name": "status", "in": "query", "schema": {"type": "string", "enum": ["open", "resolved", "all"], "default": "open"}}, LIMIT(100, 500)])},
    "/v1/calendar/conflicts/{conflict}/resolve": {"post": api("resolveCalendarConflict", "Keep the CRM's or the calendar's version; the choice then syncs. Of concurrent resolutions exactly one answers 200; "
        "the others, and any later one, answer 409 already_resolved. 404 when the conflict's account is disconnected.",
        {"200": json_body(ref("Conflict")), **errors(409)}, [CONFLICT_ID], body=ref("ConflictResolution"))},
    "/oauth/{provider}/callback": {"get": {"operationId": "oauthCallback", "tags": ["oauth"],
        "summary": "The provider's redirect after consent: checks state, exchanges the code (PKCE), stores the tokens encrypted, creates or reconnects the account, starts push notifications and the first sync, then redirects to the CRM's return URL with status=connected&account=<id> or status=error&error=<code> "
                   "(access_denied, provider_error, state_invalid, state_expired, state_used, provider_mismatch, missing_code, exchange_failed, connect_failed, temporarily_unavailable); "
                   "no error creates an account. Every outcome is a redirect, also for a provider name that is neither google nor outlook "
                   "(error=provider_mismatch when the state is valid, else state_invalid): the browser always lands on the CRM's page.",
        "parameters": [{**PROVIDER, "schema": {"type": "string"}}] + [{"name": n, "in": "query", "schema": {"type": "string"}} for n in ("state", "code", "error", "error_description")],
        "responses": {"302": {"description": "Redirect to the CRM's return URL with the outcome", "headers": {"Location": {"schema": {"type": "string", "format": "uri"}}}}}}},
    "/oauth/complete": {"get": {"operationId": "oauthComplete", "tags": ["oauth"],
        "summary": "Default return page when no CRM return URL is configured: says whether the account was connected.",
        "parameters": [{"name": n, "in": "query", "schema": {"type": "string"}} for n in ("status", "account", "error")],
        "responses": {"200": {"description": "A short text page", "content": {"text/plain": {"schema": {"type": "string"}}}}}}},
    "/webhooks/google": {"post": {"operationId": "googleWebhook", "tags": ["webhooks"],
        "summary": "Google Calendar push notification (headers X-Goog-Channel-ID, X-Goog-Channel-Token, X-Goog-Resource-State, …; no body). A live channel with the right token marks its account due.",
        "parameters": [{"name": h, "in": "header", "required": req, "schema": {"type": "string", **({"minLength": 1, "maxLength": 255} if req else {})}}
                       for h, req in (("X-Goog-Channel-ID", True), ("X-Goog-Resource-State", True), ("X-Goog-Channel-Token", False),
                                      ("X-Goog-Resource-ID", False), ("X-Goog-Resource-URI", False), ("X-Goog-Message-Number", False),
                                      ("X-Goog-Channel-Expiration", False))],
        "responses": {"200": {"description": "Accepted (sync handshake or change)"},
                      "400": {**ERR, "description": "X-Goog-Channel-ID or X-Goog-Resource-State missing (invalid_notification)"},
                      "401": {**ERR, "description": "Unknown channel or wrong token"}, **errors(404)}}},
    "/webhooks/microsoft": {"post": {"operationId": "microsoftWebhook", "tags": ["webhooks"],
        "summary": "Microsoft Graph change and lifecycle notifications; with ?validationToken= answers the subscription handshake with the token as text/plain. "
                   "At most 100 items and 256 KiB per notification (413 payload_too_large / too_many_notifications); the subscriptions are looked up in one query "
                   "and an item whose clientState does not match is dropped; 401 invalid_client_state when none matched.",
        "parameters": [{"name": "validationToken", "in": "query", "schema": {"type": "string"}}],
        "requestBody": {"description": "Graph's notification collection, Content-Type application/json (its fields may be null, as Graph "
                                       "sends them). The validationToken handshake comes without a body; a body sent with it must still "
                                       "be a notification collection. No body (empty) carries no notification.",
                        "content": {"application/json": {"schema": {"type": "object", "required": ["value"],
                                                                     "properties": {"value": {"type": "array", "items": {"type": "object", "properties": {
                                                                         n: {"type": ["string", "null"]} for n in ("subscriptionId", "clientState", "changeType", "lifecycleEvent")}}}}}}}},
        "responses": {"200": {"description": "Validation handshake: the decoded token", "content": {"text/plain": {"schema": {"type": "string"}}}},
                      "202": {"description": "Notifications accepted, or none sent (an empty body); work continues after the reply"},
                      "400": {**ERR, "description": "The body is not {\"value\":[…]} (e.g. {}): invalid_notification"},
                      "401": {**ERR, "description": "No notification matched a live subscription (invalid_client_state)"},
                      "415": {**ERR, "description": "A body that is not application/json"},
                      **errors(413)}}},
    "/healthz": {"get": {"operationId": "health", "tags": ["operations"], "summary": "The process is up.",
        "responses": {"200": json_body({"type": "object", "properties": {"status": {"const": "ok"}}})}}},
    "/readyz": {"get": {"operationId": "ready", "tags": ["operations"], "summary": "The database is reachable and every migration this build ships is applied.",
        "responses": {"200": json_body(ref("Readiness")), "503": json_body(ref("Readiness"), "Not ready")}}},
    "/metrics": {"get": {"operationId": "metrics", "tags": ["operations"], "summary": "Prometheus text format: sync runs, events, conflicts, provider latency and statuses, retry waits, webhook deliveries, due accounts.",
        "responses": {"200": {"description": "Metrics", "content": {"text/plain": {"schema": {"type": "string"}}}}}}},
    "/openapi.json": {"get": {"operationId": "openapi", "tags": ["operations"], "summary": "This document.",
        "responses": {"200": json_body({"type": "object"})}}},
  },
  "components": {
    "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
    "parameters": {"OrganizationId": {"name": "X-Organization-Id", "in": "header", "required": True, "schema": {"type": "string", "format": "uuid"},
                                      "description": "The active organization; one the caller belongs to, else every object is 404."}},
    "responses": {"Error": json_body(ref("Error"), "An error with a stable code")},
    "schemas": {
      "Error": {"type": "object", "required": ["error"], "additionalProperties": False, "properties": {"error": {"type": "object", "required": ["code", "message"],
                "additionalProperties": False, "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}},
      "ConnectRequest": {"type": "object", "required": ["provider"], "additionalProperties": False, "properties": {
          "provider": {"type": "string", "enum": ["google", "outlook"]},
          "calendar_id": {**CALENDAR_ID, "default": "primary"},
          "login_hint": {"type": "string", "maxLength": 320, "pattern": "^[^\\x00-\\x1f\\x7f-\\x9f]*$",
                         "description": "No control characters."}}},
      "ConnectStarted": {"type": "object", "required": ["authorization_url", "expires_at"], "additionalProperties": False, "properties": {
          "authorization_url": {"type": "string", "format": "uri"}, "expires_at": ts}},
      "Account": {"type": "object", "additionalProperties": False,
          "required": ["id", "provider", "email", "calendar_id", "time_zone", "sync_enabled", "conflict_strategy", "status", "sync_pending", "created_at"],
          "properties": {
            "id": {"type": "string", "format": "uuid"}, "provider": {"type": "string", "enum": ["google", "outlook"]},
            "email": {"type": "string"}, "calendar_id": {"type": "string"}, "time_zone": {"type": "string"},
            "sync_enabled": {"type": "boolean"}, "conflict_strategy": ref("ConflictStrategy"),
            "status": {"type": "string", "enum": ["pending", "connected", "syncing", "needs_reconnection", "error", "disconnected"]},
            "sync_pending": {"type": "boolean"},
            "last_sync": {"type": "object", "required": ["at", "status"], "additionalProperties": False,
                          "properties": {"at": ts, "status": {"type": "string"}, "error": {"type": "string"}}},
            "next_sync_at": ts, "created_at": ts}},
      "ConflictStrategy": {"type": "string", "enum": ["crm_wins", "calendar_wins", "latest_wins", "manual"]},
      "AccountSettings": {"type": "object", "additionalProperties": False, "properties": {
          "sync_enabled": {"type": "boolean"}, "conflict_strategy": ref("ConflictStrategy"),
          "calendar_id": CALENDAR_ID}},
      "SyncRequested": {"type": "object", "required": ["account_id", "requested_at", "sync_log"], "additionalProperties": False, "properties": {
          "account_id": {"type": "string", "format": "uuid"}, "requested_at": ts, "sync_log": {"type": "string"}}},
      "SyncLogEntry": {"type": "object", "additionalProperties": False,
          "required": ["id", "sync_type", "direction", "status", "imported", "exported", "updated", "deleted", "errors", "error_details", "started_at"],
          "properties": {"id": {"type": "string", "format": "uuid"}, "sync_type": {"type": "string", "enum": ["manual", "auto", "webhook"]},
            "direction": {"type": "string", "enum": ["import", "export", "bidirectional"]},
            "status": {"type": "string", "enum": ["running", "success", "partial", "failed"]},
            "imported": {"type": "integer"}, "exported": {"type": "integer"}, "updated": {"type": "integer"}, "deleted": {"type": "integer"},
            "errors": {"type": "integer"}, "error_details": {"type": "array"}, "started_at": ts, "completed_at": ts}},
      "Conflict": {"type": "object", "additionalProperties": False,
          "required": ["id", "account_id", "appointment_id", "crm", "calendar", "detected_at"],
          "properties": {"id": {"type": "string", "format": "uuid"}, "account_id": {"type": "string", "format": "uuid"},
            "appointment_id": {"type": "string", "format": "uuid"}, "crm": {"type": "object"}, "calendar": {"type": "object"},
            "detected_at": ts, "resolution": {"type": "string", "enum": ["keep_crm", "keep_calendar"]}, "resolved_at": ts}},
      "ConflictResolution": {"type": "object", "required": ["keep"], "additionalProperties": False, "properties": {
          "keep": {"type": "string", "enum": ["crm", "calendar"]}}},
      "Readiness": {"type": "object", "required": ["status", "database", "pending_migrations"], "properties": {
          "status": {"type": "string", "enum": ["ready", "not_ready"]}, "database": {"type": "string", "enum": ["ok", "unreachable"]},
          "pending_migrations": {"type": "array", "items": {"type": "string"}}}},
    },
  },
}
out = pathlib.Path(__file__).resolve().parent.parent / "Sources/CRMSyncServer/openapi.json"
out.write_text(json.dumps(doc, indent=2) + "\n")
print(f"wrote {out}")
