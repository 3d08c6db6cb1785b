"""The functional-core/Django-shell split and the one-way tower of apps (docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APPS = ["twin", "structures", "lifelines", "scenarios", "frontend"]  # lower → higher
SHELL_ONLY = ("django", "rest_framework", "rest_framework_gis", "channels", "config")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def python_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.parametrize("app", APPS[:4])
def test_engines_import_no_shell(app: str) -> None:
    offenders = []
    for path in python_files(ROOT / app / "engine"):
        for module in imported_modules(path):
            top = module.split(".")[0]
            is_shell_of_app = top in APPS and ".engine" not in module and module not in APPS
            if top in SHELL_ONLY or is_shell_of_app:
                offenders.append(f"{path.relative_to(ROOT)} imports {module}")
    assert offenders == []


@pytest.mark.parametrize("index", range(len(APPS)))
def test_apps_depend_only_downwards(index: int) -> None:
    app, higher = APPS[index], set(APPS[index + 1 :])
    offenders = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in python_files(ROOT / app)
        for module in imported_modules(path)
        if module.split(".")[0] in higher
    ]
    assert offenders == []


def test_the_rule_catches_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from django.db import models\nimport scenarios.services\n")
    assert imported_modules(bad) == {"django.db", "scenarios.services"}
