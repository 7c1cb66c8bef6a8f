/**
 * Fast exact Krum and Multi-Krum: bit for bit the results of {@link org.qoraedge.fixedpoint.krum.Krum}
 * (scores, ranking, selection, aggregate, digests, refusals), computed with one sum of squares per
 * block and one integer dot product per unordered pair (spec section 4's identity), cache-blocked,
 * register-tiled, parallel and, where the JVM allows, vectorized; and the other robust rules, bit for
 * bit those of {@code org.qoraedge.fixedpoint.robust}.
 *
 * <h2>Entry points</h2>
 * <ul>
 * <li>{@link org.qoraedge.fixedpoint.fast.FastKrum}: a whole round at once ({@code distances},
 *     {@code krum}, {@code multiKrum}), blocks in canonical order.</li>
 * <li>{@link org.qoraedge.fixedpoint.fast.RoundBuffer}: blocks added as they arrive (dot products
 *     computed on arrival), closed with the canonical order of the slots; what a gateway's round
 *     worker uses.</li>
 * <li>{@link org.qoraedge.fixedpoint.fast.FastMeans}: exact (weighted) means without a
 *     {@code BigInteger} per coordinate.</li>
 * <li>{@link org.qoraedge.fixedpoint.fast.FastRobust}: coordinate-wise median and trimmed mean, norm
 *     screening, nearest-neighbour mixing and centered clipping on a whole round; a
 *     {@link org.qoraedge.fixedpoint.fast.RoundBuffer} also screens and mixes from what it computed on
 *     arrival.</li>
 * <li>{@link org.qoraedge.fixedpoint.fast.FastPipeline}: a whole pipeline, unweighted or with one
 *     integer weight per block (weighted mean, Multi-Krum and centered clipping; see
 *     {@link org.qoraedge.fixedpoint.robust.Pipeline}, "Weighted rounds").</li>
 * <li>{@link org.qoraedge.fixedpoint.fast.Parallelism}: how many threads, on whose executor.</li>
 * </ul>
 *
 * <h2>Vector kernels</h2>
 * The inner loops use JDK 17's incubating Vector API when the JVM is started with
 * {@code --add-modules jdk.incubator.vector} on x86_64 or aarch64 (the JVM then prints
 * {@code WARNING: Using incubator modules: jdk.incubator.vector} on start). A jar's manifest cannot
 * add an incubator module; {@code java --add-modules jdk.incubator.vector -jar ...}, or the
 * environment variable {@code JDK_JAVA_OPTIONS=--add-modules=jdk.incubator.vector}, does. Without the
 * module (or on armhf, or with {@code -Dqora.vector=false}) the scalar kernels run; the results are
 * the same. {@link org.qoraedge.fixedpoint.fast.FastKrum#vectorized()} and
 * {@link org.qoraedge.fixedpoint.fast.FastKrum#implementation()} say which are in use.
 *
 * <p>Exactness: the kernels multiply and add integer-valued doubles and never leave the range where
 * doubles are exact integers; the argument is written out in {@code Kernels} and {@link
 * org.qoraedge.fixedpoint.fast.FastMeans}.
 *
 * <p>Tuning (benchmarks only, never needed for correctness): {@code -Dqora.fast.chunk} (coordinates
 * per chunk of the whole-round path, default 512), {@code -Dqora.fast.columnBytes} (bytes of rows
 * per column block, default 768 KiB) and {@code -Dqora.fast.selectKeys} (keys per chunk of the median
 * and trimmed mean, default 32768).
 */
package org.qoraedge.fixedpoint.fast;
