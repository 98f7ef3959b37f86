package dev.switchover.workflows.spec;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * TLS for database connections (JDBC and replication). {@code prefer} uses TLS whenever the server
 * offers it; {@code require} refuses a plain connection; {@code verify-full} also checks the
 * server's certificate and name.
 */
public enum TlsMode {
    DISABLE,
    PREFER,
    REQUIRE,
    VERIFY_FULL;

    @JsonValue
    public String id() {
        return name().toLowerCase().replace('_', '-');
    }

    @JsonCreator
    public static TlsMode of(String text) {
        return TlsMode.valueOf(text.trim().toUpperCase().replace('-', '_'));
    }
}
