package org.qoraedge.devicesim.model;

import org.qoraedge.devicesim.DeviceSimException;

/** A parameter vector, gradient buffer or dataset does not have the shape the model expects. */
public class ModelShapeException extends DeviceSimException {
    private static final long serialVersionUID = 1L;

    public ModelShapeException(String message) {
        super(message);
    }
}
