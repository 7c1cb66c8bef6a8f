#!/usr/bin/env python3
"""Independent reference for NoiseBits, DiscreteGaussian and CentralNoise (docs/PRIVACY.md).

Written from the definitions (CKS20 Algorithms 1-3, the seed derivation of docs/PRIVACY.md), not
from the Java code; python3 integers only.
Run: python3 reference.py            prints the values NoiseBitsTest and DiscreteGaussianTest compare with
     python3 reference.py --golden   prints central-noise-golden.txt
"""
import hashlib
import hmac
import struct


class Bits:
    def __init__(self, seed):
        assert len(seed) == 32
        self.seed, self.counter, self.buf, self.pos = seed, 0, b"", 0

    def bit(self):
        if self.pos == len(self.buf) * 8:
            self.buf = hashlib.sha256(self.seed + struct.pack(">q", self.counter)).digest()
            self.counter += 1
            self.pos = 0
        b = (self.buf[self.pos // 8] >> (7 - self.pos % 8)) & 1
        self.pos += 1
        return b

    def bits(self, k):
        v = 0
        for _ in range(k):
            v = (v << 1) | self.bit()
        return v

    def uniform(self, n):
        k = (n - 1).bit_length()
        while True:
            v = self.bits(k)
            if v < n:
                return v


def bern_exp_raw(n, d, r):
    # gamma = n/d as given, not reduced: the uniform ranges d*k are part of the bit order.
    if n <= d:
        k = 1
        while r.uniform(d * k) < n:
            k += 1
        return k % 2 == 1
    q, rem = divmod(n, d)
    for _ in range(q):
        if not bern_exp_raw(1, 1, r):
            return False
    return bern_exp_raw(rem, d, r)


def isqrt(n):
    x = 0
    while (x + 1) * (x + 1) <= n:
        x += 1
    return x


def laplace(t, r):  # CKS20 Algorithm 2 with s = 1
    while True:
        u = r.uniform(t)
        if not bern_exp_raw(u, t, r):
            continue
        v = 0
        while bern_exp_raw(1, 1, r):
            v += 1
        x = u + t * v
        b = r.uniform(2)
        if b == 1 and x == 0:
            continue
        return -x if b == 1 else x


def gaussian(p, q, r):  # CKS20 Algorithm 3, sigma^2 = p/q
    t = isqrt(p // q) + 1
    while True:
        y = laplace(t, r)
        diff = abs(y) * q * t - p
        if bern_exp_raw(diff * diff, 2 * p * q * t * t, r):
            return y


def block_bytes(e, m):
    return struct.pack(">ii", e, len(m)) + b"".join(struct.pack(">h", x) for x in m)


def round_seed(secret, rnd, e, m):
    msg = b"qora-edge central-dp 1" + b"\x00" + struct.pack(">q", rnd) + hashlib.sha256(block_bytes(e, m)).digest()
    return hmac.new(secret, msg, hashlib.sha256).digest()


def rha_shift(a, s):
    return a if s == 0 else (a + (1 << (s - 1))) >> s


def noised(e, m, seed, p, q):
    r = Bits(seed)
    v = [x + gaussian(p, q, r) for x in m]
    mx = max(abs(x) for x in v)
    s = 0
    while rha_shift(mx, s) > 32767:
        s += 1
    return e + s, [rha_shift(abs(x), s) * (1 if x >= 0 else -1) for x in v]


def golden():
    secret = bytes(range(100, 132))
    print("# CentralNoise golden vectors, from reference.py --golden (not from the Java code).")
    print("# operator secret = bytes 100..131; columns: round, sigma^2 numerator, denominator,")
    print("# aggregate (spec section 7 layout, hex), noised aggregate (same layout, hex)")
    cases = [
        (1, 1, 1, -10, [1000, -2000, 0, 32767, -32767, 7, 12345, -1]),
        (2, 1, 1, -10, [1000, -2000, 0, 32767, -32767, 7, 12345, -1]),
        (42, 9, 4, 0, [0] * 16),
        (42, 100, 1, -10, [1000, -2000, 0, 32767, -32767, 7, 12345, -1]),
        (42, 10 ** 8, 1, -10, [1000, -2000, 0, 32767, -32767, 7, 12345, -1]),
        (7, 5, 3, -126, [32767, -32767, 32766, -32766, 1, -1, 0, 16384, 3, 2]),
        (-1, 1000000, 7, 100, list(range(-40, 40))),
    ]
    for rnd, p, q, e, m in cases:
        ne, nm = noised(e, m, round_seed(secret, rnd, e, m), p, q)
        print(rnd, p, q, block_bytes(e, m).hex(), block_bytes(ne, nm).hex())


if __name__ == "__main__":
    import sys
    if sys.argv[1:] == ["--golden"]:
        golden()
        sys.exit(0)
    seed = bytes(range(32))
    r = Bits(seed)
    print("stream block 0:", hashlib.sha256(seed + struct.pack(">q", 0)).hexdigest())
    print("stream block 1:", hashlib.sha256(seed + struct.pack(">q", 1)).hexdigest())
    print("uniform(1000) x8:", [r.uniform(1000) for _ in range(8)])
    print("uniform(2^70+5) x2:", [r.uniform((1 << 70) + 5) for _ in range(2)])
    secret = bytes(range(100, 132))
    agg_e, agg_m = -10, [1000, -2000, 0, 32767, -32767, 7, 12345, -1]
    s = round_seed(secret, 42, agg_e, agg_m)
    print("round seed:", s.hex())
    r = Bits(s)
    print("gaussian(9/4) x16:", [gaussian(9, 4, r) for _ in range(16)])
    print("noised sigma^2=100:", noised(agg_e, agg_m, s, 100, 1))
    print("noised sigma^2=10^8:", noised(agg_e, agg_m, s, 10 ** 8, 1))
