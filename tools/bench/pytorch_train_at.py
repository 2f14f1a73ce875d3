#!/usr/bin/env python3
"""PyTorch eager training throughput at any input side: ../shared/bench/pytorch_reference.py's train
workload (same nets, loss, SGD and timing), with the network's input side set by --input instead of
the model's default (32 for CIFAR nets, 224 for ImageNet ones). resnet4j's counterpart is
`bin/resnet4j bench train --model M --input SIDE`.

  /usr/bin/python3 tools/bench/pytorch_train_at.py --model resnet18 --input 64 --batch-size 64 --steps 10
"""
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, '..', '..', '..', 'shared', 'bench'))
import pytorch_reference as reference  # noqa: E402


def main():
    side = None
    args = sys.argv[1:]
    if '--input' in args:
        side = int(args[args.index('--input') + 1])
    default_build = reference.build

    def build(name):
        net, size, classes = default_build(name)
        return net, side or size, classes

    reference.build = build
    sys.argv = [sys.argv[0], 'train'] + args
    reference.main()


if __name__ == '__main__':
    main()
