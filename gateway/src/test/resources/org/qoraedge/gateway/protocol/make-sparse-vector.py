#!/usr/bin/env python3
"""Writes sparse-update-v1.bin, the golden SPARSE UPDATE frame of docs/PROTOCOL.md section 12,
from the field values alone, with Python's struct and hmac modules (independent of the Java code).

Layout (section 4.1): the UPDATE header up to the model id, then e, d, k as big-endian int32, the
indices as unsigned LEB128 varints (first absolute, then the difference to the previous index),
the k mantissas as big-endian int16, then HMAC-SHA256 over every byte before it.
"""
import hashlib
import hmac
import struct
import sys

KEY = bytes(range(32))
FLEET, NODE, MODEL = b"demo", b"node-03", b"mnist-lr"
ROUND, SEQUENCE = 7, 44
E, D = -10, 300
INDICES = [2, 3, 130, 299]
MANTISSAS = [1, -2, 32767, -32767]


def leb128(v):
    out = bytearray()
    while True:
        byte = v & 0x7F
        v >>= 7
        if v:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


body = b"QORA" + bytes([1, 3, 1, 0])
body += bytes([len(FLEET)]) + FLEET + bytes([len(NODE)]) + NODE
body += struct.pack(">QQ", ROUND, SEQUENCE)
body += bytes([len(MODEL)]) + MODEL
body += struct.pack(">iii", E, D, len(INDICES))
prev = None
for i in INDICES:
    body += leb128(i if prev is None else i - prev)
    prev = i
body += b"".join(struct.pack(">h", m) for m in MANTISSAS)
frame = body + hmac.new(KEY, body, hashlib.sha256).digest()
out = sys.argv[1] if len(sys.argv) > 1 else "sparse-update-v1.bin"
with open(out, "wb") as f:
    f.write(frame)
print(len(body), len(frame), frame.hex())
