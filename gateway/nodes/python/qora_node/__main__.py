"""``python3 -m qora_node``: a node that takes part in N rounds with a small logistic regression.

Each node holds its own synthetic data set (drawn from a generator seeded by its node id, labels
from one fixed linear rule shared by every node), takes one gradient step of logistic regression
from the global model each round, and publishes the step as its update. One line per round on
stdout::

    round=3 node=node-07 model=<digest> loss=0.512345 update=<digest> sequence=1763750400000123

``model`` is the digest (spec section 7) of the global model the round started from, ``loss`` the
node's loss on its own data at that model, ``update`` the digest of the block it published.
"""

import argparse
import hashlib
import logging
import sys
import time

import numpy as np

from .bfp16 import encode
from .errors import QoraError
from .node import Node

_TASK_SEED = 20240614


def synthetic_data(node_id, dimension, samples):
    """The node's own data: features drawn from a generator seeded by its id (the last one is a
    constant 1, the bias, when ``dimension > 1``); labels from one linear rule every node shares."""
    seed = int.from_bytes(hashlib.sha256(node_id.encode("utf-8")).digest()[:8], "big")
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((samples, dimension))
    if dimension > 1:
        x[:, -1] = 1.0
    w_true = np.random.default_rng(_TASK_SEED).standard_normal(dimension)
    y = (x @ w_true + 0.5 * rng.standard_normal(samples) > 0).astype(np.float64)
    return x, y


def train_step(model, x, y, lr):
    """One gradient step of logistic regression from ``model``: returns (loss at ``model``, delta)."""
    w = np.asarray(model, dtype=np.float64)
    z = np.clip(x @ w, -30.0, 30.0)
    p = 1.0 / (1.0 + np.exp(-z))
    eps = 1e-12
    loss = float(-np.mean(y * np.log(p + eps) + (1.0 - y) * np.log(1.0 - p + eps)))
    grad = x.T @ (p - y) / len(y)
    return loss, (-lr * grad).astype(np.float32)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python3 -m qora_node", description=__doc__.split("\n\n")[0])
    ap.add_argument("--key", required=True, help="the node's credentials file (qora-edge-gateway keys writes nodes/<id>.key)")
    ap.add_argument("--broker", default="tcp://127.0.0.1:1883", help="tcp://host:port or ssl://host:port (default %(default)s)")
    ap.add_argument("--fleet", default="default", help="the gateway's fleet (default %(default)s)")
    ap.add_argument("--rounds", type=int, default=1, help="rounds to take part in (default %(default)s)")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for each round (default %(default)s)")
    ap.add_argument("--samples", type=int, default=64, help="size of the node's synthetic data set (default %(default)s)")
    ap.add_argument("--lr", type=float, default=0.5, help="learning rate (default %(default)s)")
    ap.add_argument("--ca-certs", help="CA file for ssl:// (default: the system's)")
    ap.add_argument("--username", help="MQTT user name")
    ap.add_argument("--password", help="MQTT password")
    ap.add_argument("--linger", type=float, default=0.0,
                    help="seconds to keep listening for rejection notices after the last update (default %(default)s)")
    args = ap.parse_args(argv)
    if args.rounds < 1 or args.samples < 1:
        ap.error("--rounds and --samples must be >= 1")
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="%(name)s: %(message)s")
    try:
        node = Node.from_key_file(args.key, broker=args.broker, fleet=args.fleet, ca_certs=args.ca_certs,
                                  username=args.username, password=args.password,
                                  connect_timeout=args.timeout)
        seen = 0
        with node:
            data = None
            for _ in range(args.rounds):
                rnd = node.await_round(timeout=args.timeout)
                if data is None or data[0].shape[1] != rnd.dimension:
                    data = synthetic_data(node.node_id, rnd.dimension, args.samples)
                loss, delta = train_step(rnd.model, data[0], data[1], args.lr)
                update = encode(delta)
                sequence = node.publish(update, rnd)
                seen = _print_rejections(node, seen)
                print(f"round={rnd.round} node={node.node_id} model={rnd.model_digest} loss={loss:.6f}"
                      f" update={update.digest()} sequence={sequence}", flush=True)
            end = time.monotonic() + args.linger
            while time.monotonic() < end:
                node.poll(end - time.monotonic())
            _print_rejections(node, seen)
    except (QoraError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


def _print_rejections(node, seen):
    notices = node.rejections()
    for n in notices[seen:]:
        print(f"rejected round={n.round} frameRound={n.frame_round} sequence={n.sequence} reason={n.reason}"
              f" detail={n.detail}", flush=True)
    return len(notices)


if __name__ == "__main__":
    sys.exit(main())
