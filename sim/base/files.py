"""Writing files so that no half-written file is ever seen.

`atomic_write` (one file: a temporary name, then a rename), `write_parquet` and
`write_json` on top of it, `write_all` (several files into a directory, all of them
or none) and `check_output_dir` (refuse an unusable directory before any work).
Every command and every `save` writes through these.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.base.errors import InputError


def path_is(path: Path, test) -> bool:
    """``test(path)`` (Path.is_file, is_dir, exists), False where the name cannot be a path at
    all (too long, a NUL byte, a loop of links): such a name counts as not found."""
    try:
        return test(path)
    except (OSError, ValueError):
        return False


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


def parquet_table(frame: pd.DataFrame, metadata: dict | None = None) -> pa.Table:
    """A DataFrame as an Arrow table, with the manifest in the schema's metadata."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    if metadata:
        table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                               b"sim_manifest": json.dumps(metadata).encode()})
    return table


def write_parquet(frame: pd.DataFrame, path: Path, metadata: dict | None = None) -> Path:
    """A DataFrame to Parquet, atomically, with the manifest in the file's metadata."""
    table = parquet_table(frame, metadata)
    return atomic_write(path, lambda tmp: pq.write_table(table, tmp))


def write_json(data: dict, path: Path) -> Path:
    return atomic_write(path, lambda tmp: tmp.write_text(json.dumps(data, indent=2, default=str)))


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
