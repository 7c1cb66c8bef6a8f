package org.qoraedge.devicesim.report;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.qoraedge.devicesim.attack.Attacks;
import org.qoraedge.devicesim.sim.AggregatorSpec;
import org.qoraedge.devicesim.sim.RoundRecord;
import org.qoraedge.devicesim.sim.SimConfig;
import org.qoraedge.devicesim.sim.SimResult;

/**
 * The JSON report of a run. Top-level keys: {@code format} (this layout's version), {@code transport}
 * ({@code in-process}), {@code config}, {@code byzantine} (ids), {@code initialAccuracy},
 * {@code rounds} (each {@code round}, {@code accuracy}, {@code loss}, {@code selected},
 * {@code byzantineSelected}, {@code rejected} (reason to count), {@code closeMillis},
 * {@code aggregateExponent}), {@code finalAccuracy}, {@code divergedAtRound} (null when the run did
 * not diverge), {@code wallMillis}. Accuracies are fractions in [0, 1]; a non-finite loss is null.
 */
public final class JsonReport {
    /** Version of the layout above. */
    public static final int FORMAT = 1;

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    private JsonReport() {
    }

    public static JsonObject toJson(SimResult r) {
        JsonObject o = new JsonObject();
        o.addProperty("format", FORMAT);
        o.addProperty("transport", "in-process");
        o.add("config", config(r.config(), r));
        JsonArray byz = new JsonArray();
        r.byzantineIds().forEach(byz::add);
        o.add("byzantine", byz);
        o.addProperty("initialAccuracy", r.initialAccuracy());
        JsonArray rounds = new JsonArray();
        for (RoundRecord rec : r.rounds()) {
            rounds.add(round(rec));
        }
        o.add("rounds", rounds);
        o.addProperty("finalAccuracy", r.finalAccuracy());
        if (r.divergedAtRound() > 0) {
            o.addProperty("divergedAtRound", r.divergedAtRound());
        } else {
            o.add("divergedAtRound", JsonNull.INSTANCE);
        }
        o.addProperty("wallMillis", r.wallMillis());
        return o;
    }

    static JsonObject config(SimConfig c, SimResult r) {
        JsonObject o = new JsonObject();
        o.addProperty("dataset", c.dataset());
        o.addProperty("model", r.modelName());
        o.addProperty("parameters", r.parameterCount());
        o.addProperty("nodes", c.nodes());
        o.addProperty("byzantineCount", c.byzantine());
        o.addProperty("attack", c.attackFree() ? SimConfig.NO_ATTACK : Attacks.create(c.attack()).spec());
        o.addProperty("aggregator", c.aggregator().id());
        if (c.aggregator().metric() != null) {
            o.addProperty("metric", c.aggregator().metric().name());
            o.addProperty("krumF", c.effectiveKrumF());
        }
        if (c.aggregator().rule() == AggregatorSpec.Rule.MULTI_KRUM) {
            o.addProperty("multiKrumM", c.aggregator().selectionSize(c.nodes(), c.effectiveKrumF()));
        }
        o.addProperty("rounds", c.rounds());
        o.addProperty("localEpochs", c.training().epochs());
        o.addProperty("batchSize", c.training().batchSize());
        o.addProperty("learningRate", c.training().learningRate());
        o.addProperty("serverLearningRate", 1);
        o.addProperty("partition", c.partition().toString());
        o.addProperty("seed", c.seed());
        return o;
    }

    static JsonObject round(RoundRecord rec) {
        JsonObject o = new JsonObject();
        o.addProperty("round", rec.round());
        o.addProperty("accuracy", rec.accuracy());
        if (Double.isFinite(rec.loss())) {
            o.addProperty("loss", rec.loss());
        } else {
            o.add("loss", JsonNull.INSTANCE);
        }
        JsonArray sel = new JsonArray();
        rec.selected().forEach(sel::add);
        o.add("selected", sel);
        o.addProperty("byzantineSelected", rec.byzantineSelected());
        JsonObject rej = new JsonObject();
        for (Map.Entry<String, Integer> e : new TreeMap<>(rec.rejected()).entrySet()) {
            rej.addProperty(e.getKey(), e.getValue());
        }
        o.add("rejected", rej);
        o.addProperty("closeMillis", Math.rint(rec.closeMillis() * 1000) / 1000);
        o.addProperty("aggregateExponent", rec.aggregateExponent());
        if (rec.updateBytes() > 0) {
            o.addProperty("updateBytes", rec.updateBytes());
        }
        return o;
    }

    public static String toJsonString(SimResult r) {
        return GSON.toJson(toJson(r)) + "\n";
    }

    /** Writes the report to {@code file} (atomically: complete or absent). */
    public static void write(SimResult r, Path file) throws IOException {
        ReportFiles.writeString(file, toJsonString(r));
    }

    /** Writes {@code o} (a report extended by its caller) to {@code file}, atomically. */
    public static void write(JsonObject o, Path file) throws IOException {
        ReportFiles.writeString(file, pretty(o));
    }

    static String pretty(JsonObject o) {
        return GSON.toJson(o) + "\n";
    }
}
