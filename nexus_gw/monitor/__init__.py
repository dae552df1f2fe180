"""nexus_gw.monitor"""
