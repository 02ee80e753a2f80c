"""The one rule of the layers: the core never imports Qt, and ui/ never talks SQL."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
import textwrap
from pathlib import Path

import linkworker

ROOT = Path(__file__).resolve().parent.parent


def core_modules() -> list[str]:
    names = ["linkworker"]
    for info in pkgutil.walk_packages(linkworker.__path__, prefix="linkworker."):
        if ".migrations" in info.name:
            continue
        names.append(info.name)
    return names


def test_every_core_module_imports_with_qt_unimportable():
    script = textwrap.dedent(
        f"""
        import importlib, sys

        class BlockQt:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in ("PySide6", "shiboken6", "ui"):
                    raise ImportError(f"the core imported {{name}}")
                return None

        sys.meta_path.insert(0, BlockQt())
        for name in {core_modules()!r}:
            importlib.import_module(name)
        print("imported", len({core_modules()!r}))
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("imported")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module.split(".")[0])
    return found


def test_ui_never_imports_sqlalchemy():
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "ui").rglob("*.py")
        if "sqlalchemy" in _imports(path)
    ]
    assert offenders == []


def test_core_source_never_names_qt():
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "linkworker").rglob("*.py")
        if _imports(path) & {"PySide6", "shiboken6", "ui"}
    ]
    assert offenders == []
