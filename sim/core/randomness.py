"""Random numbers, one independent stream pair per run.

Run ``k`` of a job with master seed ``s`` always draws from the same
generators, built from ``SeedSequence([s, k])``: one for the Gumbel noise on
utilities, one for crises at sea. So a run gives the same result alone, in a
batch, in any chunk, on any worker, and in either engine (the Mesa model draws
step by step, the ensemble engine all steps at once; numpy's generators give
the same uniforms both ways, and both engines turn them into Gumbel noise with
the one transform below).

The ensemble engine makes a batch's uniforms with a compiled copy of numpy's own
algorithms (`SeedSequence` hashing, the PCG64 generator, ``Generator.random``),
one run per thread: the same doubles, bit for bit (tested against numpy), without
building two numpy generators per run in Python (about 60 us a run, as long as the
compiled step takes to simulate it). The Mesa model keeps numpy's generators.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

# Floor on -log(1 - u) so that u = 0 (probability 2**-53) gives a large finite draw, not inf.
_TINY = np.finfo(float).tiny


def needs_noise(inputs, events) -> bool:
    """Whether any run of ``inputs`` (`sim.core.inputs.Inputs`) draws Gumbel noise, now or after an event."""
    return bool((inputs["noise"] > 0).any() or any(e.key == "model.noise" for e in events))


def run_seed(master_seed: int, run: int) -> np.random.SeedSequence:
    """The seed sequence of run ``run`` of a job seeded with ``master_seed``."""
    return np.random.SeedSequence([int(master_seed), int(run)])


def run_generators(master_seed: int, run: int) -> tuple[np.random.Generator, np.random.Generator]:
    """(noise, crisis) generators of one run."""
    noise, crisis = run_seed(master_seed, run).spawn(2)
    return np.random.default_rng(noise), np.random.default_rng(crisis)


@njit(cache=True)
def _gumbel_in_place(flat):
    """[value] uniforms in [0, 1) -> Gumbel(0, 1) draws ``-log(-log(1 - u))``, floored before
    the second log (see `_TINY`)."""
    for k in range(flat.shape[0]):
        flat[k] = -math.log(max(-math.log(1.0 - flat[k]), _TINY))


def gumbel_from_uniform(u: np.ndarray) -> np.ndarray:
    """In place: uniforms ``u`` in [0, 1) (C-contiguous) -> Gumbel(0, 1) draws -log(-log(1 - u)).

    Both engines make their noise with this one compiled transform instead of
    ``Generator.gumbel`` (whose scalar ``log`` can differ in the last bit from a vectorized
    one), so drawing step by step (Mesa) and all at once (ensemble) agree exactly.
    """
    _gumbel_in_place(u.reshape(-1))
    return u


def gumbel(rng: np.random.Generator, shape) -> np.ndarray:
    """Gumbel(0, 1) draws of ``shape`` from ``rng`` (see `gumbel_from_uniform`)."""
    return gumbel_from_uniform(rng.random(shape))


# --- numpy's streams, compiled ---------------------------------------------------------
# Constants and steps of numpy/random/bit_generator.pyx (SeedSequence) and
# numpy/random/src/pcg64 (PCG64, XSL-RR output; a double is the top 53 bits).

MASK32 = np.uint64(0xFFFFFFFF)
INIT_A, MULT_A = np.uint32(0x43b0d7e5), np.uint32(0x931e8875)
INIT_B, MULT_B = np.uint32(0x8b51f9dd), np.uint32(0x58f38ded)
MIX_MULT_L, MIX_MULT_R = np.uint32(0xca01f9dd), np.uint32(0x4973f715)
XSHIFT = np.uint32(16)
POOL = 4
MULT_HI, MULT_LO = np.uint64(2549297995355413924), np.uint64(4865540595714422341)


@njit(cache=True)
def _hashmix(value, hash_const):
    value = np.uint32(value ^ hash_const[0])
    hash_const[0] = np.uint32(hash_const[0] * MULT_A)
    value = np.uint32(value * hash_const[0])
    return np.uint32(value ^ (value >> XSHIFT))


@njit(cache=True)
def _mix(x, y):
    result = np.uint32(np.uint32(MIX_MULT_L * x) - np.uint32(MIX_MULT_R * y))
    return np.uint32(result ^ (result >> XSHIFT))


@njit(cache=True)
def _pool(entropy):
    mixer = np.zeros(POOL, dtype=np.uint32)
    hash_const = np.array([INIT_A], dtype=np.uint32)
    for i in range(POOL):
        mixer[i] = _hashmix(entropy[i] if i < entropy.shape[0] else np.uint32(0), hash_const)
    for i_src in range(POOL):
        for i_dst in range(POOL):
            if i_src != i_dst:
                mixer[i_dst] = _mix(mixer[i_dst], _hashmix(mixer[i_src], hash_const))
    for i_src in range(POOL, entropy.shape[0]):
        for i_dst in range(POOL):
            mixer[i_dst] = _mix(mixer[i_dst], _hashmix(entropy[i_src], hash_const))
    return mixer


@njit(cache=True)
def _state_words(pool):
    """``SeedSequence.generate_state(4, np.uint64)`` of the pool."""
    hash_const = INIT_B
    words = np.empty(8, dtype=np.uint64)
    for i in range(8):
        value = np.uint32(pool[i % POOL] ^ hash_const)
        hash_const = np.uint32(hash_const * MULT_B)
        value = np.uint32(value * hash_const)
        words[i] = np.uint64(np.uint32(value ^ (value >> XSHIFT)))
    out = np.empty(4, dtype=np.uint64)
    for j in range(4):
        out[j] = words[2 * j] | (words[2 * j + 1] << np.uint64(32))
    return out


@njit(cache=True)
def _mul64(a, b):
    """(hi, lo) of the 128-bit product of two uint64."""
    a_lo, a_hi = a & MASK32, a >> np.uint64(32)
    b_lo, b_hi = b & MASK32, b >> np.uint64(32)
    lo_lo = a_lo * b_lo
    hi_lo = a_hi * b_lo
    lo_hi = a_lo * b_hi
    hi_hi = a_hi * b_hi
    cross = (lo_lo >> np.uint64(32)) + (hi_lo & MASK32) + lo_hi
    hi = hi_hi + (hi_lo >> np.uint64(32)) + (cross >> np.uint64(32))
    lo = (cross << np.uint64(32)) | (lo_lo & MASK32)
    return hi, lo


@njit(cache=True)
def _step(state, inc):
    """state = state * MULT + inc (mod 2**128); state, inc as [hi, lo]."""
    hi, lo = _mul64(state[1], MULT_LO)
    hi = hi + state[1] * MULT_HI + state[0] * MULT_LO
    lo2 = lo + inc[1]
    carry = np.uint64(1) if lo2 < lo else np.uint64(0)
    state[0] = hi + inc[0] + carry
    state[1] = lo2


@njit(cache=True)
def _next_double(state, inc):
    _step(state, inc)
    x = state[0] ^ state[1]
    rot = state[0] >> np.uint64(58)
    value = (x >> rot) | (x << ((np.uint64(64) - rot) & np.uint64(63)))
    return np.float64(value >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True)
def _seed(entropy, state, inc):
    words = _state_words(_pool(entropy))
    inc[0] = (words[2] << np.uint64(1)) | (words[3] >> np.uint64(63))
    inc[1] = (words[3] << np.uint64(1)) | np.uint64(1)
    state[0] = np.uint64(0)
    state[1] = np.uint64(0)
    _step(state, inc)
    lo = state[1] + words[1]
    carry = np.uint64(1) if lo < state[1] else np.uint64(0)
    state[0] = state[0] + words[0] + carry
    state[1] = lo
    _step(state, inc)


@njit(cache=True)
def fill(entropy, out):
    """``out`` (any shape, C order) filled as ``default_rng(SeedSequence with this entropy).random(out=out)``."""
    state = np.empty(2, dtype=np.uint64)
    inc = np.empty(2, dtype=np.uint64)
    _seed(entropy, state, inc)
    flat = out.reshape(-1)
    for k in range(flat.shape[0]):
        flat[k] = _next_double(state, inc)


def _words(n: int) -> list[int]:
    """numpy's 32-bit little-endian words of a non-negative int (0 is one word)."""
    words = [n & 0xFFFFFFFF]
    while n > 0xFFFFFFFF:
        n >>= 32
        words.append(n & 0xFFFFFFFF)
    return words


def _entropy_and_lengths(master_seed: int, runs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """[run, child, word] the assembled entropy of ``SeedSequence([master_seed, run]).spawn(2)``
    (the run's words padded with zeros to the pool size, then the child's spawn key) and [run]
    how many words of each row are used."""
    rows = [_words(int(master_seed)) + _words(int(run)) for run in runs]
    rows = [words + [0] * (POOL - len(words)) for words in rows]
    lengths = np.array([len(words) + 1 for words in rows], dtype=np.int64)
    entropy = np.zeros((len(rows), 2, lengths.max(initial=POOL + 1)), dtype=np.uint32)
    for row, words in enumerate(rows):
        for child in (0, 1):
            entropy[row, child, :lengths[row]] = words + [child]
    return entropy, lengths


@njit(cache=True, parallel=True)
def _fill_batch(entropy, lengths, gumbel, uniform, with_noise):
    for r in prange(uniform.shape[0]):
        run = np.int64(r)
        if with_noise:
            fill(entropy[run, 0, :lengths[run]], gumbel[run])
            _gumbel_in_place(gumbel[run].reshape(-1))
        fill(entropy[run, 1, :lengths[run]], uniform[run])


def draw_batch(master_seed: int, runs, steps: int, n_states: int, n_partners: int, with_noise=True):
    """All draws of a batch of runs: gumbel [run, step, state, partner], uniform [run, step].

    Step ``t`` (1-based) uses index ``t - 1``. Each run's uniforms are those of
    `run_generators` (compiled, a thread per run), turned into Gumbel draws in the same
    thread (`gumbel_from_uniform`'s transform). With ``with_noise=False`` the Gumbel array is None
    (noise-free runs skip the cost; the crisis draws are unchanged).
    """
    runs = np.asarray(runs)
    gumbel_draws = np.empty((len(runs), steps, n_states, n_partners) if with_noise else (len(runs), 0, 0, 0))
    uniform = np.empty((len(runs), steps))
    entropy, lengths = _entropy_and_lengths(master_seed, runs)
    _fill_batch(entropy, lengths, gumbel_draws, uniform, with_noise)
    return (gumbel_draws if with_noise else None), uniform
