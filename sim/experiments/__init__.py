"""Layer 7 (beside `sim.calibration`, independent of it): experiments over many runs.

- `sim.experiments.sampling`: varied parameters and their designs (grid, LHS, Sobol', SALib).
- `sim.experiments.plan`: a sweep's plan and one chunk's work.
- `sim.experiments.workers`: local processes or dask.
- `sim.experiments.store`: the sweep directory (checksummed chunk files, manifest, lock, fault hook).
- `sim.experiments.summary`: per parameter set, mean and interval over replicates.
- `sim.experiments.sweeps`: `sweep`, `load_sweep`.
- `sim.experiments.comparison`, `sensitivity_analysis`, `discovery`: `compare`, `sensitivity`, `discover`.
"""
