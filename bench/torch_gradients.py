"""PyTorch side of bench/gradients.ts and bench/gpu.ts: the same architectures as bench/models.ts, random
weights, eval mode, the gradient of one class probability with respect to the input.

    python3 bench/torch_gradients.py PLAN_JSON [--device cpu|cuda] [--tf32]

PLAN_JSON is [{"model": ..., "batch": ...}, ...]. On cpu (the default) prints one JSON line per
(model, batch, threads) for 1 and 2 threads: {"model", "batch", "threads", "gradsPerSec"}; run with
Debian's /usr/bin/python3. With --device cuda, one line per (model, batch) in fp32:
{"model", "batch", "device": "cuda", "gpu", "tf32": false, "gradsPerSec"}, and with --tf32 a second
line per item with TF32 convolutions and matmuls ("tf32": true)."""
import argparse
import json
import statistics
import sys
import time

import torch
from torch import nn

torch.set_flush_denormal(True)


def conv_bn(cin, cout, k, s, act):
    return [nn.Conv2d(cin, cout, k, s, k // 2, bias=False), nn.BatchNorm2d(cout, eps=1e-5), act()]


def cnn32():
    return nn.Sequential(
        nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 8 * 8, 128), nn.ReLU(), nn.Linear(128, 10), nn.Softmax(1)), (3, 32, 32)


def mlp784():
    return nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10), nn.Softmax(1)), (784,)


def mobilenet224():
    layers = conv_bn(3, 32, 3, 2, nn.ReLU6)
    c = 32
    for f, s in [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1)]:
        layers += [nn.Conv2d(c, c, 3, s, 1, groups=c, bias=False), nn.BatchNorm2d(c), nn.ReLU6()]
        layers += conv_bn(c, f, 1, 1, nn.ReLU6)
        c = f
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(1024, 1000), nn.Softmax(1)]
    return nn.Sequential(*layers), (3, 224, 224)


class Block(nn.Module):
    def __init__(self, cin, cout, s):
        super().__init__()
        self.a = nn.Sequential(*conv_bn(cin, cout, 3, s, nn.ReLU))
        self.b = nn.Sequential(nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout))
        self.short = nn.Sequential(nn.Conv2d(cin, cout, 1, s, bias=False), nn.BatchNorm2d(cout)) if s != 1 or cin != cout else nn.Identity()

    def forward(self, x):
        return torch.relu(self.b(self.a(x)) + self.short(x))


def resnet10_224():
    layers = conv_bn(3, 64, 7, 2, nn.ReLU) + [nn.MaxPool2d(3, 2, 1)]
    c = 64
    for f, s in [(64, 1), (128, 2), (256, 2), (512, 2)]:
        layers.append(Block(c, f, s))
        c = f
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, 1000), nn.Softmax(1)]
    return nn.Sequential(*layers), (3, 224, 224)


MODELS = {'cnn32': cnn32, 'mlp784': mlp784, 'mobilenet224': mobilenet224, 'resnet10_224': resnet10_224}


def time_gradients(model, shape, batch, budget_s, device='cpu'):
    x = torch.rand(batch, *shape, device=device)
    sync = torch.cuda.synchronize if device == 'cuda' else (lambda: None)

    def once():
        xi = x.clone().requires_grad_(True)
        y = model(xi)[:, 3].sum()
        (g,) = torch.autograd.grad(y, xi)
        sync()
        return g

    start = time.perf_counter()
    once()
    if time.perf_counter() - start < 2:
        once()
    times = []
    spent = time.perf_counter()
    while len(times) < 3 or (len(times) < 9 and time.perf_counter() - spent < budget_s):
        t = time.perf_counter()
        once()
        times.append(time.perf_counter() - t)
    return batch / statistics.median(times)


def build(name, device):
    torch.manual_seed(0)
    model, shape = MODELS[name]()
    model.eval().to(device)
    for p in model.parameters():
        p.requires_grad_(False)
    return model, shape


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('plan', help='JSON list of {"model", "batch"}')
    parser.add_argument('--device', choices=['cpu', 'cuda'], default='cpu')
    parser.add_argument('--tf32', action='store_true', help='cuda: also time with TF32 convolutions and matmuls')
    args = parser.parse_args()
    plan = json.loads(args.plan)
    if args.device == 'cuda':
        if not torch.cuda.is_available():
            sys.exit('torch_gradients.py: --device cuda, but torch.cuda.is_available() is False')
        gpu = torch.cuda.get_device_name(0)
        for tf32 in ([False, True] if args.tf32 else [False]):
            torch.backends.cuda.matmul.allow_tf32 = tf32
            torch.backends.cudnn.allow_tf32 = tf32
            for item in plan:
                model, shape = build(item['model'], 'cuda')
                gps = time_gradients(model, shape, item['batch'], 1.0, 'cuda')
                print(json.dumps({'model': item['model'], 'batch': item['batch'], 'device': 'cuda', 'gpu': gpu, 'tf32': tf32, 'gradsPerSec': gps}), flush=True)
                del model
        return
    for threads in (1, 2):
        torch.set_num_threads(threads)
        for item in plan:
            model, shape = build(item['model'], 'cpu')
            gps = time_gradients(model, shape, item['batch'], 3.0)
            print(json.dumps({'model': item['model'], 'batch': item['batch'], 'threads': threads, 'gradsPerSec': gps}), flush=True)


if __name__ == '__main__':
    main()
