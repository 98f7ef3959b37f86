package dev.switchover.workflows.spec;

/**
 * The database server on a host. {@code adminPassword} is a reference ({@code env:NAME} or
 * {@code file:PATH}) that the worker resolves; the spec never holds a secret because it is stored
 * in the workflow's history. A missing {@code dataDirectory} is asked of the running server.
 */
public record DatabaseSpec(
        Integer port,
        String adminUser,
        String adminPassword,
        String osUser,
        String dataDirectory,
        String serviceStart,
        String serviceStop,
        TlsMode tls) {

    DatabaseSpec withDefaults(Engine engine) {
        DatabaseSpec installed = engine.rules().databaseDefaults();
        return new DatabaseSpec(
                port == null ? installed.port() : port,
                adminUser == null ? installed.adminUser() : adminUser,
                adminPassword,
                osUser == null ? installed.osUser() : osUser,
                dataDirectory,
                serviceStart == null ? installed.serviceStart() : serviceStart,
                serviceStop == null ? installed.serviceStop() : serviceStop,
                tls == null ? TlsMode.PREFER : tls);
    }
}
