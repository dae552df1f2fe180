"""Send one NQ signal through a running gateway and print the one aggregated fill.

nexusgw serve --profile dev &          # plus one `nexusgw adapter NAME --profile dev` per platform
python examples/send_one_signal.py [PORT]
"""

import json
import sys
import threading

from nexus_gw.client import NexusGatewayInterface

port = int(sys.argv[1]) if len(sys.argv) > 1 else 5556
done = threading.Event()
gateway = NexusGatewayInterface("localhost", port)
gateway.connect()
gateway.set_fill_callback(lambda fill: (print(json.dumps(fill)), done.set()))
gateway.start_listening()
order_id = gateway.send_signal("NQ", signal=1.0, confidence=0.85, qty=1)
print(f"order {order_id}", file=sys.stderr)
done.wait(10) or sys.exit("no fill within 10 s")
gateway.close()
