"""``nexusgw dashboard``: the live terminal view of a running gateway.

``rows`` turns a ``status`` answer into the text of each panel (pure, no textual); ``app`` is the textual
application that polls the admin socket through a function it is given and draws those rows.
"""
