"""The gateway process, by its established name: ``Gateway(loaded, clock=None)``, then ``bind()`` and ``run()``.

The objects it is made of are built in ``server/app.py`` (the composition root); the loop is ``server/loop.py``.
"""

from __future__ import annotations

from nexus_gw.server.app import App


class Gateway(App):
    """One gateway process: the platform, NEXUS and admin sockets polled by one loop (see ``server.app``)."""
