#!/usr/bin/python3
"""Userspace stand-in for `tc qdisc ... netem` (delay, jitter, loss).

Why: the lab's kernel is built without sch_netem (and cannot load modules),
but it has NFQUEUE. lab.sh sends a host's packets to an NFQUEUE with iptables;
this daemon holds each packet for the configured delay, then accepts it (or
drops it, for loss). It talks raw nfnetlink so it needs nothing beyond the
Python standard library.

Usage: netem.py --queue N [--pidfile FILE] ARGS...
ARGS is a subset of tc-netem syntax:
    delay TIME [JITTER [CORRELATION]]   e.g. delay 100ms 10ms
    loss [random] PERCENT               e.g. loss 5%
    limit PACKETS                       queue length (default 100000)
TIME accepts us/usec, ms/msec, s/sec suffixes (no suffix = microseconds, as tc).
CORRELATION is accepted and ignored; jitter is uniform in [-JITTER, +JITTER].
Runs in the foreground until SIGTERM/SIGINT, then releases held packets.
"""
import argparse
import errno
import heapq
import os
import random
import re
import select
import signal
import socket
import struct
import sys
import time

NETLINK_NETFILTER = 12
NFNL_SUBSYS_QUEUE = 3
NFQNL_MSG_PACKET, NFQNL_MSG_VERDICT, NFQNL_MSG_CONFIG = 0, 1, 2
NFQA_PACKET_HDR = 1
NFQA_VERDICT_HDR = 2
NFQA_CFG_CMD, NFQA_CFG_PARAMS, NFQA_CFG_QUEUE_MAXLEN, NFQA_CFG_MASK, NFQA_CFG_FLAGS = 1, 2, 3, 4, 5
NFQNL_CFG_CMD_BIND = 1
NFQNL_COPY_META = 1
NFQA_CFG_F_GSO = 1 << 2  # we never look at payloads: don't make the kernel segment GSO packets
NF_DROP, NF_ACCEPT = 0, 1
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NLMSG_ERROR = 2
SOL_NETLINK = 270
NETLINK_NO_ENOBUFS = 5
SO_RCVBUFFORCE = 33


class Netem:
    def __init__(self, args):
        self.delay = 0.0
        self.jitter = 0.0
        self.loss = 0.0
        self.limit = 100000
        self._parse(args)

    @staticmethod
    def _time(tok):
        m = re.fullmatch(r"([0-9]*\.?[0-9]+)(us|usec|ms|msec|s|sec)?", tok)
        if not m:
            raise ValueError(f"bad time {tok!r}")
        scale = {None: 1e-6, "us": 1e-6, "usec": 1e-6, "ms": 1e-3, "msec": 1e-3, "s": 1.0, "sec": 1.0}
        return float(m.group(1)) * scale[m.group(2)]

    @staticmethod
    def _percent(tok):
        m = re.fullmatch(r"([0-9]*\.?[0-9]+)%?", tok)
        if not m:
            raise ValueError(f"bad percentage {tok!r}")
        return float(m.group(1)) / 100.0

    def _parse(self, args):
        toks = list(args)
        while toks:
            kw = toks.pop(0)
            if kw == "delay":
                self.delay = self._time(toks.pop(0))
                if toks and re.match(r"[0-9.]", toks[0]):
                    self.jitter = self._time(toks.pop(0))
                    if toks and re.match(r"[0-9.]", toks[0]):
                        toks.pop(0)  # correlation: accepted, ignored
            elif kw == "loss":
                if toks and toks[0] == "random":
                    toks.pop(0)
                self.loss = self._percent(toks.pop(0))
                if toks and re.match(r"[0-9.]", toks[0]):
                    toks.pop(0)  # correlation
            elif kw == "limit":
                self.limit = int(toks.pop(0))
            else:
                raise ValueError(
                    f"unsupported netem option {kw!r} (supported: delay TIME [JITTER], loss PCT, limit N)")

    def hold_time(self):
        d = self.delay
        if self.jitter:
            d += random.uniform(-self.jitter, self.jitter)
        return max(0.0, d)


class Queue:
    def __init__(self, num, maxlen):
        self.num = num
        self.seq = 0
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
        self.sock.bind((0, 0))
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 16 << 20)
        except OSError:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 << 20)
        # If the kernel overruns us it drops packets (like a full queue); we keep going.
        self.sock.setsockopt(SOL_NETLINK, NETLINK_NO_ENOBUFS, 1)
        self._config(struct.pack("!BxH", NFQNL_CFG_CMD_BIND, 0), NFQA_CFG_CMD)
        self._config(struct.pack("!IB", 0, NFQNL_COPY_META), NFQA_CFG_PARAMS)
        self._config(struct.pack("!I", maxlen), NFQA_CFG_QUEUE_MAXLEN)
        self._config(struct.pack("!I", NFQA_CFG_F_GSO), NFQA_CFG_FLAGS,
                     extra=(NFQA_CFG_MASK, struct.pack("!I", NFQA_CFG_F_GSO)))
        self.sock.setblocking(False)

    @staticmethod
    def _attr(atype, data):
        length = 4 + len(data)
        return struct.pack("=HH", length, atype) + data + b"\0" * ((4 - length % 4) % 4)

    def _msg(self, mtype, flags, attrs):
        self.seq += 1
        payload = struct.pack("!BBH", socket.AF_UNSPEC, 0, self.num) + attrs
        return struct.pack("=IHHII", 16 + len(payload), (NFNL_SUBSYS_QUEUE << 8) | mtype,
                           flags, self.seq, 0) + payload

    def _config(self, data, atype, extra=None):
        attrs = self._attr(atype, data)
        if extra:
            attrs += self._attr(*extra)
        self.sock.send(self._msg(NFQNL_MSG_CONFIG, NLM_F_REQUEST | NLM_F_ACK, attrs))
        reply = self.sock.recv(65536)
        _, mtype, _, _, _ = struct.unpack_from("=IHHII", reply)
        if mtype == NLMSG_ERROR:
            (err,) = struct.unpack_from("=i", reply, 16)
            if err:
                raise OSError(-err, f"nfqueue config (attr {atype}): {os.strerror(-err)}")

    def verdict(self, packet_id, verdict):
        attrs = self._attr(NFQA_VERDICT_HDR, struct.pack("!II", verdict, packet_id))
        try:
            self.sock.send(self._msg(NFQNL_MSG_VERDICT, NLM_F_REQUEST, attrs))
        except OSError as e:
            if e.errno != errno.ENOENT:  # packet already gone (queue flushed)
                raise

    def packet_ids(self):
        """Yield ids of all packets currently readable, without blocking."""
        while True:
            try:
                buf = self.sock.recv(1 << 20)
            except BlockingIOError:
                return
            off = 0
            while off + 16 <= len(buf):
                length, mtype, _, _, _ = struct.unpack_from("=IHHII", buf, off)
                if length < 16:
                    break
                if mtype == (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET:
                    pid = self._packet_id(buf[off + 20: off + length])
                    if pid is not None:
                        yield pid
                off += (length + 3) & ~3

    @staticmethod
    def _packet_id(attrs):
        off = 0
        while off + 4 <= len(attrs):
            alen, atype = struct.unpack_from("=HH", attrs, off)
            if alen < 4:
                return None
            if atype & 0x3FFF == NFQA_PACKET_HDR:
                return struct.unpack_from("!I", attrs, off + 4)[0]
            off += (alen + 3) & ~3
        return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--queue", type=int, required=True)
    ap.add_argument("--pidfile")
    ap.add_argument("netem", nargs=argparse.REMAINDER)
    ns = ap.parse_args()
    try:
        em = Netem([t for a in ns.netem for t in a.split()])
    except (ValueError, IndexError) as e:
        print(f"netem.py: {e}", file=sys.stderr)
        return 2
    q = Queue(ns.queue, em.limit)

    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    signal.signal(signal.SIGINT, lambda *_: stopping.append(1))
    if ns.pidfile:
        with open(ns.pidfile + ".tmp", "w") as f:
            f.write(f"{os.getpid()}\n")
        os.replace(ns.pidfile + ".tmp", ns.pidfile)

    held = []  # heap of (release_time, tie_breaker, packet_id)
    tie = 0
    while not stopping:
        # Short cap: select() is restarted after a signal, so this bounds shutdown time.
        timeout = min(0.2, max(0.0, held[0][0] - time.monotonic())) if held else 0.2
        try:
            ready, _, _ = select.select([q.sock], [], [], timeout)
        except InterruptedError:
            continue
        now = time.monotonic()
        if ready:
            for pid in q.packet_ids():
                if em.loss and random.random() < em.loss:
                    q.verdict(pid, NF_DROP)
                    continue
                tie += 1
                heapq.heappush(held, (now + em.hold_time(), tie, pid))
        while held and held[0][0] <= now:
            q.verdict(heapq.heappop(held)[2], NF_ACCEPT)
    # Closing the socket would make the kernel drop what we hold: release it instead.
    for _, _, pid in held:
        q.verdict(pid, NF_ACCEPT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
