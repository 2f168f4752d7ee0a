"""The parameter table against its sources: derived rows match the data, every row is sourced."""

import importlib.util
from pathlib import Path

import pandas as pd

from sim.schema import parameters

DATA = Path(__file__).resolve().parent.parent / "sim" / "data"
SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"


def load_derivation():
    spec = importlib.util.spec_from_file_location("derive_parameters", SCRIPTS / "derive_parameters.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_derived_rows_have_not_drifted_from_countries_csv():
    derived = load_derivation().derived_rows().set_index("key")
    table = parameters.table().set_index("key")
    assert len(derived) > 100
    for key, row in derived.iterrows():
        assert float(table.loc[key, "value"]) == float(row["value"]), key
        assert table.loc[key, "source"].startswith("derived:"), key


def test_every_state_partner_pair_and_partner_attribute_is_present():
    keys = set(parameters.specs())
    for state in parameters.states():
        for partner in parameters.partners():
            for attribute in ("ties", "defense", "history", "engagement", "assist", "trust_gap"):
                assert f"states.{state}.{attribute}.{partner}" in keys
    assert len(parameters.states()) == 10 and len(parameters.partners()) == 8  # seven powers and ASEAN


def test_judgements_are_marked():
    table = parameters.table()
    judged = table[~table["source"].str.startswith("derived:") & (table["note"].str.len() == 0)]
    # rows with neither a derivation nor a note must cite data or a seed directly
    cited = "seed|ISEAS|Lowy|survey|countries.csv|MODEL.md|Mekong River Commission"
    assert judged["source"].str.contains(cited, case=False).all(), \
        judged[["key", "source"]].to_string()


def test_project_does_not_read_shared_folder_at_run_time():
    sources = (Path(__file__).resolve().parent.parent / "sim").rglob("*.py")
    offenders = [p.name for p in sources if "../shared" in p.read_text() or "/work/shared" in p.read_text()]
    assert offenders == []


def test_survey_targets_copied_with_sources():
    targets = pd.read_csv(DATA / "survey_targets.csv")
    assert {"year", "question", "option", "percent", "source"} <= set(targets.columns)
