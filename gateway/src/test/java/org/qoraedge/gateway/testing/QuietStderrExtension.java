package org.qoraedge.gateway.testing;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.tinylog.Logger;
import org.tinylog.jul.JulTinylogBridge;

/**
 * Fails a test that writes to stderr (registered for every test through the service loader):
 * logs go to target/test-logs, so anything on stderr is a library complaining or a stack trace
 * nobody asked for. The output is still shown on the real stderr, except for tests marked
 * {@link AllowsStderr}, whose expected complaint is swallowed.
 *
 * <p>The brokers' own errors do not reach stderr ({@link TestConsoleWriter}): after each test
 * (and after each class, for brokers a class shares) it judges those in {@link BrokerLog} against
 * {@link org.qoraedge.gateway.broker.KnownBrokerErrors} and fails the test on any error that is
 * unknown or known to lose messages; tolerated ones only go to the test log.
 *
 * <p>Jazzer's agent, which the fuzz tests install, announces every class it instruments on stderr
 * ({@code INFO: Instrumented ...}); those notices are not a complaint and are ignored. When fuzzing
 * ({@code JAZZER_FUZZ} set), a fuzz test is not checked at all: Jazzer and libFuzzer report their
 * progress and findings on stderr, and a finding fails the test by itself.
 */
public final class QuietStderrExtension implements BeforeEachCallback, AfterEachCallback, AfterAllCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(QuietStderrExtension.class);
    private static final Pattern JAZZER_NOTICE = Pattern.compile(
            "(?m)^INFO: Instrumented \\S+ (with custom hooks only )?\\(took \\d+ ms, size \\+-?\\d+%\\)\\R");
    private static final boolean FUZZING = System.getenv("JAZZER_FUZZ") != null || System.getProperty("JAZZER_FUZZ") != null;

    static {
        // Paho logs through java.util.logging, whose default console handler writes warnings to
        // stderr; route it to tinylog as the daemon does (GatewayMain), so it lands in the test log
        // and only real errors reach the console.
        JulTinylogBridge.activate();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        PrintStream original = System.err;
        boolean allowed = context.getTestMethod().map(m -> m.isAnnotationPresent(AllowsStderr.class)).orElse(false);
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream tee = new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                synchronized (captured) {
                    captured.write(b);
                }
                if (!allowed) {
                    original.write(b);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) {
                synchronized (captured) {
                    captured.write(b, off, len);
                }
                if (!allowed) {
                    original.write(b, off, len);
                }
            }
        }, true, StandardCharsets.UTF_8);
        context.getStore(NS).put("original", original);
        context.getStore(NS).put("captured", captured);
        System.setErr(tee);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        PrintStream original = context.getStore(NS).remove("original", PrintStream.class);
        ByteArrayOutputStream captured = context.getStore(NS).remove("captured", ByteArrayOutputStream.class);
        if (original != null) {
            System.setErr(original);
        }
        if (captured != null) {
            String text;
            synchronized (captured) {
                text = captured.toString(StandardCharsets.UTF_8);
            }
            text = JAZZER_NOTICE.matcher(text).replaceAll("");
            if (FUZZING && context.getTestMethod().map(m -> m.isAnnotationPresent(FuzzTest.class)).orElse(false)) {
                return;
            }
            boolean allowed = context.getTestMethod().map(m -> m.isAnnotationPresent(AllowsStderr.class)).orElse(false);
            if (!text.isEmpty() && !allowed && context.getExecutionException().isEmpty()) {
                throw new AssertionError("test wrote to stderr:\n" + (text.length() > 2000 ? text.substring(0, 2000) + "..." : text));
            }
        }
        checkBrokerErrors(context.getDisplayName(), context.getExecutionException().isPresent());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        checkBrokerErrors(context.getDisplayName(), context.getExecutionException().isPresent());
    }

    /**
     * Judges (and empties) {@link BrokerLog}: throws an AssertionError naming each unknown error
     * and each known failure; tolerated errors only go to the test log. When the test has already
     * failed, its own failure stands and the verdict is printed beside it.
     */
    public static void checkBrokerErrors(String testName, boolean testFailedAlready) {
        List<BrokerLog.Entry> entries = BrokerLog.drain();
        for (BrokerLog.Entry e : entries) {
            Logger.info("broker error during {}: {} -> {}", testName, e,
                    e.known().map(k -> k.verdict() + " (" + k.name() + ")").orElse("UNKNOWN"));
        }
        String verdict = BrokerLog.judge(entries);
        if (verdict == null) {
            return;
        }
        if (testFailedAlready) {
            System.err.println(testName + ": " + verdict);
            return;
        }
        throw new AssertionError(testName + ": " + verdict);
    }
}
