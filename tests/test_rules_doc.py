"""docs/rules.md is generated from the rule registries, and the registries are complete."""

from __future__ import annotations

import ast
import functools
import re
import runpy
from collections.abc import Iterator
from pathlib import Path

from scireport.checks.rules import FAMILIES, VALIDATION_RULES
from scireport.preflight import RULES

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src" / "scireport"


def test_docs_rules_md_is_up_to_date() -> None:
    render = runpy.run_path(str(REPO / "scripts" / "rules_doc.py"))["render"]
    assert (REPO / "docs" / "rules.md").read_text(encoding="utf-8") == render(), (
        "docs/rules.md is stale: run python scripts/rules_doc.py"
    )


def test_every_pdf_rule_is_documented() -> None:
    text = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    emitted = set(re.findall(r'"(pdf-[a-z-]+)"', _source(SRC / "preflight")))
    assert emitted == {unit.id for unit in RULES}
    for rule_id in emitted:
        assert f"| `{rule_id}` |" in text


def test_validation_rules_are_registered_once_in_a_known_family() -> None:
    ids = [rule.id for rule in VALIDATION_RULES]
    assert len(ids) == len(set(ids))
    titles = {family.title for family in FAMILIES}
    assert all(rule.family in titles and rule.doc.strip() for rule in VALIDATION_RULES)


def _source(path: Path) -> str:
    files = [path] if path.is_file() else sorted(path.rglob("*.py"))
    return "\n".join(f.read_text(encoding="utf-8") for f in files if f.suffix == ".py")


# --- Which rule ids can the code emit? -------------------------------------------------
#
# Read from the source's syntax trees, not guessed from its strings. A finding is made by
# ``Finding(...)`` (the rule is its fifth field) or by a ``.finding(...)`` method (the rule
# is its second argument: ``YamlDocument.finding``, ``Table.finding``). Each rule argument
# is followed back to the string literals it can hold: through conditional expressions,
# local and module-level assignments, dict lookups (``_RULES.get(kind, "schema-type")``),
# the parameters of helper functions (``fail(rule, ...)``, ``problem(rule, ...)``: every
# call of the helper is read) and attributes set from a constructor's parameter
# (``exc.rule`` of ``UnsafeFile(rule, ...)``). A rule argument that cannot be followed to
# literals (an f-string, a value read from a file...) fails the test: register the ids it
# can take and make them literals. preflight/ is left out: its ``pdf-*`` ids have their own
# registry (``preflight.RULES``) and test above.

FINDING_FIELDS = ("file", "line", "column", "path", "rule", "severity", "message", "page", "cell")
"""The fields of ``errors.Finding`` in order, to find the rule among positional arguments."""

NOT_EMITTED = {
    ("data.py", "_place"),  # table.finding(cell, "", "") only to format the cell's place
}
"""Functions (module, name) that build a Finding they never report; their calls are skipped."""

NOT_RULE_IDS = {
    "accent-light": "a colour name of the default layout (models.py)",
    "city-cover": "a CSS class of the standalone city cover (assemble.py)",
    "fc-list": "fontconfig's command (checks/glyphs.py)",
    "fc-match": "fontconfig's command (checks/glyphs.py)",
    "new-city": "a CLI command (cli.py, scaffold.py)",
    "no-cache": "an HTTP Cache-Control value (preview/server.py)",
    "parent-watchdog": "a thread name (typeset.py)",
    "preview-finish": "a process or thread name (preview/live.py)",
    "preview-watch": "a thread name (preview/live.py)",
    "utf-8": "a codec name",
    "utf-8-sig": "a codec name",
}
"""Hyphenated string literals of src/ that are not rule ids, each with what it is."""

_HYPHENATED = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)+")


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
                named = func.id == name
            else:
                named = isinstance(func, ast.Attribute) and func.attr == name and not nested
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
    """The rule argument of a ``Finding(...)`` or ``.finding(...)`` call (None: not one,
    or ``Finding(**record)``, which rebuilds a finding a check made, from the cache)."""
    func = call.func
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
        elif isinstance(node, ast.For):
            if isinstance(node.target, ast.Name) and node.target.id == name:
                if not isinstance(node.iter, ast.Tuple | ast.List | ast.Set):
                    raise _Unresolved(f"{name!r} loops over {ast.unparse(node.iter)!r}")
                values.extend(node.iter.elts)
    return values


@functools.cache
def _source_trees() -> _Source:
    return _Source()


def _string_literals() -> Iterator[tuple[str, str]]:
    """Every string literal of src (without preflight/) but docstrings and other bare
    strings (attribute docstrings)."""
    for name, tree in _source_trees().modules.items():
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


def test_every_rule_id_a_check_emits_is_registered() -> None:
    registered = {rule.id for rule in VALIDATION_RULES}
    emitted, unresolved = _source_trees().emitted()
    assert unresolved == []
    missing = {rule: sorted(at) for rule, at in emitted.items() if rule not in registered}
    assert missing == {}, "register these in checks/rules.py (VALIDATION_RULES)"
    assert registered - set(emitted) == set(), "registered, but no check emits them"


def test_every_hyphenated_literal_is_a_rule_id_or_declared_not_one() -> None:
    """A rule id stored where the emission trace does not look (a table of ids, say) is
    still caught: any hyphenated literal must be registered or listed in NOT_RULE_IDS."""
    registered = {rule.id for rule in VALIDATION_RULES}
    strays = {
        (value, where)
        for value, where in _string_literals()
        if _HYPHENATED.fullmatch(value) and value not in registered | set(NOT_RULE_IDS)
    }
    assert strays == set()
    used = {value for value, _ in _string_literals()}
    assert set(NOT_RULE_IDS) - used == set(), "NOT_RULE_IDS lists strings src no longer has"
