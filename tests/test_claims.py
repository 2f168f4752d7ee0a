"""Each seed claim's probe stays in its band (sim.running.claims): a sign flip or a size out of band fails.

The bands are in docs/model.md ("What each seed claims"), next to the passage each claim
quotes; they were set from the seeds' arguments and a specialist's sense of size, and the
table there is regenerated from the same `CLAIMS`.
"""

import pytest

from sim.running.claims import CLAIMS, measure_claim


@pytest.mark.parametrize("claim", CLAIMS, ids=[c.name for c in CLAIMS])
def test_the_claim_holds_in_every_state_it_names(claim):
    measured = measure_claim(claim, replicates=8)
    outside = measured[(measured < claim.low) | (measured > claim.high)]
    assert outside.empty, (f"{claim.name} ({claim.seed}): {outside.round(3).to_dict()} outside "
                           f"[{claim.low}, {claim.high}] {claim.units}")


def test_a_claim_fails_when_its_effect_is_reversed():
    # the probe machinery itself: the THAAD probe measured against itself has no effect, which is
    # outside the band that asks China to lose in the target
    thaad = next(c for c in CLAIMS if c.name.startswith("THAAD-style sanctions cost China"))
    from dataclasses import replace
    null = measure_claim(replace(thaad, against=thaad.world), replicates=8)
    assert (null == 0).all() and not (thaad.low <= null.iloc[0] <= thaad.high)
