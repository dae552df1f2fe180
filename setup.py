"""Packages and package data (the metadata is in pyproject.toml).

The reference configuration is the repository's ``config/`` directory, shipped as the package data
``nexus_gw/reference_config`` so that a non-editable install runs from any directory
(``nexus_gw/config/paths.py`` finds it; ``nexusgw init`` copies it for editing).
"""

from setuptools import find_packages, setup

setup(
    packages=[
        *find_packages(include=["nexus_gw", "nexus_gw.*"]),
        "nexus_gw.reference_config",
        "nexus_gw.reference_config.profiles",
    ],
    package_dir={
        "nexus_gw.reference_config": "config",
        "nexus_gw.reference_config.profiles": "config/profiles",
    },
    package_data={
        "nexus_gw": ["py.typed", "data/**/*"],
        "nexus_gw.reference_config": ["*.yaml"],
        "nexus_gw.reference_config.profiles": ["*.yaml"],
    },
)
