"""A tile map of ASEAN: one tile per state, placed roughly where the state lies.

Pure functions (no Solara), so the web app's map can be tested without a browser:
where each tile goes, and what colour it gets. A tile takes the colour of the
state's leading partner, paler the more the state hedges, so a glance shows
both who leads and how firmly.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.reports.colors import partner_color


@dataclass(frozen=True)
class Tile:
    """A state's place on the map grid (0-based row and column, spans in cells)."""

    state: str
    row: int
    col: int
    rows: int = 1
    cols: int = 1


# A 4 x 5 grid read like a map: north at the top, the South China Sea the empty middle.
# Mainland states on the left, Vietnam along the coast (two rows), the Philippines to the east,
# Malaysia across the peninsula and Borneo next to Brunei, Singapore at the tip of the peninsula,
# Indonesia along the bottom.
TILES = (
    Tile("Myanmar", 0, 0),
    Tile("Laos", 0, 1),
    Tile("Vietnam", 0, 2, rows=2),
    Tile("Thailand", 1, 0),
    Tile("Cambodia", 1, 1),
    Tile("Philippines", 1, 4),
    Tile("Malaysia", 2, 1, cols=2),
    Tile("Brunei", 2, 3),
    Tile("Singapore", 3, 1),
    Tile("Indonesia", 3, 2, cols=3),
)
GRID_ROWS = 1 + max(t.row + t.rows - 1 for t in TILES)
GRID_COLS = 1 + max(t.col + t.cols - 1 for t in TILES)
# Where a long name may break on a narrow tile (a soft hyphen: "Philip-pines" on a phone, not "Philippine-s").
SOFT_BREAKS = {"Philippines": "Philip\u00adpines", "Singapore": "Singa\u00adpore", "Indonesia": "Indo\u00adnesia"}
# How pale a tile gets: a state spread evenly over partners (hedging 1) keeps this much colour.
MIN_STRENGTH = 0.2


def layout(states) -> list[Tile]:
    """The tiles of ``states`` in map order; a state without a place gets one on an extra bottom row."""
    placed = {t.state: t for t in TILES}
    extra = [s for s in states if s not in placed]
    tiles = [t for t in TILES if t.state in set(states)]
    tiles += [Tile(s, GRID_ROWS, i) for i, s in enumerate(extra)]
    return tiles


def tile_label(state: str) -> str:
    """The name a tile shows, with a soft hyphen where a narrow tile may break it."""
    return SOFT_BREAKS.get(state, state)


def blend(color: str, strength: float) -> str:
    """``color`` (#rrggbb) mixed with white: strength 1 keeps it, 0 gives white."""
    strength = min(max(float(strength), 0.0), 1.0)
    rgb = [int(color[i:i + 2], 16) for i in (1, 3, 5)]
    mixed = [round(255 - strength * (255 - c)) for c in rgb]
    return "#" + "".join(f"{c:02x}" for c in mixed)


def tile_color(partner: str, hedging: float) -> str:
    """The leading partner's colour, paler the more the state hedges (hedging in [0, 1])."""
    strength = 1.0 - (1.0 - MIN_STRENGTH) * min(max(float(hedging), 0.0), 1.0)
    return blend(partner_color(partner), strength)


def text_color(background: str) -> str:
    """Black or white, whichever reads better on ``background`` (relative luminance, WCAG)."""
    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(background[i:i + 2], 16)) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#000000" if luminance > 0.179 else "#ffffff"
