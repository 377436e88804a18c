"""Run moto's server (the local AWS stand-in) answering one request at a time.

DynamoDB applies every conditional write and transaction atomically. moto's own `moto_server` serves
requests on many threads without locking its backends, so two overlapping conditional writes can both
pass — which would make the exactly-once tests test moto, not kindly. Serving one request at a time (HTTP/1.0,
one connection after another) restores the atomicity kindly relies on.

SES v2 throttling, which moto does not model, is added for the tests and the pacing benchmark: a SendEmail
whose configuration set is named `throttle-every-N-...` gets SES's 429 TooManyRequestsException on every
Nth call for that set. Every SendEmail's time and outcome is kept per configuration set and served at
`GET /kindly-stand-in/send-log?configuration-set=NAME` (JSON: `[{"at": unix seconds, "accepted": bool}]`).

    python3 tests/moto_serial.py PORT
"""

import io
import json
import re
import sys
import time
from collections import defaultdict
from urllib.parse import parse_qs

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import run_simple

SEND_EMAIL_PATH = "/v2/email/outbound-emails"
SEND_LOG_PATH = "/kindly-stand-in/send-log"
THROTTLED_SET = re.compile(r"^throttle-every-(\d+)\b")


class SesThrottling:
    """WSGI middleware in front of moto: counts SendEmail calls per configuration set and throttles some."""

    def __init__(self, app):
        self.app = app
        self.log = defaultdict(list)

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if environ["REQUEST_METHOD"] == "GET" and path == SEND_LOG_PATH:
            name = parse_qs(environ.get("QUERY_STRING", "")).get("configuration-set", [""])[0]
            return self.answer(start_response, "200 OK", {}, self.log.get(name, []))
        if environ["REQUEST_METHOD"] == "POST" and path == SEND_EMAIL_PATH:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length)
            environ["wsgi.input"] = io.BytesIO(body)
            try:
                name = json.loads(body or b"{}").get("ConfigurationSetName") or ""
            except ValueError:
                name = ""
            calls = self.log[name]
            match = THROTTLED_SET.match(name)
            if match and (len(calls) + 1) % int(match.group(1)) == 0:
                calls.append({"at": time.time(), "accepted": False})
                headers = {"x-amzn-ErrorType": "TooManyRequestsException"}
                return self.answer(start_response, "429 Too Many Requests", headers,
                                   {"message": "Maximum sending rate exceeded."})

            def record(status, headers, *rest):
                calls.append({"at": time.time(), "accepted": status.startswith("200")})
                return start_response(status, headers, *rest)

            return self.app(environ, record)
        return self.app(environ, start_response)

    @staticmethod
    def answer(start_response, status, headers, document):
        body = json.dumps(document).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body))),
                                *headers.items()])
        return [body]


port = int(sys.argv[1]) if len(sys.argv) > 1 else 5055
app = SesThrottling(DomainDispatcherApplication(create_backend_app))
run_simple("127.0.0.1", port, app, threaded=False, request_handler=MotoRequestHandler)
