"""A sweep's directory: chunk files with checksums, the manifest, the lock, the fault hook.

Files under DIR:
  manifest.json              the plan ("command"), scenario and digest, seeds, engine, version,
                             and each finished chunk file with its sha256
  samples.parquet            the parameter sets: variation, one column per varied key
  runs/chunk-NNNNN.parquet   one row per run: run, variation, replicate, the varied values,
                             the outcomes of `sim.core.outcomes`
  summary.parquet / .csv     per parameter set and numeric outcome: n, mean, 95% interval of the mean
  .lock                      held (fcntl.flock) by the sweep writing here

One writer: this process writes each file (temporary name, then rename), records its
checksum and rewrites the manifest (also atomically). `SweepDir.verify` checks every
finished chunk against its checksum, so a sweep run again recomputes only missing,
truncated or corrupt ones. ``SIM_SWEEP_FAULT`` (`fault`) lets the tests kill a sweep
at any of these steps.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import signal
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.base.errors import OutputError
from sim.base.files import atomic_write
from sim.experiments.plan import Plan

FORMAT = "sim-sweep/1"
RUNS_DIR = "runs"
FILES = ("manifest.json", "samples.parquet", "summary.parquet", "summary.csv")
FAULT_ENV = "SIM_SWEEP_FAULT"  # test hook, "POINT:CHUNK": SIGKILL this process there (see fault)
FAULT_POINTS = ("computed", "mid-write", "renamed", "manifest")


def chunk_name(index: int) -> str:
    return f"chunk-{index:05d}.parquet"


def _sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def fault(point: str, index: int, tmp: Path | None = None) -> None:
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
    table = pa.Table.from_pandas(frame, preserve_index=False)
    digest = {}

    def write(tmp: Path) -> None:
        pq.write_table(table, tmp)
        fault("mid-write", fault_index, tmp)
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
            manifest = json.loads(self.manifest_path.read_text())
        except (OSError, ValueError, RecursionError) as exc:  # RecursionError: JSON nested too deep
            raise OutputError(f"{self.manifest_path}: unreadable ({exc}); use --force to start this sweep "
                              "again") from None
        if not isinstance(manifest, dict):
            raise OutputError(f"{self.manifest_path}: unreadable (not a JSON object); use --force to start this "
                              "sweep again")
        return manifest

    def write_manifest(self, manifest: dict, fault_index: int = -1) -> None:
        manifest["chunks"] = dict(sorted(manifest["chunks"].items()))
        text = json.dumps(manifest, indent=2, default=str)

        def write(tmp: Path) -> None:
            tmp.write_text(text)
            fault("manifest", fault_index)

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
            reason = chunk_problem(entry, path, plan.chunk(index))
            if reason is None:
                continue
            todo.append(index)
            manifest["chunks"].pop(name, None)
            if reason != "not started":
                reasons[name] = reason
        return todo, reasons


def chunk_problem(entry: dict | None, path: Path, runs: range) -> str | None:
    """Why a chunk file cannot be kept, or None if its checksum matches the manifest."""
    if entry is None:
        return "not in the manifest" if path.exists() else "not started"
    if not path.exists():
        return "missing"
    if entry.get("runs") != [runs.start, runs.stop] or _sha256(path) != entry.get("sha256"):
        return "checksum mismatch (truncated or changed)"
    return None


def read_runs(path: Path | str, columns: list[str] | None = None) -> pd.DataFrame:
    """The rows of a sweep directory's chunk files, in run order."""
    files = sorted((Path(path) / RUNS_DIR).glob("chunk-*.parquet"), key=lambda f: int(f.stem.split("-")[1]))
    return pd.concat([pd.read_parquet(f, columns=columns) for f in files], ignore_index=True)
