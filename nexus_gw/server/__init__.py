"""nexus_gw.server"""
