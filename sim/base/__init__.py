"""Layer 1, the bottom: what every other layer may use and which uses nothing of `sim`.

- `sim.base.errors`: `InputError` and `OutputError` (one line, exit code 2) and the argument checks.
- `sim.base.files`: atomic file writing (`atomic_write`, `write_all`: all files or none).
- `sim.base.version`: the package version recorded in every manifest.
"""
