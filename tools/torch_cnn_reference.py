#!/usr/bin/python3
"""Independent PyTorch reference values for Depthscope's convolutional and BatchNorm networks (dev tool, not part of
the build).

Builds the presets of tools/torch_models.py in float64 and writes, for each case,
pipeline/src/test/resources/torch-cnn/<case>.npz and <case>.json. The definitions are in tools/README-torch-cnn.md;
the essentials:

Losses (as tools/torch_reference.py): mse = 0.5 * ||f - y||^2 summed over outputs, averaged over examples;
cross_entropy = the mean over examples of -log softmax(f)[label].

Modes. Both are a function of the parameters theta only; the stored buffers are an input, never changed.
  eval:  the whole batch of N examples in one eval-mode forward (BatchNorm normalises by the stored running_mean
         and running_var, eps = 1e-5); the loss is the mean over the N examples.
  train: the batch is split into G = N / bn_batch consecutive groups of bn_batch examples (examples
         g*bn_batch .. (g+1)*bn_batch - 1 form group g). Each group is forwarded separately in training mode:
         every BatchNorm normalises by that group's own mean and biased variance (divisor bn_batch for 1-D,
         bn_batch*H*W for 2-D), eps = 1e-5, inside the square root: (z - mean) / sqrt(var + eps) * weight + bias.
         The loss is the mean over groups of each group's mean loss. The running statistics play no part: every
         group's forward starts from a fresh copy of the stored buffers and the copies are thrown away.
  expected_running_mean.<bn> / expected_running_var.<bn>: the buffers after ONE train-mode forward of the first
         group alone, starting from the stored ones (PyTorch's update, momentum 0.1):
         running_mean <- 0.9 running_mean + 0.1 mean, running_var <- 0.9 running_var + 0.1 unbiased var
         (the group's variance with divisor count - 1, count = bn_batch or bn_batch*H*W).

Stored arrays in <case>.npz (all float64 except labels and num_batches_tracked, int64):
  every parameter and buffer under its state_dict name (BN running statistics and affine weight/bias are seeded
  random values, var > 0, so eval mode is not the identity; num_batches_tracked = 0);
  x (NCHW, or [N, features] for mlp_bn), labels [N] (cross_entropy) or y [N, outputs] (mse);
  v.<name>: a direction, one array per parameter (standard normal);
  for mode in (train, eval): expected_loss_<mode> (0-d), expected_gradient_<mode>.<name>, expected_hvp_<mode>.<name>
  (Hv by double backward: g = grad(loss, theta, create_graph=True), Hv = grad(g . v, theta));
  for BN cases: expected_running_mean.<bn>, expected_running_var.<bn> (<bn> a BatchNorm module's name);
  for conv_tiny_bn: expected_hessian_<mode> [P, P] (torch.autograd.functional.hessian, flattened parameters in
  state_dict order, listed in the json's "parameters") and expected_eigenvalues_<mode> [P] (ascending, of the
  symmetrised Hessian).

Self-checks, before anything is written (the script exits non-zero when one fails):
  Hv against a central difference of the gradient, (g(theta + eps v) - g(theta - eps v)) / (2 eps), eps = 1e-6,
  relative error <= 1e-6 in every case and mode;
  loss, gradient and Hv of the modules against a second, hand-written functional forward (F.conv2d, BatchNorm
  written out with group statistics computed on the whole batch reshaped into groups, akamaster's option-A lambda
  verbatim), <= 1e-10;
  the dense Hessian symmetric and H v equal to the Hv, <= 1e-10;
  train and eval Hv differ (relative difference >= 1e-3) in every BN case, agree (<= 1e-12) without BN;
  the running statistics against the update rule written out from the first group's BN inputs, <= 1e-12;
  the model's own buffers unchanged at the end (nothing leaks into them).

Run with Debian's python3, which has torch (apt-get install python3-torch):
    /usr/bin/python3 tools/torch_cnn_reference.py            # checks, then writes every case
    /usr/bin/python3 tools/torch_cnn_reference.py --check    # checks only, writes nothing
    /usr/bin/python3 tools/torch_cnn_reference.py resnet8_a  # only the named cases
"""
import io
import json
import os
import sys
import zipfile

import numpy as np
import torch
import torch.nn.functional as F
from torch.nn.modules.batchnorm import _BatchNorm

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_models  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pipeline", "src", "test", "resources",
                   "torch-cnn")
BN_EPS, BN_MOMENTUM = 1e-5, 0.1
FD_EPS = 1e-6
TOLERANCE_FD = 1e-6
TOLERANCE_EXACT = 1e-10

DEFINITIONS = {
    "mse": "0.5 * sum over outputs of (f - y)^2, averaged over examples",
    "cross_entropy": "mean over examples of -log softmax(f)[label]",
    "eval": "the whole batch in one eval-mode forward: every BatchNorm uses the stored running_mean and running_var "
            "(eps 1e-5); the loss is the mean over the N examples",
    "train": "the batch is split into N / bn_batch consecutive groups of bn_batch examples (group g = examples "
             "g*bn_batch .. (g+1)*bn_batch-1); each group is forwarded separately in training mode, every BatchNorm "
             "normalising by the group's own mean and biased variance (divisor bn_batch, times H*W for 2-D), "
             "(z - mean) / sqrt(var + 1e-5) * weight + bias; the loss is the mean over groups of each group's mean "
             "loss; running statistics play no part (each group starts from a fresh copy of the stored buffers)",
    "expected_running": "the buffers after one train-mode forward of the first group alone (examples 0..bn_batch-1), "
                        "starting from the stored buffers: running_mean <- (1 - 0.1) running_mean + 0.1 mean, "
                        "running_var <- (1 - 0.1) running_var + 0.1 unbiased variance (divisor count - 1)",
    "hvp": "double backward: g = grad(loss, theta, create_graph=True), Hv = grad(g . v, theta)",
    "hessian": "torch.autograd.functional.hessian of the loss over the parameters flattened in state_dict order "
               "(row-major within each tensor); eigenvalues ascending, of (H + H^T) / 2",
}

# preset args are those of tools/torch_models.py; x_shape is [N, ...]; bn_batch divides N.
CASES = {
    "conv_tiny_bn": dict(
        preset="cnn", args=dict(channels=[2], kernel=3, pool="global", bn=True, activation="relu", in_channels=1,
                                classes=3, input_size=[4, 4]),
        loss="cross_entropy", x_shape=[4, 1, 4, 4], bn_batch=2, hessian=True, seed=2000),
    "conv_stride_pool": dict(
        preset="cnn", args=dict(channels=[3, 4], kernel=3, stride=[2, 1], pool=["max", "avg"], bn=False,
                                activation="tanh", in_channels=2, classes=2, input_size=[12, 20]),
        loss="mse", x_shape=[4, 2, 12, 20], bn_batch=2, seed=2001),
    "resnet8_a": dict(
        preset="resnet", args=dict(n=1, filters=[2, 4, 8], in_channels=3, classes=10, bn=True, shortcut="A"),
        loss="cross_entropy", x_shape=[8, 3, 8, 8], bn_batch=4, seed=2002),
    "resnet8_b": dict(
        preset="resnet", args=dict(n=1, filters=[2, 4, 8], in_channels=3, classes=10, bn=True, shortcut="B"),
        loss="cross_entropy", x_shape=[8, 3, 8, 8], bn_batch=4, seed=2003),
    "simple8": dict(
        preset="simple", args=dict(n=1, filters=[2, 4, 8], in_channels=3, classes=10, bn=True),
        loss="cross_entropy", x_shape=[8, 3, 8, 8], bn_batch=8, seed=2004),
    "resnet8_nobn": dict(
        preset="resnet", args=dict(n=1, filters=[2, 4, 8], in_channels=3, classes=10, bn=False, shortcut="A"),
        loss="cross_entropy", x_shape=[8, 3, 8, 8], bn_batch=4, seed=2005),
    "mlp_bn1d": dict(
        preset="mlp_bn", args=dict(in_features=4, widths=[6, 5], classes=2, activation="tanh", bias=False),
        loss="mse", x_shape=[12, 4], bn_batch=4, seed=2006),
}


def loss_of(f, target, loss):
    if loss == "mse":
        return 0.5 * ((f - target) ** 2).sum(dim=1).mean()
    return F.cross_entropy(f, target)


def functional_call(net, tensors, x):
    if hasattr(torch, "func"):
        return torch.func.functional_call(net, tensors, (x,))
    return torch.nn.utils.stateless.functional_call(net, tensors, (x,))


class Layout:
    """Parameter names and shapes in state_dict order; theta <-> {name: tensor}."""

    def __init__(self, net):
        self.names = [k for k, _ in net.named_parameters()]
        self.shapes = [tuple(p.shape) for _, p in net.named_parameters()]
        in_state_dict = [k for k in net.state_dict() if k in set(self.names)]
        assert in_state_dict == self.names, "named_parameters and state_dict disagree on the order"
        self.sizes = [int(np.prod(s)) for s in self.shapes]
        self.count = sum(self.sizes)

    def split(self, theta):
        out, offset = {}, 0
        for k, s, n in zip(self.names, self.shapes, self.sizes):
            out[k] = theta[offset:offset + n].reshape(s)
            offset += n
        return out

    def flat(self, tensors):
        return torch.cat([tensors[k].reshape(-1) for k in self.names])


def module_loss(net, layout, buffers, x, target, loss, mode, bn_batch):
    """The case's loss as a function of theta, through the nn.Modules of torch_models (see the docstring)."""

    def at(theta):
        params = layout.split(theta)
        if mode == "eval":
            net.eval()
            f = functional_call(net, {**params, **{k: b.clone() for k, b in buffers.items()}}, x)
            return loss_of(f, target, loss)
        net.train()
        groups = x.shape[0] // bn_batch
        total = 0.0
        for g in range(groups):
            rows = slice(g * bn_batch, (g + 1) * bn_batch)
            fresh = {k: b.clone() for k, b in buffers.items()}  # running statistics never leak between groups
            f = functional_call(net, {**params, **fresh}, x[rows])
            total = total + loss_of(f, target[rows], loss)
        return total / groups

    return at


# ---- a second, hand-written implementation of the same definitions (no nn.Module involved) ----

def manual_bn(z, p, b, name, mode, bn_batch):
    """BatchNorm written out; in train mode the statistics of each group come from the batch reshaped to groups."""
    c = z.shape[1]
    shape = [1, c] + [1] * (z.dim() - 2)
    weight, bias = p[name + ".weight"].reshape(shape), p[name + ".bias"].reshape(shape)
    if mode == "eval":
        mean, var = b[name + ".running_mean"].reshape(shape), b[name + ".running_var"].reshape(shape)
        return (z - mean) / torch.sqrt(var + BN_EPS) * weight + bias
    groups = z.shape[0] // bn_batch
    zg = z.reshape(groups, bn_batch, *z.shape[1:])
    dims = (1,) + tuple(range(3, zg.dim()))  # over the group's examples and the spatial positions, per channel
    mean = zg.mean(dim=dims, keepdim=True)
    var = ((zg - mean) ** 2).mean(dim=dims, keepdim=True)  # biased
    return ((zg - mean) / torch.sqrt(var + BN_EPS)).reshape(z.shape) * weight + bias


def manual_forward(spec, p, b, x, mode, bn_batch):
    args = spec["args"]
    act = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "softplus": F.softplus}
    if spec["preset"] in ("resnet", "simple"):
        bn = args.get("bn", True)
        residual = spec["preset"] == "resnet"

        def conv_bn(z, conv, norm, stride, padding):
            z = F.conv2d(z, p[conv + ".weight"], p.get(conv + ".bias"), stride=stride, padding=padding)
            return manual_bn(z, p, b, norm, mode, bn_batch) if bn else z

        out = torch.relu(conv_bn(x, "conv1", "bn1", 1, 1))
        in_planes = args["filters"][0]
        for k, planes in enumerate(args["filters"], start=1):
            for i in range(args["n"]):
                stride = 2 if k > 1 and i == 0 else 1
                pre = f"layer{k}.{i}"
                h = torch.relu(conv_bn(out, pre + ".conv1", pre + ".bn1", stride, 1))
                h = conv_bn(h, pre + ".conv2", pre + ".bn2", 1, 1)
                if residual:
                    if stride != 1 or in_planes != planes:
                        if args.get("shortcut", "A") == "A":  # akamaster's LambdaLayer, verbatim
                            sc = F.pad(out[:, :, ::2, ::2], (0, 0, 0, 0, planes // 4, planes // 4), "constant", 0)
                        else:
                            sc = conv_bn(out, pre + ".shortcut.0", pre + ".shortcut.1", stride, 0)
                    else:
                        sc = out
                    h = h + sc
                out = torch.relu(h)
                in_planes = planes
        out = F.avg_pool2d(out, out.size()[3]).view(out.size(0), -1)  # akamaster's pooling, square maps
        return out @ p["linear.weight"].T + p["linear.bias"]
    if spec["preset"] == "cnn":
        count = len(args["channels"])
        strides = args.get("stride", 1)
        strides = strides if isinstance(strides, list) else [strides] * count
        pools = args.get("pool", "max")
        pools = pools if isinstance(pools, list) else [pools] * count
        kernel = args.get("kernel", 3)
        padding = kernel // 2 if args.get("padding") is None else args["padding"]
        out = x
        for s in range(count):
            pre = f"features.{s}"
            out = F.conv2d(out, p[pre + ".conv.weight"], p.get(pre + ".conv.bias"), stride=strides[s], padding=padding)
            if args.get("bn", False):
                out = manual_bn(out, p, b, pre + ".bn", mode, bn_batch)
            out = act[args.get("activation", "relu")](out)
            if pools[s] == "max":
                out = F.max_pool2d(out, 2, 2)
            elif pools[s] == "avg":
                out = F.avg_pool2d(out, 2, 2)
            elif pools[s] == "global":
                out = out.mean(dim=(2, 3), keepdim=True)
        out = out.reshape(out.shape[0], -1)
        return out @ p["classifier.weight"].T + p["classifier.bias"]
    if spec["preset"] == "mlp_bn":
        out = x
        for s in range(len(args["widths"])):
            pre = f"features.{s}"
            out = out @ p[pre + ".linear.weight"].T
            if args.get("bias", False):
                out = out + p[pre + ".linear.bias"]
            out = act[args.get("activation", "relu")](manual_bn(out, p, b, pre + ".bn", mode, bn_batch))
        return out @ p["classifier.weight"].T + p["classifier.bias"]
    raise ValueError(spec["preset"])


def manual_loss(spec, layout, buffers, x, target, mode, bn_batch):
    def at(theta):
        f = manual_forward(spec, layout.split(theta), buffers, x, mode, bn_batch)
        if spec["loss"] == "mse":
            return 0.5 * ((f - target) ** 2).sum(dim=1).mean()
        logp = f - torch.logsumexp(f, dim=1, keepdim=True)
        # train: equal groups, so the mean over groups of group means is the mean over all N examples
        return -logp[torch.arange(f.shape[0]), target].mean()

    return at


# ---- the checks and the fixture ----

def rel(a, b):
    a, b = a.reshape(-1), b.reshape(-1)
    return (a - b).norm().item() / max(b.norm().item(), 1e-300)


def grad_and_hvp(fn, theta0, v):
    theta = theta0.clone().requires_grad_(True)
    value = fn(theta)
    (g,) = torch.autograd.grad(value, theta, create_graph=True)
    (hv,) = torch.autograd.grad(g @ v, theta)
    return value.detach(), g.detach(), hv.detach()


def gradient(fn, theta):
    theta = theta.clone().requires_grad_(True)
    (g,) = torch.autograd.grad(fn(theta), theta)
    return g


def randomise(net):
    """Seeded non-trivial BatchNorm state: affine weight U(0.5, 1.5), bias N(0, 0.3^2), running_mean N(0, 0.5^2),
    running_var U(0.5, 2); conv/linear weights and biases keep the builder's (seeded) initialisation."""
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, _BatchNorm):
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0.0, 0.3)
                m.running_mean.normal_(0.0, 0.5)
                m.running_var.uniform_(0.5, 2.0)


def run_case(name, spec):
    torch.manual_seed(spec["seed"])
    net = torch_models.build(spec["preset"], **spec["args"], dtype=torch.float64)
    if spec["preset"] in ("cnn", "mlp_bn"):
        with torch.no_grad():  # PyTorch's default init is small; larger weights so every layer's curvature shows
            for k, t in net.named_parameters():
                if ".bn." not in k:
                    t.mul_(2.0)
    randomise(net)
    layout = Layout(net)
    param_names = set(layout.names)
    buffers = {k: t.detach().clone() for k, t in net.state_dict().items() if k not in param_names}
    bn_names = [k for k, m in net.named_modules() if isinstance(m, _BatchNorm)]
    n, bn_batch = spec["x_shape"][0], spec["bn_batch"]
    assert n % bn_batch == 0
    x = torch.randn(*spec["x_shape"], dtype=torch.float64)
    classes = spec["args"]["classes"]
    target = torch.randint(0, classes, (n,)) if spec["loss"] == "cross_entropy" else \
        torch.randn(n, classes, dtype=torch.float64)
    theta0 = layout.flat(dict(net.named_parameters())).detach().clone()
    v = torch.randn(layout.count, dtype=torch.float64)

    arrays = {k: t.detach().clone().numpy() for k, t in net.state_dict().items()}
    arrays["x"] = x.numpy()
    arrays["labels" if spec["loss"] == "cross_entropy" else "y"] = target.numpy()
    arrays.update({"v." + k: t.numpy() for k, t in layout.split(v).items()})

    checks, hvps = {}, {}
    for mode in ("train", "eval"):
        fn = module_loss(net, layout, buffers, x, target, spec["loss"], mode, bn_batch)
        value, g, hv = grad_and_hvp(fn, theta0, v)
        value_again = fn(theta0).detach()
        checks[f"{mode} loss repeatable"] = (abs(value_again - value).item() / abs(value.item()), 0.0)
        fd = (gradient(fn, theta0 + FD_EPS * v) - gradient(fn, theta0 - FD_EPS * v)) / (2 * FD_EPS)
        checks[f"{mode} Hv vs finite difference"] = (rel(fd, hv), TOLERANCE_FD)
        m_value, m_g, m_hv = grad_and_hvp(manual_loss(spec, layout, buffers, x, target, mode, bn_batch), theta0, v)
        checks[f"{mode} loss vs hand-written"] = (abs(m_value - value).item() / abs(value.item()), TOLERANCE_EXACT)
        checks[f"{mode} gradient vs hand-written"] = (rel(m_g, g), TOLERANCE_EXACT)
        checks[f"{mode} Hv vs hand-written"] = (rel(m_hv, hv), TOLERANCE_EXACT)
        hvps[mode] = hv
        arrays[f"expected_loss_{mode}"] = np.float64(value.item())
        arrays.update({f"expected_gradient_{mode}.{k}": t.numpy() for k, t in layout.split(g).items()})
        arrays.update({f"expected_hvp_{mode}.{k}": t.numpy() for k, t in layout.split(hv).items()})
        if spec.get("hessian"):
            h = torch.autograd.functional.hessian(fn, theta0)
            checks[f"{mode} Hessian symmetry"] = (rel(h.T, h), TOLERANCE_EXACT)
            checks[f"{mode} Hessian v vs Hv"] = (rel(h @ v, hv), TOLERANCE_EXACT)
            eig = torch.linalg.eigvalsh(0.5 * (h + h.T))
            arrays[f"expected_hessian_{mode}"] = h.numpy()
            arrays[f"expected_eigenvalues_{mode}"] = eig.numpy()
            print(f"    {mode} Hessian eigenvalues [{eig[0].item():.4e}, {eig[-1].item():.4e}]")
        print(f"    {mode}: loss {value.item():.6f} |g| {g.norm().item():.4e} |Hv| {hv.norm().item():.4e}")

    train_eval = rel(hvps["train"], hvps["eval"])
    if bn_names:
        checks["train and eval Hv differ"] = (train_eval, None)  # must be >= 1e-3
    else:
        checks["train and eval Hv agree (no BN)"] = (train_eval, 1e-12)

    if bn_names:  # running statistics after one train-mode forward of the first group
        fresh = {k: b.clone() for k, b in buffers.items()}
        seen = {}
        hooks = [m.register_forward_pre_hook(lambda mod, inp, name=k: seen.__setitem__(name, inp[0].detach()))
                 for k, m in net.named_modules() if isinstance(m, _BatchNorm)]
        net.train()
        with torch.no_grad():
            functional_call(net, {**layout.split(theta0), **fresh}, x[:bn_batch])
        for hook in hooks:
            hook.remove()
        worst = 0.0
        for k in bn_names:
            z = seen[k]
            dims = [0] + list(range(2, z.dim()))
            mean, var = z.mean(dim=dims), z.var(dim=dims, unbiased=True)
            want_mean = (1 - BN_MOMENTUM) * buffers[k + ".running_mean"] + BN_MOMENTUM * mean
            want_var = (1 - BN_MOMENTUM) * buffers[k + ".running_var"] + BN_MOMENTUM * var
            worst = max(worst, rel(fresh[k + ".running_mean"], want_mean), rel(fresh[k + ".running_var"], want_var))
            arrays[f"expected_running_mean.{k}"] = fresh[k + ".running_mean"].numpy()
            arrays[f"expected_running_var.{k}"] = fresh[k + ".running_var"].numpy()
        checks["running statistics vs update rule"] = (worst, 1e-12)

    state = net.state_dict()
    leaked = max([(state[k].double() - b.double()).abs().max().item() for k, b in buffers.items()] or [0.0])
    checks["stored buffers unchanged"] = (leaked, 0.0)

    doc = {
        "case": name,
        "preset": spec["preset"],
        "args": spec["args"],
        "loss": spec["loss"],
        "n": n,
        "bn_batch": bn_batch,
        "groups": n // bn_batch,
        "x_shape": spec["x_shape"],
        "target": "labels" if spec["loss"] == "cross_entropy" else "y",
        "seed": spec["seed"],
        "dtype": "float64",
        "batch_norm": {"eps": BN_EPS, "momentum": BN_MOMENTUM, "layers": bn_names} if bn_names else None,
        "modes": {"train": DEFINITIONS["train"], "eval": DEFINITIONS["eval"]},
        "definitions": {k: DEFINITIONS[k] for k in (spec["loss"], "hvp")} |
                       ({"expected_running": DEFINITIONS["expected_running"]} if bn_names else {}) |
                       ({"hessian": DEFINITIONS["hessian"]} if spec.get("hessian") else {}),
        "parameter_count": layout.count,
        "parameters": [{"name": k, "shape": list(s)} for k, s in zip(layout.names, layout.shapes)],
        "buffers": [{"name": k, "shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", "")}
                    for k, t in buffers.items()],
        "state_dict": list(net.state_dict().keys()),
        "hessian": bool(spec.get("hessian", False)),
        "torch": torch.__version__,
        "generator": "tools/torch_cnn_reference.py",
    }
    return arrays, doc, checks


def main(argv):
    torch.set_num_threads(1)
    check_only = "--check" in argv
    names = [a for a in argv if not a.startswith("--")] or list(CASES)
    unknown = [k for k in names if k not in CASES]
    if unknown:
        raise SystemExit(f"unknown cases {unknown}; known: {list(CASES)}")
    print("torch", torch.__version__, "numpy", np.__version__)
    results, failures = {}, []
    for name in names:
        spec = CASES[name]
        print(f"{name}: preset {spec['preset']} {spec['args']}, {spec['loss']}, x {spec['x_shape']}, "
              f"bn_batch {spec['bn_batch']}")
        arrays, doc, checks = run_case(name, spec)
        print(f"    P = {doc['parameter_count']}")
        for what, (err, tol) in checks.items():
            ok = err >= 1e-3 if tol is None else err <= tol
            bound = ">= 1e-03" if tol is None else f"<= {tol:.0e}"
            print(f"    {'ok  ' if ok else 'FAIL'} {what:40s} {err:.3e}  ({bound})")
            if not ok:
                failures.append(f"{name}: {what} {err:.3e}")
        results[name] = (arrays, doc)
    if failures:
        raise SystemExit("self-check failed, nothing written:\n  " + "\n  ".join(failures))
    if check_only:
        print("all checks passed (--check: nothing written)")
        return
    os.makedirs(OUT, exist_ok=True)
    for name, (arrays, doc) in results.items():
        path = os.path.join(OUT, name + ".npz")
        save_npz(path, arrays)
        with open(os.path.join(OUT, name + ".json"), "w") as fh:
            json.dump(doc, fh, indent=2)
            fh.write("\n")
        err = reload_check(name, path)
        print(f"wrote {os.path.relpath(path)} ({os.path.getsize(path)} bytes, {len(arrays)} arrays); "
              f"reloaded into a fresh model with load_state_dict(strict=True): loss error {err:.1e}")
        if err > TOLERANCE_EXACT:
            raise SystemExit(f"{name}: the written fixture does not reproduce its own losses ({err:.3e})")


def save_npz(path, arrays):
    """As numpy.savez writes (uncompressed .npy entries named <key>.npy), with a fixed timestamp in every entry so
    that the same fixture is the same bytes (numpy.savez stamps the current time)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        for key, a in arrays.items():
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.asanyarray(a), allow_pickle=False)
            z.writestr(zipfile.ZipInfo(key + ".npy", date_time=(1980, 1, 1, 0, 0, 0)), buf.getvalue())


def reload_check(name, path):
    """Round trip: numpy.load the file, build the preset afresh, load_state_dict(strict=True) (so the stored names
    are exactly the builder's), and recompute both modes' losses from the stored arrays alone."""
    spec = CASES[name]
    with np.load(path) as z:
        stored = {k: torch.from_numpy(z[k].copy()) for k in z.files}
    net = torch_models.build(spec["preset"], **spec["args"], dtype=torch.float64)
    net.load_state_dict({k: stored[k] for k in net.state_dict()}, strict=True)
    layout = Layout(net)
    buffers = {k: t.clone() for k, t in net.state_dict().items() if k not in set(layout.names)}
    target = stored["labels"] if "labels" in stored else stored["y"]
    theta = layout.flat(dict(net.named_parameters())).detach()
    worst = 0.0
    for mode in ("train", "eval"):
        value = module_loss(net, layout, buffers, stored["x"], target, spec["loss"], mode, spec["bn_batch"])(theta)
        want = stored[f"expected_loss_{mode}"].item()
        worst = max(worst, abs(value.item() - want) / abs(want))
    return worst


if __name__ == "__main__":
    main(sys.argv[1:])
