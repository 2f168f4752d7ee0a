"""The teaching web app (Solara): `page` puts the page together from `controls`, `run_view` and
`compare_view` (components), `state` (what one browser session holds) and `session` (what a page
runs, without Solara).

``solara run sim.app`` (what `run.py ui` starts, through `serve`) reads `routes` here: one page.
"""

import solara

from sim.app.page import Layout, Page, serve  # noqa: F401 - the names Solara and run.py ui look up

# One route: without it Solara would make a page of each module of this package.
routes = [solara.Route(path="/", component=Page, label="ASEAN alignment simulator", layout=Layout)]
