"""The API's description: the OpenAPI 3.1 document and a page for people, both written
from the declared operations (web.api.spec), readable without a key."""

from __future__ import annotations

from functools import cache
from importlib.metadata import version
from typing import Any

from flask import Response, jsonify, render_template

from web.api import bp, problems
from web.api.spec import openapi_document


@cache
def _document() -> dict[str, Any]:
    return openapi_document("smsbox HTTP API", version("smsbox"))


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(_document())


@bp.get("/docs")
def docs() -> str:
    document = _document()
    return render_template(
        "api/docs.html",
        document=document,
        operations=[
            (path, method.upper(), described)
            for path, methods in document["paths"].items()
            for method, described in methods.items()
        ],
        schemas=document["components"]["schemas"],
        kinds=problems.KINDS,
        type_of=_type_of,
    )


def _type_of(schema: dict[str, Any]) -> str:
    """A schema in a few words: `string`, `array of MessageOut`, `integer or null`."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " or ".join(_type_of(choice) for choice in schema["anyOf"])
    if schema.get("type") == "array":
        return f"array of {_type_of(schema.get('items', {}))}"
    if "enum" in schema:
        return " | ".join(map(str, schema["enum"]))
    if "const" in schema:
        return repr(schema["const"])
    kind = schema.get("type", "any")
    return f"{kind} ({schema['format']})" if "format" in schema else str(kind)
