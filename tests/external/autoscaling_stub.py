"""A minimal Auto Scaling Query API endpoint: CompleteLifecycleAction only.

moto (5.2.5) has no CompleteLifecycleAction and does not model the lifecycle
hooks of a group created by CloudFormation, so a user-data script that ends its
first boot by completing the launch lifecycle action talks to this stub instead
(AWS_ENDPOINT_URL_AUTO_SCALING, named after the service id "Auto Scaling",
which the AWS CLI prefers to AWS_ENDPOINT_URL).

The stub knows which launch lifecycle actions are pending, as (group, hook,
instance) triples. `POST /` with the form-encoded parameters

    Action=CompleteLifecycleAction&Version=2011-01-01&LifecycleHookName=H
    &AutoScalingGroupName=G&InstanceId=I&LifecycleActionResult=CONTINUE|ABANDON

completes a pending action (it is no longer pending: a second call fails) and
answers a CompleteLifecycleActionResponse. Everything else gets a Query API
error, HTTP 400, as Auto Scaling would send it: ValidationError "No active
Lifecycle Action found with instance ID I" for an action that is not pending
(another group, hook or instance, or already completed), ValidationError for a
missing or invalid parameter, InvalidAction for any other Action (and for any
method but POST).

Every request is recorded, in order, in `calls` (a dict each: seq, a
monotonic time, the method and path, every parameter, the HTTP status and error
code it got, and what `on_complete` returned for it), and appended as a JSON
line to `record` if one is given. `on_complete(params)`, if given, runs in the
handler when a pending action is completed, before the response is sent, so a
caller can look at the world at that moment. Use it from Python as a context
manager:

    with AutoScalingStub(pending=[("web-group", "ready", "i-1")]) as autoscaling:
        print(autoscaling.endpoint)  # http://127.0.0.1:PORT
        ...
        print(autoscaling.calls)

or standalone (each --pending is GROUP,HOOK,INSTANCE):

    python autoscaling_stub.py --pending web-group,ready,i-1 [--record calls.jsonl] [--port PORT]
"""

from __future__ import annotations

import argparse
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from local_server import LocalServer

NAMESPACE = "http://autoscaling.amazonaws.com/doc/2011-01-01/"
API_VERSION = "2011-01-01"
ACTION = "CompleteLifecycleAction"
RESULTS = ("CONTINUE", "ABANDON")
REQUIRED = ("LifecycleHookName", "AutoScalingGroupName", "LifecycleActionResult")

Pending = tuple[str, str, str]  # (group, hook, instance id)


class QueryError(Exception):
    """An Auto Scaling error response: HTTP 400 with code and message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class AutoScalingStub(LocalServer):
    """Serves CompleteLifecycleAction on 127.0.0.1 from a background thread."""

    def __init__(self, *, pending: Iterable[Pending] = (), record: Path | None = None,
                 on_complete: Callable[[dict[str, str]], Any] | None = None,
                 port: int = 0) -> None:
        self.pending: set[Pending] = set(pending)
        self.completed: list[Pending] = []
        self.calls: list[dict[str, Any]] = []
        self.record = record
        self.on_complete = on_complete
        self.lock = threading.RLock()
        self._serve(port)

    def add_pending(self, group: str, hook: str, instance_id: str) -> None:
        with self.lock:
            self.pending.add((group, hook, instance_id))

    def completions(self) -> list[dict[str, Any]]:
        """The CompleteLifecycleAction calls (accepted or not), in order."""
        return [c for c in self.calls if c["params"].get("Action") == ACTION]

    def handle(self, method: str, path: str, params: dict[str, str]) -> tuple[int, str]:
        """Records the request and answers it: (HTTP status, XML body)."""
        request_id = str(uuid.uuid4())
        with self.lock:
            call: dict[str, Any] = {"seq": len(self.calls) + 1, "time": time.monotonic(),
                                    "method": method, "path": path, "params": params}
            self.calls.append(call)
            try:
                key = self._complete(method, params)
            except QueryError as e:
                call |= {"status": HTTPStatus.BAD_REQUEST.value, "error": e.code,
                         "message": e.message}
                self._write_record(call)
                return HTTPStatus.BAD_REQUEST, error_xml(e, request_id)
            call |= {"status": HTTPStatus.OK.value, "error": None, "completed": key}
        # Outside the lock: the callback may take a while (it may ask moto).
        if self.on_complete is not None:
            call["observed"] = self.on_complete(dict(params))
        self._write_record(call)
        return HTTPStatus.OK, response_xml(request_id)

    def _complete(self, method: str, params: dict[str, str]) -> Pending:
        action = params.get("Action", "")
        if method != "POST" or action != ACTION:
            raise QueryError("InvalidAction",
                             f"The action {action or method} is not valid for this web service.")
        if params.get("Version") != API_VERSION:
            raise QueryError("ValidationError", f"Version must be {API_VERSION}, "
                                                f"not {params.get('Version')!r}")
        missing = [p for p in REQUIRED if not params.get(p)]
        if missing:
            raise QueryError("ValidationError", f"{len(missing)} validation error(s) detected: "
                             + "; ".join(f"Value null at '{p[0].lower() + p[1:]}' failed to "
                                         "satisfy constraint: Member must not be null"
                                         for p in missing))
        if params["LifecycleActionResult"] not in RESULTS:
            raise QueryError("ValidationError", "LifecycleActionResult must be one of "
                             f"{', '.join(RESULTS)}")
        instance = params.get("InstanceId")
        if not instance:
            # A LifecycleActionToken instead: the stub issued none.
            raise QueryError("ValidationError", "No active Lifecycle Action found with token "
                             f"{params.get('LifecycleActionToken', '')}")
        key = (params["AutoScalingGroupName"], params["LifecycleHookName"], instance)
        if key not in self.pending:
            raise QueryError("ValidationError",
                             f"No active Lifecycle Action found with instance ID {instance}")
        self.pending.discard(key)
        self.completed.append(key)
        return key

    def _write_record(self, call: dict[str, Any]) -> None:
        if self.record is not None:
            with self.lock, open(self.record, "a", encoding="utf-8") as f:
                f.write(json.dumps(call, default=str) + "\n")

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server naming)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8", errors="replace")
                self._answer("POST", form(body))

            def do_GET(self) -> None:  # noqa: N802 (http.server naming)
                self._answer("GET", form(self.path.partition("?")[2]))

            def do_PUT(self) -> None:  # noqa: N802 (http.server naming)
                self._answer("PUT", {})

            def _answer(self, method: str, params: dict[str, str]) -> None:
                status, body = stub.handle(method, self.path, params)
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                """Stay quiet: the caller reports what matters."""

        return Handler


def form(text: str) -> dict[str, str]:
    """Form-encoded parameters (the last value of a repeated one)."""
    return {k: v[-1] for k, v in parse_qs(text, keep_blank_values=True).items()}


def response_xml(request_id: str) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<CompleteLifecycleActionResponse xmlns="{NAMESPACE}">\n'
            f"  <CompleteLifecycleActionResult/>\n"
            f"  <ResponseMetadata>\n    <RequestId>{request_id}</RequestId>\n"
            f"  </ResponseMetadata>\n"
            f"</CompleteLifecycleActionResponse>\n")


def error_xml(error: QueryError, request_id: str) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<ErrorResponse xmlns="{NAMESPACE}">\n'
            f"  <Error>\n    <Type>Sender</Type>\n    <Code>{escape(error.code)}</Code>\n"
            f"    <Message>{escape(error.message)}</Message>\n  </Error>\n"
            f"  <RequestId>{request_id}</RequestId>\n"
            f"</ErrorResponse>\n")


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve CompleteLifecycleAction.")
    parser.add_argument("--pending", action="append", default=[], metavar="GROUP,HOOK,INSTANCE",
                        help="a pending launch lifecycle action (repeatable)")
    parser.add_argument("--record", type=Path, help="append each call to this file (JSON lines)")
    parser.add_argument("--port", type=int, default=0, help="listen port (default: any free)")
    args = parser.parse_args()
    pending = []
    for spec in args.pending:
        parts = spec.split(",")
        if len(parts) != 3 or not all(parts):
            parser.error(f"--pending {spec!r}: want GROUP,HOOK,INSTANCE")
        pending.append((parts[0], parts[1], parts[2]))
    with AutoScalingStub(pending=pending, record=args.record, port=args.port) as stub:
        print(stub.endpoint, flush=True)
        stub.thread.join()


if __name__ == "__main__":
    main()
