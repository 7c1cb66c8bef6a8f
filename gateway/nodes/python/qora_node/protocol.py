"""Wire formats of docs/PROTOCOL.md, version 1: identifiers (section 2), topics (3), frames (4),
text messages and round announcements (6), signed text (6.1) and rejection notices (7)."""

import hashlib
import hmac
import re
import struct
from dataclasses import dataclass

import nacl.exceptions
import nacl.signing

from .bfp16 import Block
from .errors import FrameError, InvalidBlockError, ProtocolError

PROTOCOL = 1
MAGIC = b"QORA"
VERSION = 1
KIND_UPDATE = 1
KIND_MODEL = 2
SCHEME_HMAC = 1
SCHEME_ED25519 = 2
#: Signature length per scheme byte.
SIGNATURE_BYTES = {SCHEME_HMAC: 32, SCHEME_ED25519: 64}
#: Scheme names as key files write them.
SCHEME_NAMES = {SCHEME_HMAC: "hmac-sha256", SCHEME_ED25519: "ed25519"}
KIND_NAMES = {KIND_UPDATE: "UPDATE", KIND_MODEL: "MODEL"}
MAX_ID_BYTES = 64
#: Longest text payload a reader accepts (as the JVM reader).
MAX_TEXT_BYTES = 64 * 1024
TOPIC_ROOT = "qora/v1/"
#: Rejection reasons (PROTOCOL.md section 5), in the order the gateway checks them.
REJECT_REASONS = ("oversize", "bad-magic", "bad-version", "malformed", "sparse-count", "sparse-varint",
                  "sparse-unsorted", "sparse-index-range", "sparse-trailing", "wrong-kind", "wrong-fleet",
                  "topic-mismatch", "unknown-node", "bad-signature", "banned", "wrong-round", "stale-update",
                  "not-in-cohort", "replayed-sequence", "wrong-dimension", "wrong-model", "duplicate-update",
                  "invalid-block", "too-dense")

_LONG_MAX = (1 << 63) - 1
_DECIMAL = re.compile(r"[+-]?[0-9]+\Z")
_LOWER_HEX_SIG = re.compile(rb"[0-9a-f]{128}\Z")
_SIGNED_TEXT_CONTEXT = b"qora-signed-text/1\n"
_SIGNATURE_MARK = b"\nsignature="


# ----------------------------------------------------------------------------------------------
# Identifiers (section 2)

def identifier_bytes(what, ident):
    """Validates an identifier (fleet, node id, model id, gateway id) and returns its UTF-8 bytes.

    1 to 64 bytes of valid UTF-8, no control character (U+0000-U+001F, U+007F-U+009F), none of
    ``/ + #``, no character from U+FDD0 up (every character outside the Basic Multilingual Plane
    included).
    """
    if not isinstance(ident, str):
        raise ProtocolError(f"{what} must be a str, got {type(ident).__name__}")
    if not ident:
        raise ProtocolError(f"{what} is not a valid identifier: it is empty")
    try:
        raw = ident.encode("utf-8")
    except UnicodeEncodeError:
        raise ProtocolError(f"{what} {ident!r} is not valid Unicode (lone surrogate)") from None
    if len(raw) > MAX_ID_BYTES:
        raise ProtocolError(f"{what} {ident!r} has {len(raw)} UTF-8 bytes; at most {MAX_ID_BYTES}")
    for ch in ident:
        cp = ord(ch)
        if ch in "/+#":
            raise ProtocolError(f"{what} {ident!r} contains {ch!r}, which MQTT topics reserve")
        if cp <= 0x1F or 0x7F <= cp <= 0x9F or cp >= 0xFDD0:
            raise ProtocolError(f"{what} {ident!r} contains U+{cp:04X}, which the MQTT client cannot put in a topic"
                                " (characters from U+FDD0 up and control characters)")
    return raw


def identifier_from_bytes(what, raw):
    try:
        ident = bytes(raw).decode("utf-8", errors="strict")
    except UnicodeDecodeError:
        raise ProtocolError(f"{what} is not a valid identifier: its bytes are not valid UTF-8 ({len(raw)} bytes)") from None
    identifier_bytes(what, ident)
    return ident


# ----------------------------------------------------------------------------------------------
# Topics (section 3)

class Topics:
    """The topic tree of one fleet, all under ``qora/v1/{fleet}/``."""

    def __init__(self, fleet):
        identifier_bytes("fleet", fleet)
        self.fleet = fleet
        self.prefix = TOPIC_ROOT + fleet + "/"

    @property
    def round(self):
        return self.prefix + "round"

    @property
    def model(self):
        return self.prefix + "model"

    @property
    def gateway_status(self):
        return self.prefix + "gateway/status"

    @property
    def audit(self):
        return self.prefix + "audit"

    def update(self, node_id):
        return self.prefix + "update/" + _level(node_id)

    def reject(self, node_id):
        return self.prefix + "reject/" + _level(node_id)

    def birth(self, node_id):
        return self.prefix + "birth/" + _level(node_id)

    def death(self, node_id):
        return self.prefix + "death/" + _level(node_id)


def _level(node_id):
    identifier_bytes("node id", node_id)
    return node_id


# ----------------------------------------------------------------------------------------------
# Signing

class HmacSigner:
    """HMAC-SHA256 (RFC 2104) with a node's 32-byte secret."""

    scheme = SCHEME_HMAC

    def __init__(self, secret):
        if len(secret) != 32:
            raise ValueError(f"an hmac-sha256 secret has 32 bytes, got {len(secret)}")
        self._secret = bytes(secret)

    def sign(self, data):
        return hmac.new(self._secret, data, hashlib.sha256).digest()

    def verify(self, data, signature):
        return hmac.compare_digest(self.sign(data), bytes(signature))


class Ed25519Signer:
    """Ed25519 (RFC 8032, pure) from a 32-byte seed."""

    scheme = SCHEME_ED25519

    def __init__(self, seed):
        if len(seed) != 32:
            raise ValueError(f"an ed25519 seed has 32 bytes, got {len(seed)}")
        self._key = nacl.signing.SigningKey(bytes(seed))

    @property
    def public_key(self):
        """The raw 32-byte public key (what the gateway's registry holds)."""
        return bytes(self._key.verify_key)

    def sign(self, data):
        return self._key.sign(bytes(data)).signature


def ed25519_verify(public_key, data, signature):
    """True when ``signature`` is a valid Ed25519 signature of ``data`` under the raw ``public_key``."""
    try:
        nacl.signing.VerifyKey(bytes(public_key)).verify(bytes(data), bytes(signature))
        return True
    except (nacl.exceptions.BadSignatureError, nacl.exceptions.ValueError, ValueError):
        return False


# ----------------------------------------------------------------------------------------------
# Frames (section 4)

def max_frame_size(dimension):
    """The largest frame of a round of dimension ``d``: ``291 + 2d`` bytes."""
    return 291 + 2 * dimension


def encode_frame(kind, fleet, node_id, round_, sequence, model_id, block, signer):
    """Builds and signs a frame; ``signer`` decides the scheme byte (and signs it too)."""
    if kind not in KIND_NAMES:
        raise ProtocolError(f"unknown frame kind {kind}")
    if not isinstance(block, Block):
        raise TypeError(f"a frame carries a Block, got {type(block).__name__}")
    if not 0 <= round_ <= _LONG_MAX:
        raise ProtocolError(f"round {round_} is outside [0, 2^63 - 1]")
    if not 1 <= sequence <= _LONG_MAX:
        raise ProtocolError(f"sequence {sequence} is outside [1, 2^63 - 1]")
    parts = [MAGIC, bytes([VERSION, kind, signer.scheme, 0])]
    for what, ident in (("fleet", fleet), ("node id", node_id)):
        raw = identifier_bytes(what, ident)
        parts += [bytes([len(raw)]), raw]
    parts.append(struct.pack(">QQ", round_, sequence))
    raw = identifier_bytes("model id", model_id)
    parts += [bytes([len(raw)]), raw, block.to_bytes()]
    body = b"".join(parts)
    return body + signer.sign(body)


@dataclass(frozen=True)
class FrameHeader:
    """A frame whose structure has been checked; the block is built only by :meth:`block`."""

    payload: bytes
    kind: int
    scheme: int
    fleet: str
    node_id: str
    round: int
    sequence: int
    model_id: str
    exponent: int
    dimension: int
    block_offset: int
    signature_offset: int

    @property
    def signed_bytes(self):
        return self.payload[:self.signature_offset]

    @property
    def signature(self):
        return self.payload[self.signature_offset:]

    @property
    def block_bytes(self):
        """The spec section 7 layout of the block (its SHA-256 is the block digest)."""
        return self.payload[self.block_offset:self.signature_offset]

    def block(self):
        """Builds the block; :class:`FrameError` ``invalid-block`` for one section 1 refuses."""
        try:
            return Block.from_bytes(self.block_bytes)
        except InvalidBlockError as e:
            raise FrameError("invalid-block", f"frame from {self.node_id} round {self.round}: {e}") from None

    def verify_ed25519(self, public_key):
        return self.scheme == SCHEME_ED25519 and ed25519_verify(public_key, self.signed_bytes, self.signature)

    def verify_hmac(self, secret):
        return self.scheme == SCHEME_HMAC and HmacSigner(secret).verify(self.signed_bytes, self.signature)


def parse_frame(payload, max_bytes):
    """Checks a frame's structure and reads its header, in the order of the JVM reader: length
    against ``max_bytes`` first, then magic, version, and every length field against the payload
    before it is used.

    :raises FrameError: with reason ``oversize``, ``bad-magic``, ``bad-version`` or ``malformed``
    """
    p = bytes(payload)
    n = len(p)
    if n > max_bytes:
        raise FrameError("oversize", f"frame has {n} bytes; at most {max_bytes} allowed")
    if n < 4 or p[:4] != MAGIC:
        raise FrameError("bad-magic", f"frame does not start with the magic bytes QORA ({n} bytes)")
    if n < 5 or p[4] != VERSION:
        raise FrameError("bad-version", f"frame version is {p[4] if n >= 5 else 'missing'}; this code speaks {VERSION}")
    if n < 9:
        raise _malformed(f"frame is truncated in its fixed header: {n} bytes")
    kind, scheme, flags = p[5], p[6], p[7]
    if kind not in KIND_NAMES:
        raise _malformed(f"unknown frame kind {kind}")
    if scheme not in SIGNATURE_BYTES:
        raise _malformed(f"unknown signature scheme {scheme}")
    if flags != 0:
        raise _malformed(f"flags byte is {flags}; version 1 requires 0")
    pos = 8
    fleet, pos = _identifier(p, pos, "fleet")
    node_id, pos = _identifier(p, pos, "node id")
    _need(p, pos, 16, "round and sequence")
    round_, sequence = struct.unpack_from(">QQ", p, pos)
    if round_ > _LONG_MAX:
        raise _malformed(f"round field has its top bit set ({round_}); rounds are below 2^63")
    if not 1 <= sequence <= _LONG_MAX:
        raise _malformed(f"sequence field is {sequence}; sequences are in [1, 2^63 - 1]")
    pos += 16
    model_id, pos = _identifier(p, pos, "model id")
    _need(p, pos, 8, "block header")
    e, d = struct.unpack_from(">ii", p, pos)
    block_offset = pos
    pos += 8
    if d < 1:
        raise _malformed(f"block dimension field is {d}; it must be >= 1")
    expected = pos + 2 * d + SIGNATURE_BYTES[scheme]
    if expected != n:
        raise _malformed(f"frame of dimension {d} with {SCHEME_NAMES[scheme]} must have {expected} bytes, has {n}")
    return FrameHeader(p, kind, scheme, fleet, node_id, round_, sequence, model_id, e, d, block_offset,
                       n - SIGNATURE_BYTES[scheme])


def _identifier(p, pos, what):
    _need(p, pos, 1, what + " length")
    k = p[pos]
    if not 1 <= k <= MAX_ID_BYTES:
        raise _malformed(f"{what} length is {k}; it must be in [1, {MAX_ID_BYTES}]")
    _need(p, pos + 1, k, what)
    try:
        ident = identifier_from_bytes(what, p[pos + 1:pos + 1 + k])
    except ProtocolError as e:
        raise _malformed(str(e)) from None
    return ident, pos + 1 + k


def _need(p, offset, count, what):
    if offset + count > len(p):
        raise _malformed(f"frame is truncated in its {what} (needs {count} bytes at offset {offset}, has {len(p)} in all)")


def _malformed(message):
    return FrameError("malformed", message)


# ----------------------------------------------------------------------------------------------
# Text messages (section 6) and signed text (section 6.1)

def parse_text(payload):
    """UTF-8 lines ``key=value`` ended by ``\\n``; refuses invalid UTF-8, a line without a key and
    ``=``, a key given twice, more than 64 KiB. Returns a dict in the order given."""
    if len(payload) > MAX_TEXT_BYTES:
        raise ProtocolError(f"text message has {len(payload)} bytes; at most {MAX_TEXT_BYTES}")
    try:
        s = bytes(payload).decode("utf-8", errors="strict")
    except UnicodeDecodeError:
        raise ProtocolError("text message is not valid UTF-8") from None
    out = {}
    for line in s.split("\n"):
        if not line:
            continue
        eq = line.find("=")
        if eq <= 0:
            raise ProtocolError(f"text message line has no key=value form: {line!r}")
        key = line[:eq]
        if key in out:
            raise ProtocolError(f"text message gives key {key!r} twice")
        out[key] = line[eq + 1:]
    return out


def format_text(fields):
    """The payload of a text message: one ``key=value\\n`` line per field, in order."""
    return "".join(f"{k}={str(v).replace(chr(10), ' ').replace(chr(13), ' ')}\n" for k, v in fields.items()).encode("utf-8")


def _require(fields, key):
    v = fields.get(key)
    if v is None:
        raise ProtocolError(f"text message lacks key {key!r}")
    return v


def _require_int(fields, key, lo=-(1 << 63), hi=_LONG_MAX):
    v = _require(fields, key)
    if not _DECIMAL.match(v):
        raise ProtocolError(f"text message key {key!r} is not an integer: {v!r}")
    n = int(v)
    if not lo <= n <= hi:
        raise ProtocolError(f"text message key {key!r} = {n} is outside [{lo}, {hi}]")
    return n


def signed_text_data(topic, body):
    """What the gateway signs: ``"qora-signed-text/1\\n" || topic || "\\n" || body``."""
    return _SIGNED_TEXT_CONTEXT + topic.encode("utf-8") + b"\n" + bytes(body)


def sign_text(topic, body, signer):
    """``body`` (complete lines) with the signature line appended (what a gateway publishes)."""
    if signer.scheme != SCHEME_ED25519:
        raise ValueError("the gateway signs text with ed25519")
    if not body or body[-1:] != b"\n":
        raise ValueError("a signed text body must end with a line break")
    sig = signer.sign(signed_text_data(topic, body))
    return bytes(body) + b"signature=" + sig.hex().encode("ascii") + b"\n"


def verify_signed_text(topic, payload, gateway_key):
    """Checks the last line ``signature=<128 lower-case hex>`` of a payload received on ``topic``
    against the gateway's raw Ed25519 key; returns the signed body (the payload without that line).

    :raises ProtocolError: naming what is wrong (unsigned, malformed signature line, not signed
        by that key)
    """
    p = bytes(payload)
    start = _signature_line_start(p)
    if start < 0:
        raise ProtocolError(f"message on {topic} is not signed (no last line 'signature=...')")
    hex_part = p[start + len(b"signature="):-1]
    if len(hex_part) != 128:
        raise ProtocolError(f"message on {topic} has a malformed signature line (expected 128 hex digits and a line break)")
    if not _LOWER_HEX_SIG.match(hex_part):
        raise ProtocolError(f"message on {topic} has a signature that is not lowercase hex")
    if not ed25519_verify(gateway_key, signed_text_data(topic, p[:start]), bytes.fromhex(hex_part.decode("ascii"))):
        raise ProtocolError(f"message on {topic} is not signed by the gateway's key")
    return p[:start]


def _signature_line_start(p):
    if len(p) < len(_SIGNATURE_MARK) + 1 or p[-1:] != b"\n":
        return -1
    i = p.rfind(b"\n", 0, len(p) - 1)
    if i < 0 or not p.startswith(_SIGNATURE_MARK, i):
        return -1
    return i + 1


@dataclass(frozen=True)
class Announcement:
    """A round announcement (section 6)."""

    fleet: str
    round: int
    model_id: str
    dimension: int
    max_frame_bytes: int
    deadline_millis: int
    aggregator: str
    metric: str
    f: int
    m: int
    model_digest: str
    gateway_id: str

    @classmethod
    def parse(cls, body):
        """Reads the signed body (without its signature line); refuses another protocol version or a
        missing field. Unknown keys are ignored."""
        t = parse_text(body)
        protocol = _require_int(t, "protocol")
        if protocol != PROTOCOL:
            raise ProtocolError(f"announcement has protocol={protocol}; this code speaks {PROTOCOL}")
        i32 = (-(1 << 31), (1 << 31) - 1)
        return cls(_require(t, "fleet"), _require_int(t, "round"), _require(t, "model"), _require_int(t, "dimension", *i32),
                   _require_int(t, "maxFrameBytes"), _require_int(t, "deadline"), _require(t, "aggregator"),
                   _require(t, "metric"), _require_int(t, "f", *i32), _require_int(t, "m", *i32),
                   _require(t, "modelDigest"), _require(t, "gateway"))

    def to_text(self):
        """The announcement's body, as the gateway writes it (before the signature line)."""
        return format_text({"protocol": PROTOCOL, "fleet": self.fleet, "round": self.round, "model": self.model_id,
                            "dimension": self.dimension, "maxFrameBytes": self.max_frame_bytes,
                            "deadline": self.deadline_millis, "aggregator": self.aggregator, "metric": self.metric,
                            "f": self.f, "m": self.m, "modelDigest": self.model_digest, "gateway": self.gateway_id})


@dataclass(frozen=True)
class RejectionNotice:
    """What the gateway tells a node whose signed frame it refused (section 7). Not signed: it is
    information, never a reason to act on anything but logging."""

    round: int
    frame_round: int
    sequence: int
    reason: str
    detail: str

    @classmethod
    def parse(cls, payload):
        t = parse_text(payload)
        return cls(_require_int(t, "round"), _require_int(t, "frameRound"), _require_int(t, "sequence"),
                   _require(t, "reason"), _require(t, "detail"))
