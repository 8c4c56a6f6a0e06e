"""Schema checks: pydantic validation turned into located findings."""

from __future__ import annotations

import difflib
from dataclasses import replace
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import Finding
from .sources import PathKey, YamlDocument, dotted

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


def _data_path(data: Any, loc: tuple[int | str, ...], missing: bool = False) -> PathKey:
    """Keep the parts of a pydantic ``loc`` that name real keys/indices of ``data``.

    pydantic inserts union branch names (``str``, ``LangText``) into locations; they are
    not in the YAML, so they are skipped. For a ``missing`` error the missing key is kept
    as the last part.
    """
    path: list[str | int] = []
    node = data
    for i, part in enumerate(loc):
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_dict or in_list:
            path.append(part)
            node = node[part]
        elif missing and i == len(loc) - 1 and isinstance(node, dict) and isinstance(part, str):
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
    loc = tuple(err.get("loc", ()))
    if kind in {"string_type", "model_type", "model_attributes_type"} and _text_branch(loc):
        return (
            f"expected text (or a mapping with ko: and en: texts), got {_kind_of(given)};"
            " write it as text, with | for several lines"
        )
    if kind == "string_type":
        return f"expected text, got {_kind_of(given)} {_short(given)}; quote it if it is text"
    if kind in _NUMBER_ERRORS and isinstance(given, str | bool):
        shown = "true/false" if isinstance(given, bool) else f"text {_short(given)}"
        return f"expected a number, got {shown}; write a plain number, without quotes"
    if kind in {"int_type", "float_type", "int_parsing", "float_parsing", "int_from_float"}:
        return f"{msg} (got {_short(given)}); write a plain number without units"
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return f"expected a mapping of fields (key: value) here, got {_kind_of(given)}"
    if kind == "list_type":
        return f"expected a list (one '- item' per line), got {_kind_of(given)}"
    if kind == "string_pattern_mismatch" and field == "slug":
        return (
            "a slug is lowercase letters, digits and hyphens, like los-angeles"
            f" (got {_short(given)})"
        )
    if kind == "string_too_short" and not given:
        return "this text is empty; write it, or remove the field if it is optional"
    if kind == "too_short" and not given:
        return "this list is empty; give at least one item"
    if kind.startswith(("greater", "less")) or kind in {"literal_error", "string_pattern_mismatch"}:
        return f"{msg} (got {_short(given)})"
    return msg


def _text_branch(loc: tuple[Any, ...]) -> str | None:
    """Which branch of a text field (``models.Text``) a pydantic location runs through.

    Returns ``"str"``, ``"LangText"`` or None; pydantic names the branches ``str`` and
    ``function-after[_one_language(), LangText]``.
    """
    for part in loc:
        if part == "str":
            return "str"
        if isinstance(part, str) and (part == "LangText" or part.endswith("LangText]")):
            return "LangText"
    return None


def _wrong_branch(err: dict[str, Any]) -> bool:
    """True for the error of the text-field branch the author plainly did not mean.

    Given a mapping, they meant ``{ko:, en:}``: the "not a string" error is noise. Given
    anything else, they meant plain text: "not a mapping" is noise.
    """
    branch = _text_branch(tuple(err["loc"]))
    given = err.get("input")
    if branch == "str" and err["type"] == "string_type":
        return isinstance(given, dict)
    if branch == "LangText" and err["type"] in {"model_type", "model_attributes_type"}:
        return not isinstance(given, dict)
    return False


def _kind_of(value: Any) -> str:
    """Name a YAML value's kind the way a profile's author thinks of it."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "text" if isinstance(value, str) else type(value).__name__


def _short(value: Any) -> str:
    """``repr`` of a value, cut to a readable length."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


_NUMBER_ERRORS = {"int_type", "float_type"}
"""Strict-mode errors for a number written as text or as true/false."""


def validate_model(model: type[M], doc: YamlDocument) -> tuple[M | None, list[Finding]]:
    """Validate ``doc.data`` against ``model``; return the instance (or None) and findings.

    Validation is strict first, so that ``population: "9500000"`` or ``population: yes``
    (YAML's true) is not quietly read as a number, as the JSON Schema would not; lists
    still become tuples where a model wants one (the layouts' margins and colours).
    """
    try:
        return model.model_validate(doc.data, strict=True), []
    except ValidationError as exc:
        strict_errors = exc.errors()
    try:
        instance = model.model_validate(doc.data)
    except ValidationError as exc:
        errors = [e for e in exc.errors() if not _wrong_branch(dict(e))] or exc.errors()
    else:
        errors = [
            e
            for e in strict_errors
            if e["type"] in _NUMBER_ERRORS and isinstance(e.get("input"), str | bool)
        ]
        if not errors:
            return instance, []
    return None, _findings(model, doc, errors)


def _findings(model: type[M], doc: YamlDocument, errors: list[Any]) -> list[Finding]:
    """Located findings for pydantic ``errors`` about ``doc.data``."""
    located = [
        (_data_path(doc.data, tuple(e["loc"]), e["type"] == "missing"), dict(e)) for e in errors
    ]
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
    return findings


def _with_path(finding: Finding, path: PathKey) -> Finding:
    return replace(finding, path=dotted(path))
