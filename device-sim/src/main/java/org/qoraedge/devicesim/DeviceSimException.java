package org.qoraedge.devicesim;

/**
 * Base of device-sim's unchecked exceptions: something asked of the simulator is impossible or
 * out of range. The message names the offending value and the limit it broke.
 */
public class DeviceSimException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DeviceSimException(String message) {
        super(message);
    }
}
