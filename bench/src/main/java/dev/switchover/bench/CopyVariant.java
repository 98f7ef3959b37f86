package dev.switchover.bench;

/** One way of copying the source's cluster to the target, timed from a cold cache. */
interface CopyVariant {
    /** Its name in latest.json. */
    String method();

    /** Puts the target in the state this way starts from; not timed. */
    void prepare() throws Exception;

    /** Copies, and returns the wall time in seconds. */
    double copy() throws Exception;

    /** The name of a second figure of the last copy, part of its time or apart from it; null if none. */
    default String detail() {
        return null;
    }

    /** That figure's seconds in the last copy. */
    default double detailSeconds() {
        return Double.NaN;
    }

    /**
     * The state a copy starts from when it is a physical one: the target's server stopped, its data
     * directory empty, and no marker of an earlier switchover copy beside it.
     */
    static void emptyTarget(BenchLab lab) {
        lab.sh(
                BenchLab.TARGET,
                "pg_ctlcluster 15 main stop -m fast 2>/dev/null; "
                        + "rm -f /var/lib/postgresql/15/.switchover-main; "
                        + "find " + BenchLab.DATA_DIR + " -mindepth 1 -delete");
    }
}
