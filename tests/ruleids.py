"""Which validation rule ids the code can emit (for tests/test_rules_doc.py and
tests/test_validate_rules.py).

Read from the source's syntax trees, not guessed from its strings. A finding is made by
``Finding(...)`` (the rule is its fifth field) or by a ``.finding(...)`` method (the rule
is its second argument: ``YamlDocument.finding``, ``Table.finding``), and a rule may be
changed by ``dataclasses.replace(finding, rule=...)``. Each rule argument
is followed back to the string literals it can hold: through conditional expressions,
local and module-level assignments, dict lookups (``_RULES.get(kind, "schema-type")``),
the parameters of helper functions (``fail(rule, ...)``, ``problem(rule, ...)``: every
call of the helper is read) and attributes set from a constructor's parameter
(``exc.rule`` of ``UnsafeFile(rule, ...)``). A rule argument that cannot be followed to
literals (an f-string, a value read from a file...) fails the test: register the ids it
can take and make them literals. preflight/ is left out: its ``pdf-*`` ids have their own
registry (``preflight.RULES``) and their own test in tests/test_rules_doc.py.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "scireport"
"""The package whose findings are read."""

FINDING_FIELDS = ("file", "line", "column", "path", "rule", "severity", "message", "page", "cell")
"""The fields of ``errors.Finding`` in order, to find the rule among positional arguments."""

NOT_EMITTED = {
    ("data.py", "_place"),  # table.finding(cell, "", "") only to format the cell's place
}
"""Functions (module, name) that build a Finding they never report; their calls are skipped."""

NOT_RULE_IDS = {
    "accent-light": "a colour name of the default layout (models.py)",
    "city-cover": "a CSS class of the standalone city cover (assemble.py)",
    "fc-list": "fontconfig's command (stitch.py, cache.py)",
    "fc-match": "fontconfig's command (checks/glyphs.py)",
    "new-city": "a CLI command (cli.py)",
    "no-cache": "an HTTP Cache-Control value (preview/server.py)",
    "parent-watchdog": "a thread name (build.py)",
    "preview-finish": "a process name (preview/live.py)",
    "preview-watch": "a thread name (preview/live.py)",
    "utf-8": "a codec name",
    "utf-8-sig": "a codec name",
}
"""Hyphenated string literals of src/ that are not rule ids, each with what it is."""

HYPHENATED = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)+")


class _Unresolved(Exception):
    """A rule argument that cannot be followed back to string literals."""


class _Source:
    """The syntax trees of src/scireport (without preflight/), with parent links."""

    def __init__(self) -> None:
        self.modules: dict[str, ast.Module] = {}
        self.parent: dict[ast.AST, ast.AST] = {}
        self.module_of: dict[ast.AST, str] = {}
        for path in sorted(SRC.rglob("*.py")):
            if "preflight" in path.relative_to(SRC).parts:
                continue
            name = path.relative_to(SRC).as_posix()
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            self.modules[name] = tree
            for node in ast.walk(tree):
                self.module_of[node] = name
                for child in ast.iter_child_nodes(node):
                    self.parent[child] = node
        self.calls = [
            node
            for tree in self.modules.values()
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
        ]

    def where(self, node: ast.AST) -> str:
        return f"src/scireport/{self.module_of[node]}:{getattr(node, 'lineno', '?')}"

    def enclosing(self, node: ast.AST) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
        """The functions around ``node``, innermost first."""
        while node in self.parent:
            node = self.parent[node]
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                yield node

    def emitted(self) -> tuple[dict[str, set[str]], list[str]]:
        """Every rule id a finding can carry (id -> where its literal is), and the rule
        arguments that could not be followed."""
        found: dict[str, set[str]] = {}
        unresolved = []
        for call in self.calls:
            if self._skipped(call):
                continue
            argument = _rule_argument(call)
            if argument is None:
                continue
            try:
                for rule, where in self.resolve(argument, set()):
                    found.setdefault(rule, set()).add(where)
            except _Unresolved as exc:
                unresolved.append(f"{self.where(call)}: {exc}")
        return found, unresolved

    def _skipped(self, node: ast.AST) -> bool:
        return any((self.module_of[node], f.name) in NOT_EMITTED for f in self.enclosing(node))

    def resolve(self, expr: ast.expr, seen: set[ast.AST]) -> set[tuple[str, str]]:
        """The string literals ``expr`` can evaluate to, each with where it is written."""
        if expr in seen:
            return set()
        seen.add(expr)
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            return {(expr.value, self.where(expr))}
        if isinstance(expr, ast.IfExp):
            return self.resolve(expr.body, seen) | self.resolve(expr.orelse, seen)
        if isinstance(expr, ast.BoolOp):
            return set().union(*(self.resolve(value, seen) for value in expr.values))
        if isinstance(expr, ast.Name):
            return set().union(*(self.resolve(value, seen) for value in self._values_of(expr)))
        if isinstance(expr, ast.Attribute):
            return set().union(*(self.resolve(v, seen) for v in self._attribute_values(expr)))
        if isinstance(expr, ast.Subscript):
            return set().union(*(self.resolve(v, seen) for v in self._items(expr.value)))
        if (
            isinstance(expr, ast.Call)
            and isinstance(expr.func, ast.Attribute)
            and expr.func.attr == "get"
        ):
            values = [*self._items(expr.func.value), *expr.args[1:]]
            return set().union(*(self.resolve(value, seen) for value in values))
        raise _Unresolved(f"cannot follow {ast.unparse(expr)!r} back to string literals")

    def _items(self, expr: ast.expr) -> list[ast.expr]:
        """The values of the dict literal ``expr`` names."""
        if isinstance(expr, ast.Dict):
            return [value for value in expr.values if value is not None]
        if isinstance(expr, ast.Name):
            return [item for value in self._values_of(expr) for item in self._items(value)]
        raise _Unresolved(f"cannot read the values of {ast.unparse(expr)!r}")

    def _values_of(self, name: ast.Name) -> list[ast.expr]:
        """What ``name`` can hold where it is used: its assignments, or its parameter's
        arguments at every call of the function."""
        for function in self.enclosing(name):
            params = [*function.args.posonlyargs, *function.args.args, *function.args.kwonlyargs]
            if any(param.arg == name.id for param in params):
                return self._arguments(function, name.id)
            assigned = _assigned(function, name.id)
            if assigned:
                return assigned
        assigned = _assigned(self.modules[self.module_of[name]], name.id, top=True)
        if not assigned:
            raise _Unresolved(f"cannot find what {name.id!r} holds")
        return assigned

    def _subclasses(self, name: str) -> set[str]:
        """The classes of src that derive from class ``name``, directly or not."""
        found: set[str] = set()
        grew = True
        while grew:
            grew = False
            for tree in self.modules.values():
                for node in ast.walk(tree):
                    if isinstance(node, ast.ClassDef) and node.name not in found:
                        bases = {b.id for b in node.bases if isinstance(b, ast.Name)}
                        if bases & (found | {name}):
                            found.add(node.name)
                            grew = True
        return found

    def _attribute_values(self, attribute: ast.Attribute) -> list[ast.expr]:
        """``x.rule``: whatever any class of src assigns to ``self.rule``."""
        values = []
        for tree in self.modules.values():
            for node in ast.walk(tree):
                if isinstance(node, ast.Assign):
                    for target in node.targets:
                        if (
                            isinstance(target, ast.Attribute)
                            and target.attr == attribute.attr
                            and isinstance(target.value, ast.Name)
                            and target.value.id == "self"
                        ):
                            values.append(node.value)
        if not values:
            raise _Unresolved(f"no class sets self.{attribute.attr}")
        return values

    def _arguments(
        self, function: ast.FunctionDef | ast.AsyncFunctionDef, param: str
    ) -> list[ast.expr]:
        """The argument given for ``param`` at every call of ``function`` in src."""
        positional = [p.arg for p in [*function.args.posonlyargs, *function.args.args]]
        owner = self.parent[function]
        method = isinstance(owner, ast.ClassDef) and positional[:1] in (["self"], ["cls"])
        if method:
            positional = positional[1:]
        name = owner.name if function.name == "__init__" and method else function.name
        names = {name}
        if function.name == "__init__" and method:  # a subclass's constructor runs it too
            names |= self._subclasses(name)
        nested = next(self.enclosing(function), None)
        defaults = dict(
            zip(
                reversed(positional),
                reversed(function.args.defaults),
                strict=False,
            )
        )
        defaults |= {
            p.arg: d
            for p, d in zip(function.args.kwonlyargs, function.args.kw_defaults, strict=True)
            if d is not None
        }
        values = []
        for call in self.calls:
            func = call.func
            if isinstance(func, ast.Name):
                named = func.id in names
            else:
                named = isinstance(func, ast.Attribute) and func.attr in names and not nested
            if not named or self._skipped(call):
                continue
            if nested is not None and nested not in self.enclosing(call):
                continue  # another function's helper of the same name
            given = next((k.value for k in call.keywords if k.arg == param), None)
            if given is None and param in positional:
                index = positional.index(param)
                if any(isinstance(a, ast.Starred) for a in call.args[: index + 1]):
                    raise _Unresolved(f"{self.where(call)}: *args hide the {param!r} argument")
                if index < len(call.args):
                    given = call.args[index]
            if given is None:
                if any(k.arg is None for k in call.keywords):
                    raise _Unresolved(f"{self.where(call)}: **kwargs hide the {param!r} argument")
                given = defaults.get(param)
            if given is not None:
                values.append(given)
        return values


def _rule_argument(call: ast.Call) -> ast.expr | None:
    """The rule argument of a ``Finding(...)`` or ``.finding(...)`` call, or of a
    ``replace(finding, rule=...)`` (None: not one, or ``Finding(**record)``, which rebuilds
    a finding a check made, from the cache)."""
    func = call.func
    if isinstance(func, ast.Name | ast.Attribute) and (
        (func.id if isinstance(func, ast.Name) else func.attr) == "replace"
    ):
        return next((k.value for k in call.keywords if k.arg == "rule"), None)
    if isinstance(func, ast.Name) and func.id == "Finding":
        fields = FINDING_FIELDS
    elif isinstance(func, ast.Attribute) and func.attr == "finding":
        fields = ("path", "rule")
    else:
        return None
    keyword = next((k.value for k in call.keywords if k.arg == "rule"), None)
    if keyword is not None:
        return keyword
    index = fields.index("rule")
    starred = [i for i, a in enumerate(call.args) if isinstance(a, ast.Starred)]
    if not starred:
        return call.args[index] if index < len(call.args) else None
    # Finding(file, *position, path, rule, severity, message): count from the end, the last
    # positional argument being ``message``.
    tail = call.args[starred[-1] + 1 :]
    back = fields.index("message") - index
    return tail[len(tail) - 1 - back] if len(tail) > back else None


def _assigned(scope: ast.AST, name: str, *, top: bool = False) -> list[ast.expr]:
    """The values ``scope`` assigns to ``name`` (at module level only, with ``top``)."""
    nodes = scope.body if top and isinstance(scope, ast.Module) else ast.walk(scope)
    values: list[ast.expr] = []
    for node in nodes:
        if isinstance(node, ast.Assign):
            if any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
                values.append(node.value)
        elif isinstance(node, ast.AnnAssign | ast.NamedExpr):
            target = node.target
            if isinstance(target, ast.Name) and target.id == name and node.value is not None:
                values.append(node.value)
        elif (
            isinstance(node, ast.For)
            and isinstance(node.target, ast.Name)
            and node.target.id == name
        ):
            if not isinstance(node.iter, ast.Tuple | ast.List | ast.Set):
                raise _Unresolved(f"{name!r} loops over {ast.unparse(node.iter)!r}")
            values.extend(node.iter.elts)
    return values


@functools.cache
def source_trees() -> _Source:
    """The parsed source, once per test session."""
    return _Source()


def emitted_rule_ids() -> tuple[dict[str, set[str]], list[str]]:
    """Every rule id a finding can carry (id -> where its literal is written), and the
    rule arguments that could not be followed back to literals."""
    return source_trees().emitted()


def string_literals() -> Iterator[tuple[str, str]]:
    """Every string literal of src (without preflight/) but docstrings and other bare
    strings (attribute docstrings)."""
    for name, tree in source_trees().modules.items():
        docstrings = {
            id(node.value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
            ):
                yield node.value, f"src/scireport/{name}:{node.lineno}"
