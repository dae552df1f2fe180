"""The SDK for signal engines: blocking, asyncio, and a pipeline adapter."""

from nexus_gw.client.adapter import NexusCommunicationAdapter
from nexus_gw.client.aio import AsyncNexusGateway
from nexus_gw.client.interface import NexusGatewayInterface

__all__ = ["AsyncNexusGateway", "NexusCommunicationAdapter", "NexusGatewayInterface"]
