"""The step's float32 uniforms: the numbers of ``Generator.random(n, dtype=float32)``, at about
half its cost.

numpy makes a float32 uniform from one 32-bit output ``x`` of the bit generator,
``(x >> 8) * 2**-24``. PCG64 (``numpy.random.default_rng``), PCG64DXSM, Philox and SFC64 make
64-bit outputs and hand them out as 32-bit halves, low half first, keeping the unused high half
in their state (``has_uint32``, ``uinteger``). ``BitGenerator.random_raw`` fills 64-bit outputs
without a function call and a float conversion per number; on a little-endian machine their
halves, in memory order, are the 32-bit outputs numpy would take. So :func:`uniform_bits`
returns exactly the 32-bit outputs ``Generator.random`` would consume, and leaves the generator
in the state ``Generator.random`` would (tested for each of those bit generators, odd and even
counts, with and without a buffered half; the one difference is a stale value numpy never
reads, see :func:`uniform_bits`). Other bit generators (MT19937) get the same outputs
from ``Generator.integers`` over the full 32-bit range, which is not faster.

Both array engines draw their per-cell uniforms here, so they draw the same numbers as before and
as each other; the fused kernel converts the bits itself (:func:`to_uniform` is the numpy form).
"""

from __future__ import annotations

import sys

import numpy as np

#: 2**-24: a float32 uniform is (32-bit output >> 8) times this (numpy's next_float).
SCALE = np.float32(1.0 / 16777216.0)
#: 64-bit outputs fetched per random_raw call (a 512 KiB temporary that stays in cache).
_CHUNK = 65536
#: Below these counts numpy's own per-number path is faster than reading and writing the bit
#: generator's state (~8 us a call; measured: raw bits win from ~2,000 numbers, raw bits
#: converted to floats from ~10,000). Same numbers either way.
RAW_MIN_BITS = 2048
RAW_MIN_UNIFORMS = 8192


def _halves_buffered(state: dict) -> bool:
    return "has_uint32" in state and "uinteger" in state and sys.byteorder == "little"


def uniform_bits(rng: np.random.Generator, n: int, out: np.ndarray | None = None) -> np.ndarray:
    """The ``n`` 32-bit outputs (uint32) that ``rng.random(n, dtype=numpy.float32)`` would turn
    into uniforms, advancing ``rng`` exactly as that call would. ``out``: a uint32 buffer of at
    least ``n`` (its first ``n`` are returned)."""
    out = np.empty(n, dtype=np.uint32) if out is None else out[:n]
    if n == 0:
        return out
    bg = rng.bit_generator
    if n < RAW_MIN_BITS or not _halves_buffered(state := bg.state):
        out[:] = rng.integers(0, 2**32, n, dtype=np.uint32)  # next_uint32 per number
        return out
    start = 0
    if state["has_uint32"]:  # the high half left over by the last odd count comes first
        out[0] = state["uinteger"]
        start = 1
    pairs = (n - start) // 2
    for lo in range(0, pairs, _CHUNK):
        m = min(_CHUNK, pairs - lo)
        out[start + 2 * lo:start + 2 * (lo + m)] = bg.random_raw(m).view(np.uint32)
    odd = (n - start) % 2 == 1
    if odd:
        last = int(bg.random_raw())
        out[n - 1] = last & 0xFFFFFFFF
    if start or odd:  # as next_uint32 leaves it: a high half kept for the next number, or none
        state = bg.state
        state["has_uint32"] = 1 if odd else 0
        if odd:
            state["uinteger"] = last >> 32
        bg.state = state
    # (with no half kept, numpy leaves the last high half it used in `uinteger`, here an older
    # one: it is never read while has_uint32 is 0)
    return out


def to_uniform(bits: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """float32 uniforms in [0, 1) from :func:`uniform_bits` (numpy's ``next_float``)."""
    out = np.empty(bits.shape, dtype=np.float32) if out is None else out
    np.multiply(bits >> np.uint32(8), SCALE, out=out, dtype=np.float32, casting="unsafe")
    return out


def uniforms(rng: np.random.Generator, n: int) -> np.ndarray:
    """``rng.random(n, dtype=numpy.float32)``: the same numbers and generator state, faster
    from :data:`RAW_MIN_UNIFORMS` numbers."""
    if n < RAW_MIN_UNIFORMS:
        return rng.random(n, dtype=np.float32)
    return to_uniform(uniform_bits(rng, n))
