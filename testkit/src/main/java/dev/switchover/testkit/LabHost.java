package dev.switchover.testkit;

import static dev.switchover.testkit.LabFlavor.MARIADB;
import static dev.switchover.testkit.LabFlavor.MYSQL;
import static dev.switchover.testkit.LabFlavor.POSTGRES15;
import static dev.switchover.testkit.LabFlavor.POSTGRES17;
import static dev.switchover.testkit.LabFlavor.POSTGRES18;

/**
 * Every lab host of the tests, the bench and the demo, with its address in 198.18.0.0/24: the one
 * place an address is written. Scenarios that run side by side (the modules' IT classes, the crash
 * matrices' lanes) each have hosts of their own, because two runs on one host corrupt each other;
 * a new scenario takes a free address here (free today: .162-.168, .203-.209, .221-.229,
 * .251-.254), and LabHostTest keeps names and addresses apart. Hosts that share an address (the bench's PostgreSQL and
 * MySQL pairs) are never up at once.
 */
public enum LabHost {
    // The demo (make demo), one pair per engine: a lab host keeps the flavor it was made with.
    SRC("src", 11, POSTGRES15),
    DST("dst", 12, POSTGRES15),
    MYSRC("mysrc", 13, MYSQL),
    MYDST("mydst", 14, MYSQL),
    MDSRC("mdsrc", 15, MARIADB),
    MDDST("mddst", 16, MARIADB),
    // The end-to-end migration per engine (worker's *MigrationIT), and per PostgreSQL version.
    E2ESRC("e2esrc", 21, POSTGRES15),
    E2EDST("e2edst", 22, POSTGRES15),
    E2E17S("e2e17s", 27, POSTGRES17),
    E2E17T("e2e17t", 28, POSTGRES17),
    E2E18S("e2e18s", 29, POSTGRES18),
    E2E18T("e2e18t", 30, POSTGRES18),
    // The end-to-end migration to a newer major version by logical replication: 15 to 17, 15 to 18, 17 to 18.
    E2EL1S("e2el1s", 23, POSTGRES15),
    E2EL1T("e2el1t", 24, POSTGRES17),
    E2EL2S("e2el2s", 25, POSTGRES15),
    E2EL2T("e2el2t", 26, POSTGRES18),
    E2EL3S("e2el3s", 37, POSTGRES17),
    E2EL3T("e2el3t", 38, POSTGRES18),
    MYE2ES("mye2es", 113, MYSQL),
    MYE2ET("mye2et", 114, MYSQL),
    MDE2ES("mde2es", 123, MARIADB),
    MDE2ET("mde2et", 124, MARIADB),
    // PgBouncer: the switch's own test (activities) and the cutover through it (worker).
    PGB("pgb", 31, POSTGRES15),
    PGBS("pgbs", 32, POSTGRES15),
    PGBT("pgbt", 33, POSTGRES15),
    PGBW("pgbw", 34, POSTGRES15),
    PGBWS("pgbws", 35, POSTGRES15),
    PGBWT("pgbwt", 36, POSTGRES15),
    // The engines' own tests (activities).
    PGS("pgs", 41, POSTGRES15),
    PGT("pgt", 42, POSTGRES15),
    // A target of another major version: what preflight refuses for a physical copy.
    PGT17("pgt17", 43, POSTGRES17),
    // Logical replication across major versions (activities): preflight and preparation; the copy.
    LGS("lgs", 44, POSTGRES15),
    LGT("lgt", 45, POSTGRES17),
    LCS("lcs", 46, POSTGRES15),
    LCT("lct", 47, POSTGRES17),
    // The logical method's crash points and its change of schema through the whole workflow (worker).
    LXS("lxs", 201, POSTGRES15),
    LXT("lxt", 202, POSTGRES17),
    MYS("mys", 111, MYSQL),
    MYT("myt", 112, MYSQL),
    MDS("mds", 121, MARIADB),
    MDT("mdt", 122, MARIADB),
    SSHT("ssht", 231, POSTGRES15),
    WHRS("whrs", 183, POSTGRES15),
    // Crashes: the interrupted migration, the two lanes of the PostgreSQL crash matrix (source,
    // target, bouncer), and MySQL's and MariaDB's crash tests.
    CRS("crs", 51, POSTGRES15),
    CRT("crt", 52, POSTGRES15),
    CM1S("cm1s", 61, POSTGRES15),
    CM1T("cm1t", 62, POSTGRES15),
    CM2S("cm2s", 63, POSTGRES15),
    CM2T("cm2t", 64, POSTGRES15),
    CM1B("cm1b", 67, POSTGRES15),
    CM2B("cm2b", 68, POSTGRES15),
    MYCS("mycs", 115, MYSQL),
    MYCT("myct", 116, MYSQL),
    MDCS("mdcs", 125, MARIADB),
    MDCT("mdct", 126, MARIADB),
    // The worker's other scenarios.
    WUIS("wuis", 71, POSTGRES15),
    WUIT("wuit", 72, POSTGRES15),
    MTS("mts", 81, POSTGRES15),
    MTT("mtt", 82, POSTGRES15),
    HAP("hap", 151, POSTGRES15),
    HAPS("haps", 152, MYSQL),
    HAPT("hapt", 153, MYSQL),
    OHS("ohs", 161, POSTGRES15),
    SCHS("schs", 175, POSTGRES15),
    SCHT("scht", 176, POSTGRES15),
    WHKS("whks", 181, POSTGRES15),
    WHKT("whkt", 182, POSTGRES15),
    FLA1S("fla1s", 191, POSTGRES15),
    FLA1T("fla1t", 192, POSTGRES15),
    FLA2S("fla2s", 193, POSTGRES15),
    FLA2T("fla2t", 194, POSTGRES15),
    FLA3S("fla3s", 195, POSTGRES15),
    FLA3T("fla3t", 196, POSTGRES15),
    FLBS("flbs", 211, POSTGRES15),
    FLBT("flbt", 212, POSTGRES15),
    FLCS("flcs", 213, POSTGRES15),
    FLCT("flct", 214, POSTGRES15),
    // The bench: PostgreSQL's cutover through PgBouncer, MySQL's cutover (on the same two
    // addresses, one after the other), and the copy and overhead benches.
    BCB("bcb", 73, POSTGRES15),
    BCS("bcs", 74, POSTGRES15),
    BCT("bct", 75, POSTGRES15),
    BMS("bms", 74, MYSQL),
    BMT("bmt", 75, MYSQL),
    BOS("bos", 84, POSTGRES15),
    BOT("bot", 85, POSTGRES15);

    /** This machine's side of the lab's bridge: where the worker, the tests and the demo connect from. */
    public static final String WORKER_ADDRESS = address(1);

    /**
     * The lab's client namespace: clients that log in from another machine than the worker's
     * (lab.sh's CLIENT_ADDR), as an application's servers would.
     */
    public static final String CLIENT_ADDRESS = address(2);

    /** The lab's network, every address above in it (a pg_hba rule broader than one host's). */
    public static final String NETWORK = "198.18.0.0/24";

    /**
     * Addresses in the lab's network where no host is, ever: a spec naming one is refused or times
     * out, and nothing may answer there. {@link #nowhere(int)} names them.
     */
    private static final int[] NOWHERE = {169, 215, 216, 217, 218, 232, 99};

    private final String hostName;
    private final int octet;
    private final LabFlavor flavor;

    LabHost(String hostName, int octet, LabFlavor flavor) {
        this.hostName = hostName;
        this.octet = octet;
        this.flavor = flavor;
    }

    /** The host's name for lab.sh (its network namespace is {@code swlab-NAME}). */
    public String hostName() {
        return hostName;
    }

    public String address() {
        return address(octet);
    }

    public LabFlavor flavor() {
        return flavor;
    }

    /** {@code NAME:ADDRESS:FLAVOR}, an argument of {@code lab.sh up}. */
    public String upArgument() {
        return flavor.host(hostName, address());
    }

    /** Brings the host up (lab.sh up) and describes it. */
    public Lab up() {
        return Lab.up(hostName, address(), flavor.id());
    }

    /**
     * The {@code i}-th address where no host is (0 to 6): never brought up, so that a spec naming it
     * points at nothing (an unreachable target, a fleet member never started).
     */
    public static String nowhere(int i) {
        return address(NOWHERE[i]);
    }

    private static String address(int octet) {
        return "198.18.0." + octet;
    }
}
