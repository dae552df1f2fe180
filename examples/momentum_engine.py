"""Run the example momentum engine (nexus_gw/examples/momentum.py) against a running gateway.

python examples/momentum_engine.py --port 5556 --symbols NQ ES --seconds 60
"""

import argparse

from nexus_gw.examples.momentum import main

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--host", default="localhost")
parser.add_argument("--port", type=int, default=5556)
parser.add_argument("--symbols", nargs="+", default=["NQ"])
parser.add_argument("--seconds", type=float, default=30)
args = parser.parse_args()
main(args.host, args.port, tuple(args.symbols), args.seconds)
