package org.qoraedge.devicesim.model;

import java.util.Locale;

/** Builds a model from its name, as the command line and the reports spell it. */
public final class Models {
    /** Hidden units of {@code mlp} when the name gives none. */
    public static final int DEFAULT_HIDDEN = 64;

    private Models() {
    }

    /**
     * {@code logreg} (or {@code logistic}), {@code mlp} (64 hidden units), or {@code mlp-N} /
     * {@code mlp:N} for N hidden units.
     *
     * @throws ModelShapeException for an unknown name or a bad hidden size
     */
    public static Model create(String spec, int numFeatures, int numClasses) {
        String s = spec.trim().toLowerCase(Locale.ROOT);
        if (s.equals("logreg") || s.equals("logistic")) {
            return new LogisticRegression(numFeatures, numClasses);
        }
        if (s.equals("mlp")) {
            return new Mlp(numFeatures, DEFAULT_HIDDEN, numClasses);
        }
        if (s.startsWith("mlp-") || s.startsWith("mlp:")) {
            String n = s.substring(4);
            try {
                return new Mlp(numFeatures, Integer.parseInt(n), numClasses);
            } catch (NumberFormatException e) {
                throw new ModelShapeException("model " + spec + ": hidden size '" + n + "' is not an integer");
            }
        }
        throw new ModelShapeException("unknown model '" + spec + "'; known: logreg, mlp, mlp-N");
    }
}
