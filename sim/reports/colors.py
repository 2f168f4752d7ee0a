"""The colours every figure, table and the web app share: one per partner, one per utility term.

Partners use the Okabe-Ito palette (Okabe and Ito, "Color Universal Design", 2008), chosen because
its eight colours stay apart for people with red-green colour blindness, the commonest kind
(about 1 man in 12): the old red China and green South Korea looked alike to them. Under a
simulated protanopia and deuteranopia (Machado et al. 2009) every pair of the colours the app
shows by default (US, China, Japan, South Korea and the ASEAN option) still differs in hue or in
lightness; `tests/test_app.py` checks it. The assignment keeps the US blue and China red-orange
(vermillion), as readers expect; the ASEAN-centred option is black, the one neutral colour.

A partner code without a colour here (a partner added later) gets one of `FALLBACK_COLORS`,
always the same for the same code, so no chart fails on a new partner.
"""

from __future__ import annotations

from sim.core.equations import TERMS

OKABE_ITO = {
    "black": "#000000", "orange": "#e69f00", "sky blue": "#56b4e9", "bluish green": "#009e73",
    "yellow": "#f0e442", "blue": "#0072b2", "vermillion": "#d55e00", "reddish purple": "#cc79a7",
}
PARTNER_COLORS = {
    "US": OKABE_ITO["blue"], "CN": OKABE_ITO["vermillion"], "JP": OKABE_ITO["bluish green"],
    "KR": OKABE_ITO["reddish purple"], "EU": OKABE_ITO["sky blue"], "AU": OKABE_ITO["orange"],
    "IN": OKABE_ITO["yellow"], "ASEAN": OKABE_ITO["black"],
}
# Greys and muted tones, apart from the palette above, for codes it does not know.
FALLBACK_COLORS = ("#777777", "#8c6d4f", "#44546a", "#a5a5a5")
TERM_COLORS = dict(zip(TERMS, ["#35608d", "#4f9a64", "#d8a23a", "#b8443d", "#7d6aa8", "#6c8a9c"]))


def partner_color(code: str) -> str:
    """The colour of partner ``code``; an unknown code gets a fixed fallback (the same on every call)."""
    if code in PARTNER_COLORS:
        return PARTNER_COLORS[code]
    return FALLBACK_COLORS[sum(map(ord, code)) % len(FALLBACK_COLORS)]
