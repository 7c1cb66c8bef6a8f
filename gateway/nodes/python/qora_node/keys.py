"""A node's credentials file (docs/PROTOCOL.md section 10), as ``qora-edge-gateway keys`` writes
``nodes/<id>.key``::

    # credentials of node node-07; keep private
    node-07 ed25519 <64 hex seed>            (or: node-07 hmac-sha256 <64 hex secret>)
    # the gateway this node trusts
    gateway gateway-ed25519 <64 hex raw public key>

UTF-8 text, one key per line, fields separated by white space, ``#`` starts a comment, keys are
32 bytes of hex (either case). Exactly one node key line; at most one gateway line, which the node
needs (it is the only key it trusts for announcements and MODEL frames).
"""

import re
from dataclasses import dataclass, field

from .errors import KeyFileError, ProtocolError
from .protocol import SCHEME_ED25519, SCHEME_HMAC, Ed25519Signer, HmacSigner, identifier_bytes

GATEWAY_KEY_WORD = "gateway-ed25519"
_SCHEMES = {"hmac-sha256": SCHEME_HMAC, "ed25519": SCHEME_ED25519}
_HEX = re.compile(r"[0-9a-fA-F]*\Z")
# Java's String.split("\\s+") after strip(): ASCII white space separates fields.
_FIELD_SEP = re.compile(r"[ \t\n\x0b\f\r]+")


@dataclass(frozen=True)
class Credentials:
    """A node's id, scheme and 32-byte key, and the pinned gateway (id and raw Ed25519 key)."""

    node_id: str
    scheme: int
    key: bytes = field(repr=False)
    gateway_id: str = None
    gateway_key: bytes = None

    def signer(self):
        return HmacSigner(self.key) if self.scheme == SCHEME_HMAC else Ed25519Signer(self.key)

    @property
    def scheme_name(self):
        return "hmac-sha256" if self.scheme == SCHEME_HMAC else "ed25519"

    def registry_line(self):
        """This node's line in the gateway's registry (the secret for HMAC, the public key for Ed25519)."""
        k = self.key if self.scheme == SCHEME_HMAC else Ed25519Signer(self.key).public_key
        return f"{self.node_id} {self.scheme_name} {k.hex()}"

    def credentials_file(self):
        """The text of a credentials file holding these credentials."""
        out = f"# credentials of node {self.node_id}; keep private\n{self.node_id} {self.scheme_name} {self.key.hex()}\n"
        if self.gateway_key is not None:
            out += f"# the gateway this node trusts\n{self.gateway_id} {GATEWAY_KEY_WORD} {self.gateway_key.hex()}\n"
        return out


def read_credentials(path):
    """Reads a credentials file; see :func:`parse_credentials`."""
    with open(path, "rb") as f:
        data = f.read()
    return parse_credentials(data, str(path))


def parse_credentials(data, where="credentials"):
    """Parses a credentials file's bytes.

    :raises KeyFileError: naming the file and line: not UTF-8, a line without exactly three
        fields, an invalid node or gateway id, an unknown scheme, a key that is not 32 bytes of
        hex, not exactly one node key, a second gateway key
    """
    try:
        text = bytes(data).decode("utf-8", errors="strict")
    except UnicodeDecodeError as e:
        raise KeyFileError(f"{where} is not valid UTF-8 ({e})") from None
    node = None
    nodes = 0
    gateway = None
    # Lines end at \n, \r\n or \r (as Java's readAllLines); other separators are not line breaks.
    for number, line in enumerate(re.split(r"\r\n|\r|\n", text), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = _FIELD_SEP.split(line)
        at = f"{where} line {number}"
        if len(parts) != 3:
            raise KeyFileError(f"{at} has {len(parts)} fields; expected: <node-id> <scheme> <hex key>")
        ident, scheme, hexkey = parts
        try:
            if scheme == GATEWAY_KEY_WORD:
                identifier_bytes("gateway id", ident)
                if gateway is not None:
                    raise KeyFileError(f"{at}: a second gateway key; a credentials file pins exactly one")
                gateway = (ident, _key(hexkey, at))
                continue
            identifier_bytes("node id", ident)
        except ProtocolError as e:
            raise KeyFileError(f"{at}: {e}") from None
        if scheme not in _SCHEMES:
            raise KeyFileError(f"{at}: unknown signature scheme {scheme!r}; expected hmac-sha256 or ed25519")
        nodes += 1
        node = (ident, _SCHEMES[scheme], _key(hexkey, at))
    if nodes != 1:
        raise KeyFileError(f"{where} holds {nodes} node keys; a node's credentials file holds exactly 1")
    if gateway is None:
        return Credentials(*node)
    return Credentials(*node, gateway_id=gateway[0], gateway_key=gateway[1])


def _key(hexkey, at):
    if len(hexkey) % 2 or not _HEX.match(hexkey):
        raise KeyFileError(f"{at}: key is not hex")
    key = bytes.fromhex(hexkey)
    if len(key) != 32:
        raise KeyFileError(f"{at}: key has {len(key)} bytes; keys have 32")
    return key
