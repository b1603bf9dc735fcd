"""A real local HTTP server that drips its answer: the status line and headers, or a
`Connection: close` / chunked body, one small piece at a time (issue 10, finding 3).
Each piece arrives well inside any per-read timeout; only a deadline on the whole
exchange stops the fetch."""

from __future__ import annotations

import socket
import threading
from typing import Literal

Mode = Literal["head", "close-body", "chunked-body"]


class DripServer:
    """Plain HTTP on 127.0.0.1; every request is answered `{}` padded to `size` bytes, dripped
    one byte every `interval_s` seconds in the given `mode`."""

    def __init__(self, mode: Mode, *, size: int = 64, interval_s: float = 0.05) -> None:
        self.mode, self.size, self.interval_s = mode, size, interval_s
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.stopping = threading.Event()
        self.completed = 0  # answers sent whole: a client held to its deadline lets none finish
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> DripServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.listener.close()

    def url(self, path: str = "/doc.json") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        body = b"{}" + b" " * (self.size - 2)
        with conn:
            try:
                request = b""
                while b"\r\n\r\n" not in request:
                    piece = conn.recv(4096)
                    if not piece:
                        return
                    request += piece
                if self.mode == "head":
                    head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
                    self._drip(conn, head.encode(), then=body)
                elif self.mode == "close-body":
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n")
                    self._drip(conn, body)
                else:
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
                    self._drip(conn, b"".join(b"1\r\n" + body[i:i + 1] + b"\r\n" for i in range(len(body))) + b"0\r\n\r\n")
            except OSError:
                return  # the client gave up

    def _drip(self, conn: socket.socket, data: bytes, then: bytes = b"") -> None:
        step = 1 if self.mode != "chunked-body" else 6
        for start in range(0, len(data), step):
            if self.stopping.wait(self.interval_s):
                return
            conn.sendall(data[start:start + step])
        conn.sendall(then)
        self.completed += 1
