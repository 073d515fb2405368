"""The one direction imports go (docs/architecture.md): infrastructure imports no app of the
project; the domain apps import the infrastructure and, for kiosks and umbrellas, queueing."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    """Absolute names of what a module imports (relative imports resolved)."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            names |= {base} | {f"{base}.{alias.name}" for alias in node.names}
    return names


def sources(folder: str) -> list[Path]:
    return sorted(path for path in (ROOT / folder).rglob("*.py") if "migrations" not in path.parts)


def imports_of(folder: str, *, forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sources(folder)
        for name in sorted(imported_modules(path))
        if name.startswith(forbidden)
    ]


def test_the_infrastructure_imports_no_app_of_the_project():
    apps = ("queueing", "kiosks", "umbrellas", "branchsite.accounts")
    assert imports_of("branchsite/infra", forbidden=apps) == []


@pytest.mark.parametrize("folder", ["queueing", "branchsite/accounts"])
def test_queueing_and_the_accounts_import_neither_kiosks_nor_umbrellas(folder):
    """Kiosks and umbrellas are built on queueing; queueing knows a kiosk only as a
    `queueing.devices.BranchDevice`. The demo data, which seeds them all, is `branchsite.demo`."""
    assert imports_of(folder, forbidden=("kiosks", "umbrellas")) == []


def test_no_app_imports_the_demo_data():
    apps = ("queueing", "kiosks", "umbrellas", "branchsite/accounts", "branchsite/infra")
    assert [line for app in apps for line in imports_of(app, forbidden=("branchsite.demo",))] == []
