"""One home per concept: the core's modules import each other without cycles (and without
imports hidden inside functions to get round one), and views use services, not the models."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "linkworker"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(node: ast.AST, package: str) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if isinstance(node, ast.ImportFrom):
        if node.level:  # relative: from . import x
            base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
            module = f"{base}.{node.module}" if node.module else base
        else:
            module = node.module or ""
        return [module] + [f"{module}.{a.name}" for a in node.names]
    return []


def _core_files() -> list[Path]:
    return [p for p in CORE.rglob("*.py") if "migrations" not in p.parts]


def _run_time_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node but those under ``if TYPE_CHECKING:`` (imports for type hints never run)."""
    skipped = {id(n) for block in ast.walk(tree)
               if isinstance(block, ast.If) and getattr(block.test, "id", "") == "TYPE_CHECKING"
               for inner in block.body for n in ast.walk(inner)}
    return [n for n in ast.walk(tree) if id(n) not in skipped]


def _graph(top_level_only: bool) -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in _core_files()}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text())
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        nodes = tree.body if top_level_only else _run_time_nodes(tree)
        found = set()
        for node in nodes:
            for target in _imported(node, package):
                if target in modules and target != name:
                    found.add(target)
        graph[name] = found
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def _service_graph() -> dict[str, set[str]]:
    """Every import, also those inside functions, between the services (the command line and
    package ``__init__`` re-exports are entry points, left out)."""
    graph = _graph(top_level_only=False)
    keep = {n for n in graph if not n.startswith("linkworker.cli") and
            not (CORE / Path(*n.split(".")[1:]) / "__init__.py").exists() and n != "linkworker"}
    return {n: {m for m in graph[n] if m in keep} for n in keep}


def test_the_core_has_no_import_cycles_even_through_imports_inside_functions():
    assert _cycle(_service_graph()) is None, " -> ".join(_cycle(_service_graph()) or [])


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_views_never_import_the_models():
    for path in (ROOT / "ui").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = _imported(node, "ui")
            assert not any(n == "linkworker.models" or n.startswith("linkworker.models.")
                           for n in names), f"{path.relative_to(ROOT)} imports linkworker.models"
