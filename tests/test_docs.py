"""Documents that quote the code or the data must not drift from them."""

from pathlib import Path

from sim.schema import parameters

ROOT = Path(__file__).resolve().parent.parent


def test_model_doc_parameter_tables_match_the_table():
    text = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    assert text.count("<!-- parameters:") == 4
    assert parameters.fill_markdown_blocks(text) == text, \
        "docs/model.md is out of date: run `python3 run.py params --fill-doc docs/model.md`"


def test_markdown_table_has_a_row_per_parameter():
    table = parameters.markdown(("weights.",))
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    assert len(rows) == len([k for k in parameters.specs() if k.startswith("weights.")]) == 6
    assert all(line.count(" | ") == 4 for line in rows)  # five cells: no pipe leaked from the text
