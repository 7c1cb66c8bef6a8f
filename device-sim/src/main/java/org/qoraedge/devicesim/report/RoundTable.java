package org.qoraedge.devicesim.report;

import java.io.PrintStream;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.qoraedge.devicesim.sim.RoundRecord;
import org.qoraedge.devicesim.sim.SimResult;

/**
 * The per-round table: round, test accuracy, Byzantine selected / selected, frames rejected, close
 * latency, the selected ids (shortened to their numbers: {@code node-07} prints as 07, and as
 * {@code 07*} when it is Byzantine; a count beyond 32) and, last, the rejections by reason (so that
 * a long list of reasons does not push the other columns).
 */
public final class RoundTable {
    /** Selections longer than this print as a count. */
    private static final int MAX_LISTED = 32;

    private RoundTable() {
    }

    public static String header() {
        return String.format(Locale.ROOT, "%5s  %8s  %9s  %8s  %9s  %s", "round", "accuracy", "byz/sel", "rejected",
                "close ms", "selected (* Byzantine); then the rejections by reason");
    }

    /** One round's line; ids in {@code byzantine} are marked with a {@code *}. */
    public static String row(RoundRecord r, Collection<String> byzantine) {
        int rejected = r.rejected().values().stream().mapToInt(Integer::intValue).sum();
        return String.format(Locale.ROOT, "%5d  %7.2f%%  %4d/%-4d  %8d  %9.1f  %s%s", r.round(), 100 * r.accuracy(),
                r.byzantineSelected(), r.selected().size(), rejected, r.closeMillis(), selected(r, byzantine),
                rejected == 0 ? "" : "  [" + rejected(r.rejected()) + "]");
    }

    /** Prints the header, every round, and a one-line summary. */
    public static void print(SimResult result, PrintStream out) {
        out.println(header());
        for (RoundRecord r : result.rounds()) {
            out.println(row(r, result.byzantineIds()));
        }
        out.println(summary(result));
    }

    public static String summary(SimResult r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "final accuracy %.2f%% (start %.2f%%) after %d rounds; %s, %s, %d of %d nodes"
                + " Byzantine; Byzantine selected %d times; %d ms", 100 * r.finalAccuracy(), 100 * r.initialAccuracy(),
                r.rounds().size(), r.config().attackFree() ? "no attack" : r.config().attack(),
                r.config().aggregator().id(), r.byzantineIds().size(), r.config().nodes(), r.totalByzantineSelected(),
                r.wallMillis()));
        if (r.divergedAtRound() > 0) {
            sb.append("; DIVERGED: honest training produced NaN/infinity in round ").append(r.divergedAtRound());
        }
        return sb.toString();
    }

    private static String rejected(Map<String, Integer> rej) {
        if (rej.isEmpty()) {
            return "-";
        }
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Integer> e : new TreeMap<>(rej).entrySet()) {
            sb.append(sb.length() == 0 ? "" : " ").append(e.getKey()).append('=').append(e.getValue());
        }
        return sb.toString();
    }

    private static String selected(RoundRecord r, Collection<String> byzantine) {
        if (r.selected().size() > MAX_LISTED) {
            return "(" + r.selected().size() + " nodes)";
        }
        StringBuilder sb = new StringBuilder();
        for (String id : r.selected()) {
            sb.append(sb.length() == 0 ? "" : " ").append(id.startsWith("node-") ? id.substring(5) : id)
                    .append(byzantine.contains(id) ? "*" : "");
        }
        return sb.toString();
    }
}
