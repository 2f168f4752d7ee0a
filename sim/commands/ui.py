"""Serve the teaching web app: pick a scenario, move sliders, play, and click a state to see why it leans as it does.

The page runs the Mesa model in the server; open the printed address in a browser.
Stop the server with Ctrl-C.

Examples:
  run.py ui
  run.py ui --port 8800
  run.py ui --host 0.0.0.0 --port 8765     # reachable from other machines in a classroom
"""

from __future__ import annotations

HELP = "serve the interactive web app (scenario picker, sliders, charts, tile map, explain panel)"


def add_arguments(parser):
    parser.add_argument("--port", type=int, default=8765, metavar="P",
                        help="port to listen on (default 8765; 0 = any free port)")
    parser.add_argument("--host", default="localhost", metavar="H",
                        help="address to listen on (default localhost; 0.0.0.0 for every network interface)")
    parser.add_argument("--open", action="store_true", help="also open the page in the default browser")


def main(args) -> int:
    from sim.app import serve  # Solara is imported only when the app is served

    serve(port=args.port, host=args.host, open_browser=args.open)
    return 0
