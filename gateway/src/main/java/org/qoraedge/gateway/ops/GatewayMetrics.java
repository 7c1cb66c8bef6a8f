package org.qoraedge.gateway.ops;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.qoraedge.gateway.protocol.RejectReason;
import org.qoraedge.gateway.reputation.NodeReputation;
import org.qoraedge.gateway.reputation.ReputationLedger;
import org.qoraedge.gateway.round.RoundListener;
import org.qoraedge.gateway.round.RoundReport;

/**
 * The gateway's Prometheus metrics (docs/OPERATIONS.md lists them). Round counters and histograms
 * are updated by {@link #roundClosed} on the round worker; everything else is read from the
 * {@link OpsView} at scrape time. Label sets are bounded: {@code reason} takes the protocol's
 * rejection reasons, {@code node} only the key registry's ids (any other id counts as
 * {@code unregistered}: anyone may publish under any id), {@code where} and the failure reasons a
 * fixed list.
 */
public final class GatewayMetrics implements RoundListener {
    /** The {@code node} label of rejections under an id that is not in the key registry. */
    public static final String UNREGISTERED = "unregistered";

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Set<String> registered;
    private final Counter roundsAggregated;
    private final Counter roundsFailed;
    private final Counter updatesAccepted;
    private final Counter rejections;
    private final Counter nodeRejections;
    private final Histogram closeSeconds;
    private final Histogram collectSeconds;
    private final Histogram roundUpdates;
    private final Gauge lastAggregated;
    private final Info auditHead;
    private volatile OpsView view;

    /** @param registered the key registry's ids: the {@code node} label's values */
    public GatewayMetrics(Set<String> registered, Supplier<Health.Report> health) {
        this.registered = Set.copyOf(registered);
        Objects.requireNonNull(health, "health");
        roundsAggregated = Counter.builder().name("qora_rounds_aggregated_total").help("Rounds that produced a model")
                .register(registry);
        roundsFailed = Counter.builder().name("qora_rounds_failed_total").help("Rounds that failed closed, by reason")
                .labelNames("reason").register(registry);
        for (String r : new String[] {"below-quorum", "internal-error", "other"}) {
            roundsFailed.labelValues(r); // every reason present from the start, at 0, so that rate() sees the first one
        }
        updatesAccepted = Counter.builder().name("qora_updates_accepted_total").help("Updates accepted into closed rounds")
                .register(registry);
        rejections = Counter.builder().name("qora_rejections_total").help("Updates rejected in closed rounds, by reason")
                .labelNames("reason").register(registry);
        for (RejectReason r : RejectReason.values()) {
            rejections.labelValues(r.wireName());
        }
        nodeRejections = Counter.builder().name("qora_node_rejections_total")
                .help("Updates rejected in closed rounds, by node (registry ids; others as unregistered) and reason")
                .labelNames("node", "reason").register(registry);
        closeSeconds = Histogram.builder().name("qora_round_close_seconds").unit(Unit.SECONDS)
                .help("From the round's last accepted update (or its deadline) to the end of its aggregation")
                .classicOnly().classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30).register(registry);
        collectSeconds = Histogram.builder().name("qora_round_collect_seconds").unit(Unit.SECONDS)
                .help("Ingest: from the start of a round's collection to its close")
                .classicOnly().classicUpperBounds(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600).register(registry);
        roundUpdates = Histogram.builder().name("qora_round_updates").help("Ingest: updates accepted per closed round")
                .classicOnly().classicUpperBounds(0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000).register(registry);
        lastAggregated = Gauge.builder().name("qora_round_last_aggregated_timestamp_seconds").unit(Unit.SECONDS)
                .help("Wall-clock time (Unix seconds) the last round that produced a model closed; 0 before one since start")
                .register(registry);
        auditHead = Info.builder().name("qora_audit_head").help("Hash of the last audit record (the chain's head) and its round")
                .labelNames("head").register(registry);

        GaugeWithCallback.builder().name("qora_round_current").help("The round being collected")
                .callback(cb -> withView(v -> cb.call(v.status().round()))).register(registry);
        GaugeWithCallback.builder().name("qora_round_current_accepted").help("Updates accepted so far in the round being collected")
                .callback(cb -> withView(v -> cb.call(v.status().accepted()))).register(registry);
        CounterWithCallback.builder().name("qora_rejections_since_start").help("Rejections since the gateway started, open round included")
                .callback(cb -> withView(v -> cb.call(v.status().rejected()))).register(registry);
        CounterWithCallback.builder().name("qora_dropped").help("Messages lost on the way to the round worker, by where")
                .labelNames("where").callback(cb -> withView(v -> {
                    cb.call(v.inboxDropped(), "inbox-full");
                    cb.call(v.refusedBeforeDecoding(), "refused-before-decoding");
                    cb.call(v.publishFailures(), "publish-failed");
                    cb.call(v.sinkFailures(), "handover-failed");
                })).register(registry);
        GaugeWithCallback.builder().name("qora_inbox_queued").help("Ingest: messages waiting for the round worker")
                .callback(cb -> withView(v -> cb.call(v.inboxQueued()))).register(registry);
        GaugeWithCallback.builder().name("qora_inbox_queued_bytes").unit(Unit.BYTES)
                .help("Ingest: payload bytes waiting for the round worker (at most inbox.maxBytes)")
                .callback(cb -> withView(v -> cb.call(v.inboxQueuedBytes()))).register(registry);
        CounterWithCallback.builder().name("qora_receive_window_waits")
                .help("Ingest: PUBLISH packets whose body waited in the socket for room in the MQTT link's receive window")
                .callback(cb -> withView(v -> cb.call(v.receiveWindowWaits()))).register(registry);
        CounterWithCallback.builder().name("qora_inbox_waits").help("Ingest: QoS 1 messages that found the inbox full and waited for room")
                .callback(cb -> withView(v -> cb.call(v.inboxWaits()))).register(registry);
        GaugeWithCallback.builder().name("qora_round_worker_step_age_seconds").unit(Unit.SECONDS)
                .help("Time since the round worker's last step").callback(cb -> withView(v ->
                        cb.call(Math.max(0, System.nanoTime() - v.lastStepNanos()) / 1e9))).register(registry);
        GaugeWithCallback.builder().name("qora_mqtt_connected").help("1 while the gateway's MQTT link is connected")
                .callback(cb -> withView(v -> cb.call(v.mqttConnected() ? 1 : 0))).register(registry);
        CounterWithCallback.builder().name("qora_mqtt_reconnects").help("Reconnects of the gateway's MQTT link (connects after the first)")
                .callback(cb -> withView(v -> cb.call(Math.max(0, v.mqttConnects() - 1)))).register(registry);
        GaugeWithCallback.builder().name("qora_mqtt_inbound_age_seconds").unit(Unit.SECONDS)
                .help("Time since the MQTT link last received a byte from the broker").callback(cb -> withView(v -> {
                    long last = v.mqttLastInboundNanos();
                    if (v.mqttInboundObserved() && last != Long.MIN_VALUE) {
                        cb.call(Math.max(0, System.nanoTime() - last) / 1e9);
                    }
                })).register(registry);
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        GaugeWithCallback.builder().name("qora_jvm_heap_used_bytes").unit(Unit.BYTES).help("Heap in use (live and not yet collected)")
                .callback(cb -> cb.call(memory.getHeapMemoryUsage().getUsed())).register(registry);
        List<MemoryPoolMXBean> heapPools = new ArrayList<>();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.isCollectionUsageThresholdSupported()) {
                heapPools.add(pool);
            }
        }
        GaugeWithCallback.builder().name("qora_jvm_heap_live_bytes").unit(Unit.BYTES)
                .help("Live heap: what the last garbage collection of each heap pool left in it").callback(cb -> {
                    long live = 0;
                    for (MemoryPoolMXBean pool : heapPools) {
                        MemoryUsage u = pool.getCollectionUsage();
                        live += u == null ? 0 : u.getUsed();
                    }
                    cb.call(live);
                }).register(registry);
        GaugeWithCallback.builder().name("qora_jvm_heap_max_bytes").unit(Unit.BYTES).help("Largest heap the JVM may use (-Xmx)")
                .callback(cb -> cb.call(memory.getHeapMemoryUsage().getMax())).register(registry);
        GaugeWithCallback.builder().name("qora_node_reputation").help("Reputation score per node, 0 to 1,000,000 (ppm)")
                .labelNames("node").callback(cb -> withView(v -> {
                    ReputationLedger l = v.reputation();
                    if (l != null) {
                        for (Map.Entry<String, NodeReputation> e : l.entries().entrySet()) {
                            if (registered.contains(e.getKey())) {
                                cb.call(e.getValue().score(), e.getKey());
                            }
                        }
                    }
                })).register(registry);
        GaugeWithCallback.builder().name("qora_node_banned").help("1 for each node the reputation ledger bans")
                .labelNames("node").callback(cb -> withView(v -> {
                    ReputationLedger l = v.reputation();
                    if (l != null) {
                        for (Map.Entry<String, NodeReputation> e : l.entries().entrySet()) {
                            if (registered.contains(e.getKey())) {
                                cb.call(e.getValue().banned() ? 1 : 0, e.getKey());
                            }
                        }
                    }
                })).register(registry);
        GaugeWithCallback.builder().name("qora_nodes_banned").help("Nodes the reputation ledger bans")
                .callback(cb -> withView(v -> {
                    ReputationLedger l = v.reputation();
                    long n = 0;
                    if (l != null) {
                        for (NodeReputation r : l.entries().values()) {
                            n += r.banned() ? 1 : 0;
                        }
                    }
                    cb.call(n);
                })).register(registry);
        GaugeWithCallback.builder().name("qora_healthy").help("1 while the gateway is healthy (docs/OPERATIONS.md, Health)")
                .callback(cb -> withView(v -> cb.call(health.get().healthy() ? 1 : 0))).register(registry);
    }

    private void withView(Consumer<OpsView> read) {
        OpsView v = view;
        if (v != null) {
            read.accept(v);
        }
    }

    /** Connects the scrape-time metrics to a running gateway (before that they are absent). */
    public void attach(OpsView v) {
        this.view = Objects.requireNonNull(v, "view");
        auditHead.setLabelValues(v.auditHead());
    }

    /** The registry to scrape. */
    public PrometheusRegistry registry() {
        return registry;
    }

    /** On the round worker, after the round's audit record is committed. */
    @Override
    public void roundClosed(RoundReport report) {
        if (report.aggregated()) {
            roundsAggregated.inc();
            lastAggregated.set(System.currentTimeMillis() / 1000.0);
        } else {
            roundsFailed.labelValues(failureReason(report.failure())).inc();
        }
        updatesAccepted.inc(report.acceptedIds().size());
        for (Map.Entry<RejectReason, Long> e : report.rejected().entrySet()) {
            rejections.labelValues(e.getKey().wireName()).inc(e.getValue());
        }
        for (Map.Entry<String, Map<RejectReason, Long>> n : report.rejectedByNode().entrySet()) {
            String node = registered.contains(n.getKey()) ? n.getKey() : UNREGISTERED;
            for (Map.Entry<RejectReason, Long> e : n.getValue().entrySet()) {
                nodeRejections.labelValues(node, e.getKey().wireName()).inc(e.getValue());
            }
        }
        closeSeconds.observe(report.closeNanos() / 1e9);
        collectSeconds.observe(Math.max(0, report.durationNanos() - report.closeNanos()) / 1e9);
        roundUpdates.observe(report.acceptedIds().size());
        OpsView v = view;
        if (v != null) {
            auditHead.setLabelValues(v.auditHead());
        }
    }

    /** The bounded label of a failure text ({@code below quorum: 2 accepted updates, ...} is {@code below-quorum}). */
    static String failureReason(String failure) {
        if (failure == null) {
            return "other";
        }
        if (failure.startsWith("below quorum")) {
            return "below-quorum";
        }
        if (failure.startsWith("internal-error")) {
            return "internal-error";
        }
        return "other";
    }
}
