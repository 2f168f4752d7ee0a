"""Command-line commands, one module each (see `sim.cli`)."""
