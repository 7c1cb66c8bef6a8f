"""Qora Edge node for Python: BFP-16 encoding, signed frames and the round loop over MQTT.

Speaks docs/PROTOCOL.md version 1 with a Qora Edge gateway; uses only Debian's
``python3-numpy``, ``python3-nacl`` and ``python3-paho-mqtt``.
"""

from .bfp16 import Block, decode, encode, encode_bits, zeros
from .errors import (BlockError, EmptyInputError, FrameError, InvalidBlockError, KeyFileError, NonFiniteInputError,
                     ProtocolError, PublishError, QoraError, RefusedMessage, RoundError)
from .keys import Credentials, parse_credentials, read_credentials
from .node import Node, RoundTimeout
from .protocol import Announcement, RejectionNotice, Topics, encode_frame, parse_frame
from .rounds import RoundStart, RoundTracker

__all__ = [
    "Announcement", "Block", "BlockError", "Credentials", "EmptyInputError", "FrameError", "InvalidBlockError",
    "KeyFileError", "Node", "NonFiniteInputError", "ProtocolError", "PublishError", "QoraError", "RefusedMessage",
    "RejectionNotice", "RoundError", "RoundStart", "RoundTimeout", "RoundTracker", "Topics", "decode", "encode",
    "encode_bits", "encode_frame", "parse_credentials", "parse_frame", "read_credentials", "zeros",
]
