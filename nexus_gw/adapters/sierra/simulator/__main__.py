"""``python -m nexus_gw.adapters.sierra.simulator``: run the DTC simulator."""

import sys

from .cli import main

sys.exit(main())
