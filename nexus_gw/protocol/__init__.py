"""The wire protocol: a type+version header frame and a MessagePack payload frame (see docs/protocol.md)."""
