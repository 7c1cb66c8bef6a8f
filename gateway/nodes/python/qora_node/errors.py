"""The package's exceptions: one small hierarchy, each message naming the offending value."""


class QoraError(Exception):
    """Base of every error this package raises on purpose."""


class BlockError(QoraError):
    """A vector the encoder refuses, or a block spec section 1 refuses."""


class EmptyInputError(BlockError):
    """No values to encode (``d = 0``)."""


class NonFiniteInputError(BlockError):
    """A NaN or an infinity in the encoder's input (spec section 2, step 1).

    :ivar index: the first offending index
    :ivar bits: its float32 bit pattern
    """

    def __init__(self, index, bits):
        kind = "NaN" if bits & 0x007F_FFFF else ("-infinity" if bits & 0x8000_0000 else "+infinity")
        super().__init__(f"value {index} is {kind} (bits {bits:08x}); BFP-16 encodes finite values only")
        self.index = index
        self.bits = bits


class InvalidBlockError(BlockError):
    """A block outside spec section 1: ``d = 0``, ``e`` outside [-126, 113], a mantissa -32768."""


class ProtocolError(QoraError):
    """A message that breaks docs/PROTOCOL.md: identifiers, text messages, frames."""


class FrameError(ProtocolError):
    """A frame refused while reading it; ``reason`` is the wire name of PROTOCOL.md section 5."""

    def __init__(self, reason, message):
        super().__init__(message)
        self.reason = reason


class RefusedMessage(ProtocolError):
    """A round announcement or MODEL frame the node refused (unsigned, forged, another fleet or
    gateway, a rollback, malformed). ``topic`` is where it came."""

    def __init__(self, topic, message):
        super().__init__(message)
        self.topic = topic


class KeyFileError(QoraError):
    """A credentials file that does not follow docs/PROTOCOL.md section 10."""


class RoundError(QoraError):
    """An update that does not fit the round (no round yet, wrong dimension), or a timeout."""


class PublishError(QoraError):
    """An update the broker did not acknowledge."""
