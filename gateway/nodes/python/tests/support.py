"""Shared test helpers: the repository's files, and a gateway that signs like the JVM one."""

import os

import nacl.signing
import numpy as np

from qora_node import bfp16
from qora_node.protocol import KIND_MODEL, Announcement, Ed25519Signer, Topics, encode_frame, max_frame_size, sign_text


def repo_root():
    d = os.path.dirname(os.path.abspath(__file__))
    while d != os.path.dirname(d):
        if os.path.isfile(os.path.join(d, "docs", "PROTOCOL.md")):
            return d
        d = os.path.dirname(d)
    raise FileNotFoundError("docs/PROTOCOL.md not found above " + os.path.dirname(os.path.abspath(__file__)))


def repo_file(*parts):
    return os.path.join(repo_root(), *parts)


class FakeGateway:
    """Signs announcements and MODEL frames as the gateway does (PROTOCOL.md sections 4, 6, 6.1)."""

    def __init__(self, fleet="demo", gateway_id="gateway", seed=b"\x07" * 32):
        self.topics = Topics(fleet)
        self.gateway_id = gateway_id
        self.signer = Ed25519Signer(seed)
        self.public_key = self.signer.public_key

    def announcement(self, round_, block, model_id="m", fleet=None, gateway_id=None, digest=None, signer=None, topic=None):
        a = Announcement(fleet or self.topics.fleet, round_, model_id, block.dimension, max_frame_size(block.dimension),
                         1795000000000, "centered-clip(1, 3)", "none", 0, 0, digest or block.digest(),
                         gateway_id or self.gateway_id)
        return sign_text(topic or self.topics.round, a.to_text(), signer or self.signer)

    def model(self, round_, block, model_id="m", fleet=None, gateway_id=None, signer=None, kind=KIND_MODEL):
        return encode_frame(kind, fleet or self.topics.fleet, gateway_id or self.gateway_id, round_, round_ + 1, model_id,
                            block, signer or self.signer)


def other_signer():
    return Ed25519Signer(bytes(nacl.signing.SigningKey(b"\x09" * 32)))


def block_of(values):
    return bfp16.encode(np.asarray(values, dtype=np.float32))
