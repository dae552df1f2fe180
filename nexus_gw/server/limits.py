"""How much one peer may make the gateway hold: message size and inbound queue, per socket.

ZeroMQ disconnects a peer that sends a frame above ``ZMQ_MAXMSGSIZE`` (the frame is never buffered), and a
ROUTER stops reading a connection whose inbound queue holds ``RCVHWM`` messages (TCP back-pressure then slows
the sender). So one connection can make the gateway buffer at most ``max_message_bytes × receive_hwm`` bytes:
the numbers below are sized for what each socket legitimately carries.
"""

from __future__ import annotations

from dataclasses import dataclass

import zmq

from nexus_gw.protocol.constants import MAX_PAYLOAD_BYTES

KIB = 1024
MIB = 1024 * KIB


@dataclass(frozen=True)
class SocketLimits:
    max_message_bytes: int  # ZMQ_MAXMSGSIZE: a larger frame disconnects the sender
    receive_hwm: int  # ZMQ_RCVHWM: messages queued per connection before the gateway stops reading it
    send_hwm: int  # ZMQ_SNDHWM: messages queued per connection toward the peer

    @property
    def inbound_bytes_per_peer(self) -> int:
        return self.max_message_bytes * self.receive_hwm

    def apply(self, sock: zmq.Socket[bytes]) -> None:
        sock.setsockopt(zmq.MAXMSGSIZE, self.max_message_bytes)
        sock.setsockopt(zmq.RCVHWM, self.receive_hwm)
        sock.setsockopt(zmq.SNDHWM, self.send_hwm)


# Adapters: a HELLO/POSITION reconciliation report can run to a few hundred KB (capped by the codec at
# MAX_PAYLOAD_BYTES); market data arrives as many small batches (TCP buffers hold more behind the queue).
# ≤ 4 MiB × 32 = 128 MiB per adapter connection.
PLATFORM = SocketLimits(max_message_bytes=MAX_PAYLOAD_BYTES, receive_hwm=32, send_hwm=100_000)
# Engines send SIGNAL, CANCEL, HEARTBEAT, ACK, HELLO: a few hundred bytes each. ≤ 64 KiB × 1000 = 64 MiB.
NEXUS = SocketLimits(max_message_bytes=64 * KIB, receive_hwm=1000, send_hwm=100_000)
# Operators: one small request at a time (REQ). ≤ 64 KiB × 16 = 1 MiB.
ADMIN = SocketLimits(max_message_bytes=64 * KIB, receive_hwm=16, send_hwm=1000)
