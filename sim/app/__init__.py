"""The teaching web app (Solara): `page` holds the components, `session` what a page runs.

``solara run sim.app`` (what `run.py ui` starts, through `serve`) reads `routes` here: one page.
"""

import solara

from sim.app.page import Page, serve  # noqa: F401 - the names Solara and run.py ui look up

# One route: without it Solara would make a page of each module of this package.
routes = [solara.Route(path="/", component=Page, label="ASEAN alignment simulator")]
