"""Random streams: Gumbel noise from one transform, the same drawn step by step or all at once."""

import numpy as np
import pytest
from scipy import stats

from sim.core import randomness


def test_gumbel_transform_is_gumbel_distributed():
    draws = randomness.gumbel(np.random.default_rng(3), 20_000)
    assert stats.kstest(draws, stats.gumbel_r.cdf).pvalue > 0.01
    assert stats.kstest(draws, stats.norm(draws.mean(), draws.std()).cdf).pvalue < 0.01  # the test can fail


def test_zero_uniform_gives_a_finite_draw():
    assert np.isfinite(randomness.gumbel_from_uniform(np.array([0.0, 0.5, 1 - 2**-53]))).all()


def test_step_by_step_draws_equal_the_batch_draws_bit_for_bit():
    """What the Mesa model draws each step is what the ensemble engine draws for the whole run."""
    steps, n_states, n_partners = 7, 10, 4
    batch_gumbel, batch_uniform = randomness.draw_batch(5, [0, 3], steps, n_states, n_partners)
    noise_rng, crisis_rng = randomness.run_generators(5, 3)
    for step in range(steps):
        np.testing.assert_array_equal(randomness.gumbel(noise_rng, (n_states, n_partners)), batch_gumbel[1, step])
        assert crisis_rng.random() == batch_uniform[1, step]


def test_noise_free_batches_skip_the_gumbel_draws_but_keep_the_crisis_draws():
    gumbel, uniform = randomness.draw_batch(5, [3], 4, 10, 4, with_noise=False)
    assert gumbel is None
    np.testing.assert_array_equal(uniform, randomness.draw_batch(5, [3], 4, 10, 4)[1])


@pytest.mark.parametrize("seed, run", [(0, 0), (1, 2**32 - 1), (2**32 + 7, 5), (2**63 - 1, 2**40 + 3), (20200101, 999)])
def test_the_compiled_streams_are_numpys_streams(seed, run):
    """The batch's uniforms (numpy's SeedSequence and PCG64, compiled) against numpy's own generators,
    for seeds and runs of one, two and three 32-bit words (the entropy numpy assembles differs)."""
    gumbel, uniform = randomness.draw_batch(seed, [run, 0], 3, 2, 5)
    noise_rng, crisis_rng = randomness.run_generators(seed, run)
    np.testing.assert_array_equal(uniform[0], crisis_rng.random(3))
    np.testing.assert_array_equal(gumbel[0], randomness.gumbel(noise_rng, (3, 2, 5)))
