package dev.switchover.activities.engine.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class PasswordVerifierTest {
    // SCRAM is checked against a real server's verifier in PostgresPreflightIT.

    @Test
    void md5IsCheckedAsTheServerMakesIt() {
        // md5('pencil' || 'r')
        String md5 = "md5" + java.util.HexFormat.of().formatHex(md5("pencilr"));
        assertEquals(Boolean.TRUE, PasswordVerifier.matches(md5, "r", "pencil"));
        assertEquals(Boolean.FALSE, PasswordVerifier.matches(md5, "r", "pencil2"));
        assertEquals(Boolean.FALSE, PasswordVerifier.matches(md5, "other", "pencil"), "the role is part of the hash");
    }

    @Test
    void unknownFormatsAreNotJudged() {
        assertNull(PasswordVerifier.matches(null, "r", "pencil"));
        assertNull(PasswordVerifier.matches("plain", "r", "pencil"));
        assertNull(PasswordVerifier.matches("SCRAM-SHA-256$broken", "r", "pencil"));
    }

    private static byte[] md5(String s) {
        try {
            return java.security.MessageDigest.getInstance("MD5")
                    .digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
