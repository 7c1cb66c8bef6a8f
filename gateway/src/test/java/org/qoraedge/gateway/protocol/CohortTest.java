package org.qoraedge.gateway.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.qoraedge.fixedpoint.Digests;

/** The cohort rule of docs/PROTOCOL.md section 6.2: its worked example, its invariants and its fairness. */
class CohortTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final String DIGEST = "b24773382a71ae93747c9cb43b29cfc3178f3361d2d507fbebde8883de693a00";

    /** The {@code qora-cohort-vector} block of docs/PROTOCOL.md. */
    static Map<String, String> docVector() throws IOException {
        Map<String, String> cur = null;
        for (String line : Files.readAllLines(ProtocolDocVectorsTest.doc(), StandardCharsets.UTF_8)) {
            if (line.strip().equals("```qora-cohort-vector")) {
                cur = new LinkedHashMap<>();
            } else if (cur != null && line.strip().equals("```")) {
                return cur;
            } else if (cur != null && line.contains("=")) {
                int eq = line.indexOf('=');
                cur.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
            }
        }
        throw new AssertionError("docs/PROTOCOL.md has no qora-cohort-vector block");
    }

    @Test
    void theDocumentsWorkedExampleIsWhatThisImplementationDraws() throws IOException {
        Map<String, String> v = docVector();
        String digest = v.get("modelDigest");
        long round = Long.parseLong(v.get("round"));
        List<String> eligible = List.of(v.get("eligible").split(","));
        for (String id : eligible) {
            assertEquals(v.get("key." + id), HEX.formatHex(Cohort.key(digest, round, id)), "key of " + id);
        }
        byte[] input = HEX.parseHex(v.get("input.node-01"));
        assertEquals(v.get("key.node-01"), Digests.hex(input), "the documented hash input hashes to the documented key");
        List<String> byKey = new ArrayList<>(eligible);
        byKey.sort((a, b) -> Arrays.compareUnsigned(Cohort.key(digest, round, a), Cohort.key(digest, round, b)));
        assertEquals(List.of(v.get("order").split(",")), byKey);
        assertEquals(List.of(v.get("cohort").split(",")), Cohort.select(digest, round, eligible, Integer.parseInt(v.get("k"))));
    }

    @Test
    void theCohortIsInCanonicalOrderAndDoesNotDependOnTheOrderOfTheEligibleSet() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            ids.add(String.format("n-%02d", i));
        }
        List<String> a = Cohort.select(DIGEST, 12, ids, 10);
        Collections.reverse(ids);
        assertEquals(a, Cohort.select(DIGEST, 12, ids, 10));
        assertEquals(10, a.size());
        List<String> sorted = new ArrayList<>(a);
        Collections.sort(sorted);
        assertEquals(sorted, a);
        assertNotEquals(a, Cohort.select(DIGEST, 13, ids, 10), "another round draws another cohort");
        assertEquals(50, Cohort.select(DIGEST, 12, ids, 60).size(), "K above the eligible set: all of them");
        assertEquals(List.of("n-07"), Cohort.select(DIGEST, 12, List.of("n-07"), 3));
    }

    @Test
    void removingANodeOutsideTheCohortLeavesTheCohortAsItWas() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            ids.add("sensor-" + i);
        }
        List<String> c = Cohort.select(DIGEST, 3, ids, 5);
        String outsider = ids.stream().filter(id -> !c.contains(id)).findFirst().orElseThrow();
        ids.remove(outsider);
        assertEquals(c, Cohort.select(DIGEST, 3, ids, 5), "banning a node that was not drawn cannot change who is drawn");
    }

    @Test
    void refusesWhatIsNotACohort() {
        assertThrows(ProtocolException.class, () -> Cohort.select(DIGEST, 1, List.of("a"), 0));
        assertThrows(ProtocolException.class, () -> Cohort.select(DIGEST.substring(2), 1, List.of("a"), 1));
        assertThrows(ProtocolException.class, () -> Cohort.select("zz" + DIGEST.substring(2), 1, List.of("a"), 1));
        assertThrows(ProtocolException.class, () -> Cohort.select(DIGEST, -1, List.of("a"), 1));
        assertThrows(ProtocolException.class, () -> Cohort.select(DIGEST, 1, List.of("a", "b", "a"), 1));
        assertThrows(ProtocolException.class, () -> Cohort.select(DIGEST, 1, List.of("a", "b", "a"), 3));
    }

    /**
     * Byzantine nodes gain no seats from the draw: over 2,000 rounds of K = 10 of 50 with 15 Byzantine
     * nodes (30%), each round's model digest different, their share of the 20,000 seats is 30% within
     * 1.5 points (the standard deviation is about 0.3 points), and no node is drawn far more often
     * than another (each expects 400 seats).
     */
    @Test
    void byzantineNodesHoldTheirShareOfTheFleetsSeats() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            ids.add(String.format("node-%02d", i));
        }
        int byzantineSeats = 0;
        int seats = 0;
        Map<String, Integer> perNode = new LinkedHashMap<>();
        for (long round = 1; round <= 2000; round++) {
            String digest = Digests.hex(("model of round " + round).getBytes(StandardCharsets.UTF_8));
            for (String id : Cohort.select(digest, round, ids, 10)) {
                seats++;
                perNode.merge(id, 1, Integer::sum);
                if (id.compareTo("node-15") < 0) { // node-00 .. node-14: 15 Byzantine nodes
                    byzantineSeats++;
                }
            }
        }
        assertEquals(20_000, seats);
        assertTrue(Math.abs(byzantineSeats - 6_000) <= 300, "Byzantine seats " + byzantineSeats + " of 20000");
        for (Map.Entry<String, Integer> e : perNode.entrySet()) {
            assertTrue(e.getValue() > 300 && e.getValue() < 500, e.getKey() + " drawn " + e.getValue() + " times");
        }
    }

    @Test
    void aByzantineFractionIsAnExactRational() {
        assertEquals(new ByzantineFraction(3, 10), ByzantineFraction.parse("0.3"));
        assertEquals(new ByzantineFraction(3, 10), ByzantineFraction.parse(" 3/10 "));
        assertEquals(new ByzantineFraction(1, 3), ByzantineFraction.parse("2/6"));
        assertEquals("3/10", ByzantineFraction.parse("0.30").toString());
        assertEquals(3, ByzantineFraction.parse("0.3").of(10));
        assertEquals(2, ByzantineFraction.parse("0.3").of(9), "floor(2.7)");
        assertEquals(0, ByzantineFraction.parse("0").of(10));
        assertEquals(333_333_332, ByzantineFraction.parse("1/3").of(999_999_999 - 3));
        for (String bad : new String[] {"1", "1/1", "3/2", "1.2", "-0.1", "0.", ".", "1/0", "0.1234567891", "a/b", "0.3f", ""}) {
            assertThrows(ProtocolException.class, () -> ByzantineFraction.parse(bad), bad);
        }
    }

    @Test
    void anAnnouncementNamesItsCohortAndOneWithoutACohortHasNoKey() {
        RoundAnnouncement plain = new RoundAnnouncement("demo", 7, "m", 4, Frame.maxSize(4), 0, "krum", "common", 1, 0, DIGEST, "gw");
        assertTrue(!new String(plain.toMessage().toBytes(), StandardCharsets.UTF_8).contains("cohort"));
        assertNull(RoundAnnouncement.parse(plain.toMessage().toBytes()).cohort());
        assertTrue(plain.asks("anyone"));
        RoundAnnouncement c = new RoundAnnouncement("demo", 7, "m", 4, Frame.maxSize(4), 0, "krum", "common", 1, 0, DIGEST, "gw",
                false, List.of("node-02", "node-05", "node-06"));
        String text = new String(c.toMessage().toBytes(), StandardCharsets.UTF_8);
        assertTrue(text.endsWith("gateway=gw\ncohort=node-02,node-05,node-06\n"), text);
        RoundAnnouncement back = RoundAnnouncement.parse(c.toMessage().toBytes());
        assertEquals(c, back);
        assertTrue(back.asks("node-05"));
        assertTrue(!back.asks("node-01"));
        assertEquals(List.of(), RoundAnnouncement.parse("protocol=1\\nfleet=demo\\nround=1\\nmodel=m\\ndimension=1\\nmaxFrameBytes=293\\ndeadline=0\\naggregator=krum\\nmetric=common\\nf=0\\nm=0\\nmodelDigest=x\\ngateway=g\\ncohort=\\n"
                .replace("\\n", "\n").getBytes(StandardCharsets.UTF_8)).cohort(), "an empty cohort: nobody eligible");
        assertThrows(ProtocolException.class, () -> RoundAnnouncement.parse((new String(c.toMessage().toBytes(),
                StandardCharsets.UTF_8) + "").replace("cohort=node-02", "cohort=a/b").getBytes(StandardCharsets.UTF_8)));
    }
}
