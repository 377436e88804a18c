"""Run moto's server (the local AWS stand-in) answering one request at a time.

DynamoDB applies every conditional write and transaction atomically. moto's own `moto_server` serves
requests on many threads without locking its backends, so two overlapping conditional writes can both
pass — which would make the exactly-once tests test moto, not kindly. Serving one request at a time (HTTP/1.0,
one connection after another) restores the atomicity kindly relies on.

    python3 tests/moto_serial.py PORT
"""

import sys

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import run_simple

port = int(sys.argv[1]) if len(sys.argv) > 1 else 5055
app = DomainDispatcherApplication(create_backend_app)
run_simple("127.0.0.1", port, app, threaded=False, request_handler=MotoRequestHandler)
