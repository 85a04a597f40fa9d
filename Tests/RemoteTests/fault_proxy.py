"""A fault-injecting HTTP proxy for the Remote tests, in front of a real server.

    fault_proxy.py UPSTREAM_PORT DIR FAULT...

Listens on 127.0.0.1 on a port of the kernel's choosing, written to DIR/port once it
listens. Each
POST gets the next FAULT of the list (then "pass"); other requests (GET /v1/models,
/health) pass through untouched. Faults:

    pass           forward the reply
    drop:N         forward N bytes of the reply body, then close the connection
    stall:K:S      forward K events, send nothing for S seconds, then go on
    pauses:K:S     the same before every K-th event (K, 2K, 3K, ...): a slow reply whose
                   every silence is S seconds
    busy:S         answer 429 with "Retry-After: S" (the server is not asked)
    error500       answer 500 with a JSON error body (the server is not asked)
    malformed:K    forward K events, then an event whose data is not JSON, then go on
    strip:FIELD    forward the request without its top-level JSON FIELD (a server that
                   does not know the field), then the reply
    vllm           a vLLM front: no `thinking_budget_tokens` (vLLM's budget field is
                   another), and `continue_final_message` must be a boolean as vLLM's
                   request model says: any other value is answered 400 with vLLM's kind
                   of validation error (the server is not asked); `true` (continue the
                   final message's content) is forwarded in llama.cpp's form, "content"

A streamed reply is forwarded event by event (an event ends with a blank line) in HTTP
chunks, the way llama.cpp's server sends it. For each POST one JSON line is appended to
DIR/log.jsonl: the fault, the events forwarded whole, and the `content` and `reasoning_content`
those events carried (and each event's `content`, as `pieces`) (the oracle for what a client could have received),
the status answered, and the request's `continue_final_message` as JSON text ("form").

Bounded: loopback only; it exits by itself after 900 s or 64 connections; every read
has a timeout and every loop a count.
"""
import http.client, json, os, select, socket, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LIFETIME = 900
MAX_CONNECTIONS = 64
MAX_EVENTS = 20000
MAX_LINE = 1 << 20

upstream_port = int(sys.argv[1])
directory = sys.argv[2]
log_path = os.path.join(directory, "log.jsonl")
faults = list(sys.argv[3:])
lock = threading.Lock()
posts = 0
connections = 0

BUSY_BODY = b'{"error":{"code":429,"message":"too many requests (fault proxy)","type":"rate_limit_error"}}'
ERROR_BODY = b'{"error":{"code":500,"message":"the model crashed (fault proxy)","type":"server_error"}}'
MALFORMED = b'data: {"choices":[{"delta":{"content":"oops"\n\n'
VLLM_BOOL_BODY = (b'{"object":"error","message":"[{\'type\': \'bool_parsing\', \'loc\': (\'body\', '
                  b'\'continue_final_message\'), \'msg\': \'Input should be a valid boolean, unable to '
                  b'interpret input\'}]","type":"BadRequestError","param":null,"code":400}')


def next_fault():
    global posts
    with lock:
        f = faults[posts] if posts < len(faults) else "pass"
        posts += 1
        return f


def summary(fault, events):
    """What the forwarded events carried, read with Python's own JSON parser."""
    content, reasoning, pieces = "", "", []
    for e in events:
        pieces.append("")
        for line in e.decode("utf-8", "replace").splitlines():
            if not line.startswith("data:"):
                continue
            data = line[5:].strip()
            if data == "[DONE]":
                continue
            try:
                delta = json.loads(data)["choices"][0].get("delta") or {}
            except (ValueError, KeyError, IndexError, TypeError):
                continue
            content += delta.get("content") or ""
            pieces[-1] += delta.get("content") or ""
            reasoning += delta.get("reasoning_content") or ""
    return {"fault": fault, "events": len(events), "content": content, "reasoning": reasoning, "pieces": pieces}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 60

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.forward("GET", None, "pass")

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(min(n, 16 << 20))
        fault = next_fault()
        self.continued = None
        self.form = None
        self.status = 200
        try:
            request = json.loads(body)
            last = (request.get("messages") or [{}])[-1]
            if last.get("role") == "assistant":
                self.continued = last.get("reasoning_content")
            if "continue_final_message" in request:
                self.form = json.dumps(request["continue_final_message"])
            if fault.startswith("strip:"):
                request.pop(fault.partition(":")[2], None)
                body = json.dumps(request).encode()
            if fault == "vllm":
                request.pop("thinking_budget_tokens", None)
                form = request.get("continue_final_message")
                if form is not None and not isinstance(form, bool):
                    self.answer(400, VLLM_BOOL_BODY)
                    return self.record(fault, [])
                if form is True:
                    request["continue_final_message"] = "content"
                body = json.dumps(request).encode()
        except (ValueError, AttributeError, IndexError, TypeError):
            pass
        self.forward("POST", body, fault)

    def answer(self, status, body, extra=()):
        self.status = status
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def forward(self, method, body, fault):
        kind, _, arg = fault.partition(":")
        if kind == "busy":
            self.record(fault, [])
            return self.answer(429, BUSY_BODY, [("Retry-After", arg)])
        if kind == "error500":
            self.record(fault, [])
            return self.answer(500, ERROR_BODY)
        up = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=120)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection", "content-length")}
        up.request(method, self.path, body=body, headers=headers)
        resp = up.getresponse()
        streamed = resp.status == 200 and "text/event-stream" in (resp.getheader("Content-Type") or "")
        if not streamed:
            data = resp.read(16 << 20)
            up.close()
            self.status = resp.status
            if method == "POST":
                self.record(fault, [])
            return self.answer(resp.status, data)
        self.send_response(200)
        self.send_header("Content-Type", resp.getheader("Content-Type"))
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        sent = []
        try:
            self.stream(resp, kind, arg, sent)
        except (BrokenPipeError, ConnectionResetError, socket.timeout, OSError):
            pass                                   # the client went away
        finally:
            up.close()                             # tells the server to stop generating
            self.record(fault, sent)

    def stream(self, resp, kind, arg, sent):
        budget = int(arg) if kind == "drop" else None
        at = int(arg.split(":")[0]) if kind in ("stall", "malformed", "pauses") else None
        for _ in range(MAX_EVENTS):
            event = self.read_event(resp)
            if not event:
                break
            if kind == "pauses" and sent and len(sent) % at == 0:
                if not self.stall(min(float(arg.split(":")[1]), 120)):
                    return
            elif at is not None and len(sent) == at:
                if kind == "stall":
                    if not self.stall(min(float(arg.split(":")[1]), 120)):
                        return
                else:
                    self.chunk(MALFORMED)
            if budget is not None and len(event) > budget:
                # The header promises the whole event; part of it follows; then the connection closes.
                self.wfile.write(b"%x\r\n" % len(event) + event[:budget])
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            self.chunk(event)
            sent.append(event)
            if budget is not None:
                budget -= len(event)
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def stall(self, seconds):
        """Sends nothing for `seconds`; False as soon as the client hangs up."""
        end = time.monotonic() + seconds
        for _ in range(int(seconds / 0.05) + 2):
            if time.monotonic() >= end:
                return True
            readable, _, _ = select.select([self.connection], [], [], 0.05)
            if readable and not self.connection.recv(1, socket.MSG_PEEK):
                return False
        return True

    @staticmethod
    def read_event(resp):
        event = b""
        for _ in range(1000):
            line = resp.readline(MAX_LINE)
            if not line:
                return event
            event += line
            if line in (b"\n", b"\r\n"):
                if event.strip():
                    return event
                event = b""
        return event

    def chunk(self, data):
        self.wfile.write(b"%x\r\n" % len(data) + data + b"\r\n")
        self.wfile.flush()

    def record(self, fault, sent):
        entry = summary(fault, sent)
        entry["continued"] = getattr(self, "continued", None)
        entry["status"] = getattr(self, "status", 200)
        entry["form"] = getattr(self, "form", None)
        with lock, open(log_path, "a") as f:
            f.write(json.dumps(entry) + "\n")


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def verify_request(self, request, client_address):
        global connections
        with lock:
            connections += 1
            return connections <= MAX_CONNECTIONS and client_address[0] == "127.0.0.1"


server = Server(("127.0.0.1", 0), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
with open(os.path.join(directory, "port.tmp"), "w") as f:
    f.write(str(server.server_address[1]))
os.rename(os.path.join(directory, "port.tmp"), os.path.join(directory, "port"))
time.sleep(LIFETIME)
