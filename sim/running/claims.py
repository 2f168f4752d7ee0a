"""The seed articles' claims as probes: each one's passage, mechanism, experiment and the band its effect must stay in.

One table serves the docs (docs/model.md, "What each seed claims and what the model
does with it") and the suite (tests/test_claims.py): a claim whose sign flips or whose
size leaves its band fails a test. Each probe runs a scenario (with overrides) against
a reference on the same seed and replicates and measures one number per state, in
percentage points (shares, forced choice) or in the measure's own units.

    >>> import sim
    >>> sim.claim_table(replicates=8)   # claim, seed, state, measured, low, high, holds
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

import numpy as np
import pandas as pd

from sim.running.run import RunResult, run

MAINLAND = ("Cambodia", "Laos", "Myanmar")
MEKONG = ("Cambodia", "Laos", "Myanmar", "Thailand", "Vietnam")
CLAIMANTS = ("Malaysia", "Philippines", "Vietnam")
ALL = ("Brunei", "Cambodia", "Indonesia", "Laos", "Malaysia", "Myanmar", "Philippines", "Singapore",
       "Thailand", "Vietnam")


@dataclass(frozen=True)
class World:
    """A scenario with parameter changes: one side of a probe."""

    scenario: str = "baseline_2020"
    overrides: tuple = ()

    def label(self) -> str:
        changes = ", ".join(f"{k}={v}" for k, v in self.overrides)
        return self.scenario + (f" ({changes})" if changes else "")


BASELINE = World()


@dataclass(frozen=True)
class Claim:
    """One seed claim, the probe that tests it and the band its measured effect must stay in."""

    name: str
    seed: str
    passage: str
    mechanism: str
    world: World
    measure: Callable[[RunResult], pd.Series]  # one number per state (or one for the region)
    low: float
    high: float
    against: World | None = BASELINE  # None: the measure is a level, not a difference
    states: tuple[str, ...] = ALL
    units: str = "pp"
    relative: bool = False  # measured as the percentage change of the reference's level
    note: str = field(default="", compare=False)


def share(partner: str) -> Callable[[RunResult], pd.Series]:
    """A partner's share of each state's final alignment, in percent."""
    return lambda result: 100 * result.final.loc[list(ALL), partner].astype(float)


def forced_us(result: RunResult) -> pd.Series:
    """Each state's forced US-or-China answer, in percent (the opinion layer)."""
    return 100 * result.final.loc[list(ALL), "forced_us"].astype(float)


def power_share(partner: str) -> Callable[[RunResult], pd.Series]:
    """A partner's share of each state's alignment among the outside powers alone, in percent."""
    def measure(result: RunResult) -> pd.Series:
        among = result.trajectory.among_powers()[:, -1].mean(0)
        column = result.trajectory.partners.index(partner)
        return pd.Series(100 * among[:, column], index=list(result.trajectory.states)).loc[list(ALL)]
    return measure


def leader_margin(partner: str) -> Callable[[RunResult], pd.Series]:
    """How far (pp) ``partner``'s share is above the largest other outside power's: > 0 when it leads."""
    def measure(result: RunResult) -> pd.Series:
        table = result.final.loc[list(ALL)]
        powers = [p for p in result.trajectory.partners if p != "ASEAN"]
        others = table[[p for p in powers if p != partner]].astype(float).max(axis=1)
        return 100 * (table[partner].astype(float) - others)
    return measure


def third_party_share(partner: str) -> Callable[[RunResult], pd.Series]:
    """A partner's share of each state's answers to the 'preferred strategic partner' question, in percent
    (the opinion layer)."""
    def measure(result: RunResult) -> pd.Series:
        traj = result.trajectory
        answers = traj.third_party()[:, -1].mean(0)
        column = traj.third_party_names().index(partner)
        return pd.Series(100 * answers[:, column], index=list(traj.states)).loc[list(ALL)]
    return measure


def china_coercion(result: RunResult) -> pd.Series:
    """China's coercion at the end of the run (0-1), the same for every state."""
    return pd.Series(float(result.trajectory.china_coercion[:, -1].mean()), index=list(ALL))


def _us(value):
    return World(overrides=(("world.us_commitment", value),))


def _coercion(value):
    return World(overrides=(("partners.CN.coercion", value),))


CLAIMS = (
    Claim("Cambodia leans to China", "seed 002",
          "China 'punishes states that lean away' and holds 'huge sway' over the economies that depend on it",
          "ties and history with China, no sea dispute: China leads Cambodia's outside alignment",
          BASELINE, leader_margin("CN"), 0.5, 60.0, against=None, states=("Cambodia",)),
    Claim("Laos leans to China", "seed 002", "as above: Laos's grid, railway and debt tie it to China",
          "ties with China (0.28 of trade and investment), no sea dispute", BASELINE, leader_margin("CN"),
          0.5, 60.0, against=None, states=("Laos",)),
    Claim("The Philippines leans to the US", "seed 000",
          "claimants 'maximize the security that comes with their relationship with the United States'",
          "threat at sea x US counterbalance, the 1951 treaty (defense ties)", BASELINE, leader_margin("US"),
          0.5, 80.0, against=None, states=("Philippines",)),
    Claim("More partners take a few points of the ASEAN-centred share, not twelve", "seed 000",
          "'ASEAN should enhance its resilience and unity': a stance of its own, not one partner among eight",
          "the nest: the EU, Australia and India compete mostly with the other powers",
          World("survey_2020"), share("ASEAN"), -9.0, 2.0),
    Claim("Strong unity raises the ASEAN-centred share, within bounds", "seed 000",
          "a united ASEAN is a shield against pressure from the two major powers",
          "the ASEAN option's trust scales with world.asean_unity; the nest bounds the response",
          World(overrides=(("world.asean_unity", 0.9),)), share("ASEAN"), 2.0, 20.0),
    Claim("Detente: Korea counts for less as a strategic partner", "seed 002",
          "once the North Korean rationale dissipates, Seoul 'will drift in Beijing's direction'",
          "Korea's posture follows the threat: its counterbalance (so its strategic value) shrinks",
          World("peninsula_detente"), third_party_share("KR"), -15.0, -0.5, states=CLAIMANTS,
          units="% of Korea's answer share", relative=True),
    Claim("Detente: a Korean tie provokes China less, most of all for the mainland states", "seed 002",
          "China punished the US tie itself (THAAD), not Korea's trade",
          "Korea's provocation shrinks with its posture, so the risk of a Korean tie falls",
          World("peninsula_detente"), share("KR"), 1.0, 20.0, states=MAINLAND,
          units="% of Korea's share", relative=True),
    Claim("Conciliatory China gains in the mainland states", "seed 002",
          "'in a more conciliatory environment, Japan and especially South Korea would downplay differences with China'",
          "charm (China's reliability +china_charm), less coercion, Japan and Korea downplay",
          World("china_conciliatory"), share("CN"), 0.2, 15.0, states=MAINLAND),
    Claim("Conciliatory China moves the mainland's forced choice toward China", "seed 002",
          "as above", "the opinion layer reads the same utilities", World("china_conciliatory"), forced_us,
          -15.0, -0.2, states=MAINLAND),
    Claim("Conciliatory China: the claimants keep their dispute", "seed 000",
          "Japan's coast-guard help 'improves Southeast Asian countries' ability to enforce maritime claims vis-a-vis China'",
          "China's occupied features keep a floor of threat (world.scs_presence)", World("china_conciliatory"),
          power_share("US"), -12.0, 3.0, states=("Philippines", "Vietnam")),
    Claim("Mekong cooperation helps the Mekong states avoid taking sides", "seed 004",
          "Japan-Korea cooperation in the Mekong helps states 'avoid the obligation to take sides'",
          "the coordinated engagement also counts toward the ASEAN-centred option", World("japan_korea_mekong"),
          share("ASEAN"), 0.05, 5.0, states=MEKONG),
    Claim("Mekong cooperation: Japan gains among the powers", "seed 004", "as above",
          "Japan's and Korea's Mekong engagement is worth more; Japan's is most of it",
          World("japan_korea_mekong"), power_share("JP"), 0.05, 5.0, states=MEKONG),
    Claim("Mekong cooperation: Korea takes part but its programmes are small", "seed 004", "as above",
          "Korea's engagement gains as Japan's does; its Mekong aid is a tenth of Japan's",
          World("japan_korea_mekong"), power_share("KR"), -0.3, 0.3, states=MEKONG),
    Claim("THAAD-style sanctions cost China in the target", "seed 002",
          "the sanctions 'left a lingering negative impression in the South Korean public's mind'",
          "grievance toward the coercer only, lowering its trust", World("thaad_coercion"), share("CN"),
          -5.0, -0.05, states=("Philippines",)),
    Claim("THAAD-style sanctions: the target's concession is cosmetic", "seed 002",
          "the 'three no's' gave Beijing face to back down; Seoul kept THAAD",
          "the risk term raises the cost of the US tie; the resentment of China's punishment raises the value of "
          "US security, and no grievance is held toward the US",
          World("thaad_coercion"), share("US"), -4.0, 2.0, states=("Philippines",)),
    Claim("Assertive China escalates without a scripted event", "seed 002",
          "'Chinese coercive behavior' answers states that lean away",
          "coercion rises while the lean toward China's rivals among the powers exceeds its tolerance",
          World(overrides=(("world.china_mode", "assertive"),)), china_coercion, 0.05, 0.5, units="coercion",
          states=("Philippines",)),
    Claim("US commitment +10% raises the US share", "seed 003", "the US may retrench (or recommit)",
          "US reliability, capacity and engagement scale with world.us_commitment", _us(1.1), share("US"),
          0.05, 8.0),
    Claim("US commitment -10% lowers the US share", "seed 003", "the US may retrench",
          "as above", _us(0.9), share("US"), -8.0, -0.05),
    Claim("China's coercion +10% pushes the claimants toward the US", "seed 002",
          "'in times made uncertain by ... Chinese coercive behavior' states seek US security",
          "threat at sea rises with coercion", _coercion(0.55), power_share("US"), 0.05, 8.0, states=CLAIMANTS),
    Claim("China's coercion -10% eases the claimants' turn to the US", "seed 002", "as above", "as above",
          _coercion(0.45), power_share("US"), -8.0, -0.05, states=CLAIMANTS),
)


@lru_cache(maxsize=64)
def _measured(world: World, replicates: int, seed: int) -> RunResult:
    return run(world.scenario, replicates=replicates, seed=seed, overrides=dict(world.overrides))


def measure_claim(claim: Claim, replicates: int = 8, seed: int = 2020) -> pd.Series:
    """The claim's measured effect per state (its ``states``): probe minus reference, or the level."""
    value = claim.measure(_measured(claim.world, replicates, seed))
    if claim.against is not None:
        reference = claim.measure(_measured(claim.against, replicates, seed))
        value = 100 * (value / reference - 1) if claim.relative else value - reference
    return value.loc[list(claim.states)]


def claim_table(replicates: int = 8, seed: int = 2020) -> pd.DataFrame:
    """Every claim's measured effect per state beside its band: claim, seed, probe, state, measured,
    low, high, units, holds. Runs each world once (common random numbers across probes)."""
    rows = []
    for claim in CLAIMS:
        for state, value in measure_claim(claim, replicates, seed).items():
            rows.append({"claim": claim.name, "seed": claim.seed, "probe": claim.world.label()
                         + ("" if claim.against is None else f" vs {claim.against.label()}"),
                         "state": state, "measured": float(value), "low": claim.low, "high": claim.high,
                         "units": claim.units, "holds": bool(claim.low <= value <= claim.high)})
    return pd.DataFrame(rows)
