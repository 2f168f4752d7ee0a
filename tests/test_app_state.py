"""The web app's state and layout by job (issue 22): each browser session holds its own state,
nothing mutable is shared at module level, no private Plotly module is imported, and every
public function of the app says what it does."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytest.importorskip("solara")

from sim.app.state import PageState  # noqa: E402 - after the skip: Solara is an optional dependency

APP = Path(__file__).resolve().parent.parent / "sim" / "app"
MODULES = sorted(APP.glob("*.py"))


def test_two_sessions_do_not_share_their_state():
    first, second = PageState(), PageState()
    first.reset()
    second.reset("us_retrenchment")
    first.step_once()
    first.selected.value = "Laos"
    assert first.model.value is not second.model.value
    assert (first.model.value.steps, second.model.value.steps) == (1, 0)
    assert second.selected.value == "Vietnam" and second.scenario_name.value == "us_retrenchment"
    assert first.scenario_name.value == "baseline_2020"


def test_a_slider_before_the_first_step_rebuilds_and_after_it_schedules():
    state = PageState()
    state.reset()
    started = state.model.value
    state.set_control("world.rivalry", 0.9)
    assert state.model.value is not started and state.model.value.steps == 0
    state.step_once()
    stepped = state.model.value
    state.set_control("world.asean_unity", 0.6)
    assert state.model.value is stepped  # the same run, with an event at the next quarter
    assert any(e.key == "world.asean_unity" and e.step == 2 for e in stepped.events)


def module_level_calls(path: Path) -> list[str]:
    """Dotted names of the calls assigned at a module's top level (``x = solara.reactive(...)``)."""
    names = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Call):
            names.append(ast.unparse(node.value.func))
    return names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_module_holds_session_state(path):
    shared = [name for name in module_level_calls(path)
              if name.endswith(("reactive", "Lock", "RLock", "use_state")) or name in ("dict", "list", "set")]
    assert not shared, f"{path.name} holds state at module level (shared by every browser session): {shared}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_private_plotly_module_is_imported(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module]
    imported += [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    private = [name for name in imported if name.startswith("plotly") and "._" in name]
    assert not private, f"{path.name} imports {private}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_every_public_function_and_class_is_documented(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert ast.get_docstring(tree), f"{path.name} has no opening comment saying its job"
    nodes = [*tree.body, *(n for c in tree.body if isinstance(c, ast.ClassDef) for n in c.body)]
    missing = [node.name for node in nodes
               if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_")
               and not ast.get_docstring(node)]
    assert not missing, f"{path.name}: no docstring for {missing}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_every_module_is_under_450_lines(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 450
