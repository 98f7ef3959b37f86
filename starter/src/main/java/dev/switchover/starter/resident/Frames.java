package dev.switchover.starter.resident;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * What the short-lived CLI and the resident process say to each other over their socket: the
 * request is the verb's arguments; the answer is the verb's stdout and stderr as they are written,
 * then its exit code. Only java.base here: the client side must not load what it saves loading.
 */
final class Frames {
    static final int MAGIC = 0x53574f32; // "SWO2": anything else on the socket is not a call
    /** Sent before the verb runs: a call that closes without it never ran, and may run elsewhere. */
    static final byte ACCEPTED = 0;

    static final byte OUT = 1;
    static final byte ERR = 2;
    static final byte EXIT = 3;
    private static final int MAX_ARGS = 256;

    private Frames() {}

    /** What the resident process needs to answer as the caller's own JVM would. */
    record Request(String[] args, boolean console) {}

    static void writeRequest(DataOutputStream out, Request request) throws IOException {
        String[] args = request.args();
        out.writeInt(MAGIC);
        out.writeBoolean(request.console());
        out.writeInt(args.length);
        for (String a : args) out.writeUTF(a);
        out.flush();
    }

    static Request readRequest(DataInputStream in) throws IOException {
        if (in.readInt() != MAGIC) throw new IOException("not a switchover CLI request");
        boolean console = in.readBoolean();
        int n = in.readInt();
        if (n < 0 || n > MAX_ARGS) throw new IOException("a request of " + n + " arguments");
        List<String> args = new ArrayList<>(n);
        for (int i = 0; i < n; i++) args.add(in.readUTF());
        return new Request(args.toArray(String[]::new), console);
    }

    /** An output stream whose bytes travel as frames of {@code kind}; shared writes are serialised on {@code out}. */
    static OutputStream stream(DataOutputStream out, byte kind) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (len == 0) return;
                synchronized (out) {
                    out.writeByte(kind);
                    out.writeInt(len);
                    out.write(b, off, len);
                }
            }

            @Override
            public void flush() throws IOException {
                synchronized (out) {
                    out.flush();
                }
            }
        };
    }

    static void writeAccepted(DataOutputStream out) throws IOException {
        synchronized (out) {
            out.writeByte(ACCEPTED);
            out.flush();
        }
    }

    static void writeExit(DataOutputStream out, int code) throws IOException {
        synchronized (out) {
            out.writeByte(EXIT);
            out.writeInt(code);
            out.flush();
        }
    }
}
