"""The operator's client for the admin socket: request, timeout, retry with a fresh socket, give up."""

from __future__ import annotations

from typing import Any

import zmq

from nexus_gw.errors import GatewayUnavailable, Refused
from nexus_gw.protocol import codec
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import MsgType
from nexus_gw.security.curve import ClientCurve, admin_client_curve


def admin_request(
    endpoint: str,
    command: str,
    args: dict[str, Any] | None = None,
    timeout_s: float = 2.0,
    tries: int = 3,
    curve: ClientCurve | None = None,
) -> dict[str, Any]:
    """Send one ADMIN command and return the STATUS data; raise GatewayUnavailable or Refused.

    With ``curve`` the request goes encrypted, as the admin key (a gateway with CURVE admits no other); without,
    the keys named by ``$NEXUSGW_GATEWAY__SECURITY__ADMIN_SECRET_KEY`` and ``..._SERVER_PUBLIC_KEY`` are used
    when set (so every admin command of the CLI works with CURVE and without a profile)."""
    if curve is None:
        curve = admin_client_curve()
    decoder = codec.Decoder(codec.GATEWAY_TO_OPERATOR)
    frames = codec.encode(MsgType.ADMIN, m.Admin(command=command, args=args or {}))
    ctx: zmq.Context[zmq.Socket[bytes]] = zmq.Context.instance()
    for _ in range(tries):
        sock = ctx.socket(zmq.REQ)
        sock.setsockopt(zmq.LINGER, 0)
        # A REQ socket without a usable connection (gateway down, CURVE handshake refused) blocks in send:
        # bounded like the wait for the answer, so an operator's command never hangs.
        sock.setsockopt(zmq.SNDTIMEO, max(1, int(timeout_s * 1000)))
        if curve is not None:
            curve.apply(sock)
        sock.connect(endpoint)
        try:
            try:
                sock.send_multipart(list(frames))
            except zmq.Again:
                continue  # nobody took the request within timeout_s: a fresh socket, or give up
            if sock.poll(int(timeout_s * 1000), zmq.POLLIN):
                header, payload = sock.recv_multipart()
                _, reply = decoder.decode(header, payload)
                if isinstance(reply, m.Status):
                    if not reply.ok:
                        raise Refused(f"gateway refused {command!r}: {reply.message}")
                    return dict(reply.data)
                raise Refused(f"gateway answered {command!r} with an error: {reply}")
        finally:
            sock.close(linger=0)
    raise GatewayUnavailable(
        f"gateway not answering on {endpoint} after {tries} tries; is `nexusgw serve` running? "
        "(under supervisord: `supervisorctl -c FILE status gateway`; under systemd: `systemctl status nexusgw-gateway`)"
        + (
            "; with CURVE, also check that this admin key is in the gateway's gateway.security.allow.admin and "
            "the server key is the gateway's (the gateway logs every refused key)"
            if curve is not None
            else "; a gateway with CURVE keys answers only an admin key: set "
            "$NEXUSGW_GATEWAY__SECURITY__ADMIN_SECRET_KEY and $NEXUSGW_GATEWAY__SECURITY__SERVER_PUBLIC_KEY"
        )
    )
