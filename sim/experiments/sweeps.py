"""Parameter sweeps: many parameter sets x replicates, written chunk by chunk, resumable.

    >>> import sim
    >>> result = sim.sweep("baseline_2020", vary=["world.us_commitment=0.5:1.5", "weights.peer=0:3"],
    ...                    sampler="lhs", samples=200, replicates=5, out="results/sweep")
    >>> result.summary      # per parameter set and outcome: n, mean, 95% interval of the mean
    >>> result.runs         # one row per run: run, variation, replicate, varied values, outcomes

A sweep is fixed by its PLAN: scenario, varied parameters and their samples,
replicates, seed, steps and the number of runs per chunk file. Run ``k`` is
replicate ``k % R`` of parameter set ``k // R`` and draws from random stream
``(seed, k % R)``: replicate r of every parameter set sees the same noise and
crises (common random numbers), so differences between sets are paired.
Chunk file ``i`` holds runs ``i * chunk_runs`` onwards, whatever the number of
workers, the cluster or the engine's memory budget; its bytes depend only on
the plan.

Files under DIR:
  manifest.json              the plan ("command"), scenario and digest, seeds, engine, version,
                             and each finished chunk file with its sha256
  samples.parquet            the parameter sets: variation, one column per varied key
  runs/chunk-NNNNN.parquet   one row per run: run, variation, replicate, the varied values,
                             the outcomes of `sim.outcomes`
  summary.parquet / .csv     per parameter set and numeric outcome: n, mean, 95% interval of the mean
  .lock                      held (fcntl.flock) by the sweep writing here

One writer: workers (local processes or dask) compute chunks and return them;
this process writes each file (temporary name, then rename), records its
checksum and rewrites the manifest (also atomically). Running the same command
again verifies every finished chunk against its checksum, recomputes missing,
truncated or corrupt ones and skips the rest. docs/experiments.md lists the
guarantees and the tests behind each.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import signal
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from contextlib import closing
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import pandas as pd

from sim.api import _positive, _seed, atomic_write, make_manifest, scenario_of
from sim.ensemble import DEFAULT_MEMORY_MB, simulate_chunks
from sim.errors import InputError, OutputError
from sim.sampling import Vary, check_count, check_sampler, check_varies, design
from sim.scenario import Scenario

FORMAT = "sim-sweep/1"
RUNS_DIR = "runs"
# judgement: about 0.3 s of baseline_2020 at 40 steps on one core (3,000 runs/s measured),
# so a killed sweep loses little work and two workers stay busy on a few thousand runs.
CHUNK_RUNS = 1000
FILES = ("manifest.json", "samples.parquet", "summary.parquet", "summary.csv")
ID_COLUMNS = ("run", "variation", "replicate")
FAULT_ENV = "SIM_SWEEP_FAULT"  # test hook, "POINT:CHUNK": SIGKILL this process there (see _fault)
FAULT_POINTS = ("computed", "mid-write", "renamed", "manifest")
STREAMS = "run k draws from stream (seed, k % replicates): common random numbers across parameter sets"


@dataclass(frozen=True)
class Plan:
    """Everything a sweep's results depend on; its files follow from it alone."""

    scenario: Scenario
    varies: tuple[Vary, ...]
    sampler: str
    samples: int | None
    replicates: int
    seed: int
    steps: int
    chunk_runs: int
    design: pd.DataFrame = field(compare=False, repr=False)

    @property
    def keys(self) -> list[str]:
        return [v.key for v in self.varies]

    @property
    def n_runs(self) -> int:
        return len(self.design) * self.replicates

    @property
    def n_chunks(self) -> int:
        return -(-self.n_runs // self.chunk_runs)

    def chunk(self, index: int) -> range:
        """The global runs of chunk file ``index``."""
        return range(index * self.chunk_runs, min((index + 1) * self.chunk_runs, self.n_runs))

    def command(self) -> dict:
        """What a changed command would change: compared on resume."""
        return {"scenario": self.scenario.name, "scenario_digest": self.scenario.digest(),
                "vary": [str(v) for v in self.varies], "sampler": self.sampler, "samples": self.samples,
                "replicates": self.replicates, "seed": self.seed, "steps": self.steps,
                "chunk_runs": self.chunk_runs}

    def unused_keys(self) -> list[str]:
        """Varied keys this scenario does not model (a partner or state outside its sets)."""
        from sim.inputs import Inputs

        batch = Inputs(self.scenario.states, self.scenario.partners)
        return [key for key in self.keys if batch.locate(key) is None]

    def task(self, index: int, memory_mb: float) -> "ChunkTask":
        """What a worker needs for chunk ``index``: only its own parameter sets."""
        runs = self.chunk(index)
        first, last = runs.start // self.replicates, (runs.stop - 1) // self.replicates
        return ChunkTask(index, self.scenario, self.design.iloc[first:last + 1], self.replicates,
                         self.steps, self.seed, runs, memory_mb)


def chunk_name(index: int) -> str:
    return f"chunk-{index:05d}.parquet"


def make_plan(scenario: Scenario | str = "baseline_2020", vary=(), sampler: str = "lhs", samples: int | None = None,
              replicates: int = 1, seed: int | None = None, steps: int | None = None,
              chunk_runs: int = CHUNK_RUNS, overrides: dict | None = None) -> Plan:
    """Check every option and draw the parameter sets (an `InputError` names the bad one)."""
    scenario = scenario_of(scenario, overrides)
    varies = check_varies(vary)
    seed = scenario.seed if seed is None else _seed(seed)
    steps = scenario.steps if steps is None else _positive("steps", steps)
    replicates = _positive("replicates", replicates)
    chunk_runs = check_count("chunk_runs", chunk_runs, 10**6)
    samples = check_sampler(sampler, varies, samples)  # the count the design is drawn with (its default if None)
    sets = design(varies, sampler, samples, seed)
    return Plan(scenario, varies, sampler, samples, replicates, seed, steps, chunk_runs, sets)


# --- workers -------------------------------------------------------------------


@dataclass(frozen=True)
class ChunkTask:
    """One chunk file's work, small enough to ship to a dask worker."""

    index: int
    scenario: Scenario
    sets: pd.DataFrame  # the parameter sets this chunk touches, indexed by global variation
    replicates: int
    steps: int
    seed: int
    runs: range
    memory_mb: float


def compute_chunk(task: ChunkTask) -> tuple[int, pd.DataFrame]:
    """(index, rows) of one chunk: run, variation, replicate, the varied values, the outcomes.

    The engine sees only this chunk's parameter sets, so its runs are shifted by
    ``offset``; with common random numbers a run's stream is ``k % R``, which
    the shift (a multiple of R) leaves unchanged.
    """
    offset = int(task.sets.index[0]) * task.replicates
    local = range(task.runs.start - offset, task.runs.stop - offset)
    frames = simulate_chunks(task.scenario, task.sets.to_dict("records"), task.replicates, task.steps, task.seed,
                             memory_mb=task.memory_mb, runs=local, common_random_numbers=True)
    outcomes = pd.concat(list(frames))
    run = outcomes.index.to_numpy() + offset
    head = pd.DataFrame({"run": run, "variation": run // task.replicates, "replicate": run % task.replicates})
    values = task.sets.loc[head["variation"]].reset_index(drop=True)
    return task.index, pd.concat([head, values, outcomes.reset_index(drop=True)], axis=1)


def _results(tasks: Iterator[ChunkTask], workers: int, scheduler) -> Iterator[tuple[int, pd.DataFrame]]:
    """Computed chunks in the order they finish: here, in local processes, or on a dask cluster."""
    if scheduler is not None:
        yield from _dask_results(tasks, scheduler, workers)
    elif workers > 1:
        yield from _process_results(tasks, workers)
    else:
        yield from map(compute_chunk, tasks)


def _process_results(tasks, workers: int):
    import multiprocessing

    # spawn: workers start clean (no copied threads or locks) and import this checkout's sim via sys.path
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_exit_with_parent)
    try:
        pending = {pool.submit(compute_chunk, task) for task in islice(tasks, 2 * workers)}
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
                pending |= {pool.submit(compute_chunk, task) for task in islice(tasks, 1)}
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _exit_with_parent() -> None:
    """In a worker process: exit as soon as the coordinating process dies (even by SIGKILL).

    Otherwise a killed sweep leaves its workers waiting forever on their task queue.
    """
    import multiprocessing
    import threading
    from multiprocessing.connection import wait as wait_for

    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=lambda: (wait_for([parent.sentinel]), os._exit(1)), daemon=True).start()


def _dask_results(tasks, scheduler, window: int):
    from distributed import Client, as_completed

    client = scheduler if isinstance(scheduler, Client) else _connect(scheduler)
    try:
        window = max(window, 2 * len(client.scheduler_info(n_workers=-1)["workers"]))
        running = as_completed([client.submit(compute_chunk, t, pure=False) for t in islice(tasks, window)],
                               with_results=True)
        for _, result in running:
            yield result
            for task in islice(tasks, 1):
                running.add(client.submit(compute_chunk, task, pure=False))
    finally:
        if client is not scheduler:
            client.close()


def _connect(address: str):
    from distributed import Client

    try:
        return Client(address, timeout="10s")
    except (OSError, TimeoutError) as exc:
        raise InputError("", "--scheduler", address, f"the address of a running dask scheduler ({exc})") from None


# --- the sweep's directory -------------------------------------------------------


def _sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _fault(point: str, index: int, tmp: Path | None = None) -> None:
    """Test hook: with SIM_SWEEP_FAULT=POINT:INDEX, die by SIGKILL at that point (a crash, no clean-up).

    "mid-write" first cuts the temporary file in half, as a kill during the write would.
    SIM_SWEEP_FAULT=slow:SECONDS instead waits that long before writing each chunk,
    so a test can kill the sweep from outside at a moment of its choosing.
    """
    setting = os.environ.get(FAULT_ENV, "")
    if setting.startswith("slow:") and point == "computed":
        time.sleep(float(setting[5:]))
    if setting != f"{point}:{index}":
        return
    if tmp is not None:
        os.truncate(tmp, tmp.stat().st_size // 2)
    os.kill(os.getpid(), signal.SIGKILL)


def write_table(frame: pd.DataFrame, path: Path, fault_index: int = -1) -> str:
    """Write ``frame`` as Parquet atomically; return the file's sha256.

    Same table, same bytes (pyarrow writes no timestamps; tested), so a chunk's
    checksum depends on its runs only.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    digest = {}

    def write(tmp: Path) -> None:
        pq.write_table(table, tmp)
        _fault("mid-write", fault_index, tmp)
        digest["sha256"] = _sha256(tmp)

    atomic_write(path, write)
    return digest["sha256"]


class SweepDir:
    """The directory of one sweep. Holding its lock makes this process the only writer.

    The lock is ``fcntl.flock`` on DIR/.lock: the OS releases it when the process
    ends, even by SIGKILL, so a killed sweep can be resumed at once.
    """

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.runs = self.path / RUNS_DIR
        self.manifest_path = self.path / "manifest.json"
        self._lock_fd = None

    def __enter__(self) -> "SweepDir":
        try:
            self.runs.mkdir(parents=True, exist_ok=True)
            self._lock_fd = os.open(self.path / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise OutputError(f"{self.path}: cannot use as a sweep directory ({exc.strerror})") from None
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(self._lock_fd, 32, 0).decode(errors="replace").strip() or "?"
            self.__exit__()
            raise OutputError(f"{self.path}: another sweep (pid {holder}) is writing to this directory; "
                              "wait for it to finish or choose another --out") from None
        os.ftruncate(self._lock_fd, 0)
        os.pwrite(self._lock_fd, str(os.getpid()).encode(), 0)
        return self

    def __exit__(self, *exc) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing the descriptor releases the flock
            self._lock_fd = None

    def read_manifest(self) -> dict | None:
        if not self.manifest_path.exists():
            return None
        try:
            return json.loads(self.manifest_path.read_text())
        except (OSError, ValueError) as exc:
            raise OutputError(f"{self.manifest_path}: unreadable ({exc}); use --force to start this sweep "
                              "again") from None

    def write_manifest(self, manifest: dict, fault_index: int = -1) -> None:
        manifest["chunks"] = dict(sorted(manifest["chunks"].items()))
        text = json.dumps(manifest, indent=2, default=str)

        def write(tmp: Path) -> None:
            tmp.write_text(text)
            _fault("manifest", fault_index)

        atomic_write(self.manifest_path, write)

    def clear(self) -> None:
        """Remove this sweep's files (and only them) before a forced restart."""
        self.remove_temporary_files()
        for path in self.runs.glob("chunk-*.parquet"):
            path.unlink()
        for name in FILES:
            (self.path / name).unlink(missing_ok=True)

    def remove_temporary_files(self) -> None:
        """Temporary files left by a kill during a write (only ours: we hold the lock)."""
        stale = [*self.runs.glob(".chunk-*.tmp")] + [tmp for name in FILES for tmp in self.path.glob(f".{name}.*.tmp")]
        for tmp in stale:
            tmp.unlink()

    def verify(self, plan: Plan, manifest: dict) -> tuple[list[int], dict[str, str]]:
        """(chunks to compute, {chunk file: why it is recomputed}); drops bad entries from ``manifest``."""
        self.remove_temporary_files()
        todo, reasons = [], {}
        for index in range(plan.n_chunks):
            name = chunk_name(index)
            entry, path = manifest["chunks"].get(name), self.runs / name
            reason = _problem(entry, path, plan.chunk(index))
            if reason is None:
                continue
            todo.append(index)
            manifest["chunks"].pop(name, None)
            if reason != "not started":
                reasons[name] = reason
        return todo, reasons


def _problem(entry: dict | None, path: Path, runs: range) -> str | None:
    """Why a chunk file cannot be kept, or None if its checksum matches the manifest."""
    if entry is None:
        return "not in the manifest" if path.exists() else "not started"
    if not path.exists():
        return "missing"
    if entry.get("runs") != [runs.start, runs.stop] or _sha256(path) != entry.get("sha256"):
        return "checksum mismatch (truncated or changed)"
    return None


def _changes(old: dict, new: dict) -> str:
    changed = [f"{key} {old.get(key)!r} -> {new[key]!r}" for key in new if old.get(key) != new[key]]
    return "; ".join(changed)


# --- the sweep ---------------------------------------------------------------------


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


def read_runs(path: Path | str, columns: list[str] | None = None) -> pd.DataFrame:
    """The rows of a sweep directory's chunk files, in run order."""
    files = sorted((Path(path) / RUNS_DIR).glob("chunk-*.parquet"), key=lambda f: int(f.stem.split("-")[1]))
    return pd.concat([pd.read_parquet(f, columns=columns) for f in files], ignore_index=True)


def sweep(scenario: Scenario | str = "baseline_2020", vary=(), sampler: str = "lhs", samples: int | None = None,
          replicates: int = 1, seed: int | None = None, steps: int | None = None, out: Path | str | None = None,
          workers: int = 1, scheduler=None, force: bool = False, chunk_runs: int = CHUNK_RUNS,
          memory_mb: float = DEFAULT_MEMORY_MB, overrides: dict | None = None, progress: bool = False) -> SweepResult:
    """Run ``replicates`` runs of every parameter set drawn for ``vary``; return their outcomes.

    Args:
        vary: ``"KEY=LO:HI[:N]"`` texts or `sim.sampling.Vary` objects, e.g. ``"world.rivalry=0.2:0.9"``.
        sampler: grid, lhs, sobol (scipy), saltelli or morris (SALib); see `sim.sampling`.
        samples: parameter sets for lhs and sobol (N of SALib's designs); the grid takes :N per key.
        out: a directory to write (and resume); without it everything stays in memory.
        workers: local processes computing chunks; ``scheduler``: a dask address
            (``tcp://HOST:PORT``) or ``distributed.Client`` to send them to instead.
        force: replace a different sweep already in ``out`` instead of refusing.
        chunk_runs: runs per chunk file, part of the plan (the files never depend on workers).
        memory_mb: the engine's memory budget per worker (`sim.ensemble.simulate_chunks`); no effect on results.
        progress: show a bar (runs done, runs/s, time left); None: only on a terminal.
    """
    plan = make_plan(scenario, vary, sampler, samples, replicates, seed, steps, chunk_runs, overrides)
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
            "random_streams": STREAMS, "varied": [v.to_dict() for v in plan.varies], "unused_keys": plan.unused_keys(),
            "n_variations": len(plan.design), "n_runs": plan.n_runs, "n_chunks": plan.n_chunks,
            "samples_file": "samples.parquet", "chunks": {}, "complete": False}


def _in_memory(plan: Plan, workers, scheduler, memory_mb, progress) -> SweepResult:
    frames = {}
    with _progress_bar(plan, 0, progress) as bar:
        tasks = (plan.task(i, memory_mb) for i in range(plan.n_chunks))
        with closing(_results(tasks, workers, scheduler)) as results:
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
    with _progress_bar(plan, done_runs, progress) as bar, closing(_results(tasks, workers, scheduler)) as results:
        for index, frame in results:
            _fault("computed", index)
            name = chunk_name(index)
            digest = write_table(frame, folder.runs / name, fault_index=index)
            runs = plan.chunk(index)
            manifest["chunks"][name] = {"runs": [runs.start, runs.stop], "rows": len(frame), "sha256": digest}
            _fault("renamed", index)
            folder.write_manifest(manifest, fault_index=index)
            bar.update(len(frame))


def _progress_bar(plan: Plan, done_runs: int, progress: bool):
    from tqdm.auto import tqdm

    # progress=None: a bar only on a terminal (tqdm's rule), so logs and pipes get no carriage returns
    return tqdm(total=plan.n_runs, initial=done_runs, unit="run", desc="sweep",
                disable=None if progress is None else not progress, smoothing=0.1)


def summarize(runs: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per parameter set and numeric outcome: n, mean and the 95% t-interval of the mean over replicates.

    Tidy (one row per set and outcome). NaN outcomes (a run that never tipped)
    are left out of that outcome's n and mean; with one replicate the interval is NaN.
    """
    from scipy import stats

    outcomes = [c for c in runs.columns if c not in (*ID_COLUMNS, *keys) and pd.api.types.is_numeric_dtype(runs[c])]
    groups = runs.groupby("variation", sort=True)[outcomes]
    mean, sem, n = groups.mean(), groups.sem(), groups.count()
    half = stats.t.ppf(0.975, (n - 1).where(n > 1)) * sem
    long = {name: frame.reset_index().melt(id_vars="variation", var_name="outcome", value_name=name)
            for name, frame in {"n": n, "mean": mean, "lo": mean - half, "hi": mean + half}.items()}
    tidy = pd.concat([long["n"], *(long[name][[name]] for name in ("mean", "lo", "hi"))], axis=1)
    tidy = tidy.sort_values("variation", kind="stable").reset_index(drop=True)  # set by set, outcomes in order
    values = runs.drop_duplicates("variation").set_index("variation")[keys]
    tidy = pd.concat([tidy[["variation"]], values.loc[tidy["variation"]].reset_index(drop=True),
                      tidy.drop(columns="variation")], axis=1)
    tidy["n"] = tidy["n"].astype("int64")
    return tidy


def load_sweep(path: Path | str) -> SweepResult:
    """A finished sweep from its directory (checksums verified), for analysis."""
    folder = SweepDir(path)
    manifest = folder.read_manifest()
    where = str(path)
    if manifest is None or manifest.get("format") != FORMAT:
        raise InputError(where, "SWEEP_DIR", None, "a sweep directory (with the manifest.json `run.py sweep` writes)")
    done = len(manifest.get("chunks", {}))
    if not manifest.get("complete"):
        raise InputError(where, "SWEEP_DIR", None, f"a finished sweep ({done} of {manifest['n_chunks']} chunk files "
                         "done: run the same sweep command again to finish it)")
    for name, entry in manifest["chunks"].items():
        start, stop = entry["runs"]
        if _problem(entry, folder.runs / name, range(start, stop)) is not None:
            raise InputError(where, name, None, "a chunk file matching its checksum (run the same sweep command "
                             "again to recompute it)")
    keys = [v["key"] for v in manifest["varied"]]
    samples = pd.read_parquet(folder.path / "samples.parquet").set_index("variation")
    summary = pd.read_parquet(folder.path / "summary.parquet")
    return SweepResult(keys, manifest, samples, summary, folder.path)


__all__ = ["sweep", "run_plan", "load_sweep", "make_plan", "Plan", "SweepResult", "SweepDir", "summarize", "read_runs",
           "CHUNK_RUNS"]
