"""A node over MQTT 3.1.1 with paho-mqtt 1.6: the Python counterpart of the JVM ``NodeClient``."""

import logging
import queue
import socket
import ssl
import threading
import time
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt

from .bfp16 import Block, encode
from .errors import PublishError, RefusedMessage, RoundError
from .keys import read_credentials
from .protocol import KIND_UPDATE, MAX_TEXT_BYTES, RejectionNotice, Topics, encode_frame, format_text
from .rounds import DEFAULT_MAX_MODEL_FRAME_BYTES, RoundStart, RoundTracker

log = logging.getLogger("qora_node")

_INBOX_CAPACITY = 1024


class RoundTimeout(RoundError, TimeoutError):
    """No round (or no newer round) arrived in time."""


class Node:
    """One node's connection to its gateway's fleet.

    ::

        node = Node.from_key_file("nodes/node-07.key", broker="tcp://127.0.0.1:1883", fleet="plant-3")
        with node:                              # connects; closes on exit
            rnd = node.await_round()            # RoundStart: .round, .model (float32 array), ...
            node.publish(delta)                 # float32 update (trained model - rnd.model), QoS 1

    Messages are handed by paho's network thread to a bounded queue and processed in the calling
    thread, inside :meth:`await_round`, :meth:`poll` and :meth:`rejections`: paho's thread does no
    work and never sees an exception. Methods may be called from any thread.

    Refused messages (see :class:`~qora_node.rounds.RoundTracker`) are logged at WARNING on the
    ``qora_node`` logger, counted in :attr:`refused_messages` and kept in :attr:`refusals`; a
    :class:`RoundTimeout` names them, so a node shown only forged rounds says so.
    """

    def __init__(self, credentials, broker="tcp://127.0.0.1:1883", fleet="default", *, client_id=None,
                 gateway_key=None, username=None, password=None, ca_certs=None, connect_timeout=30.0,
                 publish_timeout=30.0, initial_sequence=None, max_model_frame_bytes=DEFAULT_MAX_MODEL_FRAME_BYTES):
        """
        :param credentials: a :class:`~qora_node.keys.Credentials` with the pinned gateway key
        :param broker: ``tcp://host:port`` or ``ssl://host:port``
        :param fleet: the fleet, the topic level after ``qora/v1/`` (the gateway's ``fleet`` key)
        :param gateway_key: the gateway's raw Ed25519 public key, instead of the pinned one (then
            the gateway id is not checked)
        :param ca_certs: CA file for ``ssl://`` (default: the system's trust store)
        :param initial_sequence: first sequence number (>= 1); default the time in microseconds
        """
        self.credentials = credentials
        self.topics = Topics(fleet)
        self.node_id = credentials.node_id
        pinned = gateway_key if gateway_key is not None else credentials.gateway_key
        gateway_id = None if gateway_key is not None else credentials.gateway_id
        self._tracker = RoundTracker(self.topics, self.node_id, pinned, gateway_id, max_model_frame_bytes)
        self._signer = credentials.signer()
        self._publish_timeout = publish_timeout
        self._connect_timeout = connect_timeout
        if initial_sequence is not None and initial_sequence < 1:
            raise ValueError(f"initial sequence must be >= 1, got {initial_sequence}")
        self._sequence = (initial_sequence - 1) if initial_sequence else time.time_ns() // 1000
        self._lock = threading.RLock()
        self._inbox = queue.Queue(_INBOX_CAPACITY)
        self._connected = threading.Event()
        self._last_returned = None
        self._connect_error = None
        self.refused_messages = 0
        self.refusals = []
        self.dropped_messages = 0
        self._client = self._make_client(broker, fleet, client_id, username, password, ca_certs)

    @classmethod
    def from_key_file(cls, path, broker="tcp://127.0.0.1:1883", fleet="default", **options):
        """A node from its credentials file (``qora-edge-gateway keys`` writes ``nodes/<id>.key``)."""
        return cls(read_credentials(path), broker, fleet, **options)

    # -- connection ------------------------------------------------------------------------------

    def _make_client(self, broker, fleet, client_id, username, password, ca_certs):
        u = urlsplit(broker)
        if u.scheme not in ("tcp", "ssl") or not u.hostname:
            raise ValueError(f"broker must be tcp://host:port or ssl://host:port, got {broker!r}")
        self._host = u.hostname
        self._port = u.port or (8883 if u.scheme == "ssl" else 1883)
        c = mqtt.Client(client_id=client_id or f"qora-node-{fleet}-{self.node_id}", clean_session=True,
                        protocol=mqtt.MQTTv311)
        death = format_text({"node": self.node_id, "state": "offline"})
        c.will_set(self.topics.death(self.node_id), death, qos=1, retain=False)
        if username is not None:
            c.username_pw_set(username, password)
        if u.scheme == "ssl":
            c.tls_set(ca_certs=ca_certs, cert_reqs=ssl.CERT_REQUIRED)
        c.reconnect_delay_set(1, 5)
        c.on_connect = self._on_connect
        c.on_disconnect = self._on_disconnect
        c.on_message = self._on_message
        c.on_socket_open = _no_delay
        return c

    def connect(self):
        """Connects (the first connect retried with backoff, 100 ms doubling to 5 s, until the
        connect timeout) and subscribes to the round, model and own reject topics; the retained
        announcement and model arrive shortly after. Reconnects by itself later (1 s doubling to 5 s).

        :raises ConnectionError: naming the broker and the last error
        """
        deadline = time.monotonic() + self._connect_timeout
        delay = 0.1
        while True:
            try:
                self._client.connect(self._host, self._port, keepalive=30)
                break
            except OSError as e:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise ConnectionError(f"node {self.node_id} could not connect to {self._host}:{self._port} within"
                                          f" {self._connect_timeout} s: {e}") from e
                time.sleep(min(delay, left))
                delay = min(delay * 2, 5.0)
        self._client.loop_start()
        if not self._connected.wait(max(deadline - time.monotonic(), 1.0)):
            self.close()
            raise ConnectionError(f"node {self.node_id}: the broker at {self._host}:{self._port} did not accept the connection"
                                  f" within {self._connect_timeout} s" + (f" ({self._connect_error})" if self._connect_error else ""))
        return self

    def close(self):
        """Disconnects cleanly (no Will) and stops the network thread."""
        try:
            self._client.disconnect()
        finally:
            self._client.loop_stop()

    def __enter__(self):
        if not self._connected.is_set():
            self.connect()
        return self

    def __exit__(self, *exc):
        self.close()

    # Paho's thread: hand over only, never raise.
    def _on_connect(self, client, userdata, flags, rc):
        try:
            if rc != 0:
                self._connect_error = mqtt.connack_string(rc)
                return
            client.subscribe([(self.topics.round, 1), (self.topics.model, 1), (self.topics.reject(self.node_id), 1)])
            birth = format_text({"node": self.node_id, "state": "online", "session": int(time.time() * 1000)})
            client.publish(self.topics.birth(self.node_id), birth, qos=1)
            self._connected.set()
        except Exception as e:  # noqa: BLE001 - paho's thread must not see an exception
            self._connect_error = repr(e)

    def _on_disconnect(self, client, userdata, rc):
        self._connected.clear()

    def _on_message(self, client, userdata, message):
        try:
            topic = message.topic
            payload = message.payload
            limit = max(self._tracker.max_model_frame_bytes, MAX_TEXT_BYTES)
            if len(payload) > limit:
                with self._lock:
                    self.refused_messages += 1
                return
            self._inbox.put_nowait((topic, bytes(payload)))
        except queue.Full:
            with self._lock:
                self.dropped_messages += 1
        except Exception:  # noqa: BLE001 - e.g. a topic that is not UTF-8: refuse it
            with self._lock:
                self.refused_messages += 1

    # -- rounds ----------------------------------------------------------------------------------

    def poll(self, timeout=0.0):
        """Processes the messages that have arrived (waiting up to ``timeout`` s for the first);
        returns the newest :class:`RoundStart` that started, or None."""
        started = None
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            try:
                topic, payload = self._inbox.get(timeout=left) if left > 0 else self._inbox.get_nowait()
            except queue.Empty:
                return started
            with self._lock:
                try:
                    out = self._tracker.handle(topic, payload)
                except RefusedMessage as e:
                    self.refused_messages += 1
                    self.refusals.append(e)
                    log.warning("node %s: refused a message on %s: %s", self.node_id, topic, e)
                    continue
            if isinstance(out, RoundStart):
                started = out
            elif isinstance(out, RejectionNotice):
                log.warning("node %s: gateway rejected the update of round %d (sequence %d) while collecting round %d:"
                            " %s: %s", self.node_id, out.frame_round, out.sequence, out.round, out.reason, out.detail)
            deadline = min(deadline, time.monotonic())  # after the first message, drain without waiting

    def current_round(self):
        """The latest round whose announcement and model have both arrived (after processing what
        has arrived), or None."""
        self.poll()
        return self._tracker.current

    def await_round(self, min_round=None, timeout=60.0):
        """Waits for a round numbered at least ``min_round`` (default: one above the round this
        method last returned, or any round the first time) whose signed announcement and model have
        both arrived, and returns its :class:`RoundStart`.

        :raises RoundTimeout: when none came in time, naming the latest round and what was refused
        """
        if min_round is None:
            min_round = 0 if self._last_returned is None else self._last_returned + 1
        deadline = time.monotonic() + timeout
        refused_before = len(self.refusals)
        while True:
            self.poll()
            cur = self._tracker.current
            if cur is not None and cur.round >= min_round:
                self._last_returned = cur.round
                return cur
            left = deadline - time.monotonic()
            if left <= 0:
                refused = self.refusals[refused_before:]
                raise RoundTimeout(
                    f"node {self.node_id} saw no round" + (f" >= {min_round}" if min_round > 0 else "") + f" within {timeout} s"
                    + (f" (no round yet: is {self.topics.fleet!r} the gateway's fleet?)" if cur is None
                       else f" (latest: {cur.round})")
                    + ("" if self._connected.is_set() else f"; not connected to {self._host}:{self._port}")
                    + (f"; refused {len(refused)} message(s), the last: {refused[-1]}" if refused else ""))
            self.poll(min(left, 0.5))

    def rejections(self):
        """Rejection notices received so far, oldest first (after processing what has arrived)."""
        self.poll()
        with self._lock:
            return list(self._tracker.rejections)

    # -- updates ---------------------------------------------------------------------------------

    def next_sequence(self):
        with self._lock:
            self._sequence += 1
            return self._sequence

    def encode_update(self, delta, start=None):
        """This node's signed UPDATE frame for the round ``start`` (default: the current round) with
        the next sequence number; ``delta`` is a float array (encoded here, spec section 2) or a
        :class:`Block`. Does not publish."""
        start = start or self._tracker.current
        if start is None:
            raise RoundError(f"node {self.node_id} has no round yet: call await_round() first")
        block = delta if isinstance(delta, Block) else encode(delta)
        if block.dimension != start.dimension:
            raise RoundError(f"update from {self.node_id} has {block.dimension} coordinates, round {start.round} expects"
                             f" {start.dimension}")
        return encode_frame(KIND_UPDATE, self.topics.fleet, self.node_id, start.round, self.next_sequence(),
                            start.model_id, block, self._signer)

    def publish(self, delta, start=None):
        """Publishes the update ``delta`` (trained model minus global model) for the round
        ``start`` (default: the current round) with QoS 1 and waits for the broker's
        acknowledgement. Returns the sequence number used.

        :raises RoundError: no round yet, or a dimension other than the round's
        :raises PublishError: when the broker did not acknowledge within the publish timeout
        """
        frame = self.encode_update(delta, start)
        self.publish_raw(self.topics.update(self.node_id), frame)
        return _sequence_of(frame)

    def publish_raw(self, topic, payload):
        """Publishes any payload with QoS 1 and waits for the acknowledgement (for devices that
        build their own frames, and tests)."""
        deadline = time.monotonic() + self._publish_timeout
        if not self._connected.wait(self._publish_timeout):
            raise PublishError(f"node {self.node_id} is not connected to {self._host}:{self._port}; could not publish"
                               f" {len(payload)} bytes on {topic}")
        info = self._client.publish(topic, bytes(payload), qos=1, retain=False)
        try:
            info.wait_for_publish(max(0.0, deadline - time.monotonic()))
            ok = info.is_published()
        except (RuntimeError, ValueError) as e:
            raise PublishError(f"node {self.node_id} could not publish {len(payload)} bytes on {topic}: {e}") from None
        if not ok:
            raise PublishError(f"node {self.node_id}: the broker did not acknowledge {len(payload)} bytes on {topic}"
                               f" within {self._publish_timeout} s")


def _sequence_of(frame):
    """The sequence field of a frame this node built (offset 18 + F + N)."""
    f = frame[8]
    n = frame[9 + f]
    off = 10 + f + n + 8
    return int.from_bytes(frame[off:off + 8], "big")


def _no_delay(client, userdata, sock):
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except (OSError, AttributeError):
        pass
