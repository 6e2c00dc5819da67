"""Which BLAS Debian's PyTorch really uses, and the machine's single-precision peak as a large matrix multiply
measures it. Prints one JSON object. Run with /usr/bin/python3 (Debian's python3-torch)."""
import json
import sys
import time

import torch
from threadpoolctl import threadpool_info, threadpool_limits


def sgemm_gflops(n, threads, repeats):
    """Best and median GFLOP/s of an n x n x n fp32 matrix multiply with `threads` BLAS threads."""
    a, b = torch.randn(n, n), torch.randn(n, n)
    rates = []
    with threadpool_limits(limits=threads, user_api="blas"):
        torch.mm(a, b)
        for _ in range(repeats):
            start = time.perf_counter()
            torch.mm(a, b)
            rates.append(2 * n ** 3 / (time.perf_counter() - start) / 1e9)
    rates.sort()
    return {"threads": threads, "n": n, "best": rates[-1], "median": rates[len(rates) // 2], "runs": rates}


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3072
    config = torch.__config__.show()
    blas = [p for p in threadpool_info() if p["user_api"] == "blas"]
    threads = max((p["num_threads"] for p in blas), default=1)
    result = {
        "torch": torch.__version__,
        "blas_info": next((part.split("=", 1)[1] for part in config.replace(",", " ").split()
                           if part.startswith("BLAS_INFO=")), None),
        "torch_intra_op_threads": torch.get_num_threads(),
        "blas": [{k: p.get(k) for k in ("internal_api", "version", "num_threads", "filepath", "architecture")}
                 for p in blas],
        "sgemm": [sgemm_gflops(n, threads, 5)] + ([sgemm_gflops(n, 1, 3)] if threads > 1 else []),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
