#!/usr/bin/python3
"""Dev-only: PyHessian's curvature estimators over torch's Hv, as `depthscope bench`'s peer times them against ours.

The algorithms are PyHessian's (Yao, Gholami, Keutzer and Mahoney 2020; github.com/amirgholami/PyHessian,
pyhessian/hessian.py and utils.py), on one batch: the gradient's graph is built once (`create_graph=True`), and each
Hv is one `torch.autograd.grad(grads, params, grad_outputs=v, retain_graph=True)` through it. Vectors are lists of
per-parameter tensors in the model's dtype, and inner products, axpys and normalisations are PyHessian's
group_product, group_add and normalization.

  trace     PyHessian's `trace`: per Rademacher probe v, one Hv and v.Hv                      (n Hv)
  moments   the same loop with a second product, u = Hv, w = Hu, giving v.u, u.u, u.w, w.w: the four quadratic
            forms depthscope's Hutchinson takes per probe, so the like-for-like counterpart     (2n Hv)
  power     PyHessian's `eigenvalues` (top_n = 1): power iteration, v.Hv at each step          (m Hv)
  lanczos   PyHessian's `density` with n_v = 1 from a Gaussian start (as depthscope's top-eigenvalue run):
            m Lanczos steps, each reorthogonalised against every kept vector (PyHessian's orthnormal, a modified
            Gram-Schmidt pass), then the eigenvalues of T; its largest is the top eigenvalue   (m Hv)
  slq       PyHessian's `density`: n_v runs of m Lanczos steps from normalised Rademacher starts, the Ritz values
            and the squared first components of T's eigenvectors                              (n_v m Hv)

Changes from PyHessian, none of them in the Hv-heavy work: the iteration counts are fixed (its relative-tolerance
stops are off) so both engines do the same number of Hv; `normalization` divides by the norm, not the norm + 1e-6
(that shifts every vector's norm by 1e-6 / norm, which would hide rounding-level disagreement in float64); T is built
and diagonalised in float64 with eigh (PyHessian: float32 and the general eig; T is at most a few dozen rows, so this
costs nothing); the gradient comes from `autograd.grad(..., create_graph=True)` rather than `loss.backward`, so that
building it again does not add to `.grad`. A breakdown (beta = 0) draws a new Gaussian vector, as PyHessian does.
"""
import time

import torch


def group_product(xs, ys):
    return sum(torch.sum(x * y) for x, y in zip(xs, ys))


def group_add(params, update, alpha=1.0):
    for p, u in zip(params, update):
        p.data.add_(u * alpha)
    return params


def normalization(v):
    s = group_product(v, v) ** 0.5
    s = s.cpu().item()
    return [vi / s for vi in v]


def orthnormal(w, v_list):
    for v in v_list:
        w = group_add(w, v, alpha=-group_product(w, v))
    return normalization(w)


class Curvature:
    """The gradient's graph at one batch, built once; hv(v) is one backward through it."""

    def __init__(self, loss, params):
        self.params = params
        self.grads = torch.autograd.grad(loss(), params, create_graph=True)

    def hv(self, v):
        return torch.autograd.grad(self.grads, self.params, grad_outputs=v, only_inputs=True, retain_graph=True)


def rademacher_like(params):
    v = [torch.randint_like(p, high=2) for p in params]
    for vi in v:
        vi[vi == 0] = -1
    return v


def trace(cur, probes):
    """PyHessian's trace loop; returns v.Hv per probe. probes: lists of tensors."""
    return [group_product(cur.hv(v), v).item() for v in probes]


def moments(cur, probes):
    """Per probe (v.u, u.u, u.w, w.w) with u = Hv, w = Hu."""
    out = []
    for v in probes:
        u = cur.hv(v)
        w = cur.hv(u)
        out.append([group_product(v, u).item(), group_product(u, u).item(), group_product(u, w).item(),
                    group_product(w, w).item()])
    return out


def power(cur, start, iterations):
    """PyHessian's eigenvalues(maxIter=iterations, top_n=1) without its early stop; the last v.Hv."""
    v = normalization(start)
    eigenvalue = None
    for _ in range(iterations):
        v = orthnormal(v, [])
        hv = cur.hv(v)
        eigenvalue = group_product(hv, v).cpu().item()
        v = normalization(hv)
    return eigenvalue


def lanczos(cur, start, steps):
    """One run of PyHessian's density loop from `start` (normalised here); returns (Ritz values, weights), ascending."""
    v = normalization(start)
    v_list = [v]
    alphas, betas = [], []
    w = None
    for i in range(steps):
        if i == 0:
            w_prime = cur.hv(v)
            alpha = group_product(w_prime, v)
            alphas.append(alpha.cpu().item())
            w = group_add(list(w_prime), v, alpha=-alpha)
        else:
            beta = torch.sqrt(group_product(w, w))
            betas.append(beta.cpu().item())
            if betas[-1] != 0.0:
                v = orthnormal(w, v_list)
            else:
                v = orthnormal([torch.randn_like(p) for p in cur.params], v_list)
            v_list.append(v)
            w_prime = cur.hv(v)
            alpha = group_product(w_prime, v)
            alphas.append(alpha.cpu().item())
            w_tmp = group_add(list(w_prime), v, alpha=-alpha)
            w = group_add(w_tmp, v_list[-2], alpha=-beta)
    m = len(alphas)
    t = torch.zeros(m, m, dtype=torch.float64)
    for i in range(m):
        t[i, i] = alphas[i]
        if i < m - 1:
            t[i + 1, i] = t[i, i + 1] = betas[i]
    nodes, vectors = torch.linalg.eigh(t)
    return nodes.tolist(), (vectors[0, :] ** 2).tolist()


def as_lists(flat, params):
    """A flat vector (depthscope's parameter order = params' order, each tensor C-order) as per-parameter tensors."""
    out, offset = [], 0
    for p in params:
        n = p.numel()
        out.append(flat[offset:offset + n].reshape(p.shape).to(p.dtype).clone())
        offset += n
    if offset != flat.numel():
        raise ValueError(f"vector of {flat.numel()} entries, parameters {offset}")
    return out


ESTIMATORS = ("trace", "moments", "power", "lanczos", "slq")


def estimate(loss, params, name, sizes, shipped=None):
    """One whole estimator: the graph built, then the estimator. With `shipped` (depthscope's vectors as flat
    tensors: probes [n, P], lanczos_start [P], slq_starts [runs, P]) it starts from them; otherwise it draws its own
    as PyHessian does. Returns (seconds, values)."""
    probes = int(sizes.get("probes", 10))
    steps = int(sizes.get("steps", 20))
    runs = int(sizes.get("runs", 1))
    t0 = time.perf_counter()
    cur = Curvature(loss, params)

    def probe_vectors():
        for i in range(probes):
            yield as_lists(shipped["probes"][i], params) if shipped else rademacher_like(params)

    if name == "trace":
        per = trace(cur, probe_vectors())
        values = {"forms": [[x] for x in per]}
    elif name == "moments":
        values = {"forms": moments(cur, probe_vectors())}
    elif name in ("power", "lanczos"):
        start = as_lists(shipped["lanczos_start"], params) if shipped else [torch.randn_like(p) for p in params]
        if name == "power":
            values = {"top": power(cur, start, steps)}
        else:
            nodes, weights = lanczos(cur, start, steps)
            values = {"top": nodes[-1], "nodes": nodes, "weights": weights}
    elif name == "slq":
        out = []
        for r in range(runs):
            start = as_lists(shipped["slq_starts"][r], params) if shipped else rademacher_like(params)
            nodes, weights = lanczos(cur, start, steps)
            out.append({"nodes": nodes, "weights": weights})
        values = {"runs": out}
    else:
        raise ValueError(f"estimator {name!r}: allowed {', '.join(ESTIMATORS)}")
    return time.perf_counter() - t0, values
