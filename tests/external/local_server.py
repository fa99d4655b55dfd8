"""An HTTP server on 127.0.0.1, served from a background thread while its
`with` block runs: what the local stubs (imds_stub.py, autoscaling_stub.py)
share. Standard library only."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TypeVar

Self = TypeVar("Self", bound="LocalServer")


class LocalServer:
    """Subclasses give their request handler with `_handler_class`."""

    def _serve(self, port: int) -> None:
        """Binds the port (0: any free one); serving starts on `with`."""
        self.server = ThreadingHTTPServer(("127.0.0.1", port), self._handler_class())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        raise NotImplementedError

    @property
    def endpoint(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self: Self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()
