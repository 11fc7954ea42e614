"""The engines' uniforms are numpy's: the same numbers and the same generator state as
``Generator.random(n, dtype=float32)``, for every numpy bit generator (known answer: numpy
itself)."""

import numpy as np
import pytest

from xenosim.core import uniforms

BIT_GENERATORS = (np.random.PCG64, np.random.PCG64DXSM, np.random.Philox, np.random.SFC64,
                  np.random.MT19937)
#: odd and even counts, a buffered high half carried into the next call, empty draws, counts
#: on either side of the raw-output thresholds, and a count over several random_raw chunks
COUNTS = (0, 1, 3, 2, 5, 1, 0, 10, 2 * 65536 + 7, 7, 1, 4, 4097, 4096, 9001, 9000, 8191, 2047,
          2048, 3)


def _state_that_is_read(rng: np.random.Generator) -> str:
    """The bit generator's state less the stale kept half (``uinteger`` while ``has_uint32``
    is 0, which numpy never reads)."""
    state = rng.bit_generator.state
    if not state.get("has_uint32", 1):
        state = {k: v for k, v in state.items() if k != "uinteger"}
    return repr(state)


@pytest.mark.parametrize("bit_generator", BIT_GENERATORS, ids=lambda b: b.__name__)
def test_uniforms_are_numpys_numbers_and_leave_its_state(bit_generator):
    ours = np.random.Generator(bit_generator(2024))
    numpys = np.random.Generator(bit_generator(2024))
    for n in COUNTS:
        expected = numpys.random(n, dtype=np.float32)
        got = uniforms.uniforms(ours, n)
        assert got.dtype == np.float32
        np.testing.assert_array_equal(got, expected)
        assert _state_that_is_read(ours) == _state_that_is_read(numpys)
        # the draws that follow in a step (normals, float32 uniforms) are the same too
        assert ours.standard_normal(dtype=np.float32) == numpys.standard_normal(dtype=np.float32)
        assert ours.random(dtype=np.float32) == numpys.random(dtype=np.float32)


@pytest.mark.parametrize("bit_generator", BIT_GENERATORS, ids=lambda b: b.__name__)
def test_uniform_bits_are_the_outputs_numpy_turns_into_uniforms(bit_generator):
    """The fused engine's path (bits, converted in the kernel) at every count."""
    ours = np.random.Generator(bit_generator(7))
    numpys = np.random.Generator(bit_generator(7))
    for n in COUNTS:
        np.testing.assert_array_equal(uniforms.to_uniform(uniforms.uniform_bits(ours, n)),
                                      numpys.random(n, dtype=np.float32))
        assert _state_that_is_read(ours) == _state_that_is_read(numpys)
        assert ours.standard_normal() == numpys.standard_normal()


def test_uniform_bits_fill_the_buffer_given():
    rng = np.random.default_rng(1)
    buf = np.zeros(100, dtype=np.uint32)
    bits = uniforms.uniform_bits(rng, 9, buf)  # (the small-count path)
    assert uniforms.uniform_bits(np.random.default_rng(1), 5000, np.zeros(5000, np.uint32)
                                 )[:9].tolist() == bits.tolist()  # the raw path: same numbers
    assert bits.base is buf or np.shares_memory(bits, buf)
    assert bits.shape == (9,) and not (buf[9:] != 0).any()
    u = uniforms.to_uniform(bits)
    np.testing.assert_array_equal(u, np.random.default_rng(1).random(9, dtype=np.float32))
    assert ((u >= 0) & (u < 1)).all()
