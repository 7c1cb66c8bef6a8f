package org.qoraedge.gateway.reputation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReputationSettingsTest {
    private static final String DEFAULT_TEXT = ""
            + "reputation.ban-below=0.2\n"
            + "reputation.decay=0.05\n"
            + "reputation.enabled=true\n"
            + "reputation.far-factor=4\n"
            + "reputation.influence-cap=0.8\n"
            + "reputation.misbehaviour-penalty=0.15\n"
            + "reputation.penalty=0.08\n"
            + "reputation.reward=0.02\n"
            + "reputation.unban-to=0.5\n";

    @Test
    void defaultsAreTheDocumentedValuesInPpm() {
        ReputationSettings d = ReputationSettings.defaults();
        assertEquals(new ReputationSettings(true, 20_000, 80_000, 150_000, 50_000, 200_000, 500_000, 4_000_000L, 800_000), d);
    }

    @Test
    void canonicalTextOfTheDefaultsIsSortedKeyValueLines() {
        assertEquals(DEFAULT_TEXT, ReputationSettings.defaults().toCanonicalString());
    }

    @Test
    void keysAreExactlyTheKeysOfTheCanonicalText() {
        assertEquals(Set.of("reputation.enabled", "reputation.reward", "reputation.penalty", "reputation.misbehaviour-penalty",
                "reputation.decay", "reputation.ban-below", "reputation.unban-to", "reputation.far-factor",
                "reputation.influence-cap", "reputation.weighting"), ReputationSettings.KEYS);
        for (String line : DEFAULT_TEXT.split("\n")) {
            assertTrue(ReputationSettings.KEYS.contains(line.substring(0, line.indexOf('='))), line);
        }
    }

    @Test
    void weightingIsOffByDefaultAndWrittenInTheCanonicalTextOnlyWhenOn() {
        assertFalse(ReputationSettings.defaults().weighting());
        assertFalse(DEFAULT_TEXT.contains("weighting"), "unweighted settings keep the text written before the key existed");
        Properties p = new Properties();
        p.setProperty("reputation.weighting", "true");
        ReputationSettings on = ReputationSettings.fromProperties(p);
        assertTrue(on.weighting());
        assertEquals(DEFAULT_TEXT + "reputation.weighting=true\n", on.toCanonicalString());
        assertEquals(on, ReputationSettings.parse(on.toCanonicalString()));
        ReputationSettingsException e = assertThrows(ReputationSettingsException.class,
                () -> ReputationSettings.parse(DEFAULT_TEXT + "reputation.weighting=false\n"));
        assertEquals("reputation.weighting", e.key());
        p.setProperty("reputation.weighting", "yes");
        assertThrows(ReputationSettingsException.class, () -> ReputationSettings.fromProperties(p));
    }

    @Test
    void emptyPropertiesGiveTheDefaultsAndOtherPrefixesAreIgnored() {
        Properties p = new Properties();
        p.setProperty("round.timeoutMillis", "5000");
        p.setProperty("reputationx", "whatever");
        assertEquals(ReputationSettings.defaults(), ReputationSettings.fromProperties(p));
    }

    @Test
    void propertiesAreParsedExactlyToPpm() {
        Properties p = new Properties();
        p.setProperty("reputation.enabled", "false");
        p.setProperty("reputation.reward", "0.000001");
        p.setProperty("reputation.penalty", "1");
        p.setProperty("reputation.misbehaviour-penalty", "0.333333");
        p.setProperty("reputation.decay", "0.1 ");
        p.setProperty("reputation.ban-below", "0");
        p.setProperty("reputation.unban-to", "1.0");
        p.setProperty("reputation.far-factor", "2.5");
        p.setProperty("reputation.influence-cap", "0.000001");
        ReputationSettings s = ReputationSettings.fromProperties(p);
        assertEquals(new ReputationSettings(false, 1, 1_000_000, 333_333, 100_000, 0, 1_000_000, 2_500_000L, 1), s);
        assertEquals("reputation.ban-below=0\n"
                + "reputation.decay=0.1\n"
                + "reputation.enabled=false\n"
                + "reputation.far-factor=2.5\n"
                + "reputation.influence-cap=0.000001\n"
                + "reputation.misbehaviour-penalty=0.333333\n"
                + "reputation.penalty=1\n"
                + "reputation.reward=0.000001\n"
                + "reputation.unban-to=1\n", s.toCanonicalString());
    }

    @Test
    void canonicalTextParsesBackToTheSameSettings() {
        ReputationSettings s = new ReputationSettings(false, 1, 999_999, 0, 1_000_000, 499_999, 500_000, 1_000_000_000_000L, 1);
        assertEquals(s, ReputationSettings.parse(s.toCanonicalString()));
        assertEquals(ReputationSettings.defaults(), ReputationSettings.parse(DEFAULT_TEXT));
    }

    @ParameterizedTest(name = "{0} = ''{1}'' is refused: {2}")
    @CsvSource(delimiter = '|', value = {
        "reputation.decay|NaN|NaN and Infinity are refused",
        "reputation.decay|nan|NaN and Infinity are refused",
        "reputation.reward|Infinity|NaN and Infinity are refused",
        "reputation.reward|1e-3|exponent notation is refused",
        "reputation.reward|1E2|exponent notation is refused",
        "reputation.reward|0.1234567|has 7 fractional digits, at most 6",
        "reputation.penalty|-0.1|negative values are refused",
        "reputation.penalty|+0.1|a sign is refused",
        "reputation.penalty|1.5|must be at most 1",
        "reputation.penalty|1.000001|must be at most 1",
        "reputation.decay|0,05|not a plain decimal number",
        "reputation.decay|.5|not a plain decimal number",
        "reputation.decay|5.|not a plain decimal number",
        "reputation.decay|0x10|not a plain decimal number",
        "reputation.decay|½|not a plain decimal number",
        "reputation.decay|٠.5|not a plain decimal number",
        "reputation.ban-below|0.5|below the neutral score 0.5",
        "reputation.ban-below|0.7|below the neutral score 0.5",
        "reputation.unban-to|0.2|must be in (ban-below, 1]",
        "reputation.unban-to|0.1|must be in (ban-below, 1]",
        "reputation.far-factor|0.999999|must be in [1, 1000000]",
        "reputation.far-factor|0|must be in [1, 1000000]",
        "reputation.far-factor|1000000.000001|must be in [1, 1000000]",
        "reputation.far-factor|9999999999999|too large, at most 12 integer digits",
        "reputation.far-factor|NaN|NaN and Infinity are refused",
        "reputation.influence-cap|0|must be in (0, 1]",
        "reputation.influence-cap|1.1|must be at most 1",
        "reputation.enabled|yes|must be true or false",
        "reputation.enabled|TRUE|must be true or false",
    })
    void refusesAValueNamingKeyValueAndRule(String key, String value, String rule) {
        Properties p = new Properties();
        p.setProperty(key, value);
        ReputationSettingsException e = assertThrows(ReputationSettingsException.class,
                () -> ReputationSettings.fromProperties(p));
        assertEquals(key, e.key());
        assertTrue(e.getMessage().startsWith(key + " = "), e.getMessage());
        assertTrue(e.getMessage().contains(rule), e.getMessage());
        assertTrue(e.getMessage().contains(value), e.getMessage());
    }

    @Test
    void refusesAnEmptyValue() {
        Properties p = new Properties();
        p.setProperty("reputation.decay", "  ");
        ReputationSettingsException e = assertThrows(ReputationSettingsException.class,
                () -> ReputationSettings.fromProperties(p));
        assertEquals("reputation.decay = '  ': empty value; remove the line to use the default", e.getMessage());
    }

    @Test
    void refusesAnUnknownReputationKeyListingTheKnownOnes() {
        Properties p = new Properties();
        p.setProperty("reputation.decy", "0.1");
        ReputationSettingsException e = assertThrows(ReputationSettingsException.class,
                () -> ReputationSettings.fromProperties(p));
        assertTrue(e.getMessage().startsWith("unknown key reputation.decy; known keys: [reputation.ban-below, "), e.getMessage());
    }

    @Test
    void unbanToIsCheckedAgainstTheConfiguredBanThreshold() {
        Properties p = new Properties();
        p.setProperty("reputation.ban-below", "0.4");
        p.setProperty("reputation.unban-to", "0.3");
        ReputationSettingsException e = assertThrows(ReputationSettingsException.class,
                () -> ReputationSettings.fromProperties(p));
        assertEquals("reputation.unban-to = 0.3: must be in (ban-below, 1] = (0.4, 1], or a node the operator unbans would be"
                + " banned again at once", e.getMessage());
        p.setProperty("reputation.unban-to", "0.400001");
        assertEquals(400_001, ReputationSettings.fromProperties(p).unbanToPpm());
    }

    @Test
    void constructorRefusesOutOfRangePpmNamingTheKey() {
        assertEquals("reputation.reward = -0.000001: must be in [0, 1]", assertThrows(ReputationSettingsException.class,
                () -> new ReputationSettings(true, -1, 0, 0, 0, 0, 500_000, 1_000_000, 1)).getMessage());
        assertEquals("reputation.decay = 1.000001: must be in [0, 1]", assertThrows(ReputationSettingsException.class,
                () -> new ReputationSettings(true, 0, 0, 0, 1_000_001, 0, 500_000, 1_000_000, 1)).getMessage());
        assertEquals("reputation.misbehaviour-penalty", assertThrows(ReputationSettingsException.class,
                () -> new ReputationSettings(true, 0, 0, 2_000_000, 0, 0, 500_000, 1_000_000, 1)).key());
        assertEquals("reputation.influence-cap", assertThrows(ReputationSettingsException.class,
                () -> new ReputationSettings(true, 0, 0, 0, 0, 0, 500_000, 1_000_000, 0)).key());
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @CsvSource(delimiter = '|', value = {
        "reputation.decay=0.05|must end with a newline",
        "reputation.decay=0.050\\n|lack",
        "reputation.bogus=1\\n|unknown key reputation.bogus",
        "reputation.decay=0.05\\nreputation.decay=0.05\\n|appears twice",
        "just text\\n|is not key=value",
    })
    void parseRefusesTextThatIsNotCanonical(String escaped, String fragment) {
        String text = escaped.replace("\\n", "\n");
        ReputationSettingsException e = assertThrows(ReputationSettingsException.class, () -> ReputationSettings.parse(text));
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    @Test
    void parseRefusesNonCanonicalValuesAndOrder() {
        String padded = DEFAULT_TEXT.replace("reputation.unban-to=0.5", "reputation.unban-to=0.50");
        assertEquals("line 9 is 'reputation.unban-to=0.50', the canonical form is 'reputation.unban-to=0.5'",
                assertThrows(ReputationSettingsException.class, () -> ReputationSettings.parse(padded)).getMessage());
        String swapped = DEFAULT_TEXT.replace("reputation.ban-below=0.2\nreputation.decay=0.05\n",
                "reputation.decay=0.05\nreputation.ban-below=0.2\n");
        assertEquals("line 1 is 'reputation.decay=0.05', the canonical form is 'reputation.ban-below=0.2'",
                assertThrows(ReputationSettingsException.class, () -> ReputationSettings.parse(swapped)).getMessage());
        String spaced = DEFAULT_TEXT.replace("reputation.decay=0.05", "reputation.decay= 0.05");
        assertThrows(ReputationSettingsException.class, () -> ReputationSettings.parse(spaced));
        String refused = DEFAULT_TEXT.replace("reputation.decay=0.05", "reputation.decay=NaN");
        assertEquals("reputation.decay", assertThrows(ReputationSettingsException.class,
                () -> ReputationSettings.parse(refused)).key());
    }

    @Test
    void ppmFormatIsTheShortestExactDecimal() {
        assertEquals("0", Ppm.format(0));
        assertEquals("0.000001", Ppm.format(1));
        assertEquals("0.02", Ppm.format(20_000));
        assertEquals("1.234567", Ppm.format(1_234_567));
        assertEquals("4", Ppm.format(4_000_000));
        assertEquals("-0.000005", Ppm.format(-5));
        assertEquals(4_500_000, Ppm.parse("k", "4.5"));
        assertEquals(7_000_000, Ppm.parse("k", "007"));
        assertEquals(1, Ppm.parse("k", "0.000001"));
        assertEquals(100_000, Ppm.parse("k", "0.100000"));
        assertFalse(ReputationSettings.KEYS.contains("k"));
    }
}
