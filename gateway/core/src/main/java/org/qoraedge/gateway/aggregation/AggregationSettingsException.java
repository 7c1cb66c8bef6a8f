package org.qoraedge.gateway.aggregation;

import org.qoraedge.gateway.GatewayException;

/** An aggregator, metric or parameter that no round can run with (an unknown name, a negative f). */
public final class AggregationSettingsException extends GatewayException {
    private static final long serialVersionUID = 1L;

    public AggregationSettingsException(String message) {
        super(message);
    }
}
