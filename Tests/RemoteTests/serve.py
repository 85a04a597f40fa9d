"""Starts llama.cpp's own OpenAI-compatible server (the PyPI wheel xllamacpp) for the
Remote tests: serve.py MODEL PORT [API_KEY] [TEMPLATE_FILE]. An empty API_KEY means
none; TEMPLATE_FILE replaces the model's chat template (the server's reasoning parser,
DeepSeek style by default, reads the template to find the think tags). Prints "ready"
once it listens; runs until killed."""
import sys, time, xllamacpp

p = xllamacpp.CommonParams()
p.model.path = sys.argv[1]
p.n_ctx = 2048
p.port = int(sys.argv[2])
p.cpuparams.n_threads = 1
if len(sys.argv) > 3 and sys.argv[3]:
    p.api_keys = [sys.argv[3]]
if len(sys.argv) > 4:
    with open(sys.argv[4]) as f:
        p.chat_template = f.read()
    p.reasoning_format = xllamacpp.common_reasoning_format.COMMON_REASONING_FORMAT_DEEPSEEK
s = xllamacpp.Server(p)
print("ready", flush=True)
while True:
    time.sleep(3600)
