package org.qoraedge.devicesim;

/**
 * A setting is out of range or malformed: a node or round count, a training hyper-parameter, a
 * partition, an aggregator spec, a dataset name.
 */
public class InvalidConfigException extends DeviceSimException {
    private static final long serialVersionUID = 1L;

    public InvalidConfigException(String message) {
        super(message);
    }
}
