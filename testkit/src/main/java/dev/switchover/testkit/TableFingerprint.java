package dev.switchover.testkit;

/** A table's row count and an order-independent checksum of all its rows: equal on both sides, equal data. */
public record TableFingerprint(long rows, String checksum) {}
