package org.qoraedge.fixedpoint.robust;

import org.qoraedge.fixedpoint.FixedPointException;

/**
 * A rule's parameter is below its smallest legal value: {@code f}, {@code b}, {@code l} or
 * {@code h} below 0, centered clipping's {@code L} or Multi-Krum's {@code m} below 1. Refused when
 * the rule is built, before any block is read.
 */
public final class RuleParameterException extends FixedPointException {
    private static final long serialVersionUID = 1L;
    private final String rule;
    private final String parameter;
    private final long value;
    private final long minimum;

    public RuleParameterException(String rule, String parameter, long value, long minimum) {
        super(rule + " needs " + parameter + " >= " + minimum + ", got " + parameter + " = " + value);
        this.rule = rule;
        this.parameter = parameter;
        this.value = value;
        this.minimum = minimum;
    }

    /** The rule's name, such as {@code centered-clip}. */
    public String rule() {
        return rule;
    }

    /** The parameter's name as the spec writes it, such as {@code L}. */
    public String parameter() {
        return parameter;
    }

    /** The value given. */
    public long value() {
        return value;
    }

    /** The smallest value allowed. */
    public long minimum() {
        return minimum;
    }

    static void atLeast(String rule, String parameter, long value, long minimum) {
        if (value < minimum) {
            throw new RuleParameterException(rule, parameter, value, minimum);
        }
    }
}
