"""A node's view of the rounds (docs/PROTOCOL.md sections 6, 6.1 and 7), without any transport:
feed it what arrives on the round, model and reject topics, and it says which round can start.

Everything the gateway signs is checked against the one gateway key the node was provisioned
with: an unsigned or forged announcement, a MODEL frame not signed by that key or not by that
gateway id, another fleet's messages, and any announcement or model of a round older than the
newest one seen (a rollback) are refused with :class:`RefusedMessage`, never accepted.
"""

import hashlib
from dataclasses import dataclass

import numpy as np

from .bfp16 import Block
from .errors import FrameError, ProtocolError, RefusedMessage
from .protocol import (KIND_MODEL, KIND_NAMES, MAX_TEXT_BYTES, SCHEME_ED25519, Announcement, RejectionNotice, Topics,
                       parse_frame, verify_signed_text)

#: Largest MODEL frame read before an announcement gives the exact limit (as the JVM client).
DEFAULT_MAX_MODEL_FRAME_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class RoundStart:
    """A round whose signed announcement and signed model have both arrived and agree.

    :ivar round: the round number
    :ivar model: the global model the round starts from, a read-only float32 array
    :ivar block: the same model as the BFP-16 block the gateway sent
    :ivar announcement: the round's :class:`Announcement`
    """

    round: int
    model: np.ndarray
    block: Block
    announcement: Announcement

    @property
    def model_digest(self):
        """Spec section 7 digest of the global model (equal to the announcement's ``modelDigest``)."""
        return self.announcement.model_digest

    @property
    def dimension(self):
        return self.announcement.dimension

    @property
    def model_id(self):
        return self.announcement.model_id


class RoundTracker:
    """Not thread-safe: one caller feeds it (the :class:`~qora_node.Node` does, under its lock)."""

    def __init__(self, topics, node_id, gateway_key, gateway_id=None, max_model_frame_bytes=DEFAULT_MAX_MODEL_FRAME_BYTES):
        if not isinstance(topics, Topics):
            topics = Topics(topics)
        if gateway_key is None or len(gateway_key) != 32:
            raise ValueError(f"node {node_id} has no gateway key: a node trusts only the gateway key it was provisioned"
                             " with (a 'gateway-ed25519' line in its credentials file, written by"
                             " 'qora-edge-gateway keys --config ...')")
        self.topics = topics
        self.node_id = node_id
        self.gateway_key = bytes(gateway_key)
        self.gateway_id = gateway_id
        self.max_model_frame_bytes = max_model_frame_bytes
        self.announcement = None
        self.model_header = None
        self.current = None
        self.newest_round_seen = None
        self.rejections = []

    def handle(self, topic, payload):
        """Processes one message. Returns a new :class:`RoundStart`, a :class:`RejectionNotice`,
        or None (nothing new yet, an empty retained payload, a topic not ours).

        :raises RefusedMessage: for what the node refuses, with the reason
        """
        payload = bytes(payload)
        if topic == self.topics.round:
            if not payload:
                return None
            self._announcement(topic, payload)
            return self._complete()
        if topic == self.topics.model:
            if not payload:
                return None
            self._model(topic, payload)
            return self._complete()
        if topic == self.topics.reject(self.node_id):
            try:
                notice = RejectionNotice.parse(payload)
            except ProtocolError as e:
                raise RefusedMessage(topic, f"rejection notice is malformed: {e}") from None
            self.rejections.append(notice)
            return notice
        return None

    def _announcement(self, topic, payload):
        if len(payload) > MAX_TEXT_BYTES:
            raise RefusedMessage(topic, f"announcement has {len(payload)} bytes; at most {MAX_TEXT_BYTES}")
        try:
            a = Announcement.parse(verify_signed_text(topic, payload, self.gateway_key))
        except ProtocolError as e:
            raise RefusedMessage(topic, f"announcement refused: {e}") from None
        if a.fleet != self.topics.fleet or (self.gateway_id is not None and a.gateway_id != self.gateway_id):
            raise RefusedMessage(topic, f"announcement of fleet {a.fleet} by gateway {a.gateway_id} is not for this node"
                                        f" (fleet {self.topics.fleet}, gateway {self.gateway_id})")
        self._not_older(topic, "announcement", a.round)
        self.newest_round_seen = a.round
        self.announcement = a

    def _model(self, topic, payload):
        a = self.announcement
        limit = a.max_frame_bytes if a is not None else self.max_model_frame_bytes
        try:
            h = parse_frame(payload, limit)
        except FrameError as e:
            raise RefusedMessage(topic, f"model frame refused ({e.reason}): {e}") from None
        if (h.kind != KIND_MODEL or h.fleet != self.topics.fleet
                or (self.gateway_id is not None and h.node_id != self.gateway_id)):
            raise RefusedMessage(topic, f"a {KIND_NAMES[h.kind]} frame of fleet {h.fleet} by {h.node_id} on the model topic"
                                        f" (expected a MODEL frame of fleet {self.topics.fleet} by {self.gateway_id})")
        if h.scheme != SCHEME_ED25519 or not h.verify_ed25519(self.gateway_key):
            raise RefusedMessage(topic, f"model frame for round {h.round} is not signed by the gateway's key")
        try:
            h.block()
        except FrameError as e:
            raise RefusedMessage(topic, f"model frame refused: {e}") from None
        self._not_older(topic, "model", h.round)
        self.newest_round_seen = h.round
        self.model_header = h

    def _not_older(self, topic, what, round_):
        if self.newest_round_seen is not None and round_ < self.newest_round_seen:
            raise RefusedMessage(topic, f"{what} of round {round_} is older than round {self.newest_round_seen} already"
                                        " seen (rollback)")

    def _complete(self):
        a, h = self.announcement, self.model_header
        if a is None or h is None or a.round != h.round or (self.current is not None and self.current.round >= a.round):
            return None
        digest = hashlib.sha256(h.block_bytes).hexdigest()
        if digest != a.model_digest:
            raise RefusedMessage(self.topics.model, f"model of round {a.round} has digest {digest}, the announcement says"
                                                    f" {a.model_digest}; waiting for a model that matches")
        if h.model_id != a.model_id or h.dimension != a.dimension:
            raise RefusedMessage(self.topics.model, f"model frame of round {a.round} (model {h.model_id}, dimension"
                                                    f" {h.dimension}) does not match the announcement (model {a.model_id},"
                                                    f" dimension {a.dimension}); waiting")
        block = h.block()
        model = block.decode()
        model.flags.writeable = False
        self.current = RoundStart(a.round, model, block, a)
        return self.current
