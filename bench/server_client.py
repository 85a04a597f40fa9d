"""A plain streaming client, the reference for `ponder bench --server`: the same prompt
and request (greedy, max_tokens N, seed 1) over Python's http.client, timed the way
Ponder times a turn (first text chunk after the request; tokens after the first over
first-to-last chunk), paired with the same reply's server timings (llama.cpp's
prompt_ms, predicted_n, predicted_ms). One request first, not counted, caches the prompt.

    bench/server_client.py URL [N] [RUNS]      e.g. http://127.0.0.1:8080 128 6
"""
import http.client, json, resource, statistics, sys, time, urllib.parse

url = urllib.parse.urlparse(sys.argv[1])
n = int(sys.argv[2]) if len(sys.argv) > 2 else 128
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 6
path = (url.path.rstrip("/") or "/v1") + "/chat/completions"
body = json.dumps({"messages": [{"role": "user", "content": "Write a long story about a lighthouse keeper and a storm."}],
                   "temperature": 0, "top_p": 0.95, "max_tokens": n, "seed": 1, "stream": True,
                   "stream_options": {"include_usage": True}})
rows = []
for r in range(runs + 1):
    c = http.client.HTTPConnection(url.hostname, url.port or 80)
    t0 = time.monotonic()
    c.request("POST", path, body, {"Content-Type": "application/json"})
    first = last = timings = None
    k = 0
    for line in c.getresponse():
        line = line.strip()
        if not line.startswith(b"data: ") or line == b"data: [DONE]":
            continue
        chunk = json.loads(line[6:])
        timings = chunk.get("timings") or timings
        delta = (chunk.get("choices") or [{}])[0].get("delta") or {}
        if delta.get("content") or delta.get("reasoning_content"):
            last = time.monotonic()
            first = first or last
            k += 1
    c.close()
    if r > 0:
        rows.append(((first - t0) * 1000, timings["prompt_ms"],
                     (k - 1) / (last - first), (timings["predicted_n"] - 1) / timings["predicted_ms"] * 1000))
med = [statistics.median(x[i] for x in rows) for i in range(4)]
print(f"time to first token (ms): client {med[0]:.2f}, server {med[1]:.2f}, difference {med[0] - med[1]:.2f} ms")
print(f"decode (tok/s): client {med[2]:.2f}, server {med[3]:.2f}, difference {(1 - med[2] / med[3]) * 100:.2f} %")
ru = resource.getrusage(resource.RUSAGE_SELF)
print(f"client CPU: {ru.ru_utime + ru.ru_stime:.2f} s for {runs + 1} requests")
