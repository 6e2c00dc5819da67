"""Load phases with wrk (a separate process on loopback), and single HTTP calls for probes and checks."""
import http.client
import json
import os
import resource
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
LUA = os.path.join(HERE, "rotate.lua")


def parse_wrk(stdout):
    """The WRK-RESULT object that rotate.lua prints, or None when wrk did not get that far."""
    for line in stdout.splitlines():
        if line.startswith("WRK-RESULT "):
            return json.loads(line[len("WRK-RESULT "):])
    return None


def run_wrk(url, bodies_path, connections, seconds, timeout_s=60):
    """Runs wrk for `seconds` with `connections` keep-alive connections on one thread (the load generator shares the
    machine's two cores with the server, so it is kept to one). Returns the parsed result plus the CPU seconds
    wrk itself used."""
    argv = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", f"--timeout={timeout_s}s", "-s", LUA, url, "--",
            bodies_path]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        stdout, _ = proc.communicate(timeout=seconds + timeout_s + 30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    # wrk is the only child that ends meanwhile (servers live on), so the children's usage grows by exactly its own.
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = parse_wrk(stdout)
    if result is None:
        raise RuntimeError(f"wrk gave no result for {url}: {stdout.strip()[-500:]}")
    result["loadgen_cpu_s"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return result


def post_json(port, path, payload, timeout=120.0):
    """(status, parsed body or None) of one POST on a fresh connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("POST", path, json.dumps(payload, ensure_ascii=False).encode("utf-8"),
                     {"Content-Type": "application/json"})
        response = conn.getresponse()
        body = response.read()
        try:
            return response.status, json.loads(body)
        except ValueError:
            return response.status, None
    finally:
        conn.close()


def get_text(port, path, timeout=10.0):
    """(status, body text) of one GET, or (None, None) when the server does not answer."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    except OSError:
        return None, None
    finally:
        conn.close()


def wait_first_prediction(server, port, text, limit_s):
    """Seconds from the server's process start to its first successful /predict; polls every 5 ms while the port
    refuses connections. Raises when the server dies or the limit passes."""
    deadline = server.started + limit_s
    while time.monotonic() < deadline:
        if not server.alive():
            raise RuntimeError(f"{server.name} exited during start:\n{server.log_tail()}")
        try:
            status, body = post_json(port, "/predict", {"text": text}, timeout=max(1.0, deadline - time.monotonic()))
            if status == 200 and isinstance(body, dict) and "label" in body:
                return time.monotonic() - server.started
            time.sleep(0.005)  # e.g. 503 while the model loads
        except (ConnectionRefusedError, ConnectionResetError, http.client.RemoteDisconnected):
            time.sleep(0.005)
    raise RuntimeError(f"{server.name} gave no prediction within {limit_s} s:\n{server.log_tail()}")
