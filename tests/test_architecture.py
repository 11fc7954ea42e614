"""The package's layering (docs/architecture.md): no import cycles anywhere, not even through
imports inside functions, and the shared core never imports a mode."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

PACKAGE = Path(__file__).resolve().parents[1] / "xenosim"
MODES = ("xenograft", "invitro", "patients", "analysis", "sweep", "teaching", "design", "cli")


def _module(path: Path) -> str:
    parts = ["xenosim", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> nx.DiGraph:
    """Module -> every xenosim module it imports (top level or inside functions)."""
    modules = {_module(p): p for p in PACKAGE.rglob("*.py")}
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text())):
            targets = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            for target in targets:
                if target in modules and target != name and target != "xenosim":
                    graph.add_edge(name, target)
    return graph


def test_no_import_cycles():
    cycles = list(nx.simple_cycles(import_graph()))
    assert not cycles, cycles[:5]


def test_core_and_biology_import_no_mode():
    graph = import_graph()
    bad = [(a, b) for a, b in graph.edges
           if a.startswith(("xenosim.core", "xenosim.biology"))
           and b.removeprefix("xenosim.").split(".")[0] in MODES]
    assert not bad, bad


HEAVY_MODULES = ("numpy", "pandas", "matplotlib", "seaborn", "mesa", "scipy", "statsmodels",
                 "dask", "pydantic", "yaml", "urllib.request")


def test_the_command_line_starts_without_the_heavy_libraries():
    """`xenosim --help` (and every sub-command's help) imports no numerics, plotting, model or
    config library: they load inside the commands, so start-up stays well under 0.5 s."""
    import json
    import subprocess
    import sys

    code = ("import sys\nfrom xenosim.cli import app\ntry:\n    app(['--help'])\n"
            "except SystemExit:\n    pass\nimport json\n"
            f"print(json.dumps(sorted(m for m in {list(HEAVY_MODULES)!r} if m in sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=PACKAGE.parent)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
