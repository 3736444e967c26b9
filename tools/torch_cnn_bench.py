#!/usr/bin/python3
"""Dev-only: PyTorch's gradient and Hessian-vector products on the networks that `depthscope bench` times, so our
figures are quoted against PyTorch timed in the same run. `depthscope bench` starts this script as its peer
(`--serve`) and alternates with it; it also runs alone.

Run with Debian's interpreter (torch 1.13):  /usr/bin/python3 tools/torch_cnn_bench.py [--case resnet,mlp] [--json FILE]

Cases (float32 unless --dtype says otherwise):
  resnet  tools/torch_models.py's resnet(n) (He et al.'s CIFAR ResNet-(6n+2), depth 6n+2, filters width, 2 width,
          4 width, BatchNorm, shortcut A, 10 classes) in train mode on a batch of Gaussian 3x32x32 images with uniform
          random labels, cross-entropy (mean over the batch); akamaster's initialisation (Kaiming normal)
  mlp     tools/torch_hvp_bench.py's mlp (in -> width, depth tanh layers, -> out, biases; LeCun weights, zero biases)
          on Gaussian inputs and targets, loss (1/N) sum_n 1/2 ||f_n - y_n||^2

Timed per call (each call alternates with the others, as depthscope bench does):
  gradient   forward + backward at the parameters (autograd.grad)                         ~ Point.moveTo
  hv_cached  Hv through the gradient's graph built once: g = grad(loss, params, create_graph=True) once,
             then per Hv autograd.grad(g . v, params, retain_graph=True)                  ~ Point.hvp(v, out)
  hv_full    the graph rebuilt each time: forward, backward with create_graph, double backward

BLAS: Debian's torch links the reference (netlib) libblas.so.3, about 10x slower per GEMM than OpenBLAS; its
convolutions run in oneDNN (MKL-DNN), which torch carries. For the mlp to compare engines rather than BLAS
libraries, preload the OpenBLAS that ND4J uses (depthscope bench does this itself: LD_PRELOAD of the libopenblas.so.0
its JVM has mapped). The script reports which BLAS is mapped and, when it is OpenBLAS, which kernels it chose. Keep
the machine's OPENBLAS_CORETYPE (Haswell on the project's machine): without it OpenBLAS 0.3.19 does not know that
AMD CPU and takes its Barcelona kernels, and the mlp's gradient and Hv took 1.7 to 2.1 times as long.

Serving (`--serve`): one JSON object per line on stdin, one JSON reply per line on stdout:
  {"cmd": "setup", "case": "resnet", "depth": 20, "width": 16, "batch": 128, "dtype": "float32", "seed": 0}
      -> {"ok": true, "key": "resnet/float32", "param_count": ..., "framework": ..., "threads": ..., "blas": ...}
      (mlp: "input_dim", "width", "depth", "output_dim", "batch")
      With "arrays": "FILE.npz" (mlp only), the network's weights (state-dict names layers.i.weight, layers.i.bias)
      and the batch (x, y) come from that file, as depthscope bench wrote them, and the reply adds the "loss" there;
      the key then ends in "/shipped". The file may also hold the vectors of depthscope's estimators (probes
      [n, P], lanczos_start [P], slq_starts [runs, P]) for "estimate" with "shipped".
  {"cmd": "time", "key": "resnet/float32", "repetitions": 1}
      -> {"ok": true, "gradient": [s, ...], "hv_cached": [...], "hv_full": [...]}
  {"cmd": "estimate", "key": ..., "estimator": "trace|moments|power|lanczos|slq", "probes": n, "steps": m,
   "runs": n_v, "repetitions": 1, "shipped": false}
      -> {"ok": true, "seconds": [s, ...], "values": {...}}: whole estimators of tools/torch_estimators.py (graph
      built, then the estimator), each drawing its own vectors as PyHessian does, or, with "shipped", starting from
      the file's vectors; "values" are the last call's.
  {"cmd": "quit"}
An error is {"ok": false, "error": "..."}. The serving process does nothing between commands, so it takes no CPU
while the JVM times its own calls.
"""
import argparse
import ctypes
import json
import os
import statistics
import sys
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # must be set before torch loads OpenMP

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_estimators  # noqa: E402
import torch_models  # noqa: E402
from torch_hvp_bench import blas_in_use, build as build_mlp  # noqa: E402

DTYPES = {"float32": torch.float32, "float64": torch.float64}


def openblas_core():
    """The kernels OpenBLAS chose (openblas_get_corename), when an OpenBLAS is mapped into this process."""
    for lib in ("libopenblas.so.0", "libopenblas.so"):
        try:
            handle = ctypes.CDLL(lib, mode=os.RTLD_NOLOAD | os.RTLD_GLOBAL)
        except OSError:
            continue
        handle.openblas_get_corename.restype = ctypes.c_char_p
        return handle.openblas_get_corename().decode()
    return None


class Case:
    """One network, batch and direction, with the three timed calls."""

    def __init__(self, spec):
        self.spec = spec
        dtype = DTYPES[spec.get("dtype", "float32")]
        gen = torch.Generator().manual_seed(int(spec.get("seed", 0)))
        torch.manual_seed(int(spec.get("seed", 0)))  # kaiming_normal_ draws from the global generator
        n = int(spec["batch"])
        if spec["case"] == "resnet":
            depth = int(spec["depth"])
            if depth < 8 or (depth - 2) % 6:
                raise ValueError(f"depth {depth}: allowed 6n + 2, n >= 1")
            w = int(spec["width"])
            net = torch_models.resnet((depth - 2) // 6, filters=(w, 2 * w, 4 * w), dtype=dtype).train()
            x = torch.randn(n, 3, 32, 32, generator=gen, dtype=dtype)
            labels = torch.randint(0, 10, (n,), generator=gen)

            def loss():
                return F.cross_entropy(net(x), labels)
        elif spec["case"] == "mlp":
            net = build_mlp(int(spec["input_dim"]), int(spec["width"]), int(spec["depth"]), int(spec["output_dim"]),
                            dtype, gen)
            x = torch.randn(n, int(spec["input_dim"]), generator=gen, dtype=dtype)
            y = torch.randn(n, int(spec["output_dim"]), generator=gen, dtype=dtype)
            if spec.get("arrays"):
                x, y = self.load(net, spec["arrays"], dtype)

            def loss():
                return 0.5 * ((net(x) - y) ** 2).sum() / n
        else:
            raise ValueError(f"case {spec['case']!r}: allowed resnet, mlp")
        params = [p for p in net.parameters() if p.requires_grad]
        v = [torch.randn(p.shape, generator=gen, dtype=dtype) for p in params]
        self.param_count = sum(p.numel() for p in params)
        self.key = f"{spec['case']}/{spec.get('dtype', 'float32')}" + ("/shipped" if spec.get("arrays") else "")
        self.loss, self.params = loss, params
        self.loss_value = loss().item()

        def dot(g):
            return sum((gi * vi).sum() for gi, vi in zip(g, v))

        def gradient():
            return torch.autograd.grad(loss(), params)

        cached = torch.autograd.grad(loss(), params, create_graph=True)
        cached_dot = dot(cached)

        def hv_cached():
            return torch.autograd.grad(cached_dot, params, retain_graph=True)

        def hv_full():
            g = torch.autograd.grad(loss(), params, create_graph=True)
            return torch.autograd.grad(dot(g), params)

        self.calls = {"gradient": gradient, "hv_cached": hv_cached, "hv_full": hv_full}

    def load(self, net, path, dtype):
        """The weights and batch depthscope shipped (its state-dict names; Sequential holds tanh between the maps);
        keeps the file's estimator vectors for estimate(shipped=True)."""
        import numpy as np
        with np.load(path) as f:
            arrays = {k: torch.from_numpy(f[k].copy()) for k in f.files}
        linears = [m for m in net if isinstance(m, torch.nn.Linear)]
        with torch.no_grad():
            for i, lin in enumerate(linears):
                for name in ("weight", "bias"):
                    a = arrays[f"layers.{i}.{name}"]
                    if tuple(a.shape) != tuple(getattr(lin, name).shape):
                        raise ValueError(f"layers.{i}.{name}: shape {tuple(a.shape)}, the mlp has {tuple(getattr(lin, name).shape)}")
                    getattr(lin, name).copy_(a.to(dtype))
        self.shipped = {k: arrays[k] for k in ("probes", "lanczos_start", "slq_starts") if k in arrays}
        return arrays["x"].to(dtype), arrays["y"].to(dtype)

    def estimate(self, msg):
        shipped = getattr(self, "shipped", None) if msg.get("shipped") else None
        if msg.get("shipped") and not shipped:
            raise ValueError(f"{self.key}: no shipped vectors (set up with arrays holding them)")
        seconds, values = [], None
        for _ in range(int(msg.get("repetitions", 1))):
            s, values = torch_estimators.estimate(self.loss, self.params, msg["estimator"], msg, shipped)
            seconds.append(s)
        return {"seconds": seconds, "values": values}

    def time(self, repetitions):
        times = {name: [] for name in self.calls}
        for _ in range(repetitions):
            for name, fn in self.calls.items():
                t0 = time.perf_counter()
                fn()
                times[name].append(time.perf_counter() - t0)
        return times


def describe():
    blas = ", ".join(blas_in_use()) or "unknown"
    core = openblas_core()
    return {"framework": f"torch {torch.__version__}", "threads": torch.get_num_threads(),
            "blas": blas + (f" (OpenBLAS core {core})" if core else ""),
            "mkldnn": torch.backends.mkldnn.is_available()}


def serve():
    cases = {}
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            msg = json.loads(line)
            cmd = msg.get("cmd")
            if cmd == "quit":
                break
            if cmd == "setup":
                case = Case(msg)
                cases[case.key] = case
                reply = {"ok": True, "key": case.key, "param_count": case.param_count, "loss": case.loss_value,
                         **describe()}
            elif cmd == "time":
                reply = {"ok": True, **cases[msg["key"]].time(int(msg.get("repetitions", 1)))}
            elif cmd == "estimate":
                reply = {"ok": True, **cases[msg["key"]].estimate(msg)}
            else:
                raise ValueError(f"cmd {cmd!r}: allowed setup, time, estimate, quit")
        except Exception as e:  # noqa: BLE001 -- every failure goes back to the JVM as one line
            reply = {"ok": False, "error": f"{type(e).__name__}: {e}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--serve", action="store_true", help="answer depthscope bench's commands on stdin (see above)")
    p.add_argument("--case", default="resnet,mlp")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--resnet-depth", type=int, default=20)
    p.add_argument("--resnet-width", type=int, default=16)
    p.add_argument("--resnet-batch", type=int, default=128)
    p.add_argument("--width", type=int, default=256)
    p.add_argument("--depth", type=int, default=8)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--input-dim", type=int, default=256)
    p.add_argument("--output-dim", type=int, default=10)
    p.add_argument("--dtype", default="float32")
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--repetitions", type=int, default=10)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    if args.serve:
        serve()
        return
    results = []
    for name in args.case.split(","):
        for d in args.dtype.split(","):
            if name == "resnet":
                spec = {"case": "resnet", "depth": args.resnet_depth, "width": args.resnet_width,
                        "batch": args.resnet_batch}
            else:
                spec = {"case": "mlp", "input_dim": args.input_dim, "width": args.width, "depth": args.depth,
                        "output_dim": args.output_dim, "batch": args.batch}
            case = Case({**spec, "dtype": d.strip(), "seed": args.seed})
            case.time(args.warmup)
            times = case.time(args.repetitions)
            results.append({**spec, "dtype": d.strip(), "param_count": case.param_count, **describe(),
                            **{f"{k}_seconds": statistics.median(t) for k, t in times.items()},
                            **{f"{k}_best_seconds": min(t) for k, t in times.items()}})
    print(f"{describe()}; median of {args.repetitions} after {args.warmup} warm-up")
    print(f"{'case':8} {'dtype':8} {'P':>9} {'gradient ms':>12} {'Hv cached ms':>13} {'Hv full ms':>11} "
          f"{'cached/grad':>12} {'full/grad':>10}")
    for r in results:
        print(f"{r['case']:8} {r['dtype']:8} {r['param_count']:9d} {1e3 * r['gradient_seconds']:12.3f} "
              f"{1e3 * r['hv_cached_seconds']:13.3f} {1e3 * r['hv_full_seconds']:11.3f} "
              f"{r['hv_cached_seconds'] / r['gradient_seconds']:12.2f} {r['hv_full_seconds'] / r['gradient_seconds']:10.2f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
