#!/usr/bin/env python3
"""Operators by self time in PyTorch eager for the same workload as `resnet4j bench --profile`.

Uses ../shared/bench/pytorch_reference.py's models (the yardstick compare.sh runs) and
torch.profiler; prints the same table as resnet4j's OperatorProfile so the two line up op by op.

    /usr/bin/python3 tools/bench/pytorch_profile.py train --model resnet20 --batch-size 128 --steps 10
"""
import argparse, os, sys
import torch, torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', '..', 'shared', 'bench'))
import pytorch_reference as ref  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('workload', choices=['train', 'infer'])
    ap.add_argument('--model', default='resnet20')
    ap.add_argument('--batch-size', type=int, default=128)
    ap.add_argument('--steps', type=int, default=10)
    ap.add_argument('--warmup', type=int, default=3)
    ap.add_argument('--threads', type=int, default=os.cpu_count() or 1)
    ap.add_argument('--top', type=int, default=15)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model, size, classes = ref.build(a.model)
    x = torch.randn(a.batch_size, 3, size, size)
    y = torch.randint(0, classes, (a.batch_size,))
    if a.workload == 'train':
        model.train()
        opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)

        def step():
            opt.zero_grad(set_to_none=True)
            F.cross_entropy(model(x), y).backward()
            opt.step()
    else:
        model.eval()

        def step():
            with torch.no_grad():
                model(x)
    for _ in range(a.warmup):
        step()
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
        for _ in range(a.steps):
            step()
    rows = [(e.key, e.count, e.self_cpu_time_total) for e in prof.key_averages()]
    total = sum(r[2] for r in rows)
    rows.sort(key=lambda r: -r[2])
    print('%-44s %12s %7s %10s' % ('operator', 'self ms/step', 'share', 'calls/step'))
    for name, count, self_us in rows[:a.top]:
        print('%-44s %12.2f %6.1f%% %10.1f' % (name, self_us / 1000 / a.steps, 100 * self_us / total, count / a.steps))
    print('%-44s %12.2f' % ('all operators', total / 1000 / a.steps))


if __name__ == '__main__':
    main()
