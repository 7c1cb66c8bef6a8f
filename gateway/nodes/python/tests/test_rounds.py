"""The node's round logic (PROTOCOL.md sections 6, 6.1, 7): what it accepts and what it refuses."""

import unittest

import numpy as np

from qora_node import (Block, Credentials, Node, NonFiniteInputError, RefusedMessage, RoundError, RoundStart,
                       RoundTracker, parse_frame)
from qora_node.protocol import KIND_UPDATE, SCHEME_HMAC, HmacSigner, format_text
from tests.support import FakeGateway, block_of, other_signer


class RoundTrackerTest(unittest.TestCase):
    def setUp(self):
        self.gw = FakeGateway()
        self.t = RoundTracker(self.gw.topics, "node-01", self.gw.public_key, "gateway")
        self.model = block_of([0.5, -0.25, 0.125, 3.0])

    def refused(self, topic, payload, message):
        with self.assertRaises(RefusedMessage) as r:
            self.t.handle(topic, payload)
        self.assertIn(message, str(r.exception))
        self.assertIsNone(self.t.current)

    def test_a_round_starts_when_its_signed_announcement_and_model_have_both_arrived(self):
        self.assertIsNone(self.t.handle(self.gw.topics.model, self.gw.model(5, self.model)))
        start = self.t.handle(self.gw.topics.round, self.gw.announcement(5, self.model))
        self.assertIsInstance(start, RoundStart)
        self.assertEqual((5, 4, "m", self.model.digest()), (start.round, start.dimension, start.model_id, start.model_digest))
        self.assertEqual(np.float32, start.model.dtype)
        self.assertEqual([0.5, -0.25, 0.125, 3.0], start.model.tolist())
        self.assertFalse(start.model.flags.writeable)

    def test_an_unsigned_announcement_is_refused(self):
        body = self.gw.announcement(5, self.model).split(b"signature=")[0]
        self.refused(self.gw.topics.round, body, "is not signed")

    def test_an_announcement_signed_by_another_key_is_refused(self):
        self.refused(self.gw.topics.round, self.gw.announcement(5, self.model, signer=other_signer()),
                     "not signed by the gateway's key")

    def test_a_tampered_announcement_is_refused(self):
        forged = self.gw.announcement(5, self.model).replace(b"round=5", b"round=6")
        self.refused(self.gw.topics.round, forged, "not signed by the gateway's key")

    def test_a_message_signed_for_another_topic_is_refused(self):
        self.refused(self.gw.topics.round, self.gw.announcement(5, self.model, topic=self.gw.topics.gateway_status),
                     "not signed by the gateway's key")

    def test_an_announcement_for_another_fleet_or_gateway_is_refused(self):
        self.refused(self.gw.topics.round, self.gw.announcement(5, self.model, fleet="other"), "is not for this node")
        self.refused(self.gw.topics.round, self.gw.announcement(5, self.model, gateway_id="gw-2"), "is not for this node")

    def test_a_model_signed_by_another_key_is_refused(self):
        self.t.handle(self.gw.topics.round, self.gw.announcement(5, self.model))
        self.refused(self.gw.topics.model, self.gw.model(5, self.model, signer=other_signer()),
                     "not signed by the gateway's key")

    def test_a_model_with_an_hmac_signature_is_refused(self):
        self.refused(self.gw.topics.model, self.gw.model(5, self.model, signer=HmacSigner(bytes(32))),
                     "not signed by the gateway's key")

    def test_a_tampered_model_is_refused(self):
        frame = bytearray(self.gw.model(5, self.model))
        frame[-64 - 1] ^= 1  # the last mantissa's low byte
        self.refused(self.gw.topics.model, bytes(frame), "not signed by the gateway's key")

    def test_a_model_by_another_gateway_id_or_of_another_kind_is_refused(self):
        self.refused(self.gw.topics.model, self.gw.model(5, self.model, gateway_id="gw-2"), "on the model topic")
        self.refused(self.gw.topics.model, self.gw.model(5, self.model, kind=KIND_UPDATE), "a UPDATE frame")

    def test_a_malformed_model_frame_is_refused_with_its_reason(self):
        self.refused(self.gw.topics.model, b"QORA\x01\x02", "(malformed)")
        self.refused(self.gw.topics.model, b"junk", "(bad-magic)")

    def test_a_model_whose_digest_differs_from_the_announced_one_does_not_start_the_round(self):
        self.t.handle(self.gw.topics.round, self.gw.announcement(5, self.model, digest="0" * 64))
        self.refused(self.gw.topics.model, self.gw.model(5, self.model), "the announcement says")

    def test_older_rounds_are_refused_as_a_rollback(self):
        newer = block_of([1, 2, 3, 4])
        self.t.handle(self.gw.topics.round, self.gw.announcement(6, newer))
        self.assertEqual(6, self.t.handle(self.gw.topics.model, self.gw.model(6, newer)).round)
        with self.assertRaises(RefusedMessage) as r:
            self.t.handle(self.gw.topics.round, self.gw.announcement(5, self.model))
        self.assertIn("rollback", str(r.exception))
        with self.assertRaises(RefusedMessage):
            self.t.handle(self.gw.topics.model, self.gw.model(5, self.model))
        self.assertEqual(6, self.t.current.round)

    def test_empty_retained_payloads_and_rejection_notices(self):
        self.assertIsNone(self.t.handle(self.gw.topics.round, b""))
        notice = self.t.handle(self.gw.topics.reject("node-01"), format_text(
            {"protocol": 1, "round": 12, "frameRound": 11, "sequence": 5, "reason": "wrong-round", "detail": "late"}))
        self.assertEqual((12, 11, 5, "wrong-round", "late"),
                         (notice.round, notice.frame_round, notice.sequence, notice.reason, notice.detail))
        with self.assertRaises(RefusedMessage):
            self.t.handle(self.gw.topics.reject("node-01"), b"round=x\n")

    def test_a_tracker_without_a_gateway_key_cannot_be_built(self):
        with self.assertRaises(ValueError):
            RoundTracker(self.gw.topics, "node-01", None)


class NodeOfflineTest(unittest.TestCase):
    """Node's checks before anything goes on the wire (no broker: messages fed to its inbox)."""

    def setUp(self):
        self.gw = FakeGateway()
        self.secret = bytes(range(32))
        creds = Credentials("node-01", SCHEME_HMAC, self.secret, "gateway", self.gw.public_key)
        self.node = Node(creds, "tcp://127.0.0.1:1", fleet="demo", initial_sequence=100)
        self.model = block_of([0.5, -0.25, 0.125, 3.0])

    def start_round(self):
        self.node._inbox.put((self.gw.topics.model, self.gw.model(7, self.model)))
        self.node._inbox.put((self.gw.topics.round, self.gw.announcement(7, self.model)))
        return self.node.await_round(timeout=1)

    def test_an_update_is_built_for_the_round_signed_with_the_nodes_key(self):
        start = self.start_round()
        frame = self.node.encode_update(np.array([0.25, 0, 0, -1], dtype=np.float32))
        h = parse_frame(frame, 10_000)
        self.assertEqual((KIND_UPDATE, "demo", "node-01", 7, 100, "m"), (h.kind, h.fleet, h.node_id, h.round, h.sequence, h.model_id))
        self.assertTrue(h.verify_hmac(self.secret))
        self.assertEqual(start.round, h.round)
        self.assertEqual(101, parse_frame(self.node.encode_update(Block(0, [1, 2, 3, 4])), 10_000).sequence)

    def test_an_update_of_the_wrong_dimension_is_refused(self):
        self.start_round()
        with self.assertRaises(RoundError) as r:
            self.node.encode_update(np.zeros(5, dtype=np.float32))
        self.assertIn("has 5 coordinates, round 7 expects 4", str(r.exception))

    def test_an_update_with_nan_is_refused(self):
        self.start_round()
        with self.assertRaises(NonFiniteInputError) as r:
            self.node.publish(np.array([0, 0, np.nan, 0], dtype=np.float32))
        self.assertEqual(2, r.exception.index)

    def test_no_update_before_a_round(self):
        with self.assertRaises(RoundError):
            self.node.encode_update(np.zeros(4, dtype=np.float32))

    def test_a_forged_round_is_counted_and_named_when_waiting_times_out(self):
        self.node._inbox.put((self.gw.topics.round, self.gw.announcement(7, self.model, signer=other_signer())))
        self.node._inbox.put((self.gw.topics.model, self.gw.model(7, self.model)))
        with self.assertLogs("qora_node", "WARNING"):
            with self.assertRaises(TimeoutError) as r:
                self.node.await_round(timeout=0.2)
        self.assertIn("refused 1 message(s)", str(r.exception))
        self.assertIn("not signed by the gateway's key", str(r.exception))
        self.assertEqual(1, self.node.refused_messages)


if __name__ == "__main__":
    unittest.main()
