"""Rolling-origin forecasts of each state's forced choice (% US): the model's world of each edition
plus a statistical layer for what its structure leaves unexplained (issue 24, docs/validation.md).

For state s and edition t the *structure* m[s,t] is the two-layer model's answer in that edition's
world (`SURVEY_SCENARIOS`) with no national lean and no answer-layer (lean) event: the mechanisms
alone. What they leave, in logit space, is

    r[s,t] = logit(survey[s,t]) - logit(m[s,t]) = lean[s] + shock[s,t] + noise[s,t]

- lean[s] ~ N(0, tau^2): a state's lasting difference, shrunk toward zero by a width tau that the
  data estimate (not chosen);
- shock[s,t]: an AR(1) across editions with retention rho per year and stationary sd sigma, so a
  one-edition swing (Cambodia 2022, Myanmar 2022, the Gaza war in 2024) fades at the rate the
  data show, rather than becoming a permanent lean;
- noise: the edition's sampling variance in logit space, 1 / (n p (1 - p)) with n respondents.

(tau, sigma, rho) maximise the marginal likelihood of every state's residuals up to the origin;
a forecast is the Gaussian conditional mean and variance of r at the target edition, added to the
structure of the target's world and mapped back to percent with a 90% interval.

The same code gives the naive forecasts a forecaster had at the origin: persistence (each state's
latest figure), the mean of its past editions, and a statistical baseline (the same layer with the
structure held at the first edition's world: partial pooling and fading, no mechanism), so
`backtests` can tell what the mechanisms add.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import expit, logit
from scipy.stats import norm

from sim.calibration.questions import REPLICATES, answers
from sim.schema.scenario import EVENT_SIZE, load
from sim.schema.survey_panel import SURVEY_SCENARIOS, country_forced, load_panel
from sim.schema.survey_pool import pooling_weights

EDITIONS = (2020, 2021, 2022, 2023, 2024)  # per-country editions in-sample (2025 and 2026 are held out)
# Respondents per state: 1,308 over ten states in 2020 (130 each); 1,994 in 2024 (199 each); the
# editions between publish no split and take 130, the smaller.
RESPONDENTS = {2024: 199}
DEFAULT_RESPONDENTS = 130
INTERVAL = 0.90
START = (0.5, 0.5, 0.5, 0.5)  # tau, sigma, rho, omega before the likelihood moves them
# Shocks whose cause was still under way at a later edition's fieldwork: renewed there (faded from
# that edition on, not from the one that declared them). A judgement made before any run of the
# 2025 world: {declared edition: {renewing edition: why}}.
RENEWED = {
    2024: {2025: "the Gaza war went on through 2024 and to the eve of the 2025 fieldwork (ceasefire of 19 Jan 2025, "
                 "during it); the 2026 fieldwork followed the Oct 2025 ceasefire, so the grievance fades from 2025"},
}


def survey_figures(through: int = EDITIONS[-1]) -> pd.DataFrame:
    """Per-country forced-choice figures up to ``through``: state, year, percent, respondents."""
    rows = country_forced(load_panel(years=tuple(y for y in EDITIONS if y <= through), asean_wide_years=()))
    rows = rows[["state", "year", "percent"]].copy()
    rows["respondents"] = rows["year"].map(lambda y: RESPONDENTS.get(y, DEFAULT_RESPONDENTS))
    return rows.sort_values(["state", "year"]).reset_index(drop=True)


class Structure(NamedTuple):
    """The mechanisms' answers: ``base`` [state x year] percent with every answer-layer (lean) event
    at zero, and ``shocks`` {year: [state] logit effect of the lean events that year's scenario
    declares, in its own world}."""

    base: pd.DataFrame
    shocks: dict

    def logit(self, state: str, year: int, rho: float) -> float:
        """The structure's logit answer in edition ``year``: each shock faded by ``rho`` per year
        since it was declared or last renewed (`RENEWED`)."""
        value = logit(np.clip(self.base.loc[state, year], 0.1, 99.9) / 100)
        for declared, effect in self.shocks.items():
            value += effect[state] * fade(declared, year, rho)
        return float(value)

    def hit_by(self, state: str) -> list[int]:
        """The editions whose declared shocks reach ``state``."""
        return [declared for declared, effect in self.shocks.items() if abs(effect[state]) > 1e-9]

    def flat(self) -> "Structure":
        """No mechanism: the first edition's world in every year, no shock (the statistical baseline)."""
        first = self.base.columns[0]
        return Structure(pd.DataFrame({year: self.base[first] for year in self.base.columns}), {})


def fade(declared: int, year: int, rho: float) -> float:
    """How much of a shock declared for edition ``declared`` remains in edition ``year``."""
    return rho ** (year - last_renewal(declared, year)) if declared <= year else 0.0


def last_renewal(declared: int, year: int) -> int:
    """The latest edition up to ``year`` in which the shock declared for ``declared`` was renewed."""
    return max([declared, *(y for y in RENEWED.get(declared, {}) if y <= year)])


def structure(years, replicates: int = REPLICATES) -> Structure:
    """The mechanisms' answers in each edition's world (`Structure`), the panel fit's national leans
    included: the lean events are the answer-layer shocks that fade."""
    base, shocks = {}, {}
    for year in years:
        scenario = load(SURVEY_SCENARIOS[year])
        lean_keys = {e.key for e in scenario.events if e.op == "shift" and e.key.endswith(".lean")}
        without = {EVENT_SIZE + key: 0.0 for key in lean_keys}
        own = _own_lean_events(year)
        kept = {key: value for key, value in without.items() if key.removeprefix(EVENT_SIZE) not in own}
        result = answers(scenario, [without, kept] if own else [without], replicates)
        base[year] = pd.Series(100 * result.forced_us_states[0], index=list(scenario.states))
        if own:
            with_own = np.clip(result.forced_us_states[1], 1e-3, 1 - 1e-3)
            shocks[year] = pd.Series(logit(with_own) - logit(np.clip(result.forced_us_states[0], 1e-3, 1 - 1e-3)),
                                     index=list(scenario.states))
    return Structure(pd.DataFrame(base), shocks)


def _own_lean_events(year: int) -> set[str]:
    """The lean keys shifted by events that edition ``year``'s scenario declares itself (not its base)."""
    own = load(SURVEY_SCENARIOS[year]).events
    inherited = load(SURVEY_SCENARIOS[year - 1]).events if year - 1 in SURVEY_SCENARIOS else ()
    return {e.key for e in own[len(inherited):] if e.op == "shift" and e.key.endswith(".lean")}


def _covariance(years, noise, layer: dict, shocks=()) -> np.ndarray:
    """Residual covariance of one state's editions: lean, fading shock, sampling noise, and for each
    declared shock that reaches the state, its own deviation from the shared size (sd omega), which
    fades with the shock."""
    gaps = np.abs(np.subtract.outer(years, years))
    cov = layer["tau"] ** 2 + layer["sigma"] ** 2 * layer["rho"] ** gaps + np.diag(noise)
    for declared in shocks:
        f = _fades(declared, years, layer["rho"])
        cov = cov + layer["omega"] ** 2 * np.outer(f, f)
    return cov


def _fades(declared: int, years, rho: float) -> np.ndarray:
    return np.array([fade(declared, int(y), rho) for y in years])


def _noise(percent, respondents) -> np.ndarray:
    p = np.clip(np.asarray(percent, float) / 100, 0.01, 0.99)
    return 1.0 / (np.asarray(respondents, float) * p * (1 - p))


def _residuals(figures: pd.DataFrame, model: Structure, rho: float) -> pd.DataFrame:
    expected = np.array([model.logit(s, y, rho) for s, y in zip(figures["state"], figures["year"])])
    return figures.assign(residual=logit(figures["percent"] / 100) - expected,
                          noise=_noise(figures["percent"], figures["respondents"]))


LOG_BOX = (-8.0, 3.0)  # log sd kept in [3e-4, 20] logits: a width the data cannot see stays finite


def _unpack(z) -> dict:
    z = np.concatenate([np.clip(z[:2], *LOG_BOX), z[2:3], np.clip(z[3:], *LOG_BOX)])
    return {"tau": float(np.exp(z[0])), "sigma": float(np.exp(z[1])), "rho": float(expit(z[2])),
            "omega": float(np.exp(z[3]))}


def fit_layer(figures: pd.DataFrame, model: Structure) -> dict:
    """tau, sigma, rho and omega by maximum marginal likelihood over every state's residuals (module
    docstring); rho fades both the declared shocks and the unexplained ones."""

    def minus_log_likelihood(z):
        layer = _unpack(z)
        total = 0.0
        for state, g in _residuals(figures, model, layer["rho"]).groupby("state"):
            cov = _covariance(g["year"].to_numpy(float), g["noise"].to_numpy(), layer, model.hit_by(state))
            total -= _gaussian_log_density(g["residual"].to_numpy(), cov)
        return total

    start = np.array([np.log(START[0]), np.log(START[1]), logit(START[2]), np.log(START[3])])
    best = minimize(minus_log_likelihood, start, method="Nelder-Mead",
                    options={"xatol": 1e-4, "fatol": 1e-6, "maxiter": 4000})
    return _unpack(best.x) | {"log_likelihood": -float(best.fun)}


def _gaussian_log_density(r, cov) -> float:
    _, logdet = np.linalg.slogdet(cov)
    return -0.5 * (logdet + r @ np.linalg.solve(cov, r) + len(r) * np.log(2 * np.pi))


def predict(figures: pd.DataFrame, layer: dict, model: Structure, target: int) -> pd.DataFrame:
    """Each state's forecast of edition ``target``: percent with its 90% interval (survey sampling
    included, at the target's respondents)."""
    tau, sigma, rho, omega = layer["tau"], layer["sigma"], layer["rho"], layer["omega"]
    residuals = _residuals(figures, model, rho)
    rows = []
    for state in model.base.index:
        past = residuals[residuals["state"] == state]
        years = past["year"].to_numpy(float)
        shocks = model.hit_by(state)
        cov = _covariance(years, past["noise"].to_numpy(), layer, shocks)
        link = tau ** 2 + sigma ** 2 * rho ** np.abs(target - years)
        own = tau ** 2 + sigma ** 2
        for declared in shocks:
            link = link + omega ** 2 * fade(declared, target, rho) * _fades(declared, years, rho)
            own += (omega * fade(declared, target, rho)) ** 2
        weights = np.linalg.solve(cov, link) if len(years) else np.zeros(0)
        mean = float(weights @ past["residual"].to_numpy()) if len(years) else 0.0
        variance = own - float(weights @ link)
        expected = model.logit(state, target, rho)
        centre = expected + mean
        sampling = _noise(100 * expit(centre), RESPONDENTS.get(target, DEFAULT_RESPONDENTS))
        spread = norm.ppf(0.5 + INTERVAL / 2) * np.sqrt(max(variance, 0.0) + sampling)
        rows.append({"state": state, "model": 100 * expit(centre), "low": 100 * expit(centre - spread),
                     "high": 100 * expit(centre + spread), "structure": 100 * expit(expected),
                     "residual": mean})
    return pd.DataFrame(rows).set_index("state")


def naive(figures: pd.DataFrame, states) -> pd.DataFrame:
    """Persistence (each state's latest figure) and the mean of its past editions."""
    grouped = figures.sort_values("year").groupby("state")["percent"]
    return pd.DataFrame({"persistence": grouped.last(), "past_mean": grouped.mean()}).reindex(list(states))


def forecast(origin: int, targets, replicates: int = REPLICATES, structures: Structure | None = None
             ) -> tuple[pd.DataFrame, dict]:
    """Forecasts of ``targets`` from data through ``origin``: one row per (edition, state) with the
    model, its interval, persistence, the past mean and the statistical baseline; and the layer's
    fitted (tau, sigma, rho) for the model and the baseline."""
    targets = list(targets)
    figures = survey_figures(origin)
    years = sorted(set(figures["year"]) | set(targets))
    model = structures if structures is not None else structure(years, replicates)
    flat = model.flat()
    layer, flat_layer = fit_layer(figures, model), fit_layer(figures, flat)
    frames = []
    for target in targets:
        made = predict(figures, layer, model, target)
        frame = made.join(naive(figures, model.base.index))
        frame["baseline"] = predict(figures, flat_layer, flat, target)["model"]
        frames.append(frame.reset_index().assign(edition=target, origin=origin))
    table = pd.concat(frames, ignore_index=True)
    return table, {"model": layer, "baseline": flat_layer}


METHODS = ("model", "persistence", "past_mean", "baseline")


def scores(table: pd.DataFrame, truth: pd.DataFrame, by=("edition",)) -> pd.DataFrame:
    """Mean absolute error (pp), Spearman rank correlation and states on the survey's side of 50%,
    per group ``by`` and method, for the rows of ``table`` whose edition ``truth`` holds (a method
    a group has no figure of is left out)."""
    merged = table.merge(truth.rename(columns={"year": "edition", "percent": "survey"})[["state", "edition", "survey"]],
                         on=["state", "edition"])
    rows = []
    for key, group in merged.groupby(list(by), sort=False):
        for method in METHODS:
            values = group[method]
            if values.isna().all():
                continue
            rows.append(dict(zip(by, key)) | {
                "method": method, "figures": int(values.notna().sum()),
                "mae": float((values - group["survey"]).abs().mean()),
                "spearman": float(values.corr(group["survey"], method="spearman")),
                "side": int(((values > 50) == (group["survey"] > 50))[values.notna()].sum())})
    return pd.DataFrame(rows)


def backtests(origins=(2020, 2021, 2022, 2023), replicates: int = REPLICATES) -> pd.DataFrame:
    """Each origin's forecasts of every later in-sample edition, scored beside the naive forecasts."""
    truth = survey_figures()
    base = structure(EDITIONS, replicates)
    frames = []
    for origin in origins:
        later = [y for y in EDITIONS if y > origin]
        table, _ = forecast(origin, later, replicates, base)
        frames.append(scores(table, truth).assign(origin=origin))
    return pd.concat(frames, ignore_index=True)[["origin", "edition", "method", "figures", "mae", "spearman", "side"]]


def asean_wide(table: pd.DataFrame, origin: int) -> pd.DataFrame:
    """The ASEAN-wide figure of each edition in ``table``: the states' forecasts pooled with the survey's
    weights (`pooling_weights`), beside the ASEAN-wide persistence and past mean up to ``origin``. The
    interval pools the states' bounds, as if their errors moved together (wider than independent ones)."""
    past = load_panel(years=(), asean_wide_years=tuple(range(2020, origin + 1)))
    past = past[(past["state"] == "ASEAN") & (past["question"] == "forced_choice_us_china")].sort_values("year")
    rows = []
    for edition, group in table.groupby("edition"):
        group = group.set_index("state")
        weights = pooling_weights(list(group.index))
        row = {column: float(group[column].to_numpy() @ weights) for column in ("model", "baseline", "low", "high")}
        rows.append(row | {"edition": edition, "origin": origin, "state": "ASEAN",
                           "persistence": float(past["percent"].iloc[-1]), "past_mean": float(past["percent"].mean())})
    return pd.DataFrame(rows)
