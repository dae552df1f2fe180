"""CURVE keys, the ZAP handler that admits clients by public key, and the socket options that use them."""
