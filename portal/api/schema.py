"""Describe the error responses every endpoint can give, once, instead of on every view."""

ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error: a message for people, the field at fault (or null), and all field messages.",
    "properties": {
        "error": {"type": "string"},
        "field": {"type": "string", "nullable": True},
        "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    },
    "required": ["error", "field", "errors"],
}

ERRORS = {
    "400": "The request is malformed or a value is invalid; `field` names the value at fault.",
    "401": "No credentials, or a token that is unknown or revoked.",
    "403": "Signed in, but not allowed to do this.",
    "404": "No such object (or not visible to you).",
    "405": "This method is not available here.",
    "406": "Only JSON (and CSV where stated) can be returned.",
    "415": "Send JSON.",
    "429": "Too many writes; `Retry-After` says when to try again.",
}
WRITE_ONLY = {"415", "429"}


def add_error_responses(result, generator, request, public):
    """drf-spectacular post-processing hook: the Error component and the error responses of every operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for status, description in ERRORS.items():
                if status in WRITE_ONLY and method == "get":
                    continue
                responses.setdefault(status, {"description": description, "content": reference})
    return result
