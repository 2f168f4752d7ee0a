"""The fit report: tables, terminal text, Markdown, a PNG and the JSON summary.

It reads a `sim.calibration.result.FitResult`, defined below it; fitting imports this module
(for the result's tables), never the other way round.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.base.files import write_all, write_json
from sim.calibration import targets as targets_mod
from sim.calibration.least_squares import MET_PP
from sim.calibration.objective import RANK_MARGIN_PP, rank_gaps
from sim.calibration.result import FitResult
from sim.reports.tables import format_table, markdown_table

WEAK = 0.8  # |correlation| above this across bootstrap fits: the pair is weakly identified
INTERVAL = (5, 95)  # percentiles of the bootstrap fits: a 90% interval

QUESTION_LABELS = {
    targets_mod.FORCED: "forced choice US or China",
    targets_mod.THIRD_PARTY: "preferred third partner",
}


def targets_table(result: FitResult) -> pd.DataFrame:
    """One row per answered target: survey and model values (%), error in pp, and for
    ranking facts the model's rank of the option among the third-party options."""
    rows = []
    order = list(np.argsort(-result.answers.third_party[0]))
    gaps = dict(zip(result.problem.ranks.index, rank_gaps(result.problem, result.answers)[0]))
    for row in result.problem.targets.itertuples():
        if row.kind == "not answered":
            continue
        model = float(result.answers.share(row.code)[0] * 100)
        entry = {"year": row.year, "question": row.question, "option": row.option, "kind": row.kind,
                 "survey": None, "model": round(model, 2), "error_pp": None, "fact": "", "met": None}
        if row.kind == "share":
            entry |= {"survey": row.percent, "error_pp": round(model - row.percent, 2) + 0.0}
            entry["met"] = bool(abs(model - row.percent) <= MET_PP)
        else:
            rank = order.index(result.answers.options.index(row.code)) + 1
            gap = float(gaps[row.Index])
            entry |= {"fact": f"{row.rank} preferred", "model_rank": f"{rank} of {len(order)}",
                      "gap_pp": round(gap, 2), "met": bool(gap > 0)}
        rows.append(entry)
    return pd.DataFrame(rows)


def not_answered_table(result: FitResult) -> pd.DataFrame:
    rows = result.problem.targets[result.problem.targets["kind"] == "not answered"]
    return rows[["year", "question", "option", "percent", "reason"]].reset_index(drop=True)


def parameters_table(result: FitResult) -> pd.DataFrame:
    """Fitted value, anchor, bootstrap interval and sd, and how far the data moved it (in anchor scales)."""
    boot = result.boot_values()
    rows = []
    for j, p in enumerate(result.free):
        value = result.values[p.key]
        interval = np.percentile(boot[:, j], INTERVAL) if len(boot) > 1 else (np.nan, np.nan)
        rows.append({"parameter": p.key, "value": value, "lo": interval[0], "hi": interval[1],
                     "sd": boot[:, j].std(ddof=1) if len(boot) > 1 else np.nan, "anchor": p.anchor,
                     "moved": (float(p.z(value)) - float(p.z(p.anchor))) / p.scale})
    return pd.DataFrame(rows)


def sensitivity_table(result: FitResult) -> pd.DataFrame:
    """pp change of each counted share target per +10% of each parameter (at the fit)."""
    labels = [f"{row.year} {row.question} {row.option}" for row in result.problem.shares.itertuples()]
    return pd.DataFrame(result.sensitivity, index=labels, columns=[p.key for p in result.free])


def profile_table(result: FitResult) -> pd.DataFrame:
    """parameter x factor: whether every target is still met (`sim.calibration.fitting.profile_fits`)."""
    if result.profile.empty:
        return pd.DataFrame()
    table = result.profile.pivot(index="parameter", columns="factor", values="targets_met")
    table.columns = [f"{f:g}x met" for f in table.columns]
    return table.loc[[p.key for p in result.free]].replace({True: "yes", False: "no"})


def correlation(result: FitResult) -> pd.DataFrame:
    """Correlation of the parameters (optimizer coordinates) across bootstrap fits."""
    keys = [p.key for p in result.free]
    if len(result.boot_z) < 3:
        return pd.DataFrame(np.nan, index=keys, columns=keys)
    spread = result.boot_z.std(0) > 1e-12
    corr = np.full((len(keys), len(keys)), np.nan)
    inner = np.corrcoef(result.boot_z[:, spread], rowvar=False)
    corr[np.ix_(spread, spread)] = inner
    return pd.DataFrame(corr, index=keys, columns=keys)


def weakly_identified(result: FitResult) -> list[tuple[str, str, float]]:
    """Pairs whose bootstrap fits move together, |r| > 0.8: the data fix their combination, not each."""
    corr = correlation(result)
    keys = list(corr.index)
    return [(a, b, float(corr.loc[a, b])) for i, a in enumerate(keys) for b in keys[i + 1:]
            if abs(corr.loc[a, b]) > WEAK]


def to_json(result: FitResult) -> dict:
    table = targets_table(result)
    params = parameters_table(result)
    return {
        "year": result.year,
        "scenario": result.problem.scenario.name,
        "targets": [{k: _plain(v) for k, v in row.items()} for row in table.to_dict("records")],
        "parameters": {row.parameter: {"value": row.value, "interval": [_plain(row.lo), _plain(row.hi)],
                                       "anchor": row.anchor} for row in params.itertuples()},
        "loss": result.loss["total"],
        "loss_terms": result.loss,
        "bootstrap": len(result.boot_z),
        "weakly_identified": [list(pair) for pair in weakly_identified(result)],
        "not_answered": not_answered_table(result).to_dict("records"),
        "profile": result.profile.to_dict("records"),
        "replicates": result.problem.replicates,
        "seconds": round(result.seconds, 1),
    }


def _plain(value):
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return value.item() if isinstance(value, np.generic) else value


def default_note(result: FitResult, key: str) -> str:
    """The note stored next to a calibrated default in parameters.csv: the fit, the interval, identifiability."""
    row = parameters_table(result).set_index("parameter").loc[key]
    table = targets_table(result)
    counted = set(result.problem.shares.index)
    facts = [f"{r.question} {r.option} {r.survey:g}%, model {r.model:.1f}%"
             for i, r in zip(result.problem.targets.index, table.itertuples()) if r.kind == "share" and i in counted]
    facts += [f"{r.option} {r.fact} third partner, model rank {r.model_rank}" for r in table.itertuples()
              if r.kind == "rank"]
    text = f"fit to ISEAS {result.year} ({'; '.join(facts)})"
    if not np.isnan(row.lo):
        text += f"; 90% bootstrap interval {row.lo:.3g}-{row.hi:.3g} over {len(result.boot_z)} refits"
    text += f", given the anchor {row.anchor:g} (calibration_anchors.csv)"
    return text + _profile_phrase(result, key) + "; docs/validation.md"


def _profile_phrase(result: FitResult, key: str) -> str:
    if result.profile.empty:
        return ""
    rows = result.profile[result.profile["parameter"] == key]
    met = {f"{r.factor:g}x": r.targets_met for r in rows.itertuples()}
    if all(met.values()):
        return "; not pinned by the survey alone: at " + " or ".join(met) + " the rest refits to every target"
    failing = [f for f, ok in met.items() if not ok]
    return "; at " + " or ".join(failing) + " the refit of the rest (from the fit) missed a target"


def summary_text(result: FitResult) -> str:
    """The terminal report."""
    table = targets_table(result)
    shown = table.assign(question=table["question"].map(QUESTION_LABELS))
    columns = ["year", "question", "option", "survey", "model", "error_pp"]
    if "model_rank" in shown:
        columns += ["fact", "model_rank"]
        shown[["fact", "model_rank"]] = shown[["fact", "model_rank"]].fillna("")
    lines = [f"Calibration to the ISEAS {result.year} survey, asked of {result.problem.scenario.name} "
             f"({result.problem.replicates} replicates per parameter set, {len(result.boot_z)} bootstrap fits, "
             f"{result.seconds:.0f} s)", "", "Targets (percent; error = model - survey, pp):",
             format_table(shown[columns], digits=1), ""]
    params = parameters_table(result)
    lines += ["Fitted parameters (90% bootstrap interval; moved = distance from the anchor in factors of 2):",
              format_table(params.set_index("parameter"), digits=3), ""]
    loss = result.loss
    lines.append(f"Loss {loss['total']:.3f} = data {loss['data']:.3f} + ranking {loss['ranking']:.3f} "
                 f"+ anchor {loss['anchor']:.3f} (ranking margin {RANK_MARGIN_PP:g} pp)")
    if not result.profile.empty:
        lines += ["", "Identifiability: one parameter halved or doubled, the rest refitted; are all targets still met?",
                  format_table(profile_table(result))]
    weak = weakly_identified(result)
    if weak:
        lines += ["", f"Weakly identified (|r| > {WEAK} across bootstrap fits):"]
        lines += [f"  {a} ~ {b}: r = {r:+.2f}" for a, b, r in weak]
    skipped = not_answered_table(result)
    if len(skipped):
        lines += ["", f"Not answered ({len(skipped)} figures of {result.year}):"]
        lines += [f"  {r.question} / {r.option}: {r.reason}" for r in skipped.itertuples()]
    return "\n".join(lines)


def markdown(result: FitResult) -> str:
    """The report as Markdown (fit_report.md)."""
    table = targets_table(result)
    params = parameters_table(result)
    loss = result.loss
    profile = markdown_table(result.profile, index=False, floatfmt=".3g") if not result.profile.empty else "(skipped)"
    parts = [f"# Calibration to the ISEAS {result.year} survey", "",
             f"Asked of `{result.problem.scenario.name}`; {result.problem.replicates} replicates per parameter set "
             f"(common random numbers); {len(result.boot_z)} bootstrap fits; {result.seconds:.0f} s. "
             f"Command: `{result.command}`.", "", "## Targets", "",
             markdown_table(table.drop(columns=["kind"]), index=False), "",
             f"Loss {loss['total']:.3f} = data {loss['data']:.3f} + ranking {loss['ranking']:.3f} + "
             f"anchor {loss['anchor']:.3f}.", "", "## Fitted parameters (90% bootstrap intervals)", "",
             markdown_table(params, index=False, floatfmt=".3g"), "",
             "## Sensitivity: pp change of each share target per +10% of each parameter", "",
             markdown_table(sensitivity_table(result).T, floatfmt=".2f"), "",
             "## Identifiability: one parameter halved or doubled, the others refitted", "",
             profile, "",
             "## Correlation of parameters across bootstrap fits", "",
             markdown_table(correlation(result), floatfmt=".2f"), "", "## Not answered", "",
             markdown_table(not_answered_table(result), index=False)]
    return "\n".join(parts) + "\n"


def figure(result: FitResult):
    """Targets vs model (survey 95% sampling error bars) and fitted parameters with intervals."""
    from sim.reports.plots import PARTNER_COLORS, plt  # matplotlib loads only when the figure is drawn

    fig, (left, middle, right) = plt.subplots(1, 3, figsize=(13, 4.2), gridspec_kw={"width_ratios": [1, 1.3, 1.4]})
    _forced_panel(left, result)
    _third_party_panel(middle, result, PARTNER_COLORS)
    _parameter_panel(right, result)
    fig.suptitle(f"Calibration to the ISEAS {result.year} survey ({result.problem.scenario.name})")
    fig.tight_layout()
    return fig


def _forced_panel(ax, result):
    rows = result.problem.targets[(result.problem.targets["kind"] == "share")]
    labels = [f"{r.option}\n({QUESTION_LABELS[r.question].split()[0]})" for r in rows.itertuples()]
    survey = rows["percent"].to_numpy(float)
    half = targets_mod.sampling_error_pp(survey, rows["respondents"].to_numpy(float))
    model = [result.answers.share(code)[0] * 100 for code in rows["code"]]
    x = np.arange(len(rows))
    ax.bar(x - 0.2, survey, 0.4, yerr=half, capsize=4, color="#999999", label="survey (95% sampling error)")
    ax.bar(x + 0.2, model, 0.4, color="#35608d", label="model")
    ax.set_xticks(x, labels)
    ax.set_ylabel("percent")
    ax.set_title("Share targets")
    ax.legend(fontsize=8, loc="lower center")


def _third_party_panel(ax, result, colors):
    shares = result.answers.third_party[0] * 100
    options = result.answers.options
    ax.bar(options, shares, color=[colors.get(o, "#777777") for o in options])
    facts = result.problem.targets[result.problem.targets["kind"] == "rank"]
    for row in facts.itertuples():
        i = options.index(row.code)
        ax.annotate(f"survey: {row.rank}", (i, shares[i]), ha="center", va="bottom", fontsize=8)
    ax.set_ylabel("model share, percent")
    ax.set_title("Preferred third partner (model)")


def _parameter_panel(ax, result):
    params = parameters_table(result)
    y = np.arange(len(params))[::-1]
    ratio = params["value"] / params["anchor"]
    if not result.profile.empty:  # calibrate(profile=False) leaves it empty
        _profile_bands(ax, result.profile, params["parameter"], ratio, y)
    lo, hi = params["lo"] / params["anchor"], params["hi"] / params["anchor"]
    err = np.vstack([np.clip(ratio - lo, 0, None), np.clip(hi - ratio, 0, None)]) if lo.notna().all() else None
    ax.errorbar(ratio, y, xerr=err, fmt="o", color="#35608d", capsize=3, label="fit, 90% bootstrap interval")
    ax.axvline(1.0, color="#999999", lw=1, ls="--")
    ax.set_xscale("log")
    ax.minorticks_off()
    ticks = [0.25, 0.5, 1, 2, 4]
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.set_xlim(0.2, 5)
    ax.set_yticks(y, [f"{k}  {v:.3g}" for k, v in zip(params["parameter"], params["value"])], fontsize=8)
    ax.set_xlabel("fitted / anchor (pre-calibration judgement)")
    ax.set_title("Fitted parameters")
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)


def _profile_bands(ax, profile, keys, ratios, rows):
    """A grey band per parameter over the factors at which the refit still met every target."""
    for row, key, level in zip(rows, keys, ratios):
        met = profile[(profile["parameter"] == key) & profile["targets_met"]]
        if len(met):
            span = [level * min(met["factor"].min(), 1.0), level * max(met["factor"].max(), 1.0)]
            ax.plot(span, [row, row], color="#cccccc", lw=6, solid_capstyle="butt", zorder=0)
    ax.plot([], [], color="#cccccc", lw=6, label="halved/doubled: targets still met")


def save(result: FitResult, out, where: str = "out") -> dict:
    """Write fit_report.md, fit_report.png and fit.json under ``out``, all or none (`sim.running.run.write_all`;
    ``where`` names ``out`` in errors); returns their paths."""
    from sim.reports.plots import save_figure  # matplotlib loads only when the figure is written

    files = {"markdown": "fit_report.md", "json": "fit.json", "png": "fit_report.png"}
    written = write_all(out, {
        files["markdown"]: lambda path: path.write_text(markdown(result)),
        files["json"]: lambda path: write_json(to_json(result), path),
        files["png"]: lambda path: save_figure(figure(result), path),
    }, where)
    return {key: written[name] for key, name in files.items()}
