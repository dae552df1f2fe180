"""nexus_gw.config"""
