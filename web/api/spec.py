"""Each operation of the API declared once, with its models: the route, the check of
its key's scope, query and body, and its entry in the OpenAPI 3.1 document all come
from that declaration."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, g, request
from pydantic import BaseModel, ValidationError
from pydantic.json_schema import models_json_schema

from web.api import problems
from web.api.problems import Problem
from web.api.schemas import ProblemOut

JSON = "application/json"
REFERENCE = "#/components/schemas/{model}"
_RULE_PARAMETER = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")


@dataclass(frozen=True)
class Operation:
    method: str
    rule: str
    summary: str
    scope: str | None
    answer: type[BaseModel] | None
    status: int
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    errors: tuple[problems.Kind, ...]
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def path(self) -> str:
        return _RULE_PARAMETER.sub(r"{\1}", self.rule)

    @property
    def operation_id(self) -> str:
        return self.summary.lower().replace(" ", "_").replace("'", "")


OPERATIONS: list[Operation] = []


def operation(
    bp: Blueprint,
    method: str,
    rule: str,
    summary: str,
    *,
    scope: str | None,
    answer: type[BaseModel] | None,
    status: int = 200,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    errors: tuple[problems.Kind, ...] = (),
    headers: dict[str, str] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Route `rule` to the view, which gets `body=` and `query=` checked against their
    models and returns a model (answered with `status`) or a Response."""
    declared = Operation(
        method, rule, summary, scope, answer, status, body, query, errors, headers or {}
    )
    OPERATIONS.append(declared)

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def serve(**arguments: Any) -> Response:
            if scope is not None and not g.caller.may(scope):
                raise Problem(problems.FORBIDDEN, f"this needs a key of scope {scope!r} or above")
            if query is not None:
                arguments["query"] = _checked(query, lambda: query.model_validate(_args()))
            if body is not None:
                arguments["body"] = _checked(body, lambda: body.model_validate_json(_json()))
            result = view(**arguments)
            if isinstance(result, Response):
                return result
            return json_response(as_json(result), status)

        bp.add_url_rule(rule, view.__name__, serve, methods=[method])
        return serve

    return decorate


def as_json(answer: BaseModel) -> str:
    # The newline ends the answer on a terminal, after curl.
    return answer.model_dump_json() + "\n"


def json_response(body: str, status: int) -> Response:
    return Response(body, status=status, mimetype=JSON)


def _args() -> dict[str, str]:
    repeated = [name for name in request.args if len(request.args.getlist(name)) > 1]
    if repeated:
        raise Problem(problems.INVALID_REQUEST, "given twice", field=repeated[0])
    return request.args.to_dict()


def _json() -> bytes:
    if request.mimetype != JSON:
        raise Problem(problems.UNSUPPORTED_MEDIA_TYPE, f"send the body as {JSON}")
    return request.get_data(cache=True)


def _checked(model: type[BaseModel], parse: Callable[[], BaseModel]) -> BaseModel:
    try:
        return parse()
    except ValidationError as error:
        found = [_field_error(detail) for detail in error.errors(include_url=False)]
        if any(detail["type"] == "json_invalid" for detail in error.errors()):
            raise Problem(problems.INVALID_REQUEST, "the body is not valid JSON") from None
        first = found[0]
        raise Problem(
            problems.INVALID_REQUEST,
            f"{first['field']}: {first['detail']}" if first["field"] else first["detail"],
            field=first["field"] or None,
            errors=found,
        ) from None


def _field_error(detail: Any) -> dict[str, str]:
    where = ""
    for step in detail["loc"]:
        where += f"[{step}]" if isinstance(step, int) else (f".{step}" if where else str(step))
    message = "unknown field" if detail["type"] == "extra_forbidden" else detail["msg"]
    return {"field": where, "detail": message}


def openapi_document(title: str, version: str) -> dict[str, Any]:
    """The OpenAPI 3.1 description of every declared operation."""
    answers = {op.answer for op in OPERATIONS if op.answer is not None} | {ProblemOut}
    bodies = {op.body for op in OPERATIONS if op.body is not None}
    _, schemas = models_json_schema(
        [(model, "serialization") for model in answers]
        + [(model, "validation") for model in bodies],
        ref_template=REFERENCE,
    )
    components = schemas.get("$defs", {})
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method.lower()] = _describe(op, components)
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "servers": [{"url": "/api/v1"}],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def _reference(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": REFERENCE.format(model=model.__name__)}


def _describe(op: Operation, components: dict[str, Any]) -> dict[str, Any]:
    described: dict[str, Any] = {
        "operationId": op.operation_id,
        "summary": op.summary,
        "parameters": [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in _RULE_PARAMETER.findall(op.rule)
        ],
        "responses": {},
    }
    if op.scope is not None:
        described["security"] = [{"bearer": []}]
        described["x-scope"] = op.scope
    if op.query is not None:
        schema = op.query.model_json_schema(ref_template=REFERENCE)
        components.update(schema.pop("$defs", {}))
        for name, property_schema in schema["properties"].items():
            described["parameters"].append(
                {
                    "name": name,
                    "in": "query",
                    "required": name in schema.get("required", []),
                    "schema": property_schema,
                }
            )
    for name, about in op.headers.items():
        described["parameters"].append(
            {
                "name": name,
                "in": "header",
                "required": False,
                "description": about,
                "schema": {"type": "string", "maxLength": 255},
            }
        )
    if op.body is not None:
        described["requestBody"] = {
            "required": True,
            "content": {JSON: {"schema": _reference(op.body)}},
        }
    success: dict[str, Any] = {"description": op.summary}
    if op.answer is not None:
        success["content"] = {JSON: {"schema": _reference(op.answer)}}
    described["responses"][str(op.status)] = success
    kinds = list(op.errors)
    if op.scope is not None:
        kinds += [problems.UNAUTHORISED, problems.FORBIDDEN, problems.RATE_LIMITED]
    if op.body is not None or op.query is not None:
        kinds.append(problems.INVALID_REQUEST)
    if op.body is not None:
        kinds += [problems.PAYLOAD_TOO_LARGE, problems.UNSUPPORTED_MEDIA_TYPE]
    for status in sorted({kind.status for kind in kinds}):
        titles = sorted({kind.slug for kind in kinds if kind.status == status})
        described["responses"][str(status)] = {
            "description": ", ".join(titles),
            "content": {problems.MEDIA_TYPE: {"schema": _reference(ProblemOut)}},
        }
    return described
