package org.qoraedge.gateway.mqtt;

import org.qoraedge.gateway.GatewayException;

/** MQTT settings no connection can be made with: a broker URI of another scheme, a client id MQTT refuses, a size limit out of range. */
public final class MqttSettingsException extends GatewayException {
    private static final long serialVersionUID = 1L;

    public MqttSettingsException(String message) {
        super(message);
    }

    public MqttSettingsException(String message, Throwable cause) {
        super(message, cause);
    }
}
