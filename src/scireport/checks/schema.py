"""Schema checks: pydantic validation turned into located findings."""

from __future__ import annotations

import difflib
from dataclasses import replace
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ..errors import Finding
from ..sources import PathKey, YamlDocument, dotted

M = TypeVar("M", bound=BaseModel)

_RULES = {
    "missing": "schema-required",
    "extra_forbidden": "schema-unknown-field",
    "greater_than": "schema-range",
    "greater_than_equal": "schema-range",
    "less_than": "schema-range",
    "less_than_equal": "schema-range",
    "too_short": "schema-length",
    "string_too_short": "schema-length",
    "too_long": "schema-length",
    "literal_error": "schema-enum",
    "string_pattern_mismatch": "schema-pattern",
    "value_error": "schema-value",
}


def _data_path(data: Any, loc: tuple[int | str, ...]) -> PathKey:
    """Keep the parts of a pydantic ``loc`` that name real keys/indices of ``data``.

    pydantic inserts union branch names (``str``, ``LangText``) into locations; they are
    not in the YAML, so they are skipped. A missing key is kept as the last part.
    """
    path: list[str | int] = []
    node = data
    for i, part in enumerate(loc):
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_dict or in_list:
            path.append(part)
            node = node[part]
        elif i == len(loc) - 1 and isinstance(node, dict) and isinstance(part, str):
            path.append(part)
    return tuple(path)


def _fields_at(model: type[BaseModel], path: PathKey) -> list[str]:
    """Return the field names allowed at the mapping holding ``path``'s last part."""
    current: Any = model
    for part in path[:-1]:
        if isinstance(part, int):
            continue
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            return []
        current = _model_in(field.annotation)
        if current is None:
            return []
    return list(getattr(current, "model_fields", {}))


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """Find a pydantic model class inside an annotation (``list[X]``, ``X | None``...)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_in(arg)
        if found is not None:
            return found
    meta = getattr(annotation, "__origin__", None)
    if meta is not None and meta is not annotation:
        return _model_in(meta)
    return None


def _message(model: type[BaseModel], err: dict[str, Any], path: PathKey) -> str:
    kind = err["type"]
    field = str(path[-1]) if path else ""
    if kind == "missing":
        return f"required field {field!r} is missing; add it"
    if kind == "extra_forbidden":
        allowed = _fields_at(model, path)
        close = difflib.get_close_matches(field, allowed, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else f"; allowed here: {', '.join(allowed)}"
        return f"unknown field {field!r}{hint}"
    msg = str(err["msg"]).removeprefix("Value error, ")
    given = err.get("input")
    if kind in {"string_type", "int_type", "float_type", "int_parsing", "float_parsing"}:
        return f"{msg} (got {given!r})"
    if kind == "model_type" or kind == "model_attributes_type":
        return f"expected a mapping of fields here (got {given!r})"
    if kind.startswith(("greater", "less")):
        return f"{msg} (got {given!r})"
    return msg


def validate_model(model: type[M], doc: YamlDocument) -> tuple[M | None, list[Finding]]:
    """Validate ``doc.data`` against ``model``; return the instance (or None) and findings."""
    try:
        return model.model_validate(doc.data), []
    except ValidationError as exc:
        errors = exc.errors()
    located = [(_data_path(doc.data, tuple(e["loc"])), dict(e)) for e in errors]
    # A union (text or {ko, en}) reports one error per branch: keep the deepest ones.
    deepest = {p for p, _ in located}
    findings: list[Finding] = []
    seen: set[tuple[PathKey, str]] = set()
    for path, err in located:
        if any(other != path and other[: len(path)] == path for other in deepest):
            continue
        rule = _RULES.get(str(err["type"]), "schema-type")
        if (path, rule) in seen:
            continue
        seen.add((path, rule))
        message = _message(model, err, path)
        key = err["type"] == "extra_forbidden"
        if err["type"] == "missing":
            findings.append(doc.finding(path[:-1], rule, message, key=True))
            findings[-1] = _with_path(findings[-1], path)
        else:
            findings.append(doc.finding(path, rule, message, key=key))
    return None, findings


def _with_path(finding: Finding, path: PathKey) -> Finding:
    return replace(finding, path=dotted(path))
