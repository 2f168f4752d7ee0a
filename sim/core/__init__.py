"""Layer 3: the model core, shared by both engines. Uses `sim.schema` and `sim.base`.

- `sim.core.equations`: the maths (docs/model.md), compiled with numba; the only copy.
- `sim.core.inputs`: parameters as arrays with a leading run axis.
- `sim.core.dynamics`: the phases of one step of one run, and the compiled loop over a batch.
- `sim.core.randomness`: one random stream pair per run.
- `sim.core.trajectory`: what a batch records, and the measures derived from it.
- `sim.core.outcomes`, `sim.core.outputs`: per-run outcomes and tidy tables from a trajectory.
- `sim.core.calendar`: step 0 is the start of 2020, one step is one quarter.
"""
