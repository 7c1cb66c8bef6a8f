package org.qoraedge.gateway.round;

/**
 * A snapshot of the coordinator for status displays.
 *
 * @param round the round being collected (or next to be announced)
 * @param accepted updates accepted in that round so far
 * @param rejected rejections since start
 * @param dropped messages dropped because the inbox was full
 * @param roundsAggregated rounds that produced a model
 * @param roundsFailed rounds that failed closed
 * @param modelDigest digest of the current global model
 * @param running whether the worker runs
 */
public record CoordinatorStatus(long round, int accepted, long rejected, long dropped, long roundsAggregated,
        long roundsFailed, String modelDigest, boolean running) {
}
