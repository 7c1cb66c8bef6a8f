package org.qoraedge.gateway.broker;

import io.moquette.interception.AbstractInterceptHandler;
import io.moquette.interception.messages.InterceptExceptionMessage;
import java.util.ArrayList;
import java.util.List;
import org.tinylog.Logger;

/**
 * Moquette 0.17 runs every session command on one of its "Session Executor" threads and lets an
 * exception thrown by a command end that thread ({@code SessionEventLoop.executeTask} rethrows it
 * out of {@code run}); the thread is not replaced. Its uncaught-exception handler hands the error
 * to the interceptors, on the dying thread, just before it ends: this handler keeps them.
 */
final class SessionLoopErrors extends AbstractInterceptHandler {
    /** Where the ERROR is logged from, as {@link KnownBrokerErrors#classify} takes it. */
    static final String LOGGED_BY = SessionLoopErrors.class.getName() + ".onSessionLoopError";

    private final List<Throwable> errors = new ArrayList<>();

    @Override
    public String getID() {
        return "qora-session-loop-errors";
    }

    @Override
    public Class<?>[] getInterceptedMessageTypes() {
        return new Class<?>[] {InterceptExceptionMessage.class};
    }

    @Override
    public void onSessionLoopError(Throwable error) {
        synchronized (errors) {
            errors.add(error);
        }
        String thread = Thread.currentThread().getName();
        var known = KnownBrokerErrors.classify(LOGGED_BY, null, error);
        if (known.isPresent()) {
            Logger.error(error, "embedded Moquette lost its session thread \"{}\" to a known bug ({}): {}. Restart the gateway;"
                    + " install mosquitto to have it used instead", thread, known.get().name(), known.get().why());
        } else {
            Logger.error(error, "embedded Moquette lost its session thread \"{}\" to an error; the clients served by that"
                    + " thread get no answer from now on. Restart the gateway; install mosquitto to have it used instead", thread);
        }
    }

    List<Throwable> errors() {
        synchronized (errors) {
            return List.copyOf(errors);
        }
    }
}
