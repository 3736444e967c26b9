#!/usr/bin/python3
"""Independent reference values from PyTorch for Depthscope's networks (dev tool, not part of the build).

Builds small mlp/resmlp networks exactly as NetworkSpec defines them, in float64, and writes for each case
pipeline/src/test/resources/torch/<case>.npz (weights under state_dict names, x, y or labels, a direction v,
and expected_loss, expected_gradient, expected_hvp, expected_eigenvalues) plus <case>.json (the spec).
TorchReferenceTest compares Depthscope's loss, gradient, Hv and Hessian spectrum with them.

Run with Debian's python3, which has torch:  /usr/bin/python3 tools/torch_reference.py
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), "..", "pipeline", "src", "test", "resources", "torch")

ACTIVATIONS = {
    "tanh": torch.tanh,
    "relu": torch.relu,
    "sigmoid": torch.sigmoid,
    "softplus": F.softplus,
}

# name: (arch, activation, loss, bias, depth, residual_scale)
CASES = {
    "mlp_tanh_mse": ("mlp", "tanh", "mse", True, 3, 1.0),
    "mlp_relu_cross_entropy": ("mlp", "relu", "cross_entropy", True, 3, 1.0),
    "resmlp_softplus_mse": ("resmlp", "softplus", "mse", True, 3, 0.5),
    "resmlp_sigmoid_cross_entropy_nobias": ("resmlp", "sigmoid", "cross_entropy", False, 4, 1.3),
    "mlp_softplus_cross_entropy_depth1": ("mlp", "softplus", "cross_entropy", True, 1, 1.0),
}
INPUT_DIM, WIDTH, N = 4, 6, 10


class Net(torch.nn.Module):
    """h1 = phi(W0 x + b0); h(l+1) = phi(Wl hl + bl) (mlp) or hl + alpha phi(Wl hl + bl) (resmlp); f = WL hL + bL."""

    def __init__(self, arch, activation, bias, depth, alpha, out_dim):
        super().__init__()
        dims = [INPUT_DIM] + [WIDTH] * depth + [out_dim]
        self.layers = torch.nn.ModuleList(
            torch.nn.Linear(dims[i], dims[i + 1], bias=bias, dtype=torch.float64) for i in range(depth + 1))
        self.arch, self.phi, self.alpha = arch, ACTIVATIONS[activation], alpha

    def forward(self, x):
        h = self.phi(self.layers[0](x))
        for layer in self.layers[1:-1]:
            z = self.phi(layer(h))
            h = h + self.alpha * z if self.arch == "resmlp" else z
        return self.layers[-1](h)


def loss_of(f, target, loss):
    if loss == "mse":
        return 0.5 * ((f - target) ** 2).sum(dim=1).mean()  # 1/2 ||f - y||^2, averaged over examples
    return F.cross_entropy(f, target)  # mean of -log softmax(f)[label]


def case(name, arch, activation, loss, bias, depth, alpha, seed):
    torch.manual_seed(seed)
    out_dim = 3 if loss == "cross_entropy" else 2
    net = Net(arch, activation, bias, depth, alpha, out_dim)
    with torch.no_grad():  # larger than PyTorch's default init, so every layer's curvature shows
        for p in net.parameters():
            p.mul_(2.0)
    x = torch.randn(N, INPUT_DIM, dtype=torch.float64)
    target = torch.randint(0, out_dim, (N,)) if loss == "cross_entropy" else torch.randn(N, out_dim, dtype=torch.float64)

    names = [k for k, _ in net.named_parameters()]
    shapes = [p.shape for p in net.parameters()]
    theta0 = torch.cat([p.detach().reshape(-1) for p in net.parameters()])

    def loss_at(theta):
        params, offset = {}, 0
        for k, s in zip(names, shapes):
            n = int(np.prod(s))
            params[k] = theta[offset:offset + n].reshape(s)
            offset += n
        f = torch.func.functional_call(net, params, (x,)) if hasattr(torch, "func") else \
            torch.nn.utils.stateless.functional_call(net, params, (x,))
        return loss_of(f, target, loss)

    theta = theta0.clone().requires_grad_(True)
    value = loss_at(theta)
    (g,) = torch.autograd.grad(value, theta, create_graph=True)
    v = torch.randn(theta.numel(), dtype=torch.float64)
    (hv,) = torch.autograd.grad(g @ v, theta)  # double backward: d(g.v)/dtheta = Hv
    h = torch.autograd.functional.hessian(loss_at, theta0)
    eig = torch.linalg.eigvalsh(0.5 * (h + h.T))

    arrays = {k: t.detach().numpy() for k, t in net.state_dict().items()}
    arrays["x"] = x.numpy()
    arrays["labels" if loss == "cross_entropy" else "y"] = target.numpy()
    arrays.update(v=v.numpy(), expected_loss=np.float64(value.item()), expected_gradient=g.detach().numpy(),
                  expected_hvp=hv.numpy(), expected_eigenvalues=eig.numpy())
    np.savez(os.path.join(OUT, name + ".npz"), **arrays)
    spec = {"arch": arch, "input_dim": INPUT_DIM, "width": WIDTH, "depth": depth, "output_dim": out_dim,
            "activation": activation, "bias": bias, "residual_scale": alpha, "loss": loss}
    with open(os.path.join(OUT, name + ".json"), "w") as fh:
        json.dump(spec, fh, indent=2)
        fh.write("\n")
    print(f"{name}: P={theta.numel()} loss={value.item():.6f} |g|={g.norm().item():.4e} "
          f"eig=[{eig[0].item():.4e}, {eig[-1].item():.4e}]")


def main():
    os.makedirs(OUT, exist_ok=True)
    print("torch", torch.__version__, "numpy", np.__version__)
    for i, (name, c) in enumerate(sorted(CASES.items())):
        case(name, *c, seed=1000 + i)


if __name__ == "__main__":
    main()
