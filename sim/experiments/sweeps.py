"""Parameter sweeps: many parameter sets x replicates, written chunk by chunk, resumable.

    >>> import sim
    >>> result = sim.sweep("baseline_2020", vary=["world.us_commitment=0.5:1.5", "weights.peer=0:3"],
    ...                    sampler="lhs", samples=200, replicates=5, out="results/sweep")
    >>> result.summary      # per parameter set and outcome: n, mean, 95% interval of the mean
    >>> result.runs         # one row per run: run, variation, replicate, varied values, outcomes

This module runs a sweep from its parts: the plan (`sim.experiments.plan`: what
each chunk file holds), the workers (`sim.experiments.workers`: local processes
or dask), the directory store (`sim.experiments.store`: chunk files, checksums,
manifest, lock; a sweep run again resumes) and the summary
(`sim.experiments.summary`). docs/experiments.md lists the guarantees and the
tests behind each.
"""

from __future__ import annotations

import time
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from tqdm.auto import tqdm

from sim.base.errors import InputError, OutputError, check_count
from sim.base.files import atomic_write
from sim.engines.memory import DEFAULT_MEMORY_MB
from sim.experiments.plan import CHUNK_RUNS, Plan, make_plan
from sim.experiments.store import FORMAT, SweepDir, chunk_name, chunk_problem, fault, read_runs, write_table
from sim.experiments.summary import summarize
from sim.experiments.workers import computed_chunks
from sim.running.provenance import make_manifest
from sim.schema.scenario import Scenario

STREAMS = "run k draws from stream (seed, k % replicates): common random numbers across parameter sets"


@dataclass
class SweepResult:
    """A sweep's parameter sets, summary, manifest and (read on demand) its per-run rows."""

    plan_keys: list[str]
    manifest: dict
    samples: pd.DataFrame
    summary: pd.DataFrame
    path: Path | None = None
    report: dict = field(default_factory=dict)
    _runs: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def runs(self) -> pd.DataFrame:
        """One row per run: run, variation, replicate, the varied values, the outcomes."""
        if self._runs is None:
            self._runs = read_runs(self.path)
        return self._runs


def sweep(scenario: Scenario | str = "baseline_2020", vary=(), sampler: str = "lhs", samples: int | None = None,
          replicates: int = 1, seed: int | None = None, steps: int | None = None, out: Path | str | None = None,
          workers: int = 1, scheduler=None, force: bool = False, chunk_runs: int = CHUNK_RUNS,
          memory_mb: float = DEFAULT_MEMORY_MB, overrides: dict | None = None, progress: bool = False,
          against=None) -> SweepResult:
    """Run ``replicates`` runs of every parameter set drawn for ``vary``; return their outcomes.

    Args:
        vary: ``"KEY=LO:HI[:N]"`` texts or `sim.experiments.sampling.Vary` objects, e.g. ``"world.rivalry=0.2:0.9"``.
        sampler: grid, lhs, sobol (scipy), saltelli or morris (SALib); see `sim.experiments.sampling`.
        samples: parameter sets for lhs and sobol (N of SALib's designs); the grid takes :N per key.
        out: a directory to write (and resume); without it everything stays in memory.
        workers: local processes computing chunks; ``scheduler``: a dask address
            (``tcp://HOST:PORT``) or ``distributed.Client`` to send them to instead.
        force: replace a different sweep already in ``out`` instead of refusing.
        chunk_runs: runs per chunk file, part of the plan (the files never depend on workers).
        memory_mb: the engine's memory budget per worker (`sim.engines.ensemble.simulate_chunks`); no effect on results.
        progress: show a bar (runs done, runs/s, time left); None: only on a terminal.
        against: a second scenario: every run also runs there, on the same parameter set and random
            numbers, and its outcomes are the paired differences (scenario minus against): the sweep of
            an effect (`sim.experiments.plan`).
    """
    plan = make_plan(scenario, vary, sampler, samples, replicates, seed, steps, chunk_runs, overrides, against)
    return run_plan(plan, out, workers, scheduler, force, memory_mb, progress)


def run_plan(plan: Plan, out: Path | str | None = None, workers: int = 1, scheduler=None, force: bool = False,
             memory_mb: float = DEFAULT_MEMORY_MB, progress: bool = False, on_start=None) -> SweepResult:
    """`sweep` for a plan already made (`make_plan`).

    ``on_start()``, if given, is called once every option and the directory have been
    accepted, just before computing (the CLI prints its header there, so an error is
    the only thing a refused sweep prints).
    """
    workers = check_count("--workers", workers, 256)
    on_start = on_start or (lambda: None)
    if out is None:
        on_start()
        return _in_memory(plan, workers, scheduler, memory_mb, progress)
    with SweepDir(out) as folder:
        return _to_directory(plan, folder, workers, scheduler, force, memory_mb, progress, on_start)


def header(plan: Plan) -> dict:
    """The manifest's description of a sweep (everything but its chunk files)."""
    return {"format": FORMAT, "command": plan.command(),
            **make_manifest(plan.scenario, steps=plan.steps, seed=plan.seed, replicates=plan.replicates,
                            engine="ensemble"),
            "random_streams": STREAMS, **_against_note(plan), "varied": [v.to_dict() for v in plan.varies],
            "unused_keys": plan.unused_keys(),
            "n_variations": len(plan.design), "n_runs": plan.n_runs, "n_chunks": plan.n_chunks,
            "samples_file": "samples.parquet", "chunks": {}, "complete": False}


def _against_note(plan: Plan) -> dict:
    if plan.against is None:
        return {}
    return {"against": plan.against.name, "outcomes": f"paired differences: each run's outcome in "
            f"{plan.scenario.name} minus the same run (parameter set and random numbers) in {plan.against.name}"}


def _in_memory(plan: Plan, workers, scheduler, memory_mb, progress) -> SweepResult:
    frames = {}
    with _progress_bar(plan, 0, progress) as bar:
        tasks = (plan.task(i, memory_mb) for i in range(plan.n_chunks))
        with closing(computed_chunks(tasks, workers, scheduler)) as results:
            for index, frame in results:
                frames[index] = frame
                bar.update(len(frame))
    runs = pd.concat([frames[i] for i in sorted(frames)], ignore_index=True)
    return SweepResult(plan.keys, header(plan), plan.design, summarize(runs, plan.keys), None, {}, runs)


def _to_directory(plan: Plan, folder: SweepDir, workers, scheduler, force, memory_mb, progress,
                  on_start) -> SweepResult:
    started = time.perf_counter()
    manifest = _start(plan, folder, force)
    on_start()
    todo, reasons = folder.verify(plan, manifest)
    kept = plan.n_chunks - len(todo)
    try:
        write_table(plan.design.reset_index(), folder.path / "samples.parquet")
        _compute_into(plan, folder, manifest, todo, workers, scheduler, memory_mb, progress)
        runs = read_runs(folder.path)
        summary = summarize(runs, plan.keys)
        write_table(summary, folder.path / "summary.parquet")
        atomic_write(folder.path / "summary.csv", lambda tmp: summary.to_csv(tmp, index=False))
        manifest["complete"] = True
        folder.write_manifest(manifest)
    except OSError as exc:
        done = len(manifest["chunks"])
        raise OutputError(f"{exc.filename or folder.path}: cannot write ({exc.strerror or exc}); "
                          f"{done} of {plan.n_chunks} chunk files are finished and kept: "
                          "run the same command again to resume") from None
    seconds = time.perf_counter() - started
    report = {"chunks_kept": kept, "chunks_computed": len(todo), "recomputed": reasons,
              "runs_computed": sum(len(plan.chunk(i)) for i in todo), "seconds": seconds}
    return SweepResult(plan.keys, manifest, plan.design, summary, folder.path, report, runs)


def _start(plan: Plan, folder: SweepDir, force: bool) -> dict:
    """The manifest to continue: the existing one for the same command, else a new one."""
    old = folder.read_manifest()
    if old is not None and old.get("command") == plan.command():
        return old
    if old is not None and not force:
        changes = _changes(old.get("command") or {}, plan.command())
        raise OutputError(f"{folder.path}: holds a different sweep ({changes}); "
                          "use --force to replace it, or choose another --out")
    try:
        folder.clear()
        manifest = header(plan)
        folder.write_manifest(manifest)
    except OSError as exc:
        raise OutputError(f"{exc.filename or folder.path}: cannot write ({exc.strerror or exc})") from None
    return manifest


def _compute_into(plan, folder, manifest, todo, workers, scheduler, memory_mb, progress) -> None:
    done_runs = plan.n_runs - sum(len(plan.chunk(i)) for i in todo)
    tasks = (plan.task(i, memory_mb) for i in todo)
    with _progress_bar(plan, done_runs, progress) as bar, \
            closing(computed_chunks(tasks, workers, scheduler)) as results:
        for index, frame in results:
            fault("computed", index)
            name = chunk_name(index)
            digest = write_table(frame, folder.runs / name, fault_index=index)
            runs = plan.chunk(index)
            manifest["chunks"][name] = {"runs": [runs.start, runs.stop], "rows": len(frame), "sha256": digest}
            fault("renamed", index)
            folder.write_manifest(manifest, fault_index=index)
            bar.update(len(frame))


def _progress_bar(plan: Plan, done_runs: int, progress: bool):
    # progress=None: a bar only on a terminal (tqdm's rule), so logs and pipes get no carriage returns
    return tqdm(total=plan.n_runs, initial=done_runs, unit="run", desc="sweep",
                disable=None if progress is None else not progress, smoothing=0.1)


def _changes(old: dict, new: dict) -> str:
    changed = [f"{key} {old.get(key)!r} -> {new[key]!r}" for key in new if old.get(key) != new[key]]
    return "; ".join(changed)


def load_sweep(path: Path | str) -> SweepResult:
    """A finished sweep from its directory (checksums verified), for analysis."""
    folder = SweepDir(path)
    manifest = folder.read_manifest()
    where = str(path)
    if manifest is None or manifest.get("format") != FORMAT:
        raise InputError(where, "SWEEP_DIR", None, "a sweep directory (with the manifest.json `run.py sweep` writes)")
    try:  # a manifest edited by hand, or from another version: any field of the wrong shape
        chunks = {name: (entry, range(*_pair(entry["runs"]))) for name, entry in manifest.get("chunks", {}).items()}
        keys = [v["key"] for v in manifest["varied"]]
        done, complete, total = len(chunks), manifest.get("complete"), manifest.get("n_chunks", "?")
    except (TypeError, KeyError, AttributeError, ValueError):
        raise InputError(where, "manifest.json", None, "a manifest as `run.py sweep` writes it "
                         "(run the sweep again with --force)") from None
    if not complete:
        raise InputError(where, "SWEEP_DIR", None, f"a finished sweep ({done} of {total} chunk files "
                         "done: run the same sweep command again to finish it)")
    for name, (entry, runs) in chunks.items():
        if chunk_problem(entry, folder.runs / name, runs) is not None:
            raise InputError(where, name, None, "a chunk file matching its checksum (run the same sweep command "
                             "again to recompute it)")
    samples = pd.read_parquet(folder.path / "samples.parquet").set_index("variation")
    summary = pd.read_parquet(folder.path / "summary.parquet")
    return SweepResult(keys, manifest, samples, summary, folder.path)


def _pair(runs) -> tuple[int, int]:
    start, stop = runs  # a TypeError or ValueError unless two items
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in (start, stop)):
        raise TypeError("runs: expected two whole numbers")
    return start, stop


__all__ = ["sweep", "run_plan", "load_sweep", "make_plan", "Plan", "SweepResult", "SweepDir", "summarize", "read_runs",
           "CHUNK_RUNS"]
