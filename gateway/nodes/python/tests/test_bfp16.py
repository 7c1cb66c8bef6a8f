"""The encoder against the conformance vectors (spec section 2), bit for bit."""

import json
import unittest

import numpy as np

from qora_node import Block, EmptyInputError, InvalidBlockError, NonFiniteInputError, encode, encode_bits
from tests.support import repo_file

VECTORS = ("cross-check", "src", "main", "resources", "org", "qoraedge", "crosscheck", "vectors")


def encode_cases():
    cases = []
    for name in ("encode.jsonl", "hand.jsonl"):
        with open(repo_file(*VECTORS, name), encoding="utf-8") as f:
            cases += [c for c in map(json.loads, f) if c["kind"] == "encode"]
    return cases


def bits_of(hexes):
    return np.array([int(h, 16) for h in hexes], dtype=np.uint32)


class EncodeVectorsTest(unittest.TestCase):
    def test_every_encode_vector_gives_the_expected_block_digest_and_decoded_values(self):
        cases = encode_cases()
        self.assertEqual(361, len(cases), "encode.jsonl holds 352 cases and hand.jsonl 9")
        refused = 0
        for c in cases:
            with self.subTest(c["id"]):
                x, ex = bits_of(c["input"]["x"]), c["expected"]
                if ex.get("refuse"):
                    refused += 1
                    if "index" in ex:
                        with self.assertRaises(NonFiniteInputError) as r:
                            encode_bits(x)
                        self.assertEqual(ex["index"], r.exception.index)
                    else:
                        with self.assertRaises(EmptyInputError):
                            encode_bits(x)
                    continue
                b = encode_bits(x)
                self.assertEqual(ex["e"], b.exponent)
                self.assertEqual(ex["m"], b.mantissas.tolist())
                self.assertEqual(ex["digest"], b.digest())
                self.assertEqual(ex["decoded"], ["%08x" % v for v in b.decode().view(np.uint32)])
        self.assertEqual(7, refused, "encode.jsonl has 6 refusals, hand.jsonl 1")

    def test_float32_arrays_encode_from_their_bit_patterns(self):
        for c in encode_cases():
            if c["expected"].get("refuse"):
                continue
            with self.subTest(c["id"]):
                x = bits_of(c["input"]["x"]).view(np.float32)
                self.assertEqual(encode_bits(x.view(np.uint32)), encode(x))


class EncodeRefusalsTest(unittest.TestCase):
    def test_nan_is_refused_naming_its_index(self):
        with self.assertRaises(NonFiniteInputError) as r:
            encode(np.array([1.0, 2.0, np.nan, np.inf], dtype=np.float32))
        self.assertEqual(2, r.exception.index)
        self.assertIn("value 2 is NaN", str(r.exception))

    def test_infinity_is_refused_naming_its_index(self):
        with self.assertRaises(NonFiniteInputError) as r:
            encode([0.0, -np.inf])
        self.assertEqual(1, r.exception.index)
        self.assertIn("-infinity", str(r.exception))

    def test_float64_beyond_the_float32_range_becomes_an_infinity_and_is_refused(self):
        with self.assertRaises(NonFiniteInputError) as r:
            encode(np.array([1.0, 1e39]))
        self.assertEqual(1, r.exception.index)

    def test_float64_input_is_rounded_to_float32_first(self):
        x = np.array([0.1, -2.5, 1e-3])
        self.assertEqual(encode(x.astype(np.float32)), encode(x))

    def test_empty_input_is_refused(self):
        with self.assertRaises(EmptyInputError):
            encode(np.zeros(0, dtype=np.float32))

    def test_non_numeric_input_is_refused(self):
        with self.assertRaises(TypeError):
            encode(np.array(["1.0"]))


class BlockTest(unittest.TestCase):
    def test_blocks_outside_spec_section_1_are_refused(self):
        for e, m in ((114, [1]), (-127, [1]), (0, [1, -32768]), (0, []), (0, [40000])):
            with self.subTest(e=e, m=m), self.assertRaises(InvalidBlockError):
                Block(e, np.array(m, dtype=np.int64))

    def test_bytes_round_trip_and_digest_of_the_protocol_example(self):
        b = Block(-10, [1, -2, 32767, -32767])
        self.assertEqual("b24773382a71ae93747c9cb43b29cfc3178f3361d2d507fbebde8883de693a00", b.digest())
        self.assertEqual(b, Block.from_bytes(b.to_bytes()))
        self.assertEqual([1 / 1024, -2 / 1024, 32767 / 1024, -32767 / 1024], b.decode().tolist())

    def test_from_bytes_refuses_a_wrong_length_and_an_invalid_block(self):
        raw = Block(0, [1, 2]).to_bytes()
        with self.assertRaises(InvalidBlockError):
            Block.from_bytes(raw[:-1])
        with self.assertRaises(InvalidBlockError):
            Block.from_bytes(raw[:8] + b"\x80\x00\x00\x01")

    def test_mantissas_are_read_only(self):
        b = Block(0, [1, 2])
        with self.assertRaises(ValueError):
            b.mantissas[0] = 5


if __name__ == "__main__":
    unittest.main()
