"""The package's layers (docs/architecture.md): every module imports only from layers below it.

The contracts live in pyproject.toml ([tool.importlinter]); import-linter checks them on this
checkout, and a copy of the package with one planted upward import shows they would catch it.
"""

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# What an import inside a function may delay: heavy libraries (and the modules that load them).
HEAVY = ("mesa", "solara", "ema_workbench", "scipy", "SALib", "distributed", "matplotlib",
         "sim.model", "sim.app", "sim.reports.plots", "benchmarks")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """import-linter on the package under ``root``, with the contracts of its pyproject.toml."""
    code = "import sys; from importlinter.cli import lint_imports_command; lint_imports_command(['--no-cache'])"
    return subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(root)})


def test_the_layer_contracts_hold():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


def lint_with_planted(tmp_path, module: str, code: str):
    """Run the contracts on a copy of the package with ``code`` appended to ``module`` (a path under sim/)."""
    shutil.copytree(ROOT / "sim", tmp_path / "sim", ignore=shutil.ignore_patterns("__pycache__", "*.csv"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    target = tmp_path / "sim" / module
    target.write_text(target.read_text() + code)
    return lint_imports(tmp_path)


def test_a_planted_cycle_breaks_the_contracts(tmp_path):
    """The model core importing the running layer (which imports the core): an upward import and a cycle."""
    result = lint_with_planted(tmp_path, "core/equations.py",
                               "\n\ndef _planted():\n    from sim.running import run  # noqa: F401\n")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Each layer imports only from the layers below it BROKEN" in result.stdout
    assert "sim.core.equations -> sim.running.run" in result.stdout


def largest_import_cycle(package: str = "sim") -> list[str]:
    """The modules of the largest strongly connected set of ``package``'s import graph, counting every
    import (inside functions and under ``TYPE_CHECKING`` too); one module when there is no cycle."""
    import grimp  # import-linter's graph builder, needed by this test only

    graph = grimp.build_graph(package, exclude_type_checking_imports=False, cache_dir=None)
    modules = sorted(graph.modules)
    reach = {m: graph.find_upstream_modules(m) for m in modules}  # what m imports, directly or not
    return max(([m] + sorted(o for o in reach[m] if o != m and m in reach[o]) for m in modules), key=len)


def test_no_import_cycle_counting_every_import():
    cycle = largest_import_cycle()
    assert len(cycle) == 1, f"these modules import each other in a circle: {cycle}"


def test_an_annotation_only_import_closing_a_cycle_is_caught(tmp_path):
    """An import under ``if TYPE_CHECKING:`` is a dependency too: a planted one closes a cycle the contracts see."""
    # sim.core.dynamics imports sim.core.inputs
    result = lint_with_planted(tmp_path, "core/inputs.py", "\n\nfrom typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n"
                               "    from sim.core import dynamics  # noqa: F401\n")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "No cycles are allowed in sim.core" in result.stdout


def test_no_module_of_the_package_is_over_450_lines():
    """One job per module: a module past 450 lines holds more than one (the developers' guide)."""
    sizes = {str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
             for path in (ROOT / "sim").rglob("*.py")}
    assert not {path: n for path, n in sizes.items() if n > 450}


def test_an_app_import_of_the_fit_breaks_the_contracts(tmp_path):
    """The web app reads the survey panel from sim.schema; importing the fit again is caught."""
    result = lint_with_planted(tmp_path, "app/session.py",
                               "\n\nfrom sim.calibration.panel import load_panel  # noqa: E402,F401\n")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "The web app reads the survey panel as data, never the fit BROKEN" in result.stdout


def test_no_module_imports_the_package_root():
    """`sim/__init__` only gathers the public names; a module importing it back would close a cycle."""
    offenders = [f"{path.relative_to(ROOT)}:{node.lineno}"
                 for path in (ROOT / "sim").rglob("*.py")
                 for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                 if isinstance(node, ast.ImportFrom) and node.module == "sim"
                 or isinstance(node, ast.Import) and any(alias.name == "sim" for alias in node.names)]
    assert not offenders, f"these import the package root: {offenders}"


def test_imports_inside_functions_only_delay_heavy_libraries_and_say_so():
    for path in [*(ROOT / "sim").rglob("*.py"), *(ROOT / "benchmarks").rglob("*.py")]:
        lines = path.read_text(encoding="utf-8").splitlines()
        for function in ast.walk(ast.parse("\n".join(lines))):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(function):
                if not isinstance(node, (ast.Import, ast.ImportFrom)):
                    continue
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif node.module == "sim.reports":  # from sim.reports import plots
                    names = [f"sim.reports.{alias.name}" for alias in node.names]
                else:
                    names = [node.module]
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                assert all(name.split(".")[0] in HEAVY or name.startswith(HEAVY) for name in names), where
                reason = lines[node.lineno - 1] + lines[node.end_lineno - 1] + lines[node.lineno - 2]
                assert "#" in reason, f"{where}: say why this import waits"


def test_a_command_builds_only_its_own_options():
    """`run.py run` does not import the other commands' modules (the calibration commands cost about 2 s)."""
    probe = ("import sys; from sim.cli import build_parser; parser = build_parser('run'); "
             "parser.parse_args(['run', 'baseline_2020', '--replicates', '2']); "
             "print(' '.join(m for m in sys.modules if m.startswith('sim.commands.')))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT)
    commands = set(loaded.stdout.split()) - {"sim.commands.common"}  # the commands' shared helpers
    assert commands == {"sim.commands.run"}, loaded.stdout
