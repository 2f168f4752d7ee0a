"""Layer 6: running and explaining single scenarios. Uses the layers below.

- `sim.running.run`: `run` (either engine), `RunResult`, `save`.
- `sim.running.explain`: `explain`, `terms_table`, `why_sentence`.
- `sim.running.provenance`: `make_manifest`, what every result records.
- `sim.running.uncertainty`: `parameter_intervals`, runs over the panel fit's bootstrap draws.
"""
