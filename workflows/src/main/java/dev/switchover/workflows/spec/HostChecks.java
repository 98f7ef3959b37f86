package dev.switchover.workflows.spec;

import static dev.switchover.workflows.spec.FieldChecks.isBlank;

/**
 * source and target: each one's address, its SSH login and its database, and that they are two
 * servers. PgBouncer's SSH login is checked here too, with the same messages.
 */
record HostChecks(FieldChecks check) {
    void host(String role, HostSpec host, String what) {
        if (host == null) {
            check.add(role, "is required; " + what + " with address, ssh and database indented below " + role + ":");
            return;
        }
        if (isBlank(host.address())) {
            check.add(role + ".address", "is required; write the host name or IP address the worker reaches it at");
        }
        ssh(role + ".ssh", host.ssh());
        database(role + ".database", host.database());
    }

    void ssh(String prefix, SshSpec ssh) {
        SshSpec s = ssh == null ? new SshSpec(null, null, null, null, null) : ssh;
        check.notBlank(prefix + ".user", s.user());
        check.port(prefix + ".port", s.port());
        if (isBlank(s.privateKey())) {
            check.add(
                    prefix + ".privateKey",
                    "is required; write the path of the SSH private key file on the"
                            + " worker's machine, e.g. ~/.ssh/id_ed25519");
        } else if (s.privateKey().contains("PRIVATE KEY") || s.privateKey().contains("\n")) {
            check.add(
                    prefix + ".privateKey",
                    "holds key material; write the path of the key file instead (the"
                            + " spec is kept in the workflow history, so it must not hold keys)");
        } else if (!isHomeOrAbsolute(s.privateKey())) {
            check.add(
                    prefix + ".privateKey",
                    "is a relative path; write an absolute path or one starting with"
                            + " ~/, e.g. ~/.ssh/id_ed25519 (a relative path depends on where the worker started)");
        }
        if (s.knownHosts() != null && !isHomeOrAbsolute(s.knownHosts())) {
            check.add(
                    prefix + ".knownHosts",
                    "'" + s.knownHosts() + "' is a relative path; write an absolute"
                            + " path or one starting with ~/, e.g. ~/.ssh/known_hosts");
        }
        check.positive(prefix + ".connectTimeout", s.connectTimeout());
    }

    private void database(String prefix, DatabaseSpec database) {
        DatabaseSpec d = database == null ? new DatabaseSpec(null, null, null, null, null, null, null, null) : database;
        check.port(prefix + ".port", d.port());
        check.notBlank(prefix + ".adminUser", d.adminUser());
        check.secret(prefix + ".adminPassword", d.adminPassword());
        check.notBlank(prefix + ".osUser", d.osUser());
        check.absolutePath(prefix + ".dataDirectory", d.dataDirectory());
        check.notBlank(prefix + ".serviceStart", d.serviceStart());
        check.notBlank(prefix + ".serviceStop", d.serviceStop());
    }

    void differentServers(HostSpec source, HostSpec target) {
        if (source == null || target == null || isBlank(source.address()) || isBlank(target.address())) return;
        if (source.address().trim().equalsIgnoreCase(target.address().trim())) {
            check.add(
                    "target.address",
                    "is the same server as source.address; source and target must be"
                            + " different servers, so write the new server's address here");
        }
    }

    private static boolean isHomeOrAbsolute(String path) {
        return path.startsWith("/") || path.startsWith("~/");
    }
}
