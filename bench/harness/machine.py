"""The machine and software a run happened on, for the header of RESULTS.md."""
import os
import platform
import re
import subprocess

# The CPU flags that decide which kernels BLAS and ONNX Runtime can use.
INTERESTING_FLAGS = ("avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16",
                     "avx_vnni", "amx_tile", "amx_int8")


def _run(argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def cpu():
    info = {}
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        text = f.read()
    model = re.search(r"^model name\s*:\s*(.*)$", text, re.M)
    flags = re.search(r"^flags\s*:\s*(.*)$", text, re.M)
    info["model"] = model.group(1).strip() if model else platform.processor()
    info["logical_cpus"] = os.cpu_count()
    info["usable_cpus"] = len(os.sched_getaffinity(0))
    have = set(flags.group(1).split()) if flags else set()
    info["flags"] = [f for f in INTERESTING_FLAGS if f in have]
    lscpu = _run(["lscpu"])
    for key, name in (("Thread(s) per core", "threads_per_core"), ("Core(s) per socket", "cores_per_socket"),
                      ("Hypervisor vendor", "hypervisor"), ("L2 cache", "l2"), ("L3 cache", "l3")):
        m = re.search(rf"^{re.escape(key)}:\s*(.*)$", lscpu, re.M)
        if m:
            info[name] = m.group(1).strip()
    with open("/proc/meminfo", encoding="ascii") as f:
        info["memory_gib"] = round(int(f.readline().split()[1]) / 1024 / 1024, 1)
    info["kernel"] = platform.release()
    return info


def dpkg_version(package):
    return _run(["dpkg-query", "-W", "-f=${Version}", package]) or None


def versions(repo):
    v = {
        "dotnet": _run(["dotnet", "--version"]) or None,
        "python": _run(["/usr/bin/python3", "--version"]).replace("Python ", "") or None,
        "python3-torch": dpkg_version("python3-torch"),
        "python3-flask": dpkg_version("python3-flask"),
        "gunicorn": dpkg_version("gunicorn"),
        "libopenblas0-pthread": dpkg_version("libopenblas0-pthread"),
        "wrk": dpkg_version("wrk"),
    }
    props = os.path.join(repo, "Directory.Packages.props")
    if os.path.isfile(props):
        with open(props, encoding="utf-8") as f:
            m = re.search(r'Include="Microsoft\.ML\.OnnxRuntime"\s+Version="([^"]+)"', f.read())
        if m:
            v["onnxruntime"] = m.group(1)
    return v


def git_state(repo):
    commit = _run(["git", "-C", repo, "rev-parse", "HEAD"])
    dirty = bool(_run(["git", "-C", repo, "status", "--porcelain", "--untracked-files=no"]))
    return {"commit": commit, "dirty": dirty}


def load_average():
    return os.getloadavg()


def busy_cpu_seconds():
    """CPU seconds all CPUs spent on anything but idle and I/O wait since boot (/proc/stat), counting every process
    on the machine: with the harness's own processes subtracted it shows how busy the neighbours were."""
    with open("/proc/stat", encoding="ascii") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")
