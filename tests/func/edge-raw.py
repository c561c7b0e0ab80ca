#!/usr/bin/env python3
# Raw requests for tests/func/edge-*.sh: bytes curl would not send as they
# are, over the UNIX socket, TCP or TLS.
#
#   edge-raw.py send TRANSPORT          request on stdin; prints the status
#                                       and "closed" (the server closed the
#                                       connection) or "open", then the body
#   edge-raw.py mutate TRANSPORT HEALTH SEED N TAGS FILE...
#                                       N mutated copies of the recorded
#                                       requests; after each, GET /v1/health
#                                       over HEALTH must answer 200
#
# TRANSPORT: unix:PATH, tcp:HOST:PORT or tls:HOST:PORT (not verified).
import random
import socket
import ssl
import sys


def connect(transport):
    kind, _, where = transport.partition(':')
    if kind == 'unix':
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(10)
        s.connect(where)
        return s
    host, _, port = where.rpartition(':')
    s = socket.create_connection((host, int(port)), timeout=10)
    if kind == 'tls':
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        s = ctx.wrap_socket(s)
    return s


def exchange(transport, data, timeout=10, close_write=False):
    """Send data, read until the server closes (or timeout)."""
    global closed
    s = connect(transport)
    s.settimeout(timeout)
    got = b''
    closed = False
    try:
        s.sendall(data)
        if close_write and not isinstance(s, ssl.SSLSocket):
            s.shutdown(socket.SHUT_WR)
        while True:
            b = s.recv(65536)
            if not b:
                closed = True
                break
            got += b
    except (ConnectionError, ssl.SSLError) as e:
        closed = not isinstance(e, socket.timeout)
    except OSError:
        pass
    s.close()
    return got


def split(resp):
    head, _, body = resp.partition(b'\r\n\r\n')
    line = head.split(b'\r\n', 1)[0].split(b' ')
    status = line[1].decode() if len(line) > 1 else '000'
    return status, head, body


def send(transport):
    status, head, body = split(exchange(transport, sys.stdin.buffer.read()))
    sys.stdout.write(status + (' closed' if closed else ' open') + '\n')
    sys.stdout.flush()
    sys.stdout.buffer.write(body)


def health(transport):
    resp = exchange(transport, b'GET /v1/health HTTP/1.1\r\nHost: x\r\n'
                    b'Connection: close\r\n\r\n')
    return split(resp)[0]


NASTY = [b'\xff', b'\xc3\x28', b'\x00', b'\xe2\x82', b'\xf4\x90\x80\x80',
         b'\xed\xa0\x80', b'%ff', b'%00', b'%c3%28', b'\r\n', b'\n', b' ',
         b'\x7f', b'"', b'{', b'\\', b'%', b'?', b'&', b'=']


def mutate(rng, req):
    """One deterministic damage of a request (bytes)."""
    if len(req) < 2:
        return req + rng.choice(NASTY)
    head, sep, body = req.partition(b'\r\n\r\n')
    lines = head.split(b'\r\n')
    how = rng.randrange(9)
    if how == 0:          # a nasty byte anywhere
        i = rng.randrange(len(req) + 1)
        return req[:i] + rng.choice(NASTY) + req[i:]
    if how == 1:          # a byte replaced
        i = rng.randrange(len(req))
        return req[:i] + bytes([rng.randrange(256)]) + req[i + 1:]
    if how == 2:          # truncated
        return req[:rng.randrange(len(req))]
    if how == 3:          # a header line duplicated
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i])
    elif how == 4 and len(lines) > 1:   # a header line dropped
        del lines[rng.randrange(1, len(lines))]
    elif how == 5:        # a second, different Content-Length
        lines.append(b'Content-Length: %d' % rng.randrange(0, 100000))
    elif how == 6:        # a header with a value that is not UTF-8
        lines.append(rng.choice([b'Content-Type', b'X-Kitstock-Station',
                                 b'Authorization', b'Cookie', b'Accept',
                                 b'X-\xff']) + b': ' + rng.choice(NASTY) * 3)
    elif how == 7:        # the body's bytes mangled
        if body:
            i = rng.randrange(len(body))
            body = body[:i] + rng.choice(NASTY) + body[i:]
    else:                 # the path or query mangled
        first = lines[0].split(b' ')
        if len(first) >= 2:
            p = first[1]
            i = rng.randrange(len(p) + 1)
            first[1] = p[:i] + rng.choice(NASTY) + p[i:]
            lines[0] = b' '.join(first)
    return b'\r\n'.join(lines) + sep + body


def recorded(path, tags):
    """A fuzz corpus request (first byte: the caller) as HTTP/1.1 bytes."""
    data = open(path, 'rb').read()[1:]
    for key, value in tags.items():
        mark = b'$TOKEN' if key == 'TOKEN' else b'@' + key.encode()
        data = data.replace(mark, value.encode())
    head, _, body = data.partition(b'\n\n')
    lines = head.split(b'\n')
    lines[0] += b' HTTP/1.1'
    lines = [l for l in lines if not l.lower().startswith(b'content-length')]
    lines += [b'Host: localhost', b'Connection: close',
              b'Content-Length: %d' % len(body)]
    return b'\r\n'.join(lines) + b'\r\n\r\n' + body


def mutate_run(transport, health_transport, seed, n, tags, files):
    rng = random.Random(int(seed))
    tags = dict(t.split('=', 1) for t in tags.split(',') if t)
    reqs = [recorded(f, tags) for f in sorted(files)]
    bad = 0
    for i in range(int(n)):
        req = reqs[rng.randrange(len(reqs))]
        for _ in range(rng.randrange(1, 4)):
            req = mutate(rng, req)
        exchange(transport, req, timeout=2, close_write=True)
        h = health(health_transport)
        if h != '200':
            print('after mutation %d (%r): health %s' % (i, req[:200], h))
            bad += 1
            break
    print('%d mutated requests, %d failures' % (i + 1, bad))
    return bad


if __name__ == '__main__':
    if sys.argv[1] == 'send':
        send(sys.argv[2])
    elif sys.argv[1] == 'mutate':
        sys.exit(1 if mutate_run(*sys.argv[2:7], sys.argv[7:]) else 0)
