"""The words a student meets on the page, each with a one-line gloss: shown as a tooltip where
the word appears (`term`) and all together in the Glossary fold (`GlossaryPanel`)."""

from __future__ import annotations

import html

import solara

from sim.core.equations import TERMS

# What each word means on this page, for a student (docs/model.md has the equations).
GLOSSARY = {
    "alignment": "The share of a state's attention and cooperation that goes to each option (the four outside "
                 "powers and ASEAN itself); a state's shares add up to 100%.",
    "ASEAN-centred": "The option of leaning on ASEAN itself rather than on an outside power (autonomy): the "
                     "black share on the charts.",
    "leading partner": "The outside power with the largest share in a state (the ASEAN-centred share aside).",
    "hedging": "How evenly a state spreads its alignment over the outside powers, in percent: 0% = all-in "
               "with one, 100% = an even spread. The ASEAN-centred share is counted apart.",
    "cohesion": "How alike the ten states align, in percent: 100% = every state aligned the same way, "
                "0% = no two alike.",
    "forced_us": "The forced choice, as the ISEAS survey asks it: if ASEAN had to pick between the US and China, "
                 "the percent of a state that would pick the US.",
    "utility terms": "The reasons a state scores an option, added into one score; the state leans most to "
                     "the option with the highest score, but not all the way (a logit choice).",
    "security": "Utility term: protection the partner can offer against the threats the state faces "
                "(North Korea, crises at sea).",
    "economy": "Utility term: what the state gains from trade and investment with the partner.",
    "trust": "Utility term: how far the state's public and elite trust the partner (the ISEAS survey's trust).",
    "risk": "Utility term (negative): the cost of leaning toward a power's rivals when that power is ready to "
            "punish (China's coercion, the state's trade with China, US-China rivalry).",
    "history": "Utility term: historical affinity (+) or grievance (-) toward the partner.",
    "peer": "Utility term: the pull of the state's neighbours: states lean a little the way the region leans.",
    "replicate": "One run of the model with its own random draws (crises at sea, noise); the same settings "
                 "run many times give a spread of results.",
    "band": "The shaded band: where 90% of 100 replicates with the same settings go (5th to 95th percentile).",
    "bootstrap interval": "A 95% interval for a mean over replicates, found by resampling the replicates "
                          "many times: the range the mean would likely take with other random draws.",
    "clear of zero": "A difference whose 95% interval does not include zero: unlikely to be random noise "
                     "(marked *).",
    "negligible": "A difference whose whole 95% interval lies within half a point of zero (shown ≈ 0): "
                  "too small for any survey to tell from no difference, even if it is not noise.",
    "paired difference": "B minus A run by run on the same random numbers, so chance cancels and the "
                         "difference is the settings' doing.",
    "points": "Percentage points: the difference of two percentages (25% to 27% is +2 points).",
    "quarter": "One step of the model is a quarter of a year; quarter 0 is the start of 2020, quarter 40 the "
               "end of 2029.",
}


def term(word: str, shown: str | None = None) -> str:
    """HTML for ``word`` (shown as ``shown``) with its gloss as a tooltip; the word as is without one."""
    text = html.escape(shown or word)
    gloss = GLOSSARY.get(word)
    if gloss is None:
        return text
    return f'<abbr class="term" title="{html.escape(gloss)}">{text}</abbr>'


def missing_terms() -> list[str]:
    """The model's utility terms without a gloss (none: every term a chart names has one)."""
    return [name for name in TERMS if name not in GLOSSARY]


@solara.component
def GlossaryPanel():
    """Every word of the page with its gloss, in one fold."""
    rows = "".join(f"<dt>{html.escape(word)}</dt><dd>{html.escape(gloss)}</dd>" for word, gloss in GLOSSARY.items())
    with solara.Details("Glossary: the words on this page"):
        solara.HTML(tag="dl", classes=["glossary"], unsafe_innerHTML=rows)
