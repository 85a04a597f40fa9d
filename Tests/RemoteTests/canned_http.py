"""A loopback HTTP server for the framing tests: canned_http.py PORT FILE [PEM], where
FILE holds a JSON list of raw responses (latin-1 strings, sent byte for byte). Connection
i gets response i (after its request has been read), then the connection is closed.
With PEM (a certificate and its key) every connection is TLS first; a client that
refuses the handshake uses up its response, and the handshake's error is printed.
Exits after the last response, or after 600 s without a connection (the test kills it
when it is done; a loaded machine can leave a test unscheduled for minutes)."""
import json, socket, ssl, sys, time

port, responses = int(sys.argv[1]), json.load(open(sys.argv[2]))
tls = None
if len(sys.argv) > 3:
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(sys.argv[3])
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port))
srv.listen(4)
srv.settimeout(1)
print("ready", flush=True)
deadline = time.time() + 600
served = 0
while served < len(responses) and time.time() < deadline:
    try:
        conn, _ = srv.accept()
    except socket.timeout:
        continue
    deadline = time.time() + 600
    conn.settimeout(60)
    data = b""
    try:
        if tls:
            try:
                conn = tls.wrap_socket(conn, server_side=True)
            except (ssl.SSLError, OSError) as e:
                print("handshake:", e, flush=True)
                raise
        while b"\r\n\r\n" not in data and len(data) < 1 << 20:
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(body) < length:
            chunk = conn.recv(65536)
            if not chunk:
                break
            body += chunk
        conn.sendall(responses[served].encode("latin-1"))
    except OSError:
        pass
    finally:
        conn.close()
    served += 1
