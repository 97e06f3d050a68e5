"""The HTTP protocol the server runs: uvicorn's, with a request's head (request line and headers) bounded in bytes
on the socket, before anything buffers it.

`--max-header-bytes` is answered with a 431 by the pipeline (`app.RequestLimits`), but only once uvicorn has
read the whole head: with httptools uvicorn sets no limit of its own, so one client sending a header that never
ends made the process buffer it all (300 MB of one header line took a server from 74 MB to 590 MB of RSS).
Here the head is fed to the parser at most the cap (plus a margin: the pipeline's exact 431 stays the rule) at a
time; a head still incomplete past it gets a 431 and the connection is closed. With h11 (when httptools is not
installed) uvicorn's own `h11_max_incomplete_event_size` does the same.
"""

from __future__ import annotations

from mockserver import limits

HEAD_MARGIN = 16 * limits.KIB
"""Read past `--max-header-bytes` before the connection is cut, so the pipeline's 431 (with the API's body) is
what a merely large head gets; only a head larger still is cut at the socket."""

_REFUSAL = b"Request header fields too large"

try:
    from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
except ImportError:  # no httptools: uvicorn's h11 protocol, bounded by its own option
    HttpToolsProtocol = None


def uvicorn_options(max_header_bytes: int) -> dict:
    """The `uvicorn.Config` keywords that bound a request's head: our protocol, and its cap (carried in the
    config, which `--workers` hands to each worker process)."""
    cap = max_header_bytes + HEAD_MARGIN
    if HttpToolsProtocol is None:
        return {"http": "h11", "h11_max_incomplete_event_size": cap}
    return {"http": HeadLimitedHttpTools, "h11_max_incomplete_event_size": cap}


if HttpToolsProtocol is not None:

    class HeadLimitedHttpTools(HttpToolsProtocol):
        """uvicorn's httptools protocol, feeding the parser at most the cap of head bytes per request."""

        def __init__(self, config, *args, **kwargs) -> None:
            super().__init__(config, *args, **kwargs)
            self._head_cap = config.h11_max_incomplete_event_size or (limits.HEADER_MAX_BYTES + HEAD_MARGIN)
            self._in_head = True  # a connection starts with a request's head
            self._head_bytes = 0

        def on_headers_complete(self) -> None:
            self._in_head, self._head_bytes = False, 0
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            self._in_head = True  # what follows on this connection is the next request's head
            super().on_message_complete()

        def data_received(self, data: bytes) -> None:
            # Fed in pieces while in a head, so the parser (which buffers a header until it ends) never holds
            # more than the cap; the rest of a piece that completes the head (a body, a pipelined request) goes on.
            while data and self._in_head:
                room = self._head_cap - self._head_bytes
                if room <= 0:
                    self._refuse()
                    return
                piece, data = data[:room], data[room:]
                self._head_bytes += len(piece)
                super().data_received(piece)
                if self.transport.is_closing():
                    return
            if data:
                super().data_received(data)

        def _refuse(self) -> None:
            self.transport.write(b"".join([
                STATUS_LINE[431], b"content-type: text/plain; charset=utf-8\r\n",
                b"content-length: %d\r\n" % len(_REFUSAL), b"connection: close\r\n\r\n", _REFUSAL]))
            self.transport.close()
