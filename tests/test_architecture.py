"""The package layout's rules, checked on the source (issue 18).

Lower layers never import higher ones, there are no import circles between modules, and no
module imports another module's ``_underscore`` name. Imports inside functions count too: a
lazy import is still a dependency.
"""

from __future__ import annotations

import ast
import pathlib
from collections import defaultdict

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent

#: What each stage of ``monitor/`` (and the ``spiders`` package) may import from the project.
#: Modules at the package's top level that are not listed are the shared base.
#: ``lexicons`` is data analysts edit (outlet display names) with its validating loader: every
#: layer may read it (issue 19).
BASE = {"errors", "models", "timeutil", "logsetup", "config", "lexicons", "jsontext"}
ALLOWED: dict[str, set[str]] = {
    "base": {"base"},
    "text": {"base", "text"},
    "detect": {"base", "text", "detect"},
    "match": {"base", "text", "detect", "match"},
    "store": {"base", "store"},
    "alerts": {"base", "store", "alerts"},
    "pipeline": {"base", "text", "detect", "match", "store", "alerts", "pipeline"},
    # the processing stage (issue 16): drains the backlog through the pipeline, in worker processes
    "process": {"base", "text", "detect", "match", "store", "alerts", "pipeline", "process"},
    # the crawl runner starts the Scrapy project; its item pipeline hands items back to ingest
    "collect": {"base", "text", "store", "pipeline", "process", "collect", "spiders"},
    "spiders": {"base", "text", "store", "collect", "spiders"},
}


def stage_of(module: str) -> str:
    parts = module.split(".")
    if parts[0] == "spiders":
        return "spiders"
    name = parts[1] if len(parts) > 1 else "monitor"
    return "base" if name in BASE else name


def module_name(path: pathlib.Path) -> str:
    name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    return name.removesuffix(".__init__")


def project_imports(path: pathlib.Path) -> list[tuple[str, list[str], int]]:
    """(imported module, imported names, line) for every import of project code in the file."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            target = node.module or ""
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([target] if target else []))
            if target.split(".")[0] in ("monitor", "spiders"):
                found.append((target, [a.name for a in node.names], node.lineno))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in ("monitor", "spiders"):
                    found.append((alias.name, [], node.lineno))
    return found


def source_files() -> list[pathlib.Path]:
    return sorted([*ROOT.joinpath("monitor").rglob("*.py"), *ROOT.joinpath("spiders").rglob("*.py")])


def test_lower_layers_never_import_higher_ones() -> None:
    wrong = []
    for path in source_files():
        stage = stage_of(module_name(path))
        if stage not in ALLOWED:
            continue  # cli, daemon, health, demo, evaluate, review: the top may import anything below it
        for target, names, line in project_imports(path):
            targets = [f"{target}.{n}" for n in names] if target == "monitor" else [target]
            for t in targets:
                if stage_of(t) not in ALLOWED[stage]:
                    wrong.append(f"{path.relative_to(ROOT)}:{line}: {stage} imports {t}")
    assert not wrong, "\n".join(wrong)


def test_no_module_imports_another_modules_private_names() -> None:
    wrong = [f"{path.relative_to(ROOT)}:{line}: imports {n} from {target}"
             for path in source_files()
             for target, names, line in project_imports(path)
             for n in names if n.startswith("_") and not n.startswith("__")]
    assert not wrong, "\n".join(wrong)


def test_no_import_circles_between_modules() -> None:
    known = {module_name(p) for p in source_files()}
    graph: dict[str, set[str]] = defaultdict(set)
    for path in source_files():
        for target, names, _ in project_imports(path):
            candidates = [f"{target}.{n}" for n in names] + [target]
            for t in candidates:
                if t in known and t != module_name(path):
                    graph[module_name(path)].add(t)
                    break
    # A package's __init__ re-exporting its own modules is not a circle worth flagging.
    def edges(m: str) -> set[str]:
        return {t for t in graph[m] if not (m.startswith(t + ".") and t in known)}

    state: dict[str, int] = {}
    cycles: list[str] = []

    def visit(m: str, trail: list[str]) -> None:
        state[m] = 1
        for t in sorted(edges(m)):
            if state.get(t) == 1:
                cycles.append(" -> ".join(trail[trail.index(t):] + [t]) if t in trail else f"{m} -> {t}")
            elif t not in state:
                visit(t, trail + [t])
        state[m] = 2

    for m in sorted(known):
        if m not in state:
            visit(m, [m])
    assert not cycles, "\n".join(cycles)


@pytest.mark.parametrize("module", ["monitor.alerts.digest", "monitor.alerts.delivery"])
def test_stage_rules_catch_a_higher_import(module: str, tmp_path: pathlib.Path) -> None:
    """The checker itself works: an alerts module importing the pipeline is flagged."""
    stage = stage_of(module)
    assert stage == "alerts"
    assert stage_of("monitor.pipeline") not in ALLOWED[stage]
    assert stage_of("monitor.store.outbox") in ALLOWED[stage]
