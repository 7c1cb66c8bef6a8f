/**
 * The robust aggregator catalogue of {@code robust-aggregators.md}, as a straightforward, exact
 * reference: coordinate-wise {@link org.qoraedge.fixedpoint.robust.Median} and
 * {@link org.qoraedge.fixedpoint.robust.TrimmedMean}, two-sided
 * {@link org.qoraedge.fixedpoint.robust.NormScreen}, nearest-neighbour mixing
 * ({@link org.qoraedge.fixedpoint.robust.Nnm}), {@link org.qoraedge.fixedpoint.robust.CenteredClip}
 * with exact {@link org.qoraedge.fixedpoint.robust.Clipping}, the {@link org.qoraedge.fixedpoint.robust.Mean},
 * {@link org.qoraedge.fixedpoint.robust.Krum} and {@link org.qoraedge.fixedpoint.robust.MultiKrum}
 * steps, and the {@link org.qoraedge.fixedpoint.robust.Pipeline} that chains them.
 *
 * <p>Every rule is an immutable step object whose parameters are checked when it is built, and a
 * static {@code reference(...)} method holding the exact computation (big integers throughout):
 * the oracle a faster implementation of the same {@link org.qoraedge.fixedpoint.robust.PreStep},
 * {@link org.qoraedge.fixedpoint.robust.Screen} or {@link org.qoraedge.fixedpoint.robust.Aggregator}
 * interface is checked against. Refusals are {@link org.qoraedge.fixedpoint.FixedPointException}s
 * that carry their numbers; nothing falls back.
 */
package org.qoraedge.fixedpoint.robust;
