"""The teaching web app (Solara): `page` holds the components, `session` what a page runs.

``solara run sim.app`` (what `run.py ui` starts, through `serve`) finds `Page` here.
"""

from sim.app.page import Page, serve  # noqa: F401 - the names Solara and run.py ui look up
