"""Out-of-sample checks and per-state answers (docs/validation.md is this module's output).

- `levels()`: every survey figure the model answers for 2021-2024, asked of the
  outlook scenarios (built from events, never from those years' survey figures),
  next to the survey's value.
- `changes()`: the direction of each year-to-year change the survey shows, and
  whether the model moves the same way. A change counts as up or down only if
  it exceeds the survey's 95% sampling error of a difference between two
  years (binomial, the surveys' respondents); smaller changes are "flat", for
  the survey and the model alike.
- `trust_paths()`: trust ("will do the right thing") is an input; the model moves
  only US trust (reliability times world.us_commitment). The table shows where
  the model has a mechanism and where it holds trust fixed.
- `state_answers()`: per-state forced choice of baseline_2020 next to the
  structural data and the US-minus-China score, term by term.
- `ablations()`: an outlook year with one group of its events left out.
- `forecasts()`: the per-state forecasts on record for the held-out editions
  (2024 on), beside the persistence forecast they have to beat.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from sim.base.errors import InputError
from sim.base.files import atomic_write
from sim.base.version import __version__
from sim.calibration import panel, panel_scores
from sim.calibration import targets as targets_mod
from sim.calibration.questions import REPLICATES, SURVEY_SCENARIOS, answers
from sim.core import dynamics
from sim.core.equations import TERMS
from sim.core.inputs import Inputs
from sim.reports.colors import PARTNER_COLORS
from sim.reports.tables import markdown_table
from sim.running.run import run
from sim.running.uncertainty import draws_path, parameter_intervals
from sim.schema import parameters
from sim.schema.scenario import load
from sim.schema.survey_panel import PANEL_YEARS, RESPONDENTS_PER_STATE, country_forced, latest_figures, load_panel

LATER_EDITIONS = (2021, 2022, 2023, 2024)  # ASEAN-wide figures in-sample after 2020 (held out from 2025)
# Per-country figures from these editions on are the held-out test, scored outside the project.
HELD_OUT = tuple(year for year in SURVEY_SCENARIOS if year > max(PANEL_YEARS))
# Event groups left out one at a time: (label, scenario, events dropped: key suffixes).
ABLATIONS = (("2024 without the Gaza-war grievance", "outlook_2024",
              ("Indonesia.lean", "Malaysia.lean", "Brunei.lean")),
             ("2024 without Japan's OSA", "outlook_2024", ("defense.JP", "JP.engagement_budget")))


def levels(years=(2020, *LATER_EDITIONS), targets=None, replicates: int = REPLICATES) -> pd.DataFrame:
    """year, scenario, question, option, survey, model, error_pp for every answered share
    target (ranking facts shown with the model's share) of the given years."""
    table = targets_mod.read(targets)
    rows = []
    for year in years:
        result = answers(SURVEY_SCENARIOS[year], replicates=replicates)
        for row in table[(table["year"] == year) & (table["kind"] != "not answered")].itertuples():
            model = float(result.share(row.code)[0] * 100)
            rows.append({"year": year, "scenario": SURVEY_SCENARIOS[year], "question": row.question,
                         "option": row.option, "survey": row.percent, "model": round(model, 1),
                         "error_pp": round(model - row.percent, 1), "respondents": row.respondents})
    return pd.DataFrame(rows)


def direction(change: float, threshold: float) -> str:
    """"up", "down" or "flat" (|change| within the threshold)."""
    if abs(change) <= threshold:
        return "flat"
    return "up" if change > 0 else "down"


def change_threshold(p1: float, n1: int, p2: float, n2: int) -> float:
    """The survey's 95% sampling error of the difference of two shares (percent points)."""
    variance = targets_mod.sampling_variance(p1, n1) + targets_mod.sampling_variance(p2, n2)
    return targets_mod.Z95_PP * np.sqrt(variance)


def changes(table: pd.DataFrame) -> pd.DataFrame:
    """Consecutive survey years of each (question, option) with a figure: the survey's and the
    model's change, their directions, and whether they agree."""
    rows = []
    shown = table.dropna(subset=["survey"])
    shown = shown[shown["question"].map(targets_mod.COMPLEMENT) != shown["option"].map(targets_mod.OPTION_CODES)]
    for (question, option), group in shown.groupby(["question", "option"], sort=False):
        group = group.sort_values("year")
        for (_, a), (_, b) in zip(group.iterrows(), group.iloc[1:].iterrows()):
            limit = change_threshold(a["survey"], a["respondents"], b["survey"], b["respondents"])
            survey_change, model_change = b["survey"] - a["survey"], b["model"] - a["model"]
            rows.append({"question": question, "option": option, "from": a["year"], "to": b["year"],
                         "survey_change": round(survey_change, 1), "model_change": round(model_change, 1),
                         "threshold_pp": round(limit, 1), "survey": direction(survey_change, limit),
                         "model": direction(model_change, limit),
                         "agrees": direction(survey_change, limit) == direction(model_change, limit)})
    return pd.DataFrame(rows)


def trust_paths(targets=None) -> pd.DataFrame:
    """Survey trust figures next to the model's effective reliability of the same partner in that
    year's world (reliability x us_commitment for the US; the input itself for others)."""
    table = targets_mod.read(targets)
    trust = table[table["question"].isin(["trust_do_right_thing", "trust_us_reported"])]
    reliability = {year: _effective_reliability(year) for year in set(trust["year"]) & set(SURVEY_SCENARIOS)}
    rows = []
    for row in trust.itertuples():
        code = targets_mod.OPTION_CODES.get(row.option)
        model = reliability[row.year][code] if row.year in reliability else None
        mechanism = ("world.us_commitment" if code == "US" else "none: held at its input")
        rows.append({"year": row.year, "question": row.question, "partner": row.option, "survey": row.percent,
                     "model_reliability": None if model is None else round(100 * model, 1), "mechanism": mechanism})
    return pd.DataFrame(rows)


def _effective_reliability(year: int) -> dict[str, float]:
    """{partner: reliability} after the year's events, as the model uses it (`sim.core.dynamics.current_partners`:
    the US's scaled by us_commitment). Outlook events happen at step 1 and hold."""
    scenario = load(SURVEY_SCENARIOS[year])
    inputs = Inputs.build(scenario)
    dyn = dynamics.start(inputs)[0]
    dynamics.apply_events(inputs, dyn, scenario.events, 1)
    return dict(zip(inputs.partners, dynamics.current_partners(inputs, dyn)["reliability"][0].tolist()))


def state_answers(replicates: int = REPLICATES) -> pd.DataFrame:
    """Per state: forced_us of `run.py run baseline_2020 --json` (one replicate) and the mean over
    ``replicates``, the structural data, and U[US] - U[CN] split into its weighted terms."""
    single = run("baseline_2020").to_json()["states"]
    many = run("baseline_2020", replicates=replicates).trajectory
    us, cn = many.partners.index("US"), many.partners.index("CN")
    gap = (many.terms[:, -1, :, us] - many.terms[:, -1, :, cn]).mean(0)  # [state, term]
    facts = _country_facts()
    values = parameters.defaults()
    rows = []
    for i, state in enumerate(many.states):
        row = {"state": state, "forced_us_run_json": single[state]["forced_us"] * 100,
               "forced_us_mean": many.forced_us()[:, -1, i].mean() * 100,
               "us_treaty_ally": int(facts.get((state, "us_treaty_ally"), 0)),
               "scs_claimant": int(facts.get((state, "scs_claimant"), 0)),
               "exposure": values[f"states.{state}.exposure"],
               "trade_share_CN": facts.get((state, "trade_share_CN")),
               "trade_share_US": facts.get((state, "trade_share_US")),
               "defense_US": values[f"states.{state}.defense.US"],
               "history_US_minus_CN": values[f"states.{state}.history.US"] - values[f"states.{state}.history.CN"]}
        row |= {f"gap_{term}": gap[i, k] for k, term in enumerate(TERMS)}
        row["gap_total"] = gap[i].sum()
        rows.append(row)
    return pd.DataFrame(rows).sort_values("forced_us_mean", ascending=False).reset_index(drop=True)


def _country_facts() -> dict:
    """(state, indicator[_partner]) -> value from the copy of countries.csv in sim/data."""
    path = resources.files("sim") / "data" / "countries.csv"
    with path.open(encoding="utf-8") as handle:
        table = pd.read_csv(handle)
    facts = {}
    for row in table.itertuples():
        if row.indicator in ("us_treaty_ally", "scs_claimant"):
            facts[(row.country, row.indicator)] = row.value
        elif row.indicator == "trade_share" and row.partner in ("US", "CN"):
            facts[(row.country, f"trade_share_{row.partner}")] = row.value
    return facts


def ablations(replicates: int = REPLICATES) -> pd.DataFrame:
    """The forced choice and Japan's third-party share of an outlook year with one event group removed."""
    rows = []
    for label, name, suffixes in ABLATIONS:
        full = load(name)
        kept = tuple(e for e in full.events if not e.key.endswith(suffixes))
        for variant, scenario in (("all events", full), (label, replace(full, events=kept))):
            result = answers(scenario, replicates=replicates)
            rows.append({"scenario": name, "variant": variant, "forced_us": round(100 * result.forced_us[0], 1),
                         "third_party_JP": round(100 * result.share("JP")[0], 1)})
    return pd.DataFrame(rows).drop_duplicates().reset_index(drop=True)


def states_by_year(replicates: int = REPLICATES) -> pd.DataFrame:
    """The model's per-state forced choice (percent US) in each survey world, 2020-2024."""
    columns = {year: answers(name, replicates=replicates).table()["forced_us"] * 100
               for year, name in SURVEY_SCENARIOS.items()}
    return pd.DataFrame(columns).round(1)


@dataclass
class Validation:
    """Every table of the validation report (`validate`)."""

    levels: pd.DataFrame
    changes: pd.DataFrame
    trust: pd.DataFrame
    states: pd.DataFrame
    states_by_year: pd.DataFrame
    ablations: pd.DataFrame
    countries: pd.DataFrame       # per state and year: survey, model, persistence (`panel_scores.country_table`)
    country_scores: pd.DataFrame  # per year: MAE, Spearman, side of 50% for the model and persistence
    forecasts: pd.DataFrame       # per held-out year and state: the model's forecast and persistence's
    intervals: pd.DataFrame       # per year and state: the model's 90% interval (`intervals_by_year`)
    manifest: dict = field(default_factory=dict)  # what the numbers depend on (`validation_manifest`)

    def to_json(self) -> dict:
        return {name: getattr(self, name).replace({np.nan: None}).to_dict("records")
                for name in ("levels", "changes", "trust", "states", "ablations", "countries",
                             "country_scores", "forecasts", "intervals")} | {
            "states_by_year": self.states_by_year.to_dict(), "manifest": self.manifest}

    def markdown(self) -> str:
        """The generated part of docs/validation.md."""
        states = self.states.copy()
        states.columns = [c.replace("_", " ") for c in states.columns]
        return "\n".join([
            "### Country by country: the model, the survey and the persistence forecast", "",
            "Forced choice, % choosing the US. model_5, model_95: the model's 90% interval over the panel "
            "fit's bootstrap draws x replicates (parameter uncertainty and simulation noise). Persistence: "
            "the state's figure in its last earlier survey.", "",
            markdown_table(self.countries, missing=None, index=False), "",  # "nan": 2020 has no persistence
            "Scores per year (MAE in pp; side of 50: states on the survey's side of 50%):", "",
            markdown_table(self.country_scores.round(2), missing=None, index=False), "",
            "### Forecasts on record for the held-out editions", "",
            "Forced choice, % choosing the US, per state: the model (shipped defaults, the scenario's "
            "digest identifies every input), its 90% interval over the bootstrap draws x replicates, and "
            "the persistence forecast (the state's latest in-sample survey figure, from the year shown; "
            "for 2025 on, the scorer's persistence is the previous edition's figure, which the project "
            "does not hold). The survey figures of these editions are scored outside the project.", "",
            markdown_table(self.forecasts, index=False), "",
            "### Survey figures against the model, 2020-2024", "",
            markdown_table(self.levels.drop(columns=["respondents"]), index=False), "",
            "### Direction of each change", "",
            markdown_table(self.changes, index=False), "",
            "### Trust: survey figures and the model's reliability (an input)", "",
            markdown_table(self.trust, index=False), "",
            "### 2024 with one group of events left out", "",
            markdown_table(self.ablations, index=False), "",
            "### Per state: baseline_2020 forced choice, structural data, and U[US] - U[CN] by term", "",
            markdown_table(states, index=False, floatfmt=".3g"), "",
            "### Per state: the model's forced choice (% US) in each year's world", "",
            markdown_table(self.states_by_year), "",
        ])

    def figure(self):
        """Survey and model by year: the forced choice and Japan's third-party share."""
        from sim.reports.plots import plt  # matplotlib loads only when the figure is drawn

        fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
        for ax, (question, option, title) in zip(axes, (
                (targets_mod.FORCED, "US", "Forced choice: % choosing the US"),
                (targets_mod.THIRD_PARTY, "Japan", "Preferred third partner: % Japan"))):
            rows = self.levels[(self.levels["question"] == question) & (self.levels["option"] == option)]
            known = rows.dropna(subset=["survey"])
            half = targets_mod.sampling_error_pp(known["survey"], known["respondents"].to_numpy(float))
            ax.errorbar(known["year"], known["survey"], yerr=half, fmt="o", color="#555555", capsize=4,
                        label="survey (95% sampling error)")
            ax.plot(rows["year"], rows["model"], "s-", color="#35608d", label="model")
            ax.axvspan(2019.5, 2020.5, color="#dddddd", alpha=0.5, lw=0)
            ax.set_xticks(sorted(set(rows["year"])))
            ax.set_title(title, fontsize=10)
            ax.set_ylabel("percent")
        axes[0].legend(fontsize=8)
        fig.suptitle("Fitted in 2020 (shaded); later years built from events", fontsize=10)
        fig.tight_layout()
        return fig


    def countries_figure(self):
        """One panel per state: the survey's forced choice with its 95% sampling error, the model in
        every year's world with its 90% interval, and the persistence forecast for the held-out years."""
        from sim.reports.plots import plt  # matplotlib loads only when the figure is drawn

        states = sorted(set(self.intervals["state"]))
        fig, axes = plt.subplots(2, -(-len(states) // 2), figsize=(12, 5.6), sharex=True, sharey=True)
        for ax, state in zip(axes.flat, states):
            model = self.states_by_year.loc[state]
            band = self.intervals[self.intervals["state"] == state].sort_values("year")
            ax.fill_between(band["year"], band["model_5"], band["model_95"], color=PARTNER_COLORS["US"],
                            alpha=0.18, lw=0, label="model, 90% interval")
            ax.plot(model.index, model.to_numpy(), "-", color=PARTNER_COLORS["US"], label="model")
            survey = self.countries[self.countries["state"] == state]
            half = targets_mod.sampling_error_pp(survey["survey"], RESPONDENTS_PER_STATE)
            ax.errorbar(survey["year"], survey["survey"], yerr=half, fmt="o", color="#333333", capsize=3,
                        ms=4, label="survey (95% sampling error)")
            ahead = self.forecasts[self.forecasts["state"] == state]
            ax.plot(ahead["year"], ahead["persistence"], ":", color="#777777", label="persistence")
            ax.axhline(50, color="#bbbbbb", lw=0.8)
            ax.axvspan(max(PANEL_YEARS) + 0.5, max(HELD_OUT) + 0.5, color="#eeeeee", lw=0, zorder=0)
            ax.set_title(state, fontsize=9)
            ax.set_ylim(0, 100)
            ax.set_xticks(list(SURVEY_SCENARIOS)[::2])
        for ax in axes.flat[len(states):]:
            ax.set_visible(False)
        handles, labels = axes.flat[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="lower center", ncol=4, fontsize=8, frameon=False)
        fig.suptitle("Forced choice, % choosing the US: fitted 2020-2023, held out from 2024 (shaded)", fontsize=10)
        fig.tight_layout(rect=(0, 0.06, 1, 1))
        return fig


def validate(replicates: int = REPLICATES, targets=None) -> Validation:
    """The whole validation report: levels, directions, trust, ablations, per-state answers, forecasts."""
    table = levels(targets=targets, replicates=replicates)
    by_year = states_by_year(replicates)
    bands = intervals_by_year(SURVEY_SCENARIOS, replicates)
    answered = panel.shipped_answers(replicates)
    return Validation(levels=table, changes=changes(table), trust=trust_paths(targets),
                      states=state_answers(replicates), states_by_year=by_year, intervals=bands,
                      ablations=ablations(replicates), forecasts=forecasts(by_year, bands),
                      countries=with_intervals(panel_scores.country_table(answered), bands=bands),
                      country_scores=panel_scores.year_scores(answered), manifest=validation_manifest(replicates))


def validation_manifest(replicates: int) -> dict:
    """Version, replicates, the bootstrap draws used for intervals, and each survey year's scenario
    with its digest and seed: enough to reproduce every number of the report."""
    scenarios = {year: load(name) for year, name in SURVEY_SCENARIOS.items()}
    return {"version": __version__, "replicates": replicates, "draws_file": draws_path().name,
            "scenarios": {str(year): {"name": s.name, "digest": s.digest(), "seed": s.seed}
                          for year, s in scenarios.items()}}


def forecasts(by_year: pd.DataFrame, bands: pd.DataFrame) -> pd.DataFrame:
    """Per held-out year and state: the model's forced choice (``by_year``, `states_by_year`), its
    interval (``bands``, `intervals_by_year`) and the persistence forecast (the latest in-sample figure)."""
    last = latest_figures(country_forced(load_panel()), min(HELD_OUT))
    frame = bands[bands["year"].isin(HELD_OUT)].reset_index(drop=True)
    frame.insert(0, "scenario", frame["year"].map(SURVEY_SCENARIOS))
    digests = {name: load(name).digest() for name in set(frame["scenario"])}
    frame.insert(1, "digest", frame["scenario"].map(digests))
    frame.insert(4, "model", [by_year.loc[state, year] for state, year in zip(frame["state"], frame["year"])])
    frame["persistence"] = last.loc[frame["state"], "percent"].to_numpy()
    frame["persistence_from"] = last.loc[frame["state"], "year"].to_numpy().astype(int)
    return frame.round(1)


def intervals_by_year(years, replicates: int = REPLICATES) -> pd.DataFrame:
    """year, state, model_5, model_95: each state's forced choice interval (percent) in each survey
    year's world over the panel fit's bootstrap draws x replicates (`sim.running.uncertainty`)."""
    frames = []
    for year in years:
        frame = parameter_intervals(SURVEY_SCENARIOS[year], replicates=replicates)
        forced = frame[(frame["measure"] == "forced_us") & (frame["state"] != "ASEAN")]
        frames.append(pd.DataFrame({"year": year, "state": forced["state"].to_numpy(),
                                    "model_5": 100 * forced["lo"].to_numpy(),
                                    "model_95": 100 * forced["hi"].to_numpy()}))
    return pd.concat(frames, ignore_index=True)


def with_intervals(countries: pd.DataFrame, replicates: int = REPLICATES, bands: pd.DataFrame | None = None):
    """The country table with each state's forced choice interval over the panel fit's bootstrap draws
    (``bands``, or `intervals_by_year` of its years) and whether the survey figure falls inside it."""
    if bands is None:
        bands = intervals_by_year(sorted(set(countries["year"])), replicates)
    table = countries.merge(bands, on=["year", "state"], how="left")
    table["in_interval"] = (table["model_5"] <= table["survey"]) & (table["survey"] <= table["model_95"])
    columns = ["year", "state", "survey", "model", "model_5", "model_95", "in_interval"]
    return table[columns + [c for c in table.columns if c not in columns]].round(1)


BEGIN = "<!-- begin: generated by `run.py validate --docs` -->"
END = "<!-- end: generated -->"


def update_docs(path, text: str):
    """Replace the generated block of a Markdown file (between BEGIN and END) with ``text``."""
    path = Path(path)
    try:
        content = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError("--docs", "file", str(path), f"a readable Markdown file ({exc.strerror})") from None
    head, found, rest = content.partition(BEGIN)
    _, found_end, tail = rest.partition(END)
    if not (found and found_end):
        raise InputError(str(path), "markers", None, f"the lines {BEGIN} and {END}")
    return atomic_write(path, lambda tmp: tmp.write_text(f"{head}{BEGIN}\n\n{text}\n{END}{tail}", encoding="utf-8"))
