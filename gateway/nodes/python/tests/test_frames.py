"""Frames and signed text against docs/PROTOCOL.md sections 4, 6.1 and 12."""

import re
import unittest

from qora_node import Block, FrameError, ProtocolError, encode_frame, parse_frame
from qora_node.protocol import (KIND_MODEL, KIND_UPDATE, SCHEME_ED25519, SCHEME_HMAC, Ed25519Signer, HmacSigner,
                                identifier_bytes, max_frame_size, sign_text, verify_signed_text)
from tests.support import FakeGateway, other_signer, repo_file


def doc_vectors():
    """The ```qora-vector blocks of PROTOCOL.md, read as ProtocolDocVectorsTest reads them."""
    out, cur = [], None
    with open(repo_file("docs", "PROTOCOL.md"), encoding="utf-8") as f:
        for line in f:
            s = line.strip()
            if s == "```qora-vector":
                cur = {}
            elif cur is not None and s == "```":
                out.append(cur)
                cur = None
            elif cur is not None and "=" in line:
                k, v = line.split("=", 1)
                cur[k.strip()] = v.strip()
    return out


def signer_of(v):
    key = bytes.fromhex(v["key"])
    return HmacSigner(key) if v["scheme"] == "hmac-sha256" else Ed25519Signer(key)


def block_of(v):
    return Block(int(v["e"]), [int(x) for x in v["mantissas"].split(",")])


class ProtocolVectorsTest(unittest.TestCase):
    def test_the_doc_holds_an_hmac_and_an_ed25519_vector(self):
        self.assertEqual(["hmac-sha256", "ed25519"], [v["scheme"] for v in doc_vectors()])

    def test_encoding_the_documented_fields_gives_the_documented_bytes(self):
        for v in doc_vectors():
            with self.subTest(v["name"]):
                frame = encode_frame(KIND_UPDATE, v["fleet"], v["node"], int(v["round"]), int(v["sequence"]), v["model"],
                                     block_of(v), signer_of(v))
                self.assertEqual(v["frame"], frame.hex())

    def test_decoding_the_documented_bytes_gives_the_documented_fields_and_the_signature_verifies(self):
        for v in doc_vectors():
            with self.subTest(v["name"]):
                frame = bytes.fromhex(v["frame"])
                h = parse_frame(frame, max_frame_size(4))
                self.assertEqual((KIND_UPDATE, v["fleet"], v["node"], int(v["round"]), int(v["sequence"]), v["model"]),
                                 (h.kind, h.fleet, h.node_id, h.round, h.sequence, h.model_id))
                self.assertEqual(block_of(v), h.block())
                if v["scheme"] == "hmac-sha256":
                    self.assertEqual(SCHEME_HMAC, h.scheme)
                    self.assertTrue(h.verify_hmac(bytes.fromhex(v["key"])))
                    self.assertFalse(h.verify_hmac(bytes(32)))
                else:
                    self.assertEqual(SCHEME_ED25519, h.scheme)
                    self.assertEqual(v["public"], Ed25519Signer(bytes.fromhex(v["key"])).public_key.hex())
                    self.assertTrue(h.verify_ed25519(bytes.fromhex(v["public"])))
                    self.assertFalse(h.verify_ed25519(other_signer().public_key))

    def test_the_documented_block_digest_is_the_digest_of_the_frames_block_bytes(self):
        with open(repo_file("docs", "PROTOCOL.md"), encoding="utf-8") as f:
            doc = f.read()
        digest = re.search(r"block digest\s*`([0-9a-f]{64})`", doc).group(1)
        for v in doc_vectors():
            self.assertEqual(digest, block_of(v).digest())

    def test_the_largest_frames_are_as_documented(self):
        self.assertEqual(299, max_frame_size(4))
        self.assertEqual(200291, max_frame_size(100000))


class FrameRefusalsTest(unittest.TestCase):
    def setUp(self):
        v = doc_vectors()[1]
        self.frame = bytes.fromhex(v["frame"])

    def reason(self, payload, max_bytes=10_000):
        with self.assertRaises(FrameError) as r:
            parse_frame(payload, max_bytes)
        return r.exception.reason

    def test_each_structural_refusal_names_its_reason(self):
        f = self.frame
        self.assertEqual("oversize", self.reason(f, len(f) - 1))
        self.assertEqual("bad-magic", self.reason(b"QORB" + f[4:]))
        self.assertEqual("bad-version", self.reason(f[:4] + b"\x02" + f[5:]))
        self.assertEqual("malformed", self.reason(f[:5] + b"\x03" + f[6:]), "unknown kind")
        self.assertEqual("malformed", self.reason(f[:6] + b"\x03" + f[7:]), "unknown scheme")
        self.assertEqual("malformed", self.reason(f[:7] + b"\x01" + f[8:]), "flags")
        self.assertEqual("malformed", self.reason(f[:-1]), "truncated signature")
        self.assertEqual("malformed", self.reason(f + b"\x00"), "one byte too many")
        self.assertEqual("malformed", self.reason(f[:9] + b"de/o" + f[13:]), "a '/' in the fleet")
        self.assertEqual("malformed", self.reason(f[:9] + b"d\xffmo" + f[13:]), "fleet not UTF-8")

    def test_an_invalid_block_is_refused_when_built(self):
        v = doc_vectors()[0]
        bad = bytearray(bytes.fromhex(v["frame"]))
        first = 35 + 4 + 7 + 8  # mantissas start at 35 + F + N + M ("demo", "node-01", "mnist-lr")
        self.assertEqual(b"\x00\x01", bad[first:first + 2])
        bad[first:first + 2] = b"\x80\x00"  # -32768
        h = parse_frame(bytes(bad), 10_000)
        with self.assertRaises(FrameError) as r:
            h.block()
        self.assertEqual("invalid-block", r.exception.reason)

    def test_identifiers_follow_section_2(self):
        for bad in ("", "a/b", "a+b", "a#b", "x" * 65, "tab\there", "\u0085", "\ufdd0", "\U0001f600", "\ud800"):
            with self.subTest(repr(bad)), self.assertRaises(ProtocolError):
                identifier_bytes("node id", bad)
        self.assertEqual(64, len(identifier_bytes("node id", "é" * 32)))
        self.assertEqual(b"\xef\xb7\x8f", identifier_bytes("node id", "\ufdcf"))

    def test_a_model_frame_carries_its_kind(self):
        gw = FakeGateway()
        h = parse_frame(gw.model(3, Block(0, [1, 2])), 10_000)
        self.assertEqual((KIND_MODEL, "gateway", 3, 4), (h.kind, h.node_id, h.round, h.sequence))
        self.assertTrue(h.verify_ed25519(gw.public_key))


class SignedTextTest(unittest.TestCase):
    def setUp(self):
        self.gw = FakeGateway()
        self.topic = self.gw.topics.round
        self.body = b"protocol=1\nround=3\n"
        self.payload = sign_text(self.topic, self.body, self.gw.signer)

    def test_a_signed_message_verifies_and_gives_its_body(self):
        self.assertTrue(re.fullmatch(rb"protocol=1\nround=3\nsignature=[0-9a-f]{128}\n", self.payload))
        self.assertEqual(self.body, verify_signed_text(self.topic, self.payload, self.gw.public_key))

    def test_refusals(self):
        cases = {
            "unsigned": (self.topic, self.body, "is not signed"),
            "tampered": (self.topic, self.payload.replace(b"round=3", b"round=4"), "not signed by the gateway's key"),
            "another topic": (self.gw.topics.gateway_status, self.payload, "not signed by the gateway's key"),
            "uppercase": (self.topic, self.payload[:-129] + self.payload[-129:-1].upper() + b"\n", "not lowercase hex"),
            "short": (self.topic, self.payload[:-3] + b"\n", "malformed signature line"),
            "no final line break": (self.topic, self.payload[:-1], "is not signed"),
            "signature not last": (self.topic, self.payload + b"x=1\n", "is not signed"),
        }
        for name, (topic, payload, message) in cases.items():
            with self.subTest(name):
                with self.assertRaises(ProtocolError) as r:
                    verify_signed_text(topic, payload, self.gw.public_key)
                self.assertIn(message, str(r.exception))
        with self.assertRaises(ProtocolError):
            verify_signed_text(self.topic, self.payload, other_signer().public_key)


if __name__ == "__main__":
    unittest.main()
