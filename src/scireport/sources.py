"""Load YAML safely and remember where every key and value came from.

PyYAML's composer (the C one when available) builds a node tree carrying line and
column marks; we construct plain Python data from it ourselves so that we can keep a
position for every key and value, refuse object-building tags without constructing
anything, report duplicate keys (PyYAML silently keeps the last) and bound alias
expansion. Problems come back as findings, never as exceptions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import Finding

MAX_FILE_BYTES = 1024 * 1024
"""Files larger than this are refused unread: a city profile is a few kilobytes."""

MAX_NODES = 50_000
"""Upper bound on nodes visited while expanding aliases ("billion laughs" guard)."""

PathKey = tuple[str | int, ...]

_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_SAFE_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}
_TAB_INDENT = re.compile(r"^( *)\t", re.MULTILINE)


class ComposeLoader(_BaseLoader):  # type: ignore[misc]
    """A SafeLoader subclass used only to compose nodes; it never builds objects."""


_SCALARS = yaml.constructor.SafeConstructor()


@dataclass(frozen=True)
class Position:
    """A 1-based line and column in a source file."""

    line: int
    """1-based line number."""
    column: int
    """1-based column number."""


@dataclass
class YamlDocument:
    """A YAML file read into plain data plus the position of every key and value."""

    file: str
    """Path shown to the user (relative to the project where possible)."""
    text: str
    """The decoded source text ('' when it could not be decoded)."""
    data: Any = None
    """The parsed data, or None when the file could not be parsed."""
    values: dict[PathKey, Position] = field(default_factory=dict)
    """Position of each value, by field path."""
    keys: dict[PathKey, Position] = field(default_factory=dict)
    """Position of each mapping key, by the path of the value it names."""
    findings: list[Finding] = field(default_factory=list)
    """Problems found while reading the file."""

    def locate(self, path: PathKey, *, key: bool = False) -> Position:
        """Return the position of ``path``, or of its nearest ancestor that has one."""
        table = self.keys if key else self.values
        for end in range(len(path), -1, -1):
            prefix = path[:end]
            if prefix in table:
                return table[prefix]
            if prefix in self.values:
                return self.values[prefix]
        return Position(1, 1)

    def finding(
        self,
        path: PathKey,
        rule: str,
        message: str,
        *,
        severity: str = "error",
        key: bool = False,
    ) -> Finding:
        """Build a finding located at ``path`` in this document."""
        pos = self.locate(path, key=key)
        return Finding(
            file=self.file,
            line=pos.line,
            column=pos.column,
            path=dotted(path),
            rule=rule,
            severity="warning" if severity == "warning" else "error",
            message=message,
        )

    def line_text(self, line: int) -> str:
        """Return source line ``line`` (1-based) or '' when out of range."""
        lines = self.text.splitlines()
        return lines[line - 1] if 0 < line <= len(lines) else ""


def dotted(path: PathKey) -> str:
    """Render a field path as ``about.population`` / ``initiatives[2].name``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _line_col_of_offset(raw: bytes, offset: int) -> Position:
    before = raw[:offset]
    line = before.count(b"\n") + 1
    column = offset - (before.rfind(b"\n") + 1) + 1
    return Position(line, column)


def load_yaml(path: Path, display: str | None = None) -> YamlDocument:
    """Read ``path`` as YAML; never raises for bad content, returns findings instead."""
    shown = display or str(path)
    doc = YamlDocument(file=shown, text="")

    def fail(rule: str, message: str, pos: Position | None = None) -> YamlDocument:
        p = pos or Position(1, 1)
        doc.findings.append(Finding(shown, p.line, p.column, "", rule, "error", message))
        return doc

    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return fail(
                "yaml-too-large",
                f"file is {size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit for a profile;"
                " split it or remove embedded data",
            )
        raw = path.read_bytes()
    except OSError as exc:
        return fail("file-unreadable", f"cannot read the file: {exc.strerror or exc}")
    return parse_yaml(raw, shown)


def parse_yaml(raw: bytes, shown: str) -> YamlDocument:
    """Parse YAML bytes (see :func:`load_yaml`), keeping positions."""
    doc = YamlDocument(file=shown, text="")

    def fail(rule: str, message: str, pos: Position | None = None) -> YamlDocument:
        p = pos or Position(1, 1)
        doc.findings.append(Finding(shown, p.line, p.column, "", rule, "error", message))
        return doc

    if raw.startswith(b"\xef\xbb\xbf"):
        return fail("yaml-bom", "file starts with a byte-order mark; save it as UTF-8 without BOM")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return fail(
            "yaml-encoding",
            f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save it as UTF-8",
            _line_col_of_offset(raw, exc.start),
        )
    doc.text = text
    if "\x00" in text:
        return fail("yaml-encoding", "file contains NUL bytes; it is not a text file")
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        return fail("yaml-empty", "file is empty; write the profile's fields or delete the file")
    tab = _TAB_INDENT.search(text)
    if tab:
        pos = Position(text.count("\n", 0, tab.start()) + 1, len(tab.group(1)) + 1)
        return fail("yaml-tab", "a tab is used for indentation; YAML needs spaces", pos)
    try:
        root = yaml.compose(text, Loader=ComposeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = Position(mark.line + 1, mark.column + 1) if mark else Position(1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        return fail("yaml-syntax", f"YAML syntax error: {problem}", pos)
    except yaml.YAMLError as exc:
        return fail("yaml-syntax", f"YAML syntax error: {exc}")
    except RecursionError:
        return fail("yaml-syntax", "YAML nesting is too deep")
    if root is None:
        return fail("yaml-empty", "file has no content; write the profile's fields")
    if not isinstance(root, yaml.MappingNode):
        return fail(
            "yaml-not-mapping",
            "the top level must be a mapping of fields (key: value), not a "
            + ("list" if isinstance(root, yaml.SequenceNode) else "single value"),
            Position(root.start_mark.line + 1, root.start_mark.column + 1),
        )
    builder = _Builder(doc)
    try:
        doc.data = builder.build(root, ())
    except _TooManyNodes:
        doc.data = None
        return fail(
            "yaml-alias-bomb",
            f"aliases expand to more than {MAX_NODES:,} values; remove the nested aliases",
        )
    except RecursionError:
        doc.data = None
        return fail("yaml-syntax", "YAML nesting is too deep (or an alias refers to itself)")
    return doc


class _TooManyNodes(Exception):
    pass


class _Builder:
    """Turns composed nodes into plain data, recording positions and YAML-level findings."""

    def __init__(self, doc: YamlDocument) -> None:
        self.doc = doc
        self.count = 0

    def _pos(self, node: yaml.Node) -> Position:
        return Position(node.start_mark.line + 1, node.start_mark.column + 1)

    def _report(self, node: yaml.Node, path: PathKey, rule: str, message: str) -> None:
        p = self._pos(node)
        self.doc.findings.append(
            Finding(self.doc.file, p.line, p.column, dotted(path), rule, "error", message)
        )

    def build(self, node: yaml.Node, path: PathKey) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooManyNodes
        self.doc.values.setdefault(path, self._pos(node))
        if node.tag not in _SAFE_TAGS:
            self._report(
                node,
                path,
                "yaml-tag",
                f"tag {node.tag!r} is not allowed; profiles hold plain text, numbers and lists",
            )
            return None
        if isinstance(node, yaml.MappingNode):
            return dict(self._mapping(node, path))
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        try:
            return _SCALARS.construct_object(node)
        except (yaml.YAMLError, ValueError) as exc:
            self._report(node, path, "yaml-syntax", f"cannot read this value: {exc}")
            return None

    def _mapping(self, node: yaml.MappingNode, path: PathKey) -> Iterator[tuple[Any, Any]]:
        seen: dict[Any, Position] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self._report(key_node, path, "yaml-tag", "merge keys (<<) are not allowed")
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self._report(key_node, path, "yaml-key", "a key must be plain text")
                continue
            key = key_node.value
            key_pos = self._pos(key_node)
            child = (*path, key)
            if key in seen:
                first = seen[key]
                self._report(
                    key_node,
                    child,
                    "yaml-duplicate-key",
                    f"key {key!r} appears twice (first at line {first.line}); YAML would keep"
                    " only this one and lose the other: merge them",
                )
                continue
            seen[key] = key_pos
            self.doc.keys[child] = key_pos
            yield key, self.build(value_node, child)
