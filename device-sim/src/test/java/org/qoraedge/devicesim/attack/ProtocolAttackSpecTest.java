package org.qoraedge.devicesim.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ProtocolAttackSpecTest {
    @Test
    void fillsInDefaultsAndWritesTheFullSpec() {
        ProtocolAttackSpec p = ProtocolAttackSpec.parse("flooding");
        assertEquals(AttackKind.FLOODING, p.kind());
        assertEquals(100, p.intParameter("frames"));
        assertEquals("flooding:frames=100", p.spec());
        assertEquals("malformed-truncated:keep=40", ProtocolAttackSpec.parse("malformed-truncated:keep=40").spec());
        assertEquals("wrong-signature:victim=self", ProtocolAttackSpec.parse("wrong_signature:victim=self").spec());
    }

    @Test
    void allIsEveryProtocolLevelAttackOnceAndNoneIsNothing() {
        List<ProtocolAttackSpec> all = ProtocolAttackSpec.parseList("all");
        assertEquals(AttackCatalogue.ofLevel(AttackLevel.PROTOCOL), all.stream().map(ProtocolAttackSpec::kind).toList());
        assertEquals(8, all.size());
        assertTrue(ProtocolAttackSpec.parseList("none").isEmpty());
        assertTrue(ProtocolAttackSpec.parseList(" ").isEmpty());
        assertEquals(2, ProtocolAttackSpec.parseList("sybil:identities=2; flooding:frames=3").size());
    }

    @Test
    void refusesAKindGivenTwice() {
        AttackException e = assertThrows(AttackException.class, () -> ProtocolAttackSpec.parseList("all;sybil"));
        assertTrue(e.getMessage().contains("sybil is given twice"), e.getMessage());
    }

    @Test
    void refusesAModelLevelAttack() {
        AttackException e = assertThrows(AttackException.class, () -> ProtocolAttackSpec.parse("alie"));
        assertTrue(e.getMessage().contains("'alie' is a model-level attack"), e.getMessage());
    }

    @Test
    void refusesAnUnknownParameterListingTheKnownOnes() {
        AttackException e = assertThrows(AttackException.class, () -> ProtocolAttackSpec.parse("flooding:bursts=3"));
        assertEquals("flooding: unknown parameter 'bursts'; known: frames", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"stale-replay:age=0", "sybil:identities=0", "sybil:identities=1001", "malformed-truncated:keep=8",
        "malformed-truncated:keep=most", "malformed-oversized:factor=1", "malformed-oversized:factor=NaN",
        "malformed-wrong-dimension:delta=0", "malformed-bad-version:version=1", "malformed-bad-version:version=256",
        "flooding:frames=0", "wrong-signature:victim=a/b"})
    void refusesValuesOutOfRangeNamingTheValue(String spec) {
        AttackException e = assertThrows(AttackException.class, () -> ProtocolAttackSpec.parse(spec));
        String value = spec.substring(spec.indexOf('=') + 1);
        assertTrue(e.getMessage().contains(value), spec + ": " + e.getMessage());
    }
}
