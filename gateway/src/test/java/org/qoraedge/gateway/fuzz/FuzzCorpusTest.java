package org.qoraedge.gateway.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.qoraedge.gateway.mqtt.InboundGuardFuzzTest;

/**
 * Every fuzz test of this package replays a committed corpus in regression mode, not just the
 * empty input Jazzer always adds: a renamed method or a moved directory would otherwise leave its
 * fuzz test running on nothing without anyone noticing.
 */
class FuzzCorpusTest {
    static final List<Class<?>> FUZZ_TESTS = List.of(AuditFuzzTest.class, FrameFuzzTest.class, GatewayConfigFuzzTest.class,
            KeyFileFuzzTest.class, RoundJournalFuzzTest.class, StateFileFuzzTest.class, TextMessageFuzzTest.class,
            InboundGuardFuzzTest.class);

    @Test
    void everyFuzzTestHasACorpusOfAtLeastThreeInputs() throws IOException, URISyntaxException {
        int methods = 0;
        for (Class<?> c : FUZZ_TESTS) {
            for (Method m : c.getDeclaredMethods()) {
                if (!m.isAnnotationPresent(FuzzTest.class)) {
                    continue;
                }
                methods++;
                String dir = c.getSimpleName() + "Inputs/" + m.getName();
                URL url = c.getResource(dir);
                assertTrue(url != null, "no corpus directory " + dir + " next to " + c.getName());
                long inputs;
                try (Stream<Path> s = Files.walk(Path.of(url.toURI()))) {
                    inputs = s.filter(Files::isRegularFile).count();
                }
                assertTrue(inputs >= 3, dir + " holds " + inputs + " inputs, expected at least 3");
            }
        }
        assertTrue(methods >= 14, "found only " + methods + " fuzz tests");
    }
}
