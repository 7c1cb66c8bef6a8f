"""BFP-16 blocks (docs/SPEC.md sections 1, 2 and 7), in integer arithmetic only.

The encoder reads each float32's IEEE-754 bit pattern and works on integers from there: no
floating-point multiplication, rounding, ``log2`` or ``pow`` is on its path, so it gives the same
block on every CPU, bit for bit the Java reference (``org.qoraedge.fixedpoint.Bfp16``).
"""

import hashlib
import struct

import numpy as np

from .errors import EmptyInputError, InvalidBlockError, NonFiniteInputError

#: The exponent range of a block (spec section 1).
MIN_EXPONENT = -126
MAX_EXPONENT = 113
#: Largest mantissa magnitude; -32768 is refused so that negation is always exact.
MAX_MANTISSA = 32767

_SIGN_BIT = 0x8000_0000
_EXP_MASK = 0x7F80_0000
_FRAC_MASK = 0x007F_FFFF


class Block:
    """One BFP-16 block: shared exponent ``e`` and ``d >= 1`` mantissas; coordinate ``i`` is
    ``m[i] * 2^e``. Immutable (the mantissa array is read-only); validated on construction."""

    __slots__ = ("_e", "_m")

    def __init__(self, exponent, mantissas):
        raw = np.asarray(mantissas)
        if raw.size and raw.dtype.kind not in "iu":
            raise InvalidBlockError(f"block mantissas must be integers, got dtype {raw.dtype}")
        m = raw.astype(np.int64).reshape(-1)
        e = int(exponent)
        if m.size == 0:
            raise InvalidBlockError("block has no mantissas (d = 0); a block needs d >= 1")
        if e < MIN_EXPONENT or e > MAX_EXPONENT:
            raise InvalidBlockError(f"block exponent {e} is outside [{MIN_EXPONENT}, {MAX_EXPONENT}]")
        bad = np.flatnonzero((m < -MAX_MANTISSA) | (m > MAX_MANTISSA))
        if bad.size:
            i = int(bad[0])
            raise InvalidBlockError(f"block mantissa {i} is {int(m[i])}; mantissas must lie in [-32767, 32767]")
        m = m.astype(np.int16)
        m.flags.writeable = False
        self._e = e
        self._m = m

    @property
    def exponent(self):
        """The shared exponent ``e``, in [-126, 113]."""
        return self._e

    @property
    def mantissas(self):
        """The mantissas as a read-only ``int16`` array."""
        return self._m

    @property
    def dimension(self):
        return int(self._m.size)

    def to_bytes(self):
        """Spec section 7 layout: int32 BE ``e``, int32 BE ``d``, each mantissa int16 BE."""
        return struct.pack(">ii", self._e, self._m.size) + self._m.astype(">i2").tobytes()

    @classmethod
    def from_bytes(cls, data):
        """Reads the section 7 layout (exactly ``8 + 2d`` bytes); refuses what section 1 refuses."""
        data = bytes(data)
        if len(data) < 8:
            raise InvalidBlockError(f"block bytes are {len(data)} long; the header alone has 8")
        e, d = struct.unpack(">ii", data[:8])
        if d < 1 or len(data) != 8 + 2 * d:
            raise InvalidBlockError(f"block of dimension {d} must have {8 + 2 * max(d, 0)} bytes, has {len(data)}")
        return cls(e, np.frombuffer(data, dtype=">i2", offset=8))

    def digest(self):
        """SHA-256 of the section 7 layout, 64 lower-case hex digits."""
        return hashlib.sha256(self.to_bytes()).hexdigest()

    def decode(self):
        """The block as float32 values (exact: every ``m * 2^e`` of a valid block is a float32)."""
        return bits_to_float32(decode_bits(self))

    def __eq__(self, other):
        return isinstance(other, Block) and self._e == other._e and np.array_equal(self._m, other._m)

    def __hash__(self):
        return hash((self._e, self._m.tobytes()))

    def __repr__(self):
        head = ", ".join(str(int(v)) for v in self._m[:6])
        return f"Block(e={self._e}, d={self.dimension}, m=[{head}{', ...' if self.dimension > 6 else ''}])"


def encode(values):
    """Encodes float32 values per spec section 2.

    ``values`` is anything NumPy reads as a one-dimensional real array. A float32 array is read
    bit for bit; any other real dtype (float64, integers, a list of Python floats) is first
    converted to float32 by NumPy (IEEE-754 round to nearest even, which is exact and the same on
    every platform for the conversion itself), and a value beyond the float32 range becomes an
    infinity that is then refused.

    :raises EmptyInputError: for no values (``d = 0``)
    :raises NonFiniteInputError: naming the first NaN or infinity (``.index``)
    """
    a = np.asarray(values)
    if a.dtype.kind not in "fiu":
        raise TypeError(f"encode takes real numbers, got an array of dtype {a.dtype}")
    if a.ndim != 1:
        a = a.reshape(-1)
    with np.errstate(over="ignore"):  # beyond float32: an infinity, refused below with its index
        a = np.ascontiguousarray(a, dtype=np.float32)
    return encode_bits(a.view(np.uint32))


def encode_bits(bits):
    """Encodes float32 values given as their IEEE-754 bit patterns (``uint32``) per spec section 2."""
    b = np.asarray(bits, dtype=np.uint32).reshape(-1).astype(np.int64)
    d = b.size
    if d == 0:
        raise EmptyInputError("cannot encode an empty vector (d = 0); a block needs d >= 1")
    absb = b & 0x7FFF_FFFF
    nonfinite = np.flatnonzero((absb & _EXP_MASK) == _EXP_MASK)
    if nonfinite.size:
        i = int(nonfinite[0])
        raise NonFiniteInputError(i, int(b[i]))
    max_abs = int(absb.max())
    if max_abs == 0:
        return Block(0, np.zeros(d, dtype=np.int16))
    # M = sig * 2^exp2 with an integer significand; c = exp2 + ceil(log2(sig)).
    c = _exponent_of(max_abs) + (_significand_of(max_abs) - 1).bit_length()
    e = max(c - 15, MIN_EXPONENT)
    biased = (absb & _EXP_MASK) >> 23
    frac = absb & _FRAC_MASK
    sig = np.where(biased == 0, frac, frac | 0x0080_0000)
    exp2 = np.where(biased == 0, -149, biased - 150)
    shift = exp2 - e
    # shift >= 0: sig * 2^shift <= M * 2^-e <= 2^15, so nothing overflows before the clamp (the clip
    # only keeps the shift meaningful). shift < 0: half away from zero on the magnitude; beyond 25
    # binades down, sig < 2^24 gives less than 1/4, which rounds to 0.
    up = np.minimum(sig << np.clip(shift, 0, 31), MAX_MANTISSA)
    down = np.clip(-shift, 1, 26)
    rounded = np.minimum((sig + (np.int64(1) << (down - 1))) >> down, MAX_MANTISSA)
    mag = np.where(shift >= 0, up, np.where(-shift > 25, 0, rounded))
    m = np.where(b & _SIGN_BIT, -mag, mag)
    return Block(e, m)


def decode_bits(block):
    """The float32 bit patterns (``uint32``) of ``m * 2^e``, built directly; zero gives +0.0."""
    m = block.mantissas.astype(np.int64)
    e = block.exponent
    mag = np.abs(m)
    top = np.zeros(m.size, dtype=np.int64)  # mag in [2^top, 2^(top+1))
    for k in range(1, 15):
        top += (mag >> k) > 0
    unbiased = top + e  # >= -126 for every non-zero mantissa, since e >= -126: always normal
    frac = (mag << (23 - top)) & _FRAC_MASK
    bits = np.where(m < 0, _SIGN_BIT, 0) | ((unbiased + 127) << 23) | frac
    bits = np.where(m == 0, 0, bits)
    return bits.astype(np.uint32)


def bits_to_float32(bits):
    return np.asarray(bits, dtype=np.uint32).view(np.float32)


def decode(block):
    """The block as a float32 array (exact)."""
    return block.decode()


def zeros(d):
    """The all-zero block of dimension ``d`` with ``e = 0`` (the gateway's default initial model)."""
    return Block(0, np.zeros(int(d), dtype=np.int16))


def _significand_of(abs_bits):
    frac = abs_bits & _FRAC_MASK
    return frac if (abs_bits & _EXP_MASK) == 0 else frac | 0x0080_0000


def _exponent_of(abs_bits):
    biased = (abs_bits & _EXP_MASK) >> 23
    return -149 if biased == 0 else biased - 150
