package dev.switchover.activities.engine.postgres;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Whether a password is the one a role's stored verifier ({@code pg_authid.rolpassword}) was made
 * from, computed as the server would: SCRAM-SHA-256 (RFC 5802/7677: StoredKey = H(HMAC(PBKDF2(
 * password, salt, i), "Client Key"))) or md5 ("md5" + md5(password + role)). Lets preflight find
 * an existing replication role whose password differs from the spec's, before prepare-source keeps
 * it and the copy's login is refused. (SASLprep is the identity for ASCII passwords; a non-ASCII
 * one that the server would normalise is reported as not matching, never as matching falsely.)
 */
final class PasswordVerifier {
    private PasswordVerifier() {}

    /** True if it matches, false if not, null if the verifier's format is not one of the two. */
    static Boolean matches(String verifier, String role, String password) {
        if (verifier == null) return null;
        try {
            if (verifier.startsWith("SCRAM-SHA-256$")) return scram(verifier, password);
            if (verifier.startsWith("md5") && verifier.length() == 35) {
                byte[] digest =
                        MessageDigest.getInstance("MD5").digest((password + role).getBytes(StandardCharsets.UTF_8));
                return verifier.substring(3).equals(HexFormat.of().formatHex(digest));
            }
            return null;
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return null;
        }
    }

    // SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>
    private static Boolean scram(String verifier, String password) throws GeneralSecurityException {
        String[] parts = verifier.split("[$:]");
        if (parts.length != 5) return null;
        int iterations = Integer.parseInt(parts[1]);
        byte[] salt = Base64.getDecoder().decode(parts[2]);
        byte[] storedKey = Base64.getDecoder().decode(parts[3]);
        PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, 256);
        byte[] salted = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                .generateSecret(spec)
                .getEncoded();
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(salted, "HmacSHA256"));
        byte[] clientKey = mac.doFinal("Client Key".getBytes(StandardCharsets.US_ASCII));
        return MessageDigest.isEqual(
                storedKey, MessageDigest.getInstance("SHA-256").digest(clientKey));
    }
}
