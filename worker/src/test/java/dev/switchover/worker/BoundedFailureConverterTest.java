package dev.switchover.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchover.testkit.LabHost;
import io.temporal.api.failure.v1.Failure;
import io.temporal.common.converter.DefaultDataConverter;
import java.io.IOException;
import java.net.NoRouteToHostException;
import org.junit.jupiter.api.Test;

class BoundedFailureConverterTest {
    /** An SSH connect failure as RemoteHost raises it, made 120 frames deep like its library's stack. */
    private static RuntimeException connectFailure(int depth) {
        if (depth > 0) return connectFailure(depth - 1);
        NoRouteToHostException route = new NoRouteToHostException("No route to host");
        return new IllegalStateException(
                "cannot connect to " + LabHost.nowhere(6) + ":22 within 10 s: " + route,
                new IOException("connect failed", route));
    }

    @Test
    void aDeepStackStaysInsideTheServersLimitWithEveryMessageWhole() {
        RuntimeException e = connectFailure(120);
        Failure unbounded = DefaultDataConverter.STANDARD_INSTANCE.exceptionToFailure(e);
        assertTrue(
                unbounded.getSerializedSize() > 4096,
                "the stack alone passes the server's 4 KB: " + unbounded.getSerializedSize());

        Failure f = new BoundedFailureConverter().exceptionToFailure(e, DefaultDataConverter.STANDARD_INSTANCE);
        assertTrue(f.getSerializedSize() <= BoundedFailureConverter.LIMIT, "size " + f.getSerializedSize());
        assertEquals(e.getMessage(), f.getMessage(), "the message first, whole");
        assertEquals("connect failed", f.getCause().getMessage());
        assertEquals("No route to host", f.getCause().getCause().getMessage());
        assertTrue(
                f.getStackTrace().startsWith("dev.switchover.worker.BoundedFailureConverterTest.connectFailure("),
                "the top of the stack is kept: " + f.getStackTrace());
    }

    @Test
    void aHugeMessageIsCutRatherThanReplacedByTheServer() {
        String huge = "x".repeat(10_000);
        Failure f = BoundedFailureConverter.bounded(Failure.newBuilder()
                .setMessage("the copy failed: " + huge)
                .setStackTrace("a\nb")
                .build());
        assertTrue(f.getSerializedSize() <= BoundedFailureConverter.LIMIT, "size " + f.getSerializedSize());
        assertTrue(f.getMessage().startsWith("the copy failed: xxx"), f.getMessage());
    }

    @Test
    void aSmallFailureIsUntouched() {
        Failure small = Failure.newBuilder()
                .setMessage("refused")
                .setStackTrace("a\nb\nc")
                .build();
        assertEquals(small, BoundedFailureConverter.bounded(small));
    }
}
