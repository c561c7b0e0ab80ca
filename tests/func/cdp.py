#!/usr/bin/env python3
"""Drive a headless Chromium over the DevTools protocol (standard library
only): wait until the page says it is ready, then save its DOM (and in
DOM_FILE.resources every URL the page requested) and a screenshot. A page that keeps an EventSource open never lets Chromium's
--virtual-time-budget end, hence this instead of --dump-dom.

usage: cdp.py USER_DATA_DIR DOM_FILE PNG_FILE [TIMEOUT]
Chromium must be started with --remote-debugging-port=0 and
--user-data-dir=USER_DATA_DIR (it writes DevToolsActivePort there).
"""
import base64
import json
import os
import socket
import struct
import sys
import time
import urllib.request


def ws_connect(url):
    rest = url[len("ws://"):]
    hostport, path = rest.split("/", 1)
    host, port = hostport.split(":")
    s = socket.create_connection((host, int(port)), timeout=30)
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall(("GET /%s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\n"
               "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
               "Sec-WebSocket-Version: 13\r\n\r\n" % (path, hostport, key))
              .encode())
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(4096)
        if not chunk:
            raise OSError("websocket handshake failed")
        buf += chunk
    if b" 101 " not in buf.split(b"\r\n", 1)[0]:
        raise OSError("websocket refused: %r" % buf[:80])
    return s, buf.split(b"\r\n\r\n", 1)[1]


class Page:
    def __init__(self, url):
        self.sock, self.buf = ws_connect(url)
        self.n = 0

    def _read(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise OSError("connection closed")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def _frame(self):
        b0, b1 = self._read(2)
        n = b1 & 0x7F
        if n == 126:
            n = struct.unpack(">H", self._read(2))[0]
        elif n == 127:
            n = struct.unpack(">Q", self._read(8))[0]
        return b0 & 0x0F, self._read(n)

    def call(self, method, **params):
        self.n += 1
        data = json.dumps({"id": self.n, "method": method,
                           "params": params}).encode()
        mask = os.urandom(4)
        head = bytes([0x81])
        if len(data) < 126:
            head += bytes([0x80 | len(data)])
        elif len(data) < 65536:
            head += bytes([0x80 | 126]) + struct.pack(">H", len(data))
        else:
            head += bytes([0x80 | 127]) + struct.pack(">Q", len(data))
        masked = bytes(c ^ mask[i % 4] for i, c in enumerate(data))
        self.sock.sendall(head + mask + masked)
        message = b""
        while True:
            op, payload = self._frame()
            message += payload
            if op in (0x1, 0x0):
                try:
                    reply = json.loads(message)
                except ValueError:
                    continue
                message = b""
                if reply.get("id") == self.n:
                    if "error" in reply:
                        raise OSError(str(reply["error"]))
                    return reply.get("result", {})

    def evaluate(self, expr):
        r = self.call("Runtime.evaluate", expression=expr, returnByValue=True)
        return r.get("result", {}).get("value")


def main():
    udir, dom, png = sys.argv[1:4]
    limit = float(sys.argv[4]) if len(sys.argv) > 4 else 60
    deadline = time.time() + limit
    portfile = os.path.join(udir, "DevToolsActivePort")
    while not os.path.exists(portfile) or os.path.getsize(portfile) == 0:
        if time.time() > deadline:
            sys.exit("chromium did not start")
        time.sleep(0.2)
    port = open(portfile).read().split()[0]
    page = None
    while page is None:
        tabs = json.load(urllib.request.urlopen(
            "http://127.0.0.1:%s/json" % port, timeout=10))
        page = next((t for t in tabs if t.get("type") == "page"), None)
        if page is None:
            time.sleep(0.2)
    p = Page(page["webSocketDebuggerUrl"])
    ready = None
    while time.time() < deadline:
        ready = p.evaluate("document.body ? "
                           "document.body.getAttribute('data-ready') : null")
        if ready not in (None, "0"):
            break
        time.sleep(0.3)
    with open(dom, "w", encoding="utf-8") as f:
        f.write(p.evaluate("document.documentElement.outerHTML") or "")
    # What the page itself asked for (scripts, styles, fetch, stream).
    with open(dom + ".resources", "w", encoding="utf-8") as f:
        f.write(p.evaluate("location.href + '\\n' + performance"
                           ".getEntriesByType('resource').map(function (e) "
                           "{ return e.name; }).join('\\n')") or "")
    shot = p.call("Page.captureScreenshot", format="png",
                  captureBeyondViewport=True)
    with open(png, "wb") as f:
        f.write(base64.b64decode(shot["data"]))
    try:
        p.call("Browser.close")
    except OSError:
        pass
    print(ready)


if __name__ == "__main__":
    main()
