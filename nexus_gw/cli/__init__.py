"""The nexusgw command line."""
