"""Running the model: `run` (either engine) and what it returns, `RunResult`, with `save`.

    >>> import sim
    >>> result = sim.run("baseline_2020", steps=40)
    >>> result.final            # alignment per state and partner, hedging, leading, forced_us
    >>> sim.save(result, "results/baseline")   # Parquet tables, PNG plots, manifest.json
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from sim.base.errors import InputError, check_count, check_seed
from sim.base.files import parquet_table, write_all, write_json, write_parquet
from sim.core import outputs
from sim.core.inputs import Inputs
from sim.core.trajectory import Trajectory
from sim.engines.ensemble import simulate
from sim.engines.memory import check_memory
from sim.running.provenance import make_manifest
from sim.schema.scenario import Scenario, scenario_of
from sim.schema.survey_pool import pooled

ENGINES = ("ensemble", "mesa")
TABLES = ("alignment", "states", "asean", "world")  # the tidy tables `save` writes, one row per step


@dataclass
class RunResult:
    """Everything one `run` produced: tidy tables, the final summary and a manifest."""

    scenario: Scenario
    trajectory: Trajectory
    manifest: dict
    final: pd.DataFrame = field(init=False)

    def __post_init__(self):
        self.final = outputs.final_table(self.trajectory)

    @property
    def alignment(self) -> pd.DataFrame:
        """run, step, state, partner, alignment, utility."""
        return outputs.alignment_frame(self.trajectory)

    @property
    def states(self) -> pd.DataFrame:
        """run, step, state, hedging, leading, forced_us, threat."""
        return outputs.state_frame(self.trajectory)

    @property
    def asean(self) -> pd.DataFrame:
        """run, step, partner, alignment (ASEAN mean), states_led."""
        return outputs.asean_frame(self.trajectory)

    @property
    def world(self) -> pd.DataFrame:
        """run, step, cohesion, hedging, forced_us, china_coercion, korea_posture, crisis."""
        return outputs.world_frame(self.trajectory)

    @property
    def terms(self) -> pd.DataFrame:
        """run, step, state, partner, term, value."""
        return outputs.terms_frame(self.trajectory)

    def to_json(self) -> dict:
        """The summary the CLI prints with --json."""
        final = self.final
        partners = list(self.trajectory.partners)
        among = self.among_powers_final()
        states = {
            name: {
                "alignment": {p: float(row[p]) for p in partners},
                "among_powers": {p: float(among.loc[name, p]) for p in among.columns},
                "hedging": float(row["hedging"]),
                "forced_us": _number(row.get("forced_us")),
                "leading": row["leading"],
            }
            for name, row in final.drop(index="ASEAN").iterrows()
        }
        asean_row = final.loc["ASEAN"]
        summary = outputs.asean_summary(self.trajectory)
        return {
            "scenario": self.scenario.name,
            "seed": self.manifest["seed"],
            "replicates": self.manifest["replicates"],
            "steps": self.manifest["steps"],
            "states": states,
            "asean": {
                "alignment": {p: float(asean_row[p]) for p in partners},
                "cohesion": summary["cohesion"],
                "hedging": float(asean_row["hedging"]),
                "forced_us": _number(asean_row.get("forced_us")),
                "forced_us_pooled": self.forced_us_pooled(),
                "states_led": summary["states_led"],
            },
        }

    def among_powers_final(self) -> pd.DataFrame:
        """Each state's final alignment among the outside powers alone (shares renormalised without
        the ASEAN-centred option; rows sum to 1), averaged over replicates: [state x power]."""
        traj = self.trajectory
        among = np.nanmean(traj.among_powers()[:, -1], axis=0)
        powers = [i for i, p in enumerate(traj.partners) if p != "ASEAN"]
        return pd.DataFrame(among[:, powers], index=list(traj.states), columns=[traj.partners[i] for i in powers])

    def forced_us_pooled(self) -> float | None:
        """The ASEAN-wide forced choice pooled as the survey pools its respondents
        (`sim.schema.survey_pool`): the figure to read beside the survey's ASEAN-wide one.
        The ``forced_us`` of the ASEAN row weights states equally."""
        if "forced_us" not in self.final:
            return None
        states = list(self.trajectory.states)
        return pooled(self.final.loc[states, "forced_us"], states)


def _number(value):
    return None if value is None or pd.isna(value) else float(value)


def run(scenario: Scenario | str = "baseline_2020", steps: int | None = None, seed: int | None = None,
        replicates: int = 1, overrides: dict | None = None, engine: str = "ensemble") -> RunResult:
    """Simulate a scenario and return its tables.

    Args:
        scenario: name in scenarios/, path to a TOML file, or a `Scenario`.
        steps: quarters to simulate (default: the scenario's, usually 40 = 10 years).
        seed: master seed (default: the scenario's). Replicate k uses streams
            derived from (seed, k), so results do not depend on the engine or batch.
        replicates: independent runs (meaningful when noise or crises are on).
        overrides: parameter changes, e.g. ``{"world.rivalry": 0.9}``.
        engine: "ensemble" (vectorized, default) or "mesa" (the agent model, one run at a time).
    """
    scenario = scenario_of(scenario, overrides)
    steps = scenario.steps if steps is None else check_count("steps", steps)
    seed = scenario.seed if seed is None else check_seed(seed)
    replicates = check_count("replicates", replicates)
    if engine not in ENGINES:
        raise InputError("", "engine", engine, "one of " + ", ".join(ENGINES))
    check_memory(scenario, steps, replicates)
    if engine == "mesa":
        trajectory = _run_mesa(scenario, steps, seed, replicates)
    else:
        inputs = Inputs.build(scenario, [{}] * replicates)
        trajectory = simulate(inputs, scenario.events, steps, seed)
    manifest = make_manifest(scenario, steps=steps, seed=seed, replicates=replicates, engine=engine)
    return RunResult(scenario, trajectory, manifest)


def _run_mesa(scenario: Scenario, steps: int, seed: int, replicates: int) -> Trajectory:
    from sim.model import AlignmentModel  # Mesa loads only when this engine is asked for

    runs = []
    for replicate in range(replicates):
        model = AlignmentModel(scenario, steps=steps, seed=seed, run=replicate)
        while model.running:
            model.step()
        runs.append(model.trajectory)
    return _stack(runs)


def _stack(trajectories: list[Trajectory]) -> Trajectory:
    first = trajectories[0]
    names = [item.name for item in fields(Trajectory) if item.name not in ("states", "partners")]
    arrays = {name: np.concatenate([getattr(t, name) for t in trajectories]) for name in names}
    return Trajectory(states=first.states, partners=first.partners, **arrays)


def _data_meta(manifest: dict) -> dict:
    # The tables carry what decides their numbers; not the engine, which does not (both give the
    # same bits), so the same seed gives byte-identical Parquet files from either engine.
    return {key: value for key, value in manifest.items() if key != "engine"}


def archive(result: RunResult, fmt: str = "parquet") -> bytes:
    """A zip of the run's tables, the same ones `save` writes (alignment, states, asean, world as
    Parquet or CSV, final.csv) and manifest.json: what the web app's download buttons give."""
    if fmt not in ("parquet", "csv"):
        raise InputError("", "format", fmt, "parquet or csv")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name in TABLES:
            frame = getattr(result, name)
            if fmt == "csv":
                bundle.writestr(f"{name}.csv", frame.to_csv(index=False))
            else:
                data = io.BytesIO()
                pq.write_table(parquet_table(frame, _data_meta(result.manifest)), data)
                bundle.writestr(f"{name}.parquet", data.getvalue())
        bundle.writestr("final.csv", result.final.to_csv(float_format="%.4f"))
        bundle.writestr("manifest.json", json.dumps(result.manifest, indent=2, default=str))
    return buffer.getvalue()


def save(result: RunResult, out_dir: Path | str, where: str = "out_dir",
         uncertainty: tuple[pd.DataFrame, dict] | None = None) -> dict[str, Path]:
    """Write a run's tables (Parquet), plots (PNG) and manifest (JSON) under ``out_dir``.

    With ``uncertainty``, a pair (`sim.running.uncertainty.intervals` table, its draws' manifest),
    also intervals.csv, and the manifest records the draws. All files or none (`write_all`);
    ``where`` names ``out_dir`` in errors (the CLI says --out).
    """
    from sim.reports import plots  # matplotlib loads only when a run's figures are written

    meta = result.manifest
    data_meta = _data_meta(meta)
    files = {name: (f"{name}.parquet", lambda path, name=name: write_parquet(getattr(result, name), path, data_meta))
             for name in TABLES}
    files |= {
        "final": ("final.csv", lambda path: result.final.to_csv(path, float_format="%.4f")),
        "asean_plot": ("asean_alignment.png", lambda path: plots.save_figure(plots.asean_over_time(result), path)),
        "states_plot": ("states_alignment.png",
                        lambda path: plots.save_figure(plots.states_small_multiples(result), path)),
    }
    if uncertainty is not None:
        files["intervals"] = ("intervals.csv", lambda path: uncertainty[0].to_csv(path, index=False,
                                                                                  float_format="%.4f"))
        meta = meta | {"parameter_uncertainty": uncertainty[1]}
    names = {key: name for key, (name, _) in files.items()}
    files["manifest"] = ("manifest.json", lambda path: write_json(meta | {"files": names}, path))
    written = write_all(out_dir, dict(files.values()), where)
    return {key: written[name] for key, (name, _) in files.items()}
