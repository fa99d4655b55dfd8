"""A minimal EC2 instance metadata service (IMDSv2 only) for running user-data locally.

`PUT /latest/api/token` needs the `X-aws-ec2-metadata-token-ttl-seconds` header and
returns a session token; every GET needs that token in `X-aws-ec2-metadata-token`
(401 otherwise). Served paths:

    /latest/meta-data/instance-id
    /latest/meta-data/placement/region
    /latest/meta-data/placement/availability-zone
    /latest/meta-data/public-ipv4          (404 when the instance has none)
    /latest/meta-data/local-ipv4
    /latest/meta-data/tags/instance        (tag keys, one per line)
    /latest/meta-data/tags/instance/KEY

Anything else is 404. Every request is recorded ("METHOD PATH") in `requests`,
so that a caller can tell what a script asked for. Use it from Python as a context manager:

    with ImdsStub(instance_id="i-1", region="eu-west-1", availability_zone="eu-west-1a",
                  public_ip="54.0.0.1", private_ip="10.0.0.5", tags={"Name": "web"}) as imds:
        print(imds.endpoint)  # http://127.0.0.1:PORT

or standalone with the same fields in a JSON file (keys as the constructor's arguments):

    python imds_stub.py instance.json [--port PORT]
"""

from __future__ import annotations

import argparse
import json
import secrets
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler

from local_server import LocalServer

TTL_HEADER = "X-aws-ec2-metadata-token-ttl-seconds"
TOKEN_HEADER = "X-aws-ec2-metadata-token"
MAX_TTL_SECONDS = 21600
TAGS_PATH = "/latest/meta-data/tags/instance"


class ImdsStub(LocalServer):
    """Serves one instance's metadata on 127.0.0.1 from a background thread."""

    def __init__(
        self,
        *,
        instance_id: str,
        region: str,
        availability_zone: str,
        private_ip: str,
        public_ip: str | None = None,
        tags: dict[str, str] | None = None,
        target_lifecycle_state: str | None = None,
        port: int = 0,
    ) -> None:
        self.token = secrets.token_urlsafe(32)
        self.tags = dict(tags or {})
        self.requests: list[str] = []  # "METHOD PATH" of every request, in order
        self.paths = {
            "/latest/meta-data/instance-id": instance_id,
            "/latest/meta-data/placement/region": region,
            "/latest/meta-data/placement/availability-zone": availability_zone,
            "/latest/meta-data/local-ipv4": private_ip,
            TAGS_PATH: "\n".join(sorted(self.tags)),
        }
        if public_ip:
            self.paths["/latest/meta-data/public-ipv4"] = public_ip
        # Only instances of a group have it; absent, the path is a 404.
        if target_lifecycle_state:
            self.paths["/latest/meta-data/autoscaling/target-lifecycle-state"] = (
                target_lifecycle_state)
        for key, value in self.tags.items():
            self.paths[f"{TAGS_PATH}/{key}"] = value
        self._serve(port)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_PUT(self) -> None:  # noqa: N802 (http.server naming)
                stub.requests.append(f"PUT {self.path}")
                if self.path != "/latest/api/token":
                    self._reply(HTTPStatus.NOT_FOUND)
                    return
                ttl = self.headers.get(TTL_HEADER, "")
                if not ttl.isdigit() or not 1 <= int(ttl) <= MAX_TTL_SECONDS:
                    self._reply(HTTPStatus.BAD_REQUEST)
                    return
                self._reply(HTTPStatus.OK, stub.token)

            def do_GET(self) -> None:  # noqa: N802 (http.server naming)
                stub.requests.append(f"GET {self.path}")
                if self.headers.get(TOKEN_HEADER) != stub.token:
                    self._reply(HTTPStatus.UNAUTHORIZED)
                elif self.path in stub.paths:
                    self._reply(HTTPStatus.OK, stub.paths[self.path])
                else:
                    self._reply(HTTPStatus.NOT_FOUND)

            def _reply(self, status: HTTPStatus, body: str | None = None) -> None:
                data = (body if body is not None else status.phrase).encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                """Stay quiet: the caller reports what matters."""

        return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve IMDSv2 metadata for one instance.")
    parser.add_argument("data", help="JSON file with the ImdsStub constructor arguments")
    parser.add_argument("--port", type=int, default=0, help="listen port (default: any free)")
    args = parser.parse_args()
    with open(args.data, encoding="utf-8") as f:
        data = json.load(f)
    with ImdsStub(**data, port=args.port) as imds:
        print(imds.endpoint, flush=True)
        imds.thread.join()


if __name__ == "__main__":
    main()
