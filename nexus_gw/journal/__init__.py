"""nexus_gw.journal"""
