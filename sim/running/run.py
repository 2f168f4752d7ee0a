"""The functions analysts call from a notebook; the command line is a thin layer on them.

    >>> import sim
    >>> result = sim.run("baseline_2020", steps=40)
    >>> result.final            # alignment per state and partner, hedging, leading, forced_us
    >>> sim.explain("baseline_2020", state="Vietnam")   # why Vietnam leans as it does

Also here: `terms_table` and `why_sentence` (the explain table and its sentence, shared
with the web app), `make_manifest`, and the file writers every command uses:
`atomic_write`, `write_parquet`, `write_json`, `write_all` (all files or none),
`check_output_dir` and `save` (a run's files).
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim import __version__, outputs
from sim.ensemble import simulate
from sim.errors import MAX_SEED, InputError, check_whole
from sim.inputs import Inputs
from sim.scenario import Scenario, load, path_is
from sim.trajectory import Trajectory

ENGINES = ("ensemble", "mesa")


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
        states = {
            name: {
                "alignment": {p: float(row[p]) for p in partners},
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
                "states_led": summary["states_led"],
            },
        }


def _number(value):
    return None if value is None or pd.isna(value) else float(value)


def scenario_of(scenario: Scenario | str, overrides: dict | None = None) -> Scenario:
    """A `Scenario` from a name, path or object, with ``overrides`` applied."""
    scenario = scenario if isinstance(scenario, Scenario) else load(scenario)
    return scenario.with_overrides(overrides or {}, where="overrides")


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
    steps = scenario.steps if steps is None else _positive("steps", steps)
    seed = scenario.seed if seed is None else _seed(seed)
    replicates = _positive("replicates", replicates)
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
    from sim.model import AlignmentModel  # Mesa is imported only when asked for

    runs = []
    for replicate in range(replicates):
        model = AlignmentModel(scenario, steps=steps, seed=seed, run=replicate)
        while model.running:
            model.step()
        runs.append(model.trajectory)
    return _stack(runs)


def _stack(trajectories: list[Trajectory]) -> Trajectory:
    first = trajectories[0]
    arrays = {name: np.concatenate([getattr(t, name) for t in trajectories])
              for name in ("rationality", "alignment", "threat", "china_coercion", "korea_posture", "crisis", "terms")}
    return Trajectory(states=first.states, partners=first.partners, **arrays)


def check_memory(scenario: Scenario, steps: int, replicates: int) -> None:
    """Refuse (rather than crash with MemoryError) a run whose trajectory alone would not fit in
    the memory available now; many runs belong in chunked sweeps, which keep only outcomes."""
    import psutil

    from sim.ensemble import bytes_per_run

    need = replicates * bytes_per_run(len(scenario.states), len(scenario.partners), steps, record="trajectory")
    available = psutil.virtual_memory().available
    if need > available:
        raise InputError("", "replicates x steps", f"{replicates} x {steps}",
                         f"a run that fits in memory ({need / 2**30:.1f} GiB needed, "
                         f"{available / 2**30:.1f} GiB available)")


def _positive(name: str, value) -> int:
    """steps, replicates and the like: a whole number from 1 to 10000."""
    return check_whole(name, value, 1, 10_000)


def _seed(value) -> int:
    return check_whole("seed", value, 0, MAX_SEED)


def make_manifest(scenario: Scenario, **extra) -> dict:
    """What a result depends on: scenario (and its hash), parameters, seed, version."""
    return {
        "scenario": scenario.name,
        "scenario_path": scenario.path,
        "scenario_digest": scenario.digest(),
        "title": scenario.title,
        **extra,
        "partners": list(scenario.partners),
        "states": list(scenario.states),
        "overrides": {k: list(v) if isinstance(v, tuple) else v for k, v in scenario.overrides.items()},
        "events": [vars(e) | {"value": list(e.value) if isinstance(e.value, tuple) else e.value}
                   for e in scenario.events],
        "version": __version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
    }


def explain(scenario: Scenario | str = "baseline_2020", state: str = "Vietnam", step: int | None = None,
            steps: int | None = None, seed: int | None = None, overrides: dict | None = None) -> pd.DataFrame:
    """Why a state leans as it does: each partner's utility split into its terms.

    Returns one row per partner with the weighted terms (security, economy,
    trust, risk, history, peer), their sum ``utility`` and the state's
    ``alignment`` after that step. ``step`` defaults to the last step.
    """
    result = run(scenario, steps=steps, seed=seed, overrides=overrides)
    traj = result.trajectory
    if state not in traj.states:
        raise InputError("", "state", state, "one of " + ", ".join(traj.states))
    step = traj.n_steps if step is None else step
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or not 0 <= step <= traj.n_steps:
        raise InputError("", "step", step, f"a whole number from 0 to {traj.n_steps}")
    row = traj.states.index(state)
    table = terms_table(traj.terms[:, step, row].mean(0), traj.alignment[:, step, row].mean(0), traj.partners)
    table.attrs.update(scenario=result.scenario.name, state=state, step=int(step))
    return table


def terms_table(terms: np.ndarray, alignment: np.ndarray, partners) -> pd.DataFrame:
    """One state's weighted utility terms [partner, term] and alignment [partner] as the
    `explain` table: a row per partner, a column per term, then utility and alignment."""
    from sim.equations import TERMS

    table = pd.DataFrame(terms, index=list(partners), columns=list(TERMS))
    table["utility"] = table[list(TERMS)].sum(axis=1)
    table["alignment"] = alignment
    table.index.name = "partner"
    return table


# Plain words for each utility term, as a reason a state prefers one partner to another.
TERM_REASONS = {
    "security": "security", "economy": "economic ties", "trust": "trust",
    "risk": "lower risk of punishment", "history": "history", "peer": "what its neighbours do",
}


def why_sentence(table: pd.DataFrame, state: str) -> str:
    """One plain sentence on an `explain` table: which partner the state leans to, over
    which runner-up, and the terms that make the difference.

    The reasons are the terms where the leading partner outscores the runner-up most
    (a contrast, because alignment follows differences in utility, not levels).
    """
    ranked = table["alignment"].sort_values(ascending=False)
    lead, runner = ranked.index[0], ranked.index[1]
    terms = list(TERM_REASONS)
    advantage = (table.loc[lead, terms] - table.loc[runner, terms]).sort_values(ascending=False)
    reasons = [TERM_REASONS[t] for t, gap in advantage.items() if gap > 0][:2]
    because = " and ".join(reasons) if reasons else "a mix of small differences"
    return (f"{state} leans to {partner_name(lead)} ({ranked.iloc[0]:.0%}) rather than {partner_name(runner)} "
            f"({ranked.iloc[1]:.0%}) mostly because of {because}.")


def partner_name(code: str) -> str:
    """A partner's name as it reads in a sentence: 'the United States', 'Japan'."""
    from sim.parameters import PARTNER_NAMES

    name = PARTNER_NAMES.get(code, code)
    return f"the {name}" if name.startswith(("United", "European")) else name


# --- files -----------------------------------------------------------------


def atomic_write(path: Path, write) -> Path:
    """Call ``write(tmp_path)`` then rename into place, so no half-written file is ever seen."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.{uuid.uuid4().hex[:12]}.tmp"
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))  # the umask's permissions, not 0600
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_parquet(frame: pd.DataFrame, path: Path, metadata: dict | None = None) -> Path:
    """A DataFrame to Parquet, atomically, with the manifest in the file's metadata."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    if metadata:
        table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                               b"sim_manifest": json.dumps(metadata).encode()})
    return atomic_write(path, lambda tmp: pq.write_table(table, tmp))


def write_json(data: dict, path: Path) -> Path:
    return atomic_write(path, lambda tmp: tmp.write_text(json.dumps(data, indent=2, default=str)))


def save(result: RunResult, out_dir: Path | str, where: str = "out_dir") -> dict[str, Path]:
    """Write a run's tables (Parquet), plots (PNG) and manifest (JSON) under ``out_dir``.

    All files or none (`write_all`); ``where`` names ``out_dir`` in errors (the CLI says --out).
    """
    from sim import plots

    meta = result.manifest
    # The tables carry what decides their numbers; not the engine, which does not (both give the
    # same bits), so the same seed gives byte-identical Parquet files from either engine.
    data_meta = {key: value for key, value in meta.items() if key != "engine"}
    files = {
        "alignment": ("alignment.parquet", lambda path: write_parquet(result.alignment, path, data_meta)),
        "states": ("states.parquet", lambda path: write_parquet(result.states, path, data_meta)),
        "asean": ("asean.parquet", lambda path: write_parquet(result.asean, path, data_meta)),
        "world": ("world.parquet", lambda path: write_parquet(result.world, path, data_meta)),
        "final": ("final.csv", lambda path: result.final.to_csv(path, float_format="%.4f")),
        "asean_plot": ("asean_alignment.png", lambda path: plots.save_figure(plots.asean_over_time(result), path)),
        "states_plot": ("states_alignment.png",
                        lambda path: plots.save_figure(plots.states_small_multiples(result), path)),
    }
    names = {key: name for key, (name, _) in files.items()}
    files["manifest"] = ("manifest.json", lambda path: write_json(meta | {"files": names}, path))
    written = write_all(out_dir, dict(files.values()), where)
    return {key: written[name] for key, (name, _) in files.items()}


def write_all(out_dir: Path | str, writers: dict[str, Callable[[Path], object]],
              where: str = "out_dir") -> dict[str, Path]:
    """Write files into ``out_dir``, all of them or none: ``writers`` maps file name -> ``write(path)``.

    Each file is written into a fresh staging directory beside ``out_dir``; only when every
    one is written do they move in (a new ``out_dir`` is the staging directory renamed, in one
    step; into an existing one they move one by one in ``writers`` order, so put the manifest
    last). If anything fails, the staging directory and any parent this call created are
    removed, and a file-system failure is an `InputError` naming ``where`` and the directory.
    """
    out = Path(out_dir)
    check_output_dir(out, where)
    created = _missing_parents(out)
    stage, done = None, False
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        stage = out.parent / f".{out.name}.{uuid.uuid4().hex[:12]}.tmp"
        stage.mkdir()
        for name, write in writers.items():
            write(stage / name)
        _move_into(stage, out, list(writers))
        done = True
        return {name: out / name for name in writers}
    except OSError as exc:
        raise _output_error(out, where, exc) from None
    finally:
        if stage is not None:
            shutil.rmtree(stage, ignore_errors=True)  # already gone if it became out_dir
        if not done:
            for parent in created:  # innermost first, and only if still empty
                _rmdir_if_empty(parent)


def _move_into(stage: Path, out: Path, names: list[str]) -> None:
    if not out.exists():
        stage.rename(out)
        return
    for name in names:
        os.replace(stage / name, out / name)


def _missing_parents(out: Path) -> list[Path]:
    """The parents of ``out`` that do not exist yet, innermost first."""
    missing = []
    for parent in out.absolute().parents:
        if path_is(parent, Path.exists):
            break
        missing.append(parent)
    return missing


def _rmdir_if_empty(path: Path) -> None:
    try:
        path.rmdir()
    except OSError:
        pass


def check_output_dir(out: Path | str, where: str = "out_dir") -> None:
    """Raise `InputError` now, before any work, if files cannot be written under ``out``:
    it (or a parent) is a file, or the nearest existing parent is not writable."""
    out = Path(out)
    if "\x00" in str(out):
        raise InputError("", where, str(out), "a directory name (without a NUL character)")
    existing = next(p for p in (out.absolute(), *out.absolute().parents) if path_is(p, Path.exists))
    if not existing.is_dir():
        what = "is a file" if existing == out.absolute() else f"is under a file, {existing}"
        raise InputError("", where, str(out), f"a directory (it {what})")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise InputError("", where, str(out), f"a directory that can be written ({existing} cannot)")


def _output_error(out: Path, where: str, exc: OSError) -> InputError:
    return InputError("", where, str(out), f"a directory that can be written ({exc.strerror or exc})")
