"""Simulated platform driver."""
