#!/usr/bin/python3
"""Reference optimiser trajectories from PyTorch for Depthscope's Optimizer (dev tool, not part of the build).

On f(theta) = 1/2 sum a_i theta_i^2 + sum c_i theta_i (gradient a * theta + c) in float64, runs each case's
torch.optim optimiser (with torch.nn.utils.clip_grad_norm_ before the step and a StepLR / CosineAnnealingLR
schedule after it, where the case asks) and writes theta after every step to
pipeline/src/test/resources/torch-optim/trajectories.json. OptimizerTorchReferenceTest replays them.

Run with Debian's python3, which has torch:  /usr/bin/python3 tools/optim_reference.py
"""
import json
import os

import torch

OUT = os.path.join(os.path.dirname(__file__), "..", "pipeline", "src", "test", "resources", "torch-optim", "trajectories.json")
A = [1.0, 3.0, 0.5]
C = [0.2, -0.4, 0.1]
THETA0 = [1.0, -2.0, 0.5]
STEPS = 6

# Fields as in OptimizerSpec; absent ones take OptimizerSpec.of(kind, lr)'s defaults.
# The cosine case stays within total_steps: past T_max torch's CosineAnnealingLR rises again, ours stays at min_lr.
CASES = [
    {"name": "gd", "kind": "gd", "lr": 0.1},
    {"name": "gd_weight_decay", "kind": "gd", "lr": 0.1, "weight_decay": 0.05},
    {"name": "momentum", "kind": "momentum", "lr": 0.1, "momentum": 0.9},
    {"name": "momentum_weight_decay_clip", "kind": "momentum", "lr": 0.1, "momentum": 0.8, "weight_decay": 0.1, "clip_norm": 1.0},
    {"name": "nesterov", "kind": "nesterov", "lr": 0.1, "momentum": 0.9},
    {"name": "nesterov_step_schedule", "kind": "nesterov", "lr": 0.2, "momentum": 0.5, "schedule": "step", "step_every": 2, "gamma": 0.5},
    {"name": "adam", "kind": "adam", "lr": 0.05},
    {"name": "adam_betas_weight_decay", "kind": "adam", "lr": 0.05, "beta1": 0.8, "beta2": 0.95, "eps": 1e-3, "weight_decay": 0.1},
    {"name": "adam_cosine_clip", "kind": "adam", "lr": 0.05, "schedule": "cosine", "total_steps": 5, "min_lr": 0.01, "clip_norm": 0.5},
    {"name": "adamw", "kind": "adamw", "lr": 0.05, "weight_decay": 0.1},
]


def optimiser(case, params):
    kind, lr = case["kind"], case["lr"]
    wd = case.get("weight_decay", 0.01 if kind == "adamw" else 0.0)
    if kind in ("gd", "sgd"):
        return torch.optim.SGD(params, lr=lr, weight_decay=wd)
    if kind in ("momentum", "nesterov"):
        return torch.optim.SGD(params, lr=lr, momentum=case.get("momentum", 0.9), nesterov=kind == "nesterov", weight_decay=wd)
    betas = (case.get("beta1", 0.9), case.get("beta2", 0.999))
    cls = torch.optim.AdamW if kind == "adamw" else torch.optim.Adam
    return cls(params, lr=lr, betas=betas, eps=case.get("eps", 1e-8), weight_decay=wd)


def scheduler(case, opt):
    s = case.get("schedule", "constant")
    if s == "step":
        return torch.optim.lr_scheduler.StepLR(opt, step_size=case["step_every"], gamma=case["gamma"])
    if s == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=case["total_steps"], eta_min=case["min_lr"])
    return None


def trajectory(case):
    a = torch.tensor(A, dtype=torch.float64)
    c = torch.tensor(C, dtype=torch.float64)
    theta = torch.tensor(THETA0, dtype=torch.float64, requires_grad=True)
    opt = optimiser(case, [theta])
    sched = scheduler(case, opt)
    out = []
    for _ in range(STEPS):
        opt.zero_grad()
        loss = 0.5 * (a * theta * theta).sum() + (c * theta).sum()
        loss.backward()
        if case.get("clip_norm", 0) > 0:
            torch.nn.utils.clip_grad_norm_([theta], case["clip_norm"])
        opt.step()
        if sched is not None:
            sched.step()
        out.append(theta.detach().tolist())
    return out


def main():
    doc = {"torch_version": torch.__version__, "a": A, "c": C, "theta0": THETA0,
           "cases": [dict(case, trajectory=trajectory(case)) for case in CASES]}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print("wrote", os.path.normpath(OUT), len(CASES), "cases")


if __name__ == "__main__":
    main()
