package org.qoraedge.fixedpoint.robust;

/**
 * One step of a {@link Pipeline}: a {@link PreStep} (blocks to blocks) or the final
 * {@link Aggregator} (blocks to one block). Implementations are immutable and safe to share
 * between threads; their parameters are checked when they are built.
 *
 * <p>{@link #toString()} writes the rule with its parameters, such as {@code norm-screen(l=1, h=1)}:
 * the form an audit record carries.
 */
public interface Step {
    /** The rule's name as the spec writes it: {@code norm-screen}, {@code nnm}, {@code mean}, ... */
    String name();
}
