#!/usr/bin/python3
"""PyTorch definitions of Depthscope's convolutional and BatchNorm presets (dev tool, not part of the build).

These modules are the independent reference that the Java engine's `resnet`, `simple`, `cnn` and `mlp_bn` presets
are built to match: same layers, same order, same PyTorch `state_dict` names and shapes. tools/torch_cnn_reference.py
builds them in float64 and writes fixtures; tools/README-torch-cnn.md states the definitions in prose.

Builders (all return an nn.Module in float32 unless `dtype` is given; call .double() or pass dtype=torch.float64):

resnet(n, filters=(16, 32, 64), in_channels=3, classes=10, bn=True, shortcut="A")
    The CIFAR ResNet-(6n+2) of He et al. 2016, Sec. 4.2, with the names of akamaster/pytorch_resnet_cifar10
    (resnet.py: ResNet, BasicBlock, LambdaLayer):
        conv1      Conv2d(in_channels, filters[0], 3, stride 1, padding 1, bias = not bn)
        bn1        BatchNorm2d(filters[0])                      (absent when bn=False)
        relu
        layer1     nn.Sequential of n BasicBlock(filters[0]), all stride 1
        layer2     nn.Sequential of n BasicBlock(filters[1]), the first with stride 2
        layer3     nn.Sequential of n BasicBlock(filters[2]), the first with stride 2
        global average pool: the mean over H and W (akamaster's F.avg_pool2d(out, out.size(3)) for square maps)
        linear     Linear(filters[2], classes, bias=True)
    BasicBlock(in_planes, planes, stride):
        out = relu(bn1(conv1(x)))       conv1: Conv2d(in_planes, planes, 3, stride, padding 1, bias = not bn)
        out = bn2(conv2(out))           conv2: Conv2d(planes, planes, 3, stride 1, padding 1, bias = not bn)
        out = relu(out + shortcut(x))
    shortcut(x) is x itself where stride == 1 and in_planes == planes (an empty nn.Sequential, no state), else
        "A": parameter-free, F.pad(x[:, :, ::stride, ::stride], (0, 0, 0, 0, lo, hi)) with zero channels,
             lo = (planes - in_planes) // 2 before and hi = planes - in_planes - lo after the existing channels
             (akamaster's LambdaLayer: planes // 4 on each side, the same when planes == 2 * in_planes)
        "B": shortcut = nn.Sequential(Conv2d(in_planes, planes, 1, stride, bias = not bn), BatchNorm2d(planes)),
             state_dict names shortcut.0.weight [, shortcut.0.bias], shortcut.1.{weight,bias,running_mean,
             running_var,num_batches_tracked}; with bn=False the Sequential holds only the conv (shortcut.0.*).
    bn=False: no BatchNorm module exists anywhere (no bn* names at all) and every convolution has a bias.
    Initialisation (akamaster's _weights_init): kaiming_normal_ (fan_in, gain sqrt(2)) on every Conv2d and Linear
    weight; biases and BatchNorm keep PyTorch's defaults (conv/linear bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
    BN weight 1, bias 0, running_mean 0, running_var 1).

    state_dict names, in order (block b of layer k, b = 0..n-1; [..] only with bn=False; {..} only with bn=True):
        conv1.weight [conv1.bias] {bn1.weight bn1.bias bn1.running_mean bn1.running_var bn1.num_batches_tracked}
        layer<k>.<b>.conv1.weight [layer<k>.<b>.conv1.bias] {layer<k>.<b>.bn1.*}
        layer<k>.<b>.conv2.weight [layer<k>.<b>.conv2.bias] {layer<k>.<b>.bn2.*}
        (option B, first block of layer2 and layer3 only) layer<k>.0.shortcut.0.weight [..bias] {layer<k>.0.shortcut.1.*}
        linear.weight linear.bias
    BatchNorm2d(C) holds weight [C], bias [C] (parameters) and running_mean [C], running_var [C],
    num_batches_tracked [] int64 (buffers), in that order.

simple(n, filters=(16, 32, 64), in_channels=3, classes=10, bn=True)
    Ghorbani et al. 2019's "simple-(6n+2)": resnet() with every skip connection removed, nothing else changed:
    each block is relu(bn2(conv2(relu(bn1(conv1(x)))))), the same modules under the same names; no block has a
    `shortcut` module, so the names are exactly resnet(..., shortcut="A")'s.

cnn(channels, kernel=3, pool="max", bn=False, activation="relu", in_channels=3, classes=10, input_size=(32, 32),
    stride=1, padding=None)
    A plain convolutional network: stage s = 0..len(channels)-1 is
        features.<s>.conv   Conv2d(c_in, channels[s], kernel, stride[s], padding (default kernel // 2), bias = not bn)
        features.<s>.bn     BatchNorm2d(channels[s])                  (only with bn=True)
        features.<s>.act    the activation (relu, tanh, sigmoid or softplus; no state)
        features.<s>.pool   "max": MaxPool2d(2, 2); "avg": AvgPool2d(2, 2) (both floor mode, no padding);
                            "global": the mean over H and W; None: no pool (no state in any case)
    then torch.flatten(x, 1) (row-major C, H, W order, as NCHW memory) and
        classifier          Linear(C * H * W, classes, bias=True)
    `stride` and `pool` may be one value for every stage or a list with one per stage. `input_size` (H, W) fixes
    the classifier's input width: a conv maps H to (H + 2 padding - kernel) // stride + 1, a 2x2 pool to H // 2.
    state_dict names: features.<s>.conv.weight [features.<s>.conv.bias] {features.<s>.bn.*} ..., classifier.weight,
    classifier.bias. Initialisation: PyTorch's defaults.

mlp_bn(in_features, widths, classes, activation="relu", bias=False)
    The 1-D BatchNorm case: hidden layer s = 0..len(widths)-1 is
        features.<s>.linear Linear(d_in, widths[s], bias=bias)   (a bias before BN only shifts the mean it removes)
        features.<s>.bn     BatchNorm1d(widths[s])
        features.<s>.act    the activation
    then classifier = Linear(widths[-1], classes, bias=True). With one width this is Linear -> BN1d -> act -> Linear.
    state_dict names: features.<s>.linear.weight [features.<s>.linear.bias] features.<s>.bn.* ..., classifier.weight,
    classifier.bias. Initialisation: PyTorch's defaults.

All BatchNorm modules are PyTorch's defaults: affine, eps = 1e-5, momentum = 0.1, track_running_stats. In train
mode they normalise by the batch's mean and biased variance (over N for 1-D, over N, H, W for 2-D) and update
running_mean <- 0.9 running_mean + 0.1 mean, running_var <- 0.9 running_var + 0.1 unbiased variance (divisor
count - 1); in eval mode they normalise by running_mean and running_var.

Run `python3 tools/torch_models.py` to print the state_dict names and shapes of small presets.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "softplus": nn.Softplus}


class ShortcutA(nn.Module):
    """Option A: subsample by the stride, then pad the channels with zeros (no parameters, no buffers)."""

    def __init__(self, in_planes, planes, stride):
        super().__init__()
        if planes < in_planes:
            raise ValueError(f"option A cannot shrink channels: {in_planes} -> {planes}")
        self.stride, self.lo, self.hi = stride, (planes - in_planes) // 2, planes - in_planes - (planes - in_planes) // 2

    def forward(self, x):
        return F.pad(x[:, :, ::self.stride, ::self.stride], (0, 0, 0, 0, self.lo, self.hi), "constant", 0.0)


class BasicBlock(nn.Module):
    """conv1 -> bn1 -> relu -> conv2 -> bn2 (+ shortcut) -> relu, as akamaster's BasicBlock (expansion 1)."""

    def __init__(self, in_planes, planes, stride=1, bn=True, shortcut="A", residual=True, dtype=None):
        super().__init__()
        self.residual = residual
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride=stride, padding=1, bias=not bn, dtype=dtype)
        if bn:
            self.bn1 = nn.BatchNorm2d(planes, dtype=dtype)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=1, padding=1, bias=not bn, dtype=dtype)
        if bn:
            self.bn2 = nn.BatchNorm2d(planes, dtype=dtype)
        if not residual:
            return  # simple-(6n+2): no shortcut module at all
        if stride == 1 and in_planes == planes:
            self.shortcut = nn.Sequential()  # identity, no state (as akamaster)
        elif shortcut == "A":
            self.shortcut = ShortcutA(in_planes, planes, stride)
        elif shortcut == "B":
            layers = [nn.Conv2d(in_planes, planes, 1, stride=stride, bias=not bn, dtype=dtype)]
            if bn:
                layers.append(nn.BatchNorm2d(planes, dtype=dtype))
            self.shortcut = nn.Sequential(*layers)
        else:
            raise ValueError(f"shortcut must be 'A' or 'B', not {shortcut!r}")

    def _bn(self, name, x):
        return getattr(self, name)(x) if hasattr(self, name) else x

    def forward(self, x):
        out = F.relu(self._bn("bn1", self.conv1(x)))
        out = self._bn("bn2", self.conv2(out))
        if self.residual:
            out = out + self.shortcut(x)
        return F.relu(out)


class ResNetCifar(nn.Module):
    """conv1 -> bn1 -> relu -> layer1..3 -> global average pool -> linear (see the module docstring)."""

    def __init__(self, n, filters=(16, 32, 64), in_channels=3, classes=10, bn=True, shortcut="A", residual=True,
                 dtype=None):
        super().__init__()
        if n < 1 or len(filters) != 3:
            raise ValueError(f"need n >= 1 and three filter counts, got n={n}, filters={filters}")
        self.conv1 = nn.Conv2d(in_channels, filters[0], 3, stride=1, padding=1, bias=not bn, dtype=dtype)
        if bn:
            self.bn1 = nn.BatchNorm2d(filters[0], dtype=dtype)
        in_planes = filters[0]
        for k, (planes, stride) in enumerate(zip(filters, (1, 2, 2)), start=1):
            blocks = []
            for b in range(n):
                blocks.append(BasicBlock(in_planes, planes, stride if b == 0 else 1, bn, shortcut, residual, dtype))
                in_planes = planes
            setattr(self, f"layer{k}", nn.Sequential(*blocks))
        self.linear = nn.Linear(filters[2], classes, bias=True, dtype=dtype)
        for m in self.modules():  # akamaster's _weights_init
            if isinstance(m, (nn.Linear, nn.Conv2d)):
                nn.init.kaiming_normal_(m.weight)

    def forward(self, x):
        out = self.conv1(x)
        out = F.relu(self.bn1(out) if hasattr(self, "bn1") else out)
        out = self.layer3(self.layer2(self.layer1(out)))
        out = out.mean(dim=(2, 3))  # global average pool
        return self.linear(out)


def resnet(n, filters=(16, 32, 64), in_channels=3, classes=10, bn=True, shortcut="A", dtype=None):
    """ResNet-(6n+2) (He et al. 2016, CIFAR), akamaster's names; shortcut "A" (zero-pad) or "B" (1x1 conv + BN)."""
    return ResNetCifar(n, filters, in_channels, classes, bn, shortcut, residual=True, dtype=dtype)


def simple(n, filters=(16, 32, 64), in_channels=3, classes=10, bn=True, dtype=None):
    """simple-(6n+2) (Ghorbani et al. 2019, App. A): resnet() without skip connections, same names."""
    return ResNetCifar(n, filters, in_channels, classes, bn, shortcut="A", residual=False, dtype=dtype)


class GlobalAvgPool(nn.Module):
    """The mean over H and W, keeping them as 1 x 1 (so flatten gives [N, C])."""

    def forward(self, x):
        return x.mean(dim=(2, 3), keepdim=True)


def _per_stage(value, count, what):
    values = list(value) if isinstance(value, (list, tuple)) else [value] * count
    if len(values) != count:
        raise ValueError(f"{what}: {len(values)} values for {count} stages")
    return values


class Stage(nn.Module):
    """conv -> [bn] -> act -> [pool]; also linear -> bn -> act for mlp_bn (then `linear` instead of `conv`)."""

    def __init__(self, core_name, core, bn, act, pool):
        super().__init__()
        self.core_name = core_name
        setattr(self, core_name, core)
        if bn is not None:
            self.bn = bn
        self.act = act
        if pool is not None:
            self.pool = pool

    def forward(self, x):
        x = getattr(self, self.core_name)(x)
        if hasattr(self, "bn"):
            x = self.bn(x)
        x = self.act(x)
        return self.pool(x) if hasattr(self, "pool") else x


class PlainCNN(nn.Module):
    def __init__(self, channels, kernel=3, pool="max", bn=False, activation="relu", in_channels=3, classes=10,
                 input_size=(32, 32), stride=1, padding=None, dtype=None):
        super().__init__()
        count = len(channels)
        strides, pools = _per_stage(stride, count, "stride"), _per_stage(pool, count, "pool")
        padding = kernel // 2 if padding is None else padding
        h, w = input_size
        stages, c_in = [], in_channels
        for c, s, p in zip(channels, strides, pools):
            conv = nn.Conv2d(c_in, c, kernel, stride=s, padding=padding, bias=not bn, dtype=dtype)
            h, w = (h + 2 * padding - kernel) // s + 1, (w + 2 * padding - kernel) // s + 1
            if p == "max":
                pool_module, h, w = nn.MaxPool2d(2, 2), h // 2, w // 2
            elif p == "avg":
                pool_module, h, w = nn.AvgPool2d(2, 2), h // 2, w // 2
            elif p == "global":
                pool_module, h, w = GlobalAvgPool(), 1, 1
            elif p is None:
                pool_module = None
            else:
                raise ValueError(f"pool must be 'max', 'avg', 'global' or None, not {p!r}")
            if h < 1 or w < 1:
                raise ValueError(f"input_size {input_size} is too small for {count} stages")
            stages.append(Stage("conv", conv, nn.BatchNorm2d(c, dtype=dtype) if bn else None,
                                ACTIVATIONS[activation](), pool_module))
            c_in = c
        self.features = nn.Sequential(*stages)
        self.classifier = nn.Linear(c_in * h * w, classes, bias=True, dtype=dtype)

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


def cnn(channels, kernel=3, pool="max", bn=False, activation="relu", in_channels=3, classes=10, input_size=(32, 32),
        stride=1, padding=None, dtype=None):
    """Plain CNN: per stage conv -> [BN] -> act -> pool, then flatten (C, H, W) and a linear classifier."""
    return PlainCNN(channels, kernel, pool, bn, activation, in_channels, classes, input_size, stride, padding, dtype)


class MlpBn(nn.Module):
    def __init__(self, in_features, widths, classes, activation="relu", bias=False, dtype=None):
        super().__init__()
        stages, d_in = [], in_features
        for w in widths:
            stages.append(Stage("linear", nn.Linear(d_in, w, bias=bias, dtype=dtype), nn.BatchNorm1d(w, dtype=dtype),
                                ACTIVATIONS[activation](), None))
            d_in = w
        self.features = nn.Sequential(*stages)
        self.classifier = nn.Linear(d_in, classes, bias=True, dtype=dtype)

    def forward(self, x):
        return self.classifier(self.features(x))


def mlp_bn(in_features, widths, classes, activation="relu", bias=False, dtype=None):
    """Per hidden layer Linear -> BatchNorm1d -> act, then a linear classifier."""
    return MlpBn(in_features, widths, classes, activation, bias, dtype)


PRESETS = {"resnet": resnet, "simple": simple, "cnn": cnn, "mlp_bn": mlp_bn}


def build(preset, **kwargs):
    return PRESETS[preset](**kwargs)


def describe(model):
    """[(state_dict name, shape, 'parameter' | 'buffer')] in state_dict order."""
    params = {k for k, _ in model.named_parameters()}
    return [(k, tuple(t.shape), "parameter" if k in params else "buffer") for k, t in model.state_dict().items()]


def main():
    torch.set_num_threads(1)
    examples = {
        "resnet(1, (2, 4, 8), shortcut='A')": resnet(1, (2, 4, 8)),
        "resnet(1, (2, 4, 8), shortcut='B')": resnet(1, (2, 4, 8), shortcut="B"),
        "simple(1, (2, 4, 8))": simple(1, (2, 4, 8)),
        "resnet(1, (2, 4, 8), bn=False)": resnet(1, (2, 4, 8), bn=False),
        "cnn([3, 4], bn=True, input_size=(8, 8))": cnn([3, 4], bn=True, input_size=(8, 8)),
        "mlp_bn(4, [5], 3)": mlp_bn(4, [5], 3),
    }
    for title, model in examples.items():
        print(title)
        for name, shape, kind in describe(model):
            print(f"    {name:40s} {str(list(shape)):16s} {kind}")


if __name__ == "__main__":
    main()
