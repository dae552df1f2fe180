"""Every module of nexus_gw imports where POSIX-only names do not exist (Windows, where adapters run beside MT5/NT8).

A subprocess makes ``fcntl``, ``pwd``, ``grp``, ``termios`` and ``resource`` unimportable and removes the signals
Windows lacks, then imports every module: a top-level ``import fcntl`` or a ``signal.SIGKILL`` default argument fails
here, naming the module."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

POSIX_MODULES = ("fcntl", "pwd", "grp", "termios", "resource", "posix")
POSIX_SIGNALS = ("SIGKILL", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGALRM", "SIGCHLD", "SIGPIPE", "SIGSTOP")

CODE = f"""
import importlib, importlib.abc, pkgutil, signal, sys

class NoPosix(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in {POSIX_MODULES!r}:
            raise ImportError(f'No module named {{name!r}} (as on Windows)')
        return None

for name in {POSIX_MODULES!r}:
    sys.modules.pop(name, None)
sys.meta_path.insert(0, NoPosix())
for name in {POSIX_SIGNALS!r}:
    if hasattr(signal, name):
        delattr(signal, name)
import nexus_gw
failed = []
for info in pkgutil.walk_packages(nexus_gw.__path__, 'nexus_gw.'):
    if info.name.rsplit('.', 1)[-1] == '__main__':
        continue  # running it is not importing it
    try:
        importlib.import_module(info.name)
    except Exception as exc:
        failed.append(f'{{info.name}}: {{type(exc).__name__}}: {{exc}}')
print('\\n'.join(failed))
sys.exit(1 if failed else 0)
"""


def test_every_module_imports_without_posix_only_names() -> None:
    result = subprocess.run(
        [sys.executable, "-c", CODE], capture_output=True, text=True, timeout=120, cwd=ROOT, check=False
    )
    assert result.returncode == 0, f"modules that fail to import on Windows:\n{result.stdout}{result.stderr[-2000:]}"


def test_the_check_catches_a_posix_only_import(tmp_path: Path) -> None:
    """The control: a module with a top-level ``import fcntl`` fails under the same conditions."""
    package = tmp_path / "nexus_gw"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "posixonly.py").write_text("import fcntl\n")
    result = subprocess.run(
        [sys.executable, "-c", CODE],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        check=False,
        env={"PYTHONPATH": str(tmp_path)},
    )
    assert result.returncode == 1 and "nexus_gw.posixonly: ImportError" in result.stdout, result.stdout + result.stderr
