package org.qoraedge.devicesim.attack;

import org.qoraedge.devicesim.DeviceSimException;

/** An attack name or parameter is unknown or out of range, or an attack cannot run as asked. */
public class AttackException extends DeviceSimException {
    private static final long serialVersionUID = 1L;

    public AttackException(String message) {
        super(message);
    }
}
