"""Example signal engines built on the public SDK only."""
