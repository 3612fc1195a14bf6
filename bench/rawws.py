"""A blocking WebSocket client over a plain socket, for timing what a close does.

aiohttp decides for itself when its close frame leaves and what follows it; to
time the release of a file from the instant a browser lets go, the close frame
(or the loss of the connection) must leave at a known moment, from code that
then does nothing but watch ``/proc``. RFC 6455 needs little for that. The same
client plays an abusive one: a tiny receive buffer (``rcvbuf``), never reading,
sending whatever it likes.
"""

from __future__ import annotations

import base64
import os
import socket
import struct

_OP_TEXT = 0x1
_OP_BINARY = 0x2
_OP_CLOSE = 0x8


class RawWebSocket:
    """One client connection: handshake on construction, then frames by hand."""

    def __init__(
        self,
        host: str,
        port: int,
        path: str,
        origin: str,
        timeout: float = 10.0,
        rcvbuf: int | None = None,
    ):
        """``rcvbuf`` sets SO_RCVBUF before connecting, which bounds the TCP window."""
        self._sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        if rcvbuf is not None:
            self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self._sock.settimeout(timeout)
        self._sock.connect((host, port))
        self._buffer = b""
        key = base64.b64encode(os.urandom(16)).decode()
        request = (
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            f"Sec-WebSocket-Version: 13\r\nOrigin: {origin}\r\n\r\n"
        )
        self._sock.sendall(request.encode())
        head = self._read_until(b"\r\n\r\n")
        status = head.split(b"\r\n", 1)[0]
        if b" 101 " not in status + b" ":
            raise ConnectionError(f"handshake refused: {status.decode(errors='replace')}")

    def _read_until(self, marker: bytes) -> bytes:
        while marker not in self._buffer:
            self._fill()
        head, self._buffer = self._buffer.split(marker, 1)
        return head

    def _fill(self) -> None:
        chunk = self._sock.recv(65536)
        if not chunk:
            raise ConnectionError("connection closed by the server")
        self._buffer += chunk

    def _take(self, size: int) -> bytes:
        while len(self._buffer) < size:
            self._fill()
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def read_message(self) -> tuple[int, bytes]:
        """The next frame's opcode and payload (servers do not mask; fragments are rare here)."""
        first, second = self._take(2)
        size = second & 0x7F
        if size == 126:
            (size,) = struct.unpack("!H", self._take(2))
        elif size == 127:
            (size,) = struct.unpack("!Q", self._take(8))
        return first & 0x0F, self._take(size)

    def read_text(self) -> str:
        while True:
            opcode, payload = self.read_message()
            if opcode == _OP_TEXT:
                return payload.decode()
            if opcode == _OP_CLOSE:
                raise ConnectionError(f"server closed: {payload!r}")

    def send_close(self, code: int = 1000) -> None:
        """Send a masked close frame (1000, normal closure), as a browser does on unload."""
        self._sock.sendall(client_frame(_OP_CLOSE, struct.pack("!H", code)))

    def send_text(self, text: str) -> None:
        self._sock.sendall(client_frame(_OP_TEXT, text.encode()))

    def send_binary(self, data: bytes) -> None:
        self._sock.sendall(client_frame(_OP_BINARY, data))

    def send_raw(self, data: bytes) -> None:
        """Bytes as they are: frames built once with ``client_frame`` and sent many times."""
        self._sock.sendall(data)

    def close_code(self) -> int | None:
        """Read (and drop) frames until the server's close frame; its code, or None."""
        try:
            while True:
                opcode, payload = self.read_message()
                if opcode == _OP_CLOSE:
                    return struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
        except (ConnectionError, OSError):
            return None

    def drop(self) -> None:
        """Go away without a close frame, as a killed browser does: the kernel just closes."""
        self._sock.close()

    def close(self) -> None:
        self._sock.close()


def client_frame(opcode: int, payload: bytes) -> bytes:
    """One masked client frame (RFC 6455 5.2), as browsers send them."""
    size = len(payload)
    if size < 126:
        header = bytes([0x80 | opcode, 0x80 | size])
    elif size < 65536:
        header = bytes([0x80 | opcode, 0x80 | 126]) + struct.pack("!H", size)
    else:
        header = bytes([0x80 | opcode, 0x80 | 127]) + struct.pack("!Q", size)
    mask = os.urandom(4)
    # XOR as one big integer: a byte loop would take seconds for a 10 MB frame.
    key = (mask * (size // 4 + 1))[:size]
    masked = (int.from_bytes(payload, "big") ^ int.from_bytes(key, "big")).to_bytes(size, "big")
    return header + mask + masked
