package org.qoraedge.gateway.testing;

import java.util.Collection;
import java.util.EnumSet;
import java.util.Map;
import org.tinylog.Level;
import org.tinylog.core.LogEntry;
import org.tinylog.core.LogEntryValue;
import org.tinylog.writers.ConsoleWriter;
import org.tinylog.writers.Writer;

/**
 * The tests' console writer (tinylog-test.properties): ERRORs go to stderr through tinylog's
 * {@link ConsoleWriter}, where {@link QuietStderrExtension} fails the test, except the brokers'
 * own (Moquette, Netty, and the gateway's report of a lost Moquette session thread): those, and
 * their WARNs that carry an exception, go to {@link BrokerLog}, where the extension judges each
 * against {@link org.qoraedge.gateway.broker.KnownBrokerErrors}.
 */
public final class TestConsoleWriter implements Writer {
    private final ConsoleWriter console;

    public TestConsoleWriter(Map<String, String> properties) {
        this.console = new ConsoleWriter(properties);
    }

    @Override
    public Collection<LogEntryValue> getRequiredLogEntryValues() {
        EnumSet<LogEntryValue> values = EnumSet.of(LogEntryValue.CLASS, LogEntryValue.METHOD, LogEntryValue.LEVEL,
                LogEntryValue.MESSAGE, LogEntryValue.EXCEPTION, LogEntryValue.THREAD);
        values.addAll(console.getRequiredLogEntryValues());
        return values;
    }

    @Override
    public void write(LogEntry entry) throws Exception {
        if (BrokerLog.isBrokerLogger(entry.getClassName())) {
            if (entry.getLevel() == Level.ERROR || entry.getException() != null) {
                BrokerLog.add(entry);
            }
        } else if (entry.getLevel() == Level.ERROR) {
            console.write(entry);
        }
    }

    @Override
    public void flush() throws Exception {
        console.flush();
    }

    @Override
    public void close() throws Exception {
        console.close();
    }
}
