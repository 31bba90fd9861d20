"""Finishing touches on the generated OpenAPI document: rules that hold for every operation.

Said once here rather than on each view: every 429 carries Retry-After, every operation may
answer 405 (with Allow) and 406, a 400 body maps field paths to lists of messages, and an
operation without credentials (getting a token) says so with an empty `security`.
"""

ERROR_REF = {"$ref": "#/components/schemas/Error"}
MESSAGES = {"type": "array", "items": {"type": "string"}}


def _header(description, schema):
    return {"description": description, "schema": schema}


RETRY_AFTER = _header("Seconds to wait before the next request.", {"type": "integer"})
ALLOW = _header("The methods this URL accepts.", {"type": "string"})

EVERY_OPERATION = {
    "405": {
        "description": "This URL does not accept the method; Allow lists those it does.",
        "headers": {"Allow": ALLOW},
        "content": {"application/json": {"schema": ERROR_REF}},
    },
    "406": {
        "description": "No representation matches the Accept header (the API speaks JSON).",
        "content": {"application/json": {"schema": ERROR_REF}},
    },
}


def postprocess(result, generator, request, public):
    """drf-spectacular POSTPROCESSING_HOOKS entry: apply the rules above to the document."""
    validation_error = result.get("components", {}).get("schemas", {}).get("ValidationError")
    if validation_error is not None:
        # Messages are keyed by the path of the field in the document, e.g.
        # `salary_bands[1].annual_max`: no fixed property list can name them all.
        validation_error["additionalProperties"] = MESSAGES
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            operation.setdefault("security", [])
            responses = operation.get("responses", {})
            if "429" in responses:
                responses["429"].setdefault("headers", {})["Retry-After"] = RETRY_AFTER
            for status, response in EVERY_OPERATION.items():
                responses.setdefault(status, response)
    return result
