"""The template a new platform driver copies: ``cp -r nexus_gw/adapters/_template nexus_gw/adapters/<platform>``.

- ``settings.py`` the driver's one settings model (a profile's ``settings:`` block);
- ``driver.py`` the driver: ``PlatformDriver`` with the constructor contract of ``adapters/base.py``, the platform's
  library imported lazily in ``start``;
- ``fakeplatform.py`` a stand-in for the platform's library so the template runs; delete it in your copy;
- a development companion (optional): a process standing in for the platform on a developer's machine (the DTC
  simulator does this for Sierra: ``sierra/simulator/``), declared in ``adapters/registry.py`` with ``Companion``.

Then add one line to ``DRIVERS`` in ``adapters/registry.py`` and a ``tests/integration/adapters/test_<platform>_
contract.py`` that gives the contract suite a harness (see ``test_template_contract.py``). ``docs/adding-a-
platform.md`` walks through it. This package imports nothing of a platform: importing it never needs one installed.
"""
