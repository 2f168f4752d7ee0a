"""Layer 4: the vectorized engine and the memory it needs. Uses the layers below.

- `sim.engines.ensemble`: many runs at once, the same numbers as the Mesa model bit for bit.
- `sim.engines.memory`: bytes per run, chunk sizes, and the two memory checks.

The other engine, the Mesa model, is `sim.model` with `sim.agents` (kept at the top of
`sim/`, as in Mesa's examples); the two engines never import each other.
"""
