package org.qoraedge.devicesim;

import picocli.CommandLine;

/** Gives tests in other packages the command line with its error handling. */
public final class DeviceSimTestAccess {
    private DeviceSimTestAccess() {
    }

    public static CommandLine commandLine() {
        return DeviceSim.commandLine();
    }
}
