"""Platform adapters: one process per platform instance, a driver inside, a DEALER link to the gateway."""
