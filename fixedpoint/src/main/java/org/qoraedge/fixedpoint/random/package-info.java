/**
 * Seeded random numbers for test data and simulation ({@link org.qoraedge.fixedpoint.random.SplitMix64}),
 * fixed bit for bit by this code on every CPU and JVM. Not for the aggregation path, which draws no
 * random number.
 */
package org.qoraedge.fixedpoint.random;
