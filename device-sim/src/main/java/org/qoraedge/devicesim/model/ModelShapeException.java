package org.qoraedge.devicesim.model;

/** A parameter vector, gradient buffer or dataset does not have the shape the model expects. */
public class ModelShapeException extends org.qoraedge.devicesim.DeviceSimException {
    private static final long serialVersionUID = 1L;

    public ModelShapeException(String message) {
        super(message);
    }
}
