"""Starts llama.cpp's own OpenAI-compatible server (the PyPI wheel xllamacpp) for the
Remote tests: serve.py MODEL PORT [API_KEY]. Prints "ready" once it listens; runs until
killed."""
import sys, time, xllamacpp

p = xllamacpp.CommonParams()
p.model.path = sys.argv[1]
p.n_ctx = 2048
p.port = int(sys.argv[2])
p.cpuparams.n_threads = 1
if len(sys.argv) > 3:
    p.api_keys = [sys.argv[3]]
s = xllamacpp.Server(p)
print("ready", flush=True)
while True:
    time.sleep(3600)
