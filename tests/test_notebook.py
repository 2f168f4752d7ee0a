"""The example notebook (docs/examples/analyst.ipynb) runs from top to bottom on this checkout."""

from __future__ import annotations

import os
from pathlib import Path

import nbclient  # the test extra (pyproject.toml)
import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "docs" / "examples" / "analyst.ipynb"


def _text(cell) -> str:
    return "\n".join(o.get("text", "") or str(o.get("data", {}).get("text/plain", "")) for o in cell.outputs)


def test_the_notebook_is_kept_without_outputs():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code and all(not cell.outputs and cell.execution_count is None for cell in code)


@pytest.mark.slow
def test_the_analyst_notebook_runs_run_compare_explain_sweep_and_sensitivity():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    env = os.environ | {"PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    client = nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": str(ROOT)}})
    client.execute(env=env)  # a cell that raises fails here, naming the cell
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    for call in ("sim.run", "sim.compare", "sim.explain_difference", "sim.sweep", "sim.sensitivity"):
        assert any(call + "(" in cell.source for cell in code), call
    printed = "\n".join(map(_text, code))
    assert printed.count(" points (") >= 3 and "report.html" in printed  # the findings, the saved report
    assert "Philippines: the share answering US" in printed  # the explained difference's sentence
    assert "forced_us_Philippines" in printed and "weights.security" in printed  # the sensitivity table
