package org.qoraedge.gateway.ops;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * sd_notify through systemd's own {@code systemd-notify} command. The notify socket is a unix
 * datagram socket, which the JDK cannot send to (its unix-domain channels are stream only), and a
 * native library for one datagram every few seconds would weigh more than it does: running the
 * command costs about 4 ms of CPU and 10 ms of wall time (measured on x86_64; docs/OPERATIONS.md), once per
 * third of WatchdogSec. The message then comes
 * from a child process, so the unit needs {@code NotifyAccess=all}; since systemd 246 the command
 * waits until the manager has read the message (a barrier), so it is attributed to the unit.
 */
final class SystemdNotify implements Watchdog.Notifier {
    private static final long TIMEOUT_SECONDS = 5;

    private final String command;

    SystemdNotify() {
        this("systemd-notify");
    }

    SystemdNotify(String command) {
        this.command = command;
    }

    @Override
    public void send(List<String> assignments) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(command);
        cmd.addAll(assignments);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(command + " did not finish within " + TIMEOUT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while " + command + " ran", e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(command + " exited with status " + p.exitValue());
        }
    }
}
