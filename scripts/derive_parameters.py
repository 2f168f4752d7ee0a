"""Derive the data-based rows of ``parameters.csv`` from ``countries.csv``.

Run by developers after ``countries.csv`` changes (never at model run time)::

    python scripts/derive_parameters.py

It recomputes every row whose ``source`` starts with ``derived:``, keeps every
other row (the hand-written judgement rows) exactly as it is, sorts the table
(sections model, weights, world, partners, states; then by key), validates it
and writes it back. ``derived_rows()`` returns the derived rows alone, so a
test can check that the table has not drifted from the data.

Timor-Leste is left out: countries.csv has no trade, investment, arms or
exercise rows for it (only aid shares and a few mirror-trade figures), too
thin to place it next to the ten ASEAN members.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

DATA = Path(__file__).resolve().parents[1] / "sim" / "data"  # a build script beside the package, not in it
COUNTRIES = DATA / "countries.csv"
PARAMETERS = DATA / "parameters.csv"

COLUMNS = ["key", "value", "kind", "min", "max", "source", "note"]
SECTIONS = ("model", "weights", "world", "partners", "states")
STATES = ("Brunei", "Cambodia", "Indonesia", "Laos", "Malaysia", "Myanmar",
          "Philippines", "Singapore", "Thailand", "Vietnam")
OUTSIDE = ("US", "CN", "JP", "KR", "EU", "AU", "IN")  # the partners countries.csv measures
PARTNERS = OUTSIDE + ("ASEAN",)  # plus the ASEAN-centred option, all judgement rows
STATE_PARTNER_ATTRIBUTES = ("ties", "defense", "history", "engagement", "assist", "trust_gap")
PARTNER_ATTRIBUTES = ("security_capacity", "economic_capacity", "reliability", "counterbalance",
                      "provocation", "coercion", "rivals", "engagement_budget", "aim", "downplay")
LOWY_NETWORK = "Lowy Institute Asia Power Index 2023 ed. network data"
TREATY_BONUS = 0.3


# --- reading countries.csv ----------------------------------------------------


def load_countries(path: Path = COUNTRIES) -> pd.DataFrame:
    """countries.csv as a table (country, indicator, partner, value, unit, year, source, confidence)."""
    return pd.read_csv(path)


def lookup(data: pd.DataFrame, country: str, indicator: str, partner: str | None = None,
           year: str | None = None) -> float | None:
    """The value of one indicator row, or None when countries.csv has no such row."""
    rows = data[(data.country == country) & (data.indicator == indicator)]
    if partner is not None:
        rows = rows[rows.partner == partner]
    if year is not None:
        rows = rows[rows.year.astype(str) == year]
    if rows.empty:
        return None
    if len(rows) > 1:
        raise ValueError(f"several rows for {country} {indicator} {partner} {year}")
    return float(rows.value.iloc[0])


def fmt(x: float) -> str:
    """A number rounded to 3 decimals, written without trailing zeros."""
    text = f"{round(x, 3):.3f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def row(key: str, value: float, lo: float, hi: float, source: str, note: str = "") -> dict:
    """One real-valued table row."""
    return {"key": key, "value": fmt(value), "kind": "real", "min": fmt(lo), "max": fmt(hi),
            "source": source, "note": note}


# --- state x partner attributes -----------------------------------------------


def ties(data: pd.DataFrame) -> list[dict]:
    """ties[S,P] = (0.7*trade_share + 0.3*fdi_share) / 100; a missing share counts 0."""
    source = (f"derived: (0.7*trade_share + 0.3*fdi_share)/100, {LOWY_NETWORK}: "
              "trade 2020, investment 2012-21 (countries.csv)")
    rows = []
    for s in STATES:
        for p in OUTSIDE:
            trade = lookup(data, s, "trade_share", p)
            fdi = lookup(data, s, "fdi_share", p)
            missing = [name for name, v in (("trade_share", trade), ("fdi_share", fdi)) if v is None]
            note = f"no {' or '.join(missing)} row in countries.csv: counted 0" if missing else ""
            if s == "Brunei" and p == "CN":
                note = ("fdi_share 93.6% is one refinery project (Hengyi, countries.csv), "
                        "so this rests on a single investment")
            value = (0.7 * (trade or 0.0) + 0.3 * (fdi or 0.0)) / 100
            rows.append(row(f"states.{s}.ties.{p}", value, 0, 1, source, note))
        rows.append(asean_ties(s, sum(float(r["value"]) for r in rows[-len(OUTSIDE):])))
    return rows


def asean_ties(state: str, with_partners: float) -> dict:
    """ties[S,ASEAN] = 1 - sum of ties[S,P] over the seven outside partners: the state's trade and
    investment that no outside power the model names holds (ASEAN neighbours and the rest of the
    world), its economic room to stay ASEAN-centred. A per-state basis for the option's level
    (issue 23) instead of one regional share for every state."""
    source = (f"derived: 1 - sum over US, CN, JP, KR, EU, AU, IN of ties[S,P] ({LOWY_NETWORK}, "
              "countries.csv): trade and investment not with the seven outside partners")
    note = ("judgement of the proxy: intra-ASEAN trade (21-24% of the members' trade, ASEAN Statistical "
            "Yearbook) is most of it; the rest (Taiwan, Hong Kong, the Gulf) is not tied to a power either")
    return row(f"states.{state}.ties.ASEAN", 1.0 - with_partners, 0, 1, source, note)


def defense(data: pd.DataFrame) -> list[dict]:
    """defense[S,P] = 0.5*arms_trade_share/100 + 0.5*joint_exercises_share/100,
    plus 0.3 with the US when us_treaty_ally = 1, clipped to [0, 1]."""
    source = (f"derived: 0.5*arms_trade_share/100 + 0.5*joint_exercises_share/100 (+0.3 with the US "
              f"if us_treaty_ally), clipped to 1, {LOWY_NETWORK}: arms 2013-21, exercises 2017-21 (countries.csv)")
    rows = []
    for s in STATES:
        ally = lookup(data, s, "us_treaty_ally", "US") == 1
        for p in OUTSIDE:
            arms = lookup(data, s, "arms_trade_share", p)
            drills = lookup(data, s, "joint_exercises_share", p)
            value = 0.5 * (arms or 0.0) / 100 + 0.5 * (drills or 0.0) / 100
            notes = []
            if arms is None and drills is None:
                notes.append(f"no arms_trade_share or joint_exercises_share row for {p} in countries.csv "
                             "(the Lowy network data has no EU entry): 0, which understates European "
                             "arms sales (France, Germany, Spain)" if p == "EU" else "no rows: 0")
            if p == "US" and ally:
                value += TREATY_BONUS
                year = lookup(data, s, "us_treaty_year", "US")
                notes.append(f"includes +0.3 for the US treaty alliance ({int(year) if year else 'treaty'})")
            rows.append(row(f"states.{s}.defense.{p}", min(value, 1.0), 0, 1, source, "; ".join(notes)))
    return rows


def engagement(data: pd.DataFrame) -> list[dict]:
    """engagement[S,P] = odf_share/100 where countries.csv has the partner's share of S's
    official development finance (Lowy Southeast Asia Aid Map); other pairs are judgement rows."""
    rows = []
    shares = data[(data.indicator == "odf_share") & data.country.isin(STATES)]
    for r in shares.itertuples():
        if r.partner not in OUTSIDE:
            continue
        words = re.search(r"'([^']+)'", str(r.unit))
        quoted = f" ({words.group(0)})" if words else ""
        note = ""
        if "lower bound" in str(r.unit):
            note = f"the Aid Map gives this share as a lower bound{quoted}, so the true value may be higher"
        elif "approx" in str(r.unit):
            note = f"the Aid Map gives this share in words{quoted}, so it is approximate"
        source = f"derived: odf_share/100, Lowy Southeast Asia Aid Map, {r.year} (countries.csv)"
        rows.append(row(f"states.{r.country}.engagement.{r.partner}", r.value / 100, 0, 1, source, note))
    return rows


# --- state attributes -----------------------------------------------------------


def exposure(data: pd.DataFrame) -> list[dict]:
    """exposure[S] = 0.5*scs_claimant + 0.3*scs_eez_overlap_nine_dash_line + 0.2*scs_occupies_features
    (an absent row counts 0)."""
    parts = (("scs_claimant", 0.5), ("scs_eez_overlap_nine_dash_line", 0.3), ("scs_occupies_features", 0.2))
    source = ("derived: 0.5*scs_claimant + 0.3*scs_eez_overlap_nine_dash_line + 0.2*scs_occupies_features, "
              "South China Sea position 2020-21 (countries.csv; absent row = 0)")
    rows = []
    for s in STATES:
        values = {name: lookup(data, s, name, "CN") for name, _ in parts}
        missing = [name for name, v in values.items() if v is None]
        value = sum(w * (values[name] or 0.0) for name, w in parts)
        note = f"no {', '.join(missing)} row in countries.csv: counted 0" if missing else ""
        rows.append(row(f"states.{s}.exposure", value, 0, 1, source, note))
    return rows


# --- partner attributes ---------------------------------------------------------


def partner_scores(data: pd.DataFrame, attribute: str, indicator: str, year: str, source: str,
                   note: str) -> list[dict]:
    """partners.P.<attribute> = <indicator> / 100 for every partner countries.csv scores in ``year``."""
    rows = []
    for p in OUTSIDE:
        score = lookup(data, "partner-level", indicator, p, year=year)
        if score is not None:
            rows.append(row(f"partners.{p}.{attribute}", score / 100, 0, 1, source, note))
    return rows


def security_capacity(data: pd.DataFrame) -> list[dict]:
    """security_capacity[P] = lowy_api_overall_score / 100 (Asia Power Index 2020); EU is a judgement row."""
    return partner_scores(
        data, "security_capacity", "lowy_api_overall_score", "2020",
        "derived: lowy_api_overall_score/100, Lowy Asia Power Index 2020 (countries.csv, partner-level)",
        "overall comprehensive-power score used as the proxy because countries.csv has a 2020 "
        "defence-networks score only for the US (85.1)")


def economic_capacity(data: pd.DataFrame) -> list[dict]:
    """economic_capacity[P] = lowy_measure_score_economic_relationships / 100, 2024 edition
    (the only year countries.csv has for all six Index partners); EU is a judgement row."""
    return partner_scores(
        data, "economic_capacity", "lowy_measure_score_economic_relationships", "2024",
        "derived: lowy_measure_score_economic_relationships/100, Lowy Asia Power Index 2024 ed. "
        "(countries.csv, partner-level)",
        "2024 edition used because countries.csv has a 2020 score only for China "
        "(98.9 in 2020 vs 98.1 in 2024)")


# --- the table --------------------------------------------------------------------

DERIVATIONS = (ties, defense, engagement, exposure, security_capacity, economic_capacity)


def sort_table(table: pd.DataFrame) -> pd.DataFrame:
    """Rows in section order (model, weights, world, partners, states), then by key (stable)."""
    section = table["key"].str.split(".").str[0].map(SECTIONS.index)
    order = pd.DataFrame({"section": section, "key": table["key"]}).sort_values(
        ["section", "key"], kind="stable").index
    return table.loc[order].reset_index(drop=True)[COLUMNS]


def derived_rows(countries: Path = COUNTRIES) -> pd.DataFrame:
    """Every row computed from countries.csv, as strings formatted exactly as in parameters.csv."""
    data = load_countries(countries)
    rows = [r for derive in DERIVATIONS for r in derive(data)]
    return sort_table(pd.DataFrame(rows, columns=COLUMNS))


def read_table(path: Path = PARAMETERS) -> pd.DataFrame:
    """parameters.csv as strings (empty cells as empty strings), or an empty table."""
    if not path.exists():
        return pd.DataFrame(columns=COLUMNS)
    return pd.read_csv(path, dtype=str, keep_default_na=False)[COLUMNS]


def merge(current: pd.DataFrame, derived: pd.DataFrame) -> pd.DataFrame:
    """Hand-written rows of ``current`` plus the fresh ``derived`` rows; a hand-written row whose
    key the data now covers is dropped (and reported), so data wins over judgement."""
    hand = current[~current["source"].str.startswith("derived:")]
    clash = hand["key"].isin(derived["key"])
    for key in hand.loc[clash, "key"]:
        print(f"dropped judgement row {key}: countries.csv now provides it")
    return sort_table(pd.concat([hand[~clash], derived], ignore_index=True))


def validate(table: pd.DataFrame) -> None:
    """Raise AssertionError if the table breaks a rule the model relies on."""
    assert list(table.columns) == COLUMNS, "columns"
    assert table["key"].is_unique, f"duplicate keys: {table.key[table.key.duplicated()].tolist()}"
    assert (table["source"].str.strip() != "").all(), "empty source"
    real = table[table["kind"] == "real"]
    values, lo, hi = (real[c].astype(float) for c in ("value", "min", "max"))
    bad = real[(values < lo) | (values > hi)]
    assert bad.empty, f"values out of range: {bad.key.tolist()}"
    choice = table[table["kind"] == "choice"]
    assert all(v in m.split("|") for v, m in zip(choice["value"], choice["min"])), "choice value not allowed"
    lists = table[table["kind"] == "list"]
    assert all(set(v.split("|")) - {""} <= set(PARTNERS) for v in lists["value"]), "unknown partner in a list"
    keys = set(table["key"])
    pairs = {f"states.{s}.{a}.{p}" for s in STATES for p in PARTNERS for a in STATE_PARTNER_ATTRIBUTES}
    assert len(pairs) == len(STATES) * len(PARTNERS) * len(STATE_PARTNER_ATTRIBUTES)
    assert pairs <= keys, f"missing: {sorted(pairs - keys)[:5]}"
    partner_keys = {f"partners.{p}.{a}" for p in PARTNERS for a in PARTNER_ATTRIBUTES}
    assert partner_keys <= keys, f"missing: {sorted(partner_keys - keys)}"
    assert (table["key"].str.split(".").str[0].isin(SECTIONS)).all(), "unknown section"


def check_budgets(table: pd.DataFrame) -> None:
    """Report partners whose engagement_budget differs from the mean of their ten engagement rows."""
    values = dict(zip(table["key"], table["value"]))
    for p in PARTNERS:
        mean = sum(float(values[f"states.{s}.engagement.{p}"]) for s in STATES) / len(STATES)
        budget = float(values[f"partners.{p}.engagement_budget"])
        if abs(mean - budget) > 0.005:
            print(f"note: partners.{p}.engagement_budget = {budget} but its engagement rows average {mean:.3f}")


def main() -> None:
    table = merge(read_table(), derived_rows())
    validate(table)
    check_budgets(table)
    table.to_csv(PARAMETERS, index=False)
    print(f"wrote {len(table)} rows to {PARAMETERS}")


if __name__ == "__main__":
    main()
