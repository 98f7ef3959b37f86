package dev.switchover.activities.ssh;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;

/**
 * Drains one remote stream on its own thread, so that a program writing a lot to one stream never
 * blocks on the other. Keeps the bytes (or, past {@code limit}, the last {@code limit} of them)
 * and, if asked, hands complete lines to the caller's thread through {@code events}; {@code \r}
 * ends a line too, because progress meters rewrite their line with it.
 */
final class OutputPump implements Runnable {
    /** What the caller's thread receives: a line, or the end of the stream (line == null). */
    record Event(OutputPump from, String line) {}

    private final InputStream in;
    private final int limit;
    private final boolean lines;
    private final BlockingQueue<Event> events;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private volatile boolean truncated;
    private volatile IOException failure;
    private boolean lastWasCr;

    OutputPump(InputStream in, int limit, boolean lines, BlockingQueue<Event> events) {
        this.in = in;
        this.limit = limit;
        this.lines = lines;
        this.events = events;
    }

    @Override
    public void run() {
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                keep(buf, n);
                if (lines) split(buf, n);
            }
            if (lines && line.size() > 0) emit();
        } catch (IOException e) {
            failure = e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            events.add(new Event(this, null));
        }
    }

    private synchronized void keep(byte[] buf, int n) {
        kept.write(buf, 0, n);
        if (kept.size() > 2 * limit) {
            byte[] all = kept.toByteArray();
            kept.reset();
            kept.write(all, all.length - limit, limit);
            truncated = true;
        }
    }

    private void split(byte[] buf, int n) throws InterruptedException {
        for (int i = 0; i < n; i++) {
            byte b = buf[i];
            if (b == '\n' && lastWasCr) {
                lastWasCr = false;
                continue;
            }
            lastWasCr = b == '\r';
            if (b == '\n' || b == '\r') {
                emit();
            } else {
                line.write(b);
            }
        }
    }

    private void emit() throws InterruptedException {
        events.put(new Event(this, line.toString(StandardCharsets.UTF_8)));
        line.reset();
    }

    /** The bytes kept so far, as text; at most {@code limit} bytes plus what arrived since a trim. */
    synchronized String text() {
        byte[] all = kept.toByteArray();
        int from = Math.max(0, all.length - limit);
        return new String(all, from, all.length - from, StandardCharsets.UTF_8);
    }

    /** True if more than {@code limit} bytes arrived, so {@link #text()} is only the end. */
    synchronized boolean truncated() {
        return truncated || kept.size() > limit;
    }

    IOException failure() {
        return failure;
    }
}
