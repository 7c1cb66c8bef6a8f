package org.qoraedge.devicesim.attack;

/** An attack name or parameter is unknown or out of range, or an attack cannot run as asked. */
public class AttackException extends org.qoraedge.devicesim.DeviceSimException {
    private static final long serialVersionUID = 1L;

    public AttackException(String message) {
        super(message);
    }
}
