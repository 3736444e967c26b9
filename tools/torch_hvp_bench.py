#!/usr/bin/python3
"""Dev-only: PyTorch's gradient and double-backward Hessian-vector product on the network that
`depthscope bench` times, so our figures can be quoted relative to PyTorch measured in the same session.

Run with Debian's interpreter (torch 1.13):  /usr/bin/python3 tools/torch_hvp_bench.py [--json FILE]

Same network and conventions as depthscope: an nn.Sequential mlp (in -> width, depth hidden tanh layers,
-> out, with biases), weights N(0, 1/fan_in), zero biases, loss (1/N) sum_n 1/2 ||f_n - y_n||^2.
Timed, median seconds per call after warm-up:
  gradient     forward + backward at the parameters (autograd.grad)            ~ Point.moveTo
  hv_cached    Hv through a kept graph of the gradient (create_graph once,
               then autograd.grad(g, params, v, retain_graph=True))             ~ Point.hvp(v, out)
  hv_full      forward + backward with create_graph + the double backward       (what a one-off Hv costs)

Debian's torch links the reference (netlib) libblas.so.3, ~10x slower per GEMM than OpenBLAS, which would
make the comparison one of BLAS libraries. For a like-for-like one, preload the OpenBLAS that ND4J uses
(the script prints which BLAS it has loaded):
  mkdir -p /tmp/ob && unzip -o -j -d /tmp/ob \
    ~/.m2/repository/org/bytedeco/openblas/0.3.19-1.5.7/openblas-0.3.19-1.5.7-linux-x86_64.jar \
    'org/bytedeco/openblas/linux-x86_64/libopenblas.so.0' 'org/bytedeco/openblas/linux-x86_64/libgfortran.so.5' \
    'org/bytedeco/openblas/linux-x86_64/libquadmath.so.0'
  OPENBLAS_NUM_THREADS=2 LD_LIBRARY_PATH=/tmp/ob LD_PRELOAD=/tmp/ob/libopenblas.so.0 /usr/bin/python3 tools/torch_hvp_bench.py
"""
import argparse
import json
import os
import statistics
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # must be set before torch loads OpenMP

import torch  # noqa: E402


def blas_in_use():
    """The BLAS shared objects mapped into this process (after torch has run a matmul)."""
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "blas" in line.lower() and "/" in line}
        return sorted(os.path.basename(lib) for lib in libs)
    except OSError:
        return []


def build(in_dim, width, depth, out_dim, dtype, gen):
    dims = [in_dim] + [width] * depth + [out_dim]
    layers = []
    for i in range(len(dims) - 1):
        lin = torch.nn.Linear(dims[i], dims[i + 1]).to(dtype)
        with torch.no_grad():
            lin.weight.normal_(0.0, dims[i] ** -0.5, generator=gen)
            lin.bias.zero_()
        layers.append(lin)
        if i < len(dims) - 2:
            layers.append(torch.nn.Tanh())
    return torch.nn.Sequential(*layers)


def median_time(fn, warmup, reps):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench(args, dtype):
    gen = torch.Generator().manual_seed(args.seed)
    net = build(args.input_dim, args.width, args.depth, args.output_dim, dtype, gen)
    params = list(net.parameters())
    x = torch.randn(args.batch, args.input_dim, generator=gen, dtype=dtype)
    y = torch.randn(args.batch, args.output_dim, generator=gen, dtype=dtype)
    v = [torch.randn(p.shape, generator=gen, dtype=dtype) for p in params]

    def loss():
        return 0.5 * ((net(x) - y) ** 2).sum() / args.batch

    def gradient():
        return torch.autograd.grad(loss(), params)

    cached = torch.autograd.grad(loss(), params, create_graph=True)

    def hv_cached():
        return torch.autograd.grad(cached, params, grad_outputs=v, retain_graph=True)

    def hv_full():
        g = torch.autograd.grad(loss(), params, create_graph=True)
        return torch.autograd.grad(g, params, grad_outputs=v)

    # alternate the three, as depthscope bench does, so load changes on a shared machine hit all of them
    times = {"gradient": [], "hv_cached": [], "hv_full": []}
    fns = {"gradient": gradient, "hv_cached": hv_cached, "hv_full": hv_full}
    for r in range(-args.warmup, args.repetitions):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            dt = time.perf_counter() - t0
            if r >= 0:
                times[name].append(dt)
    med = {k: statistics.median(t) for k, t in times.items()}
    return {
        "framework": f"torch {torch.__version__}", "threads": torch.get_num_threads(),
        "dtype": {torch.float32: "float32", torch.float64: "float64"}[dtype],
        "input_dim": args.input_dim, "width": args.width, "depth": args.depth, "output_dim": args.output_dim,
        "batch": args.batch, "param_count": sum(p.numel() for p in params),
        "gradient_seconds": med["gradient"], "hv_cached_seconds": med["hv_cached"], "hv_full_seconds": med["hv_full"],
        "ratio_cached": med["hv_cached"] / med["gradient"], "ratio_full": med["hv_full"] / med["gradient"],
    }


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--width", type=int, default=256)
    p.add_argument("--depth", type=int, default=8)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--input-dim", type=int, default=256)
    p.add_argument("--output-dim", type=int, default=10)
    p.add_argument("--dtype", default="float32,float64")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--repetitions", type=int, default=30)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    dtypes = {"float32": torch.float32, "float64": torch.float64}
    results = [bench(args, dtypes[d.strip()]) for d in args.dtype.split(",")]
    blas = ", ".join(blas_in_use()) or "unknown"
    for r in results:
        r["blas"] = blas
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, BLAS {blas}, mlp in={args.input_dim} width={args.width} "
          f"depth={args.depth} out={args.output_dim} batch={args.batch} tanh mse, P={results[0]['param_count']}; "
          f"median of {args.repetitions} after {args.warmup} warm-up")
    print(f"{'dtype':8} {'gradient ms':>12} {'Hv cached ms':>13} {'Hv full ms':>11} {'cached/grad':>12} {'full/grad':>10}")
    for r in results:
        print(f"{r['dtype']:8} {1e3 * r['gradient_seconds']:12.3f} {1e3 * r['hv_cached_seconds']:13.3f} "
              f"{1e3 * r['hv_full_seconds']:11.3f} {r['ratio_cached']:12.2f} {r['ratio_full']:10.2f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
