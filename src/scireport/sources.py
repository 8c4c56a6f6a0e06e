"""Load YAML safely and remember where every key and value came from.

PyYAML's composer (the C one when available) builds a node tree carrying line and
column marks; we construct plain Python data from it ourselves so that we can keep a
position for every key and value, refuse object-building tags without constructing
anything, report duplicate keys (PyYAML silently keeps the last) and bound alias
expansion. Problems come back as findings, never as exceptions.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import marshal
import os
import re
import stat
import sys
from collections.abc import Iterator
from dataclasses import astuple, dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from .errors import Finding

MAX_FILE_BYTES = 1024 * 1024
"""Files larger than this are refused unread: a city profile is a few kilobytes."""

MAX_TEXT_BYTES = 256 * 1024
"""Largest editorial text (a section's Markdown file) scireport reads."""
MAX_NODES = 50_000
"""Upper bound on nodes visited while expanding aliases ("billion laughs" guard)."""

MAX_DIGITS = 1000
"""Longest integer read as a number: a figure has a few digits, Python refuses 4,300."""

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
_ODD_LINE_BREAK = re.compile("[\x85\u2028\u2029]")
"""NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR: YAML breaks lines there, editors do not."""
_TAB_INDENT = re.compile(r"^( *)\t[ \t]*\S", re.MULTILINE)
"""A tab in a line's indentation (lines holding only whitespace do not count)."""
_SCALAR_TAGS = _SAFE_TAGS - {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}


class ComposeLoader(_BaseLoader):  # type: ignore[misc]
    """A SafeLoader subclass used only to compose nodes; it never builds objects."""


_SCALARS = yaml.constructor.SafeConstructor()
_STR_TAG = "tag:yaml.org,2002:str"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_PLAIN_FLOAT = re.compile(r"-?[0-9]+\.[0-9]+")
"""A float written plainly (``81.4``, ``-0.5``): Python's float() reads it as YAML does."""
_CONTENT = re.compile(r"^[ \t]*[^\s#]", re.MULTILINE)
"""A line holding something other than whitespace or a comment."""


class Position(NamedTuple):
    """A 1-based line and column in a source file (a named tuple: one is made per node)."""

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
    _line_starts: list[int] | None = field(default=None, init=False, repr=False, compare=False)
    _value_bounds: list[int] | None = field(default=None, init=False, repr=False, compare=False)

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
        at: Position | None = None,
    ) -> Finding:
        """Build a finding located at ``path`` in this document (or at ``at`` when given).

        A position past the end of the text (an empty value at the very end of a file has
        one) is moved to the end of the text, so a finding always names a real line.
        """
        pos = at or self.locate(path, key=key)
        if self.text and pos.line > len(self._starts()):  # the line starts are kept
            pos = self.position_of(len(self.text))
        return Finding(
            file=self.file,
            line=pos.line,
            column=pos.column,
            path=dotted(path),
            rule=rule,
            severity="warning" if severity == "warning" else "error",
            message=message,
        )

    def offset_of(self, pos: Position) -> int:
        """Return the index in ``text`` of a 1-based line and column (clamped to the text)."""
        starts = self._starts()
        line = min(max(pos.line, 1), len(starts))
        return min(starts[line - 1] + max(pos.column, 1) - 1, len(self.text))

    def position_of(self, offset: int) -> Position:
        """Return the 1-based line and column of index ``offset`` in ``text``."""
        starts = self._starts()
        offset = min(max(offset, 0), len(self.text))
        line = bisect.bisect_right(starts, offset)
        return Position(line, offset - starts[line - 1] + 1)

    def find_in_value(self, path: PathKey, needle: str, start: int = 0) -> int | None:
        """Find ``needle`` in the source of the value at ``path``; return its index in ``text``.

        The search starts at index ``start`` (or the value's own start, if later) and stops
        where the next key or value of the document begins, so it never strays into another
        field. Returns None when the value has no position or the text is not found there
        (e.g. it is written with escapes in a quoted string).
        """
        pos = self.values.get(path)
        if pos is None or not needle:
            return None
        begin = self.offset_of(pos)
        bounds = self._bounds()
        nxt = bisect.bisect_right(bounds, begin)
        end = bounds[nxt] if nxt < len(bounds) else len(self.text)
        found = self.text.find(needle, max(begin, start), end)
        return None if found < 0 else found

    def locate_in_value(self, path: PathKey, value: str, index: int, length: int = 1) -> Position:
        """Return where ``value[index:index + length]`` is in the source.

        ``value`` is the parsed text of the string at ``path``. The piece is found by
        counting how often it occurs in ``value`` before ``index`` and finding the same
        occurrence in the field's source, which is exact for block, plain and quoted
        scalars alike unless escapes spell the piece. Falls back to the value's position.
        """
        needle = value[index : index + length]
        fallback = self.locate(path)
        if not needle:
            return fallback
        nth = value.count(needle, 0, index)
        found = self.find_in_value(path, needle)
        while found is not None and nth > 0:
            found = self.find_in_value(path, needle, found + len(needle))
            nth -= 1
        return fallback if found is None else self.position_of(found)

    def _starts(self) -> list[int]:
        if self._line_starts is None:
            starts = [0]
            find = self.text.find
            at = find("\n")
            while at >= 0:
                starts.append(at + 1)
                at = find("\n", at + 1)
            self._line_starts = starts
        return self._line_starts

    def _bounds(self) -> list[int]:
        if self._value_bounds is None:
            places = {*self.values.values(), *self.keys.values()}
            self._value_bounds = sorted(self.offset_of(p) for p in places)
        return self._value_bounds


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


def _line_col_of_text_offset(text: str, offset: int) -> Position:
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset) + 1
    return Position(line, offset - (text.rfind("\n", 0, offset) + 1) + 1)


class UnsafeFile(Exception):
    """A file scireport refuses to read: outside the project, not a regular file, too large."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message


class FileTooLarge(UnsafeFile):
    """The file is over the limit :func:`read_limited` was given (its rule and message
    are a profile's; a reader of other files says it in its own words)."""


def read_limited(
    path: Path,
    limit: int = MAX_FILE_BYTES,
    inside: Path | None = None,
    *,
    real: Path | None = None,
) -> bytes:
    """Read ``path``, refusing what a project file should never be; raise UnsafeFile
    (:class:`FileTooLarge` for a file over ``limit``).

    Refused: a file that resolves outside ``inside`` (a symlink to ``/etc/shadow``), a
    file that is not a regular file (a FIFO would block, ``/dev/zero`` never ends) and a
    file over ``limit`` bytes, counted while reading (at most ``limit + 1`` bytes are
    read, whatever ``stat`` says). ``real`` is ``path`` resolved, when the caller knows it
    (``inside`` is then taken as resolved too). OSError is left to the caller.
    """
    if inside is not None and not (
        _inside(str(real), str(inside)) if real else path.resolve().is_relative_to(inside.resolve())
    ):
        raise UnsafeFile(
            "file-outside-project",
            "the file lies outside the project (a symlink?); scireport reads only files"
            " inside the project folder: copy it in",
        )
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise UnsafeFile(
                "file-not-regular",
                "this is not a regular file (a pipe, a device or a socket); use a plain file",
            )
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise FileTooLarge(
            "yaml-too-large",
            f"file is over the {limit:,}-byte limit for a profile; split it or remove"
            " embedded data",
        )
    return data


def _inside(real: str, folder: str) -> bool:
    """``Path(real).is_relative_to(folder)`` for two resolved paths, without pathlib's parsing."""
    return real == folder or real.startswith(folder.rstrip(os.sep) + os.sep)


def load_yaml(
    path: Path,
    display: str | None = None,
    inside: Path | None = None,
    *,
    real: Path | None = None,
    cache: ParseCache | None = None,
) -> YamlDocument:
    """Read ``path`` as YAML; never raises for bad content, returns findings instead.

    With ``inside`` (the project folder), a file resolving outside it is refused unread;
    ``real`` is as :func:`read_limited` takes it. With ``cache``, a file read as it is
    (byte for byte) by an earlier run is not parsed again.
    """
    shown = display or str(path)
    doc = YamlDocument(file=shown, text="")

    def fail(rule: str, message: str, pos: Position | None = None) -> YamlDocument:
        p = pos or Position(1, 1)
        doc.findings.append(Finding(shown, p.line, p.column, "", rule, "error", message))
        return doc

    try:
        raw = read_limited(path, MAX_FILE_BYTES, inside, real=real)
    except UnsafeFile as exc:
        return fail(exc.rule, exc.message)
    except OSError as exc:
        return fail("file-unreadable", f"cannot read the file: {exc.strerror or exc}")
    return cache.parse(raw, shown) if cache is not None else parse_yaml(raw, shown)


CACHE_FILES = 64
"""Most projects whose parsed profiles are kept (the least recently saved go first)."""


class ParseCache:
    """Parsed YAML documents of one project from earlier runs, by file name and content.

    A document is a function of the file's bytes, its shown name and this module's code:
    an entry is found by the SHA-256 of the bytes and the name, and the whole cache is
    dropped when scireport's YAML code, PyYAML or Python change (:func:`_fingerprint`).
    Entries are ``marshal`` data (plain values, no objects: nothing is constructed from
    them but text, numbers, lists, mappings, positions and findings), each document on its
    own, so a run that parses one changed file encodes one. The cache is kept outside the
    project, in the user's cache folder (``$SCIREPORT_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/scireport``, else ``~/.cache/scireport``): marshal data is no format
    to read from a folder that came from elsewhere. A cache that cannot be read or written
    is no cache.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.entries: dict[tuple[str, bytes], bytes] = {}
        """Each document's marshal data, by shown name and SHA-256 of its bytes."""
        self.used: set[tuple[str, bytes]] = set()
        self.added = False
        if path is None:
            return
        try:
            stored = marshal.loads(path.read_bytes())
            if isinstance(stored, dict) and stored.get("fingerprint") == _fingerprint():
                self.entries = stored["entries"]
        except Exception:  # missing, truncated, from another version: parse anew
            self.entries = {}

    @classmethod
    def for_project(cls, root: Path) -> ParseCache:
        """The cache of the project at ``root`` (resolved), in the user's cache folder."""
        base = os.environ.get("SCIREPORT_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME")
        try:
            folder = Path(base) if base else Path.home() / ".cache"
        except RuntimeError:  # no home folder to be found
            return cls(None)
        if not os.environ.get("SCIREPORT_CACHE_DIR"):
            folder = folder / "scireport"
        name = hashlib.sha256(str(root).encode("utf-8", "surrogateescape")).hexdigest()[:24]
        return cls(folder / "yaml" / f"{name}.marshal")

    def parse(self, raw: bytes, shown: str) -> YamlDocument:
        """:func:`parse_yaml`, or the document an earlier run parsed from the same bytes."""
        key = (shown, hashlib.sha256(raw).digest())
        self.used.add(key)
        found = self.entries.get(key)
        if found is not None:
            try:
                return _document(shown, raw.decode("utf-8"), marshal.loads(found))
            except Exception:  # a damaged entry: parse again
                del self.entries[key]
        doc = parse_yaml(raw, shown)
        if doc.text:  # decoded: rebuilt from the bytes with its parse (the rest fail fast)
            try:
                self.entries[key] = marshal.dumps(_plain(doc))
                self.added = True
            except ValueError:  # a value marshal cannot hold (a date): parsed each time
                pass
        return doc

    def save(self, *, prune: bool) -> None:
        """Write the cache back when it gained entries (or, with ``prune``, lost some: only
        the documents this run read are kept)."""
        from .files import write_bytes

        if self.path is None:
            return
        if prune and self.entries.keys() - self.used:
            self.entries = {k: v for k, v in self.entries.items() if k in self.used}
            self.added = True
        if not self.added:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            stored = {"fingerprint": _fingerprint(), "entries": self.entries}
            write_bytes(self.path, marshal.dumps(stored))
            kept = sorted(self.path.parent.glob("*.marshal"), key=lambda p: p.stat().st_mtime)
            for old in kept[:-CACHE_FILES]:
                old.unlink(missing_ok=True)
        except OSError:
            pass  # a read-only home or a full disk: the next run parses again
        self.added = False


def _plain(doc: YamlDocument) -> tuple[Any, ...]:
    """A parsed document as plain values (see :func:`_document`)."""
    return (
        doc.data,
        {path: tuple(pos) for path, pos in doc.values.items()},
        {path: tuple(pos) for path, pos in doc.keys.items()},
        [astuple(finding) for finding in doc.findings],
    )


def _document(shown: str, text: str, plain: tuple[Any, ...]) -> YamlDocument:
    """The document :func:`_plain` gave ``plain`` for."""
    data, values, keys, findings = plain
    return YamlDocument(
        shown,
        text,
        data,
        {path: Position(*pos) for path, pos in values.items()},
        {path: Position(*pos) for path, pos in keys.items()},
        [Finding(*finding) for finding in findings],
    )


def _fingerprint() -> str:
    """What a parsed document depends on besides its file: this module's and the findings'
    code, the limits, PyYAML and libyaml, Python."""
    limits = repr((MAX_FILE_BYTES, MAX_NODES, MAX_DIGITS))
    return hashlib.sha256(f"{_code_fingerprint()} {limits}".encode()).hexdigest()


@functools.cache
def _code_fingerprint() -> str:
    """The part of :func:`_fingerprint` that cannot change while scireport runs."""
    from . import errors

    parts = [
        Path(__file__).read_bytes(),
        Path(errors.__file__).read_bytes(),
        yaml.__version__.encode(),
        repr(getattr(yaml, "__with_libyaml__", False)).encode(),
        sys.version.encode(),
    ]
    try:
        from yaml import _yaml

        parts.append(_yaml.get_version_string().encode())
    except ImportError:
        pass
    return hashlib.sha256(b"\0".join(parts)).hexdigest()


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
    odd_break = _ODD_LINE_BREAK.search(text)
    if odd_break:
        return fail(
            "yaml-encoding",
            f"character U+{ord(odd_break.group()):04X} is a line break to YAML but not to"
            " editors, so lines would be miscounted; replace it with a space or a newline",
            _line_col_of_text_offset(text, odd_break.start()),
        )
    if not _CONTENT.search(text):
        return fail("yaml-empty", "file is empty; write the profile's fields or delete the file")
    try:
        root = yaml.compose(text, Loader=ComposeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = Position(mark.line + 1, mark.column + 1) if mark else Position(1, 1)
        tab = _TAB_INDENT.search(text)
        if tab and text.count("\n", 0, tab.start()) + 1 <= pos.line:
            # A tab in the indentation at or before the error is almost always its cause.
            where = Position(text.count("\n", 0, tab.start()) + 1, len(tab.group(1)) + 1)
            return fail(
                "yaml-tab", "a tab is used for indentation; indent with spaces instead", where
            )
        problem = exc.problem or exc.context or "invalid YAML"
        context = exc.context_mark
        if exc.problem and exc.context and context and context.line + 1 != pos.line:
            problem += f" ({exc.context} started at line {context.line + 1}, column"
            problem += f" {context.column + 1})"
        return fail("yaml-syntax", f"YAML syntax error: {problem}; fix the line shown", pos)
    except yaml.reader.ReaderError as exc:
        pos = _line_col_of_text_offset(text, exc.position)
        code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1])
        return fail(
            "yaml-encoding",
            f"character U+{code:04X} is not allowed in YAML ({exc.reason}); remove it",
            pos,
        )
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
        self.values = doc.values
        self.seen: set[int] = set()
        self.count = 0
        """Nodes visited again through aliases (plain nodes are bounded by the file size)."""

    def _pos(self, node: yaml.Node) -> Position:
        return Position(node.start_mark.line + 1, node.start_mark.column + 1)

    def _report(self, node: yaml.Node, path: PathKey, rule: str, message: str) -> None:
        p = self._pos(node)
        self.doc.findings.append(
            Finding(self.doc.file, p.line, p.column, dotted(path), rule, "error", message)
        )

    def build(self, node: yaml.Node, path: PathKey) -> Any:
        if id(node) in self.seen:
            self.count += 1
            if self.count > MAX_NODES:
                raise _TooManyNodes
        else:
            self.seen.add(id(node))
        if path not in self.values:
            mark = node.start_mark
            self.values[path] = Position(mark.line + 1, mark.column + 1)
        if node.tag == _STR_TAG and type(node) is yaml.ScalarNode:
            return node.value  # the common case first
        if node.tag not in _SAFE_TAGS:
            self._report(
                node,
                path,
                "yaml-tag",
                f"tag {node.tag!r} is not allowed (profiles hold plain text, numbers and lists);"
                " remove it",
            )
            return None
        if isinstance(node, yaml.MappingNode):
            return dict(self._mapping(node, path))
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        if node.tag not in _SCALAR_TAGS:
            self._report(
                node, path, "yaml-tag", f"tag {node.tag!r} cannot mark a plain value; remove it"
            )
            return None
        if node.tag == _STR_TAG:
            return node.value
        value = node.value
        if node.tag == _FLOAT_TAG and _PLAIN_FLOAT.fullmatch(value):
            return float(value)  # 12.5: what the float constructor gives, without its steps
        too_long = len(value) > MAX_DIGITS  # fewer characters cannot hold too many digits
        digits = sum(c.isdigit() for c in value[: MAX_DIGITS + 10]) if too_long else 0
        if node.tag == "tag:yaml.org,2002:int" and digits > MAX_DIGITS:
            self._report(
                node,
                path,
                "yaml-syntax",
                f"a number of {len(node.value):,} characters is too long to be a figure"
                f" (at most {MAX_DIGITS:,} digits); quote it if it is text",
            )
            return None
        try:
            # The tag's constructor, called directly: construct_object would also remember
            # every node it ever built, for the life of the process.
            return _SCALARS.yaml_constructors[node.tag](_SCALARS, node)
        except Exception as exc:  # PyYAML also raises KeyError, AttributeError...
            kind = node.tag.rsplit(":", 1)[-1]
            why = f": {exc}" if isinstance(exc, ValueError) else ""
            self._report(
                node,
                path,
                "yaml-syntax",
                f"{node.value[:40]!r} is not a valid {kind}{why}; quote it if it is text",
            )
            return None

    def _mapping(self, node: yaml.MappingNode, path: PathKey) -> Iterator[tuple[Any, Any]]:
        seen: dict[Any, Position] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self._report(
                    key_node,
                    path,
                    "yaml-tag",
                    "merge keys (<<) are not allowed; write the fields out",
                )
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self._report(
                    key_node,
                    path,
                    "yaml-key",
                    "a key must be plain text (a field name); write key: value",
                )
                continue
            if key_node.tag not in _SAFE_TAGS:
                self._report(
                    key_node, path, "yaml-tag", f"tag {key_node.tag!r} is not allowed; remove it"
                )
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
