package org.qoraedge.gateway.ops;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.qoraedge.gateway.reputation.NodeReputation;
import org.qoraedge.gateway.reputation.ReputationLedger;
import org.qoraedge.gateway.round.CoordinatorStatus;
import org.qoraedge.gateway.round.RoundListener;
import org.qoraedge.gateway.round.RoundReport;

/**
 * The gateway's operations side: its metrics, the health rule, the status page's data and the
 * HTTP endpoint serving them (docs/OPERATIONS.md). Made before the round coordinator (its
 * {@link #listener} must be among the coordinator's), {@link #attach attached} to the running
 * gateway once it started, then {@link #startEndpoint started} when the settings ask for an endpoint.
 */
public final class Operations implements AutoCloseable {
    private final OpsSettings settings;
    private final String fleet;
    private final Set<String> registered;
    private final GatewayMetrics metrics;
    private final RoundHistory history;
    private volatile OpsView view;
    private OpsServer server;

    /** @param registered the key registry's ids */
    public Operations(OpsSettings settings, String fleet, Set<String> registered) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.fleet = fleet;
        this.registered = Set.copyOf(registered);
        this.metrics = new GatewayMetrics(registered, this::health);
        this.history = new RoundHistory(registered);
    }

    /** The round listener that feeds the metrics and the history. */
    public RoundListener listener() {
        return this::roundClosed;
    }

    private void roundClosed(RoundReport report) {
        metrics.roundClosed(report);
        history.roundClosed(report);
        OpsView v = view;
        if (v != null) {
            history.rejectedAtClose(v.status().rejected());
        }
    }

    /** Connects to the running gateway. */
    public void attach(OpsView v) {
        this.view = Objects.requireNonNull(v, "view");
        metrics.attach(v);
    }

    /**
     * Starts the HTTP endpoint when {@code http.port} is set; otherwise does nothing.
     *
     * @throws IOException when the port cannot be bound
     * @throws OpsSettingsException when a password file or the key store cannot be used
     */
    public void startEndpoint() throws IOException {
        if (settings.endpointEnabled() && server == null) {
            server = OpsServer.start(settings, this);
        }
    }

    /** The endpoint's port (0 until it started). */
    public int port() {
        return server == null ? 0 : server.port();
    }

    /** The endpoint's base URL ({@code http://127.0.0.1:PORT}), or null without one. */
    public String url() {
        return server == null ? null : server.url();
    }

    public GatewayMetrics metrics() {
        return metrics;
    }

    public OpsSettings settings() {
        return settings;
    }

    /** The health verdict now ({@link Health}); unhealthy before {@link #attach}. */
    public Health.Report health() {
        OpsView v = view;
        if (v == null) {
            return new Health.Report(false, List.of("the gateway has not started"));
        }
        long now = System.nanoTime();
        long last = v.mqttLastInboundNanos();
        Health.Readings r = new Health.Readings(v.status().running(), now - v.lastStepNanos(), v.mqttConnected(),
                v.mqttInboundObserved(), last == Long.MIN_VALUE ? Long.MAX_VALUE : now - last);
        return Health.judge(r, settings.workerStall(), settings.mqttSilence(v.mqttKeepAliveSeconds()));
    }

    /** A one-line summary for systemd's STATUS= (shown by {@code systemctl status}). */
    public String statusLine() {
        OpsView v = view;
        if (v == null) {
            return "starting";
        }
        CoordinatorStatus s = v.status();
        return "round " + s.round() + ": " + s.accepted() + " accepted; " + s.roundsAggregated() + " aggregated, " + s.roundsFailed()
                + " failed, " + s.rejected() + " rejected since start; MQTT " + (v.mqttConnected() ? "connected" : "disconnected");
    }

    /** The status page's data (docs/OPERATIONS.md, "Status page"). */
    public JsonObject statusJson() {
        JsonObject o = new JsonObject();
        o.addProperty("fleet", fleet);
        o.addProperty("time", System.currentTimeMillis());
        Health.Report h = health();
        o.addProperty("healthy", h.healthy());
        JsonArray problems = new JsonArray();
        h.problems().forEach(problems::add);
        o.add("problems", problems);
        OpsView v = view;
        if (v == null) {
            return o;
        }
        CoordinatorStatus s = v.status();
        JsonObject round = new JsonObject();
        round.addProperty("number", s.round());
        round.addProperty("accepted", s.accepted());
        round.addProperty("rejected", Math.max(0, s.rejected() - history.rejectedAtLastClose()));
        round.addProperty("running", s.running());
        o.add("round", round);
        JsonObject totals = new JsonObject();
        totals.addProperty("aggregated", s.roundsAggregated());
        totals.addProperty("failed", s.roundsFailed());
        totals.addProperty("rejected", s.rejected());
        totals.addProperty("dropped", v.inboxDropped() + v.refusedBeforeDecoding() + v.sinkFailures());
        o.add("totals", totals);
        JsonObject mqtt = new JsonObject();
        mqtt.addProperty("connected", v.mqttConnected());
        mqtt.addProperty("reconnects", Math.max(0, v.mqttConnects() - 1));
        o.add("mqtt", mqtt);
        o.addProperty("auditHead", v.auditHead());
        o.addProperty("modelDigest", s.modelDigest());
        JsonArray rounds = new JsonArray();
        for (RoundHistory.Entry e : history.rounds()) {
            JsonObject r = new JsonObject();
            r.addProperty("round", e.round());
            r.addProperty("outcome", e.aggregated() ? "aggregated" : "failed");
            if (e.failure() != null) {
                r.addProperty("failure", e.failure());
            }
            r.addProperty("accepted", e.accepted());
            r.addProperty("rejected", e.rejected());
            r.addProperty("closeMillis", e.closeMillis());
            r.addProperty("durationMillis", e.durationMillis());
            r.addProperty("deadlineReached", e.deadlineReached());
            r.addProperty("closedAt", e.closedAtMillis());
            rounds.add(r);
        }
        o.add("rounds", rounds);
        JsonArray nodes = new JsonArray();
        ReputationLedger ledger = v.reputation();
        Map<String, NodeReputation> reps = ledger == null ? Map.of() : ledger.entries();
        Map<String, Long> seen = history.lastSeen();
        for (String id : new TreeSet<>(registered)) {
            JsonObject n = new JsonObject();
            n.addProperty("id", id);
            NodeReputation rep = reps.get(id);
            if (rep != null) {
                n.addProperty("reputation", rep.score());
                n.addProperty("banned", rep.banned());
            }
            Long t = seen.get(id);
            if (t != null) {
                n.addProperty("lastSeen", t);
            }
            nodes.add(n);
        }
        o.add("nodes", nodes);
        return o;
    }

    /** Stops the endpoint. */
    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
    }
}
