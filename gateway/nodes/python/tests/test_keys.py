"""Credentials files (docs/PROTOCOL.md section 10) as the gateway's keys command writes them."""

import os
import tempfile
import unittest

from qora_node import KeyFileError, parse_credentials, read_credentials
from qora_node.protocol import SCHEME_ED25519, SCHEME_HMAC

SEED = "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
PUBLIC = "29acbae141bccaf0b22e1a94d34d0bc7361e526d0bfe12c89794bc9322966dd7"
GATEWAY = "3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29"

# The text NodeCredentials.credentialsFile() writes (gateway/core, KeyFiles and NodeCredentials).
WRITTEN = (f"# credentials of node node-02; keep private\nnode-02 ed25519 {SEED}\n"
           f"# the gateway this node trusts\ngateway gateway-ed25519 {GATEWAY}\n")


class CredentialsTest(unittest.TestCase):
    def test_reads_an_ed25519_node_with_its_pinned_gateway_from_a_file(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "node-02.key")
            with open(path, "w", encoding="utf-8") as f:
                f.write(WRITTEN)
            c = read_credentials(path)
        self.assertEqual(("node-02", SCHEME_ED25519, SEED), (c.node_id, c.scheme, c.key.hex()))
        self.assertEqual(("gateway", GATEWAY), (c.gateway_id, c.gateway_key.hex()))
        self.assertEqual(f"node-02 ed25519 {PUBLIC}", c.registry_line(), "the registry holds the public key")
        self.assertEqual(WRITTEN, c.credentials_file())

    def test_reads_an_hmac_node_with_upper_case_hex_tabs_comments_and_crlf(self):
        text = f"  pump-7\thmac-sha256   {SEED.upper()}  # secret\r\n\r\ngw-1 gateway-ed25519 {GATEWAY}\r\n"
        c = parse_credentials(text.encode())
        self.assertEqual(("pump-7", SCHEME_HMAC, SEED, "gw-1"), (c.node_id, c.scheme, c.key.hex(), c.gateway_id))
        self.assertEqual(f"pump-7 hmac-sha256 {SEED}", c.registry_line(), "the registry holds the secret")

    def test_a_file_without_a_gateway_line_parses_but_pins_nothing(self):
        c = parse_credentials(f"n ed25519 {SEED}\n".encode())
        self.assertIsNone(c.gateway_key)

    def test_refusals_name_the_file_and_line(self):
        gw = f"gateway gateway-ed25519 {GATEWAY}\n"
        cases = {
            "no node key": (gw, "holds 0 node keys"),
            "two node keys": (f"a ed25519 {SEED}\nb ed25519 {SEED}\n" + gw, "holds 2 node keys"),
            "a second gateway key": (f"a ed25519 {SEED}\n" + gw + gw, "line 3: a second gateway key"),
            "four fields": (f"a ed25519 {SEED} extra\n", "line 1 has 4 fields"),
            "unknown scheme": (f"a rsa {SEED}\n", "unknown signature scheme 'rsa'"),
            "not hex": (f"a ed25519 {SEED[:-1]}g\n", "key is not hex"),
            "31 bytes": (f"a ed25519 {SEED[:-2]}\n", "key has 31 bytes"),
            "bad node id": (f"a/b ed25519 {SEED}\n", "contains '/'"),
            "bad gateway id": (f"a ed25519 {SEED}\n\ng+w gateway-ed25519 {GATEWAY}\n", "line 3: gateway id"),
        }
        for name, (text, message) in cases.items():
            with self.subTest(name):
                with self.assertRaises(KeyFileError) as r:
                    parse_credentials(text.encode(), "n.key")
                self.assertIn("n.key", str(r.exception))
                self.assertIn(message, str(r.exception))
        with self.assertRaises(KeyFileError) as r:
            parse_credentials(b"a ed25519 \xff\n", "n.key")
        self.assertIn("not valid UTF-8", str(r.exception))


if __name__ == "__main__":
    unittest.main()
