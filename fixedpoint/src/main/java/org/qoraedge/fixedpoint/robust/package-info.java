/**
 * The robust aggregator catalogue of the robust spec ({@code docs/spec/ROBUST.md}), as a
 * straightforward, exact reference: coordinate-wise
 * {@link org.qoraedge.fixedpoint.robust.Median} and
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
 *
 * <p>The averaging aggregators ({@link org.qoraedge.fixedpoint.robust.Mean},
 * {@link org.qoraedge.fixedpoint.robust.MultiKrum}, {@link org.qoraedge.fixedpoint.robust.CenteredClip})
 * are {@link org.qoraedge.fixedpoint.robust.WeightedAggregator}s: a pipeline ending in one of them takes
 * one integer weight per block (for instance from each node's reputation). The exact semantics, an
 * extension of the spec, are on {@link org.qoraedge.fixedpoint.robust.Pipeline} ("Weighted rounds");
 * the other aggregators refuse weights ({@link org.qoraedge.fixedpoint.robust.RuleWeightsException}).
 */
package org.qoraedge.fixedpoint.robust;
