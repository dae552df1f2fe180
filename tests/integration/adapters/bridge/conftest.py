"""The compiled C# harness fixtures of the NT8 tests: the bridge's C# codec is tested through it too."""

from tests.integration.adapters.nt8.conftest import harness_exe, plugin

__all__ = ["harness_exe", "plugin"]
