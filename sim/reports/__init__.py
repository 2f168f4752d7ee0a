"""Layer 5: figures and tables drawn from results. Uses the layers below, never the engines.

- `sim.reports.plots`: matplotlib figures and the shared colours.
- `sim.reports.tables`: tables as text for the terminal.
- `sim.reports.app_charts`, `sim.reports.tilemap`: the web app's charts and map (no Solara).
"""
