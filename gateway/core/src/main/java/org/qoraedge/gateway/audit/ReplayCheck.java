package org.qoraedge.gateway.audit;

/**
 * One comparison of a replay: a field of the audit record (or a fact about the kept frames) and
 * what the record says against what the frames and the recomputation give. Immutable.
 *
 * @param field the field's name, e.g. {@code scores} or {@code frames.accepted} (see {@link Replay})
 * @param status whether the two agree
 * @param recorded what the audit record says (or what it implies, e.g. the record's fleet for the journal's)
 * @param replayed what the kept frames and the recomputation give
 * @param note where the two differ first, why the field was not checked, or a remark on a match; ""
 *     when there is nothing to add
 */
public record ReplayCheck(String field, Status status, String recorded, String replayed, String note) {

    /** The outcome of one comparison. */
    public enum Status {
        /** Equal, bit for bit. */
        MATCH,
        /** Different: the record does not describe these frames, or this machine computes otherwise. */
        MISMATCH,
        /** Not compared (no node keys given, or an earlier difference makes the comparison meaningless). */
        NOT_CHECKED
    }

    public ReplayCheck {
        if (field == null || status == null || recorded == null || replayed == null || note == null) {
            throw new IllegalArgumentException("replay check fields must not be null: " + field);
        }
    }

    static ReplayCheck compare(String field, String recorded, String replayed, String noteIfDifferent) {
        boolean same = recorded.equals(replayed);
        return new ReplayCheck(field, same ? Status.MATCH : Status.MISMATCH, recorded, replayed, same ? "" : noteIfDifferent);
    }

    static ReplayCheck notChecked(String field, String why) {
        return new ReplayCheck(field, Status.NOT_CHECKED, "", "", why);
    }

    public boolean matches() {
        return status == Status.MATCH;
    }

    public boolean mismatch() {
        return status == Status.MISMATCH;
    }

    /**
     * The check as one line: {@code field: match VALUE [(NOTE)]}, {@code field: MISMATCH recorded A, replayed
     * B; NOTE} or {@code field: not checked (WHY)}.
     */
    public String line() {
        switch (status) {
            case MATCH:
                return field + ": match " + shown(recorded) + (note.isEmpty() ? "" : " (" + note + ")");
            case MISMATCH:
                return field + ": MISMATCH recorded " + shown(recorded) + ", replayed " + shown(replayed)
                        + (note.isEmpty() ? "" : "; " + note);
            default:
                return field + ": not checked (" + note + ")";
        }
    }

    /** An empty value as {@code ""}, so that a line never ends in a bare separator. */
    private static String shown(String v) {
        return v.isEmpty() ? "\"\"" : v;
    }
}
