#!/usr/bin/env python3
"""PyTorch eager counterpart of `resnet4j bench detect`: torchvision's fasterrcnn_resnet50_fpn
(model.eval(), torch.no_grad(), its own 800/1333 transform) on the images of --data, one image per
call, timed after --warmup untimed images; decoding is not timed. Prints one JSON object with
images_per_s. Use the same --weights file on both sides (e.g. written by --save-random).

  /usr/bin/python3 tools/bench/pytorch_detect.py --save-random /tmp/frcnn.pth
  /usr/bin/python3 tools/bench/pytorch_detect.py detect --weights /tmp/frcnn.pth --data ../shared/images --steps 8
"""
import argparse, glob, json, os, time

import torch
import torchvision
from PIL import Image
import torchvision.transforms.functional as TF


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('workload', nargs='?', default='detect', choices=['detect'])
    ap.add_argument('--weights')
    ap.add_argument('--data')
    ap.add_argument('--steps', type=int, default=8)
    ap.add_argument('--warmup', type=int, default=2)
    ap.add_argument('--threads', type=int, default=torch.get_num_threads())
    ap.add_argument('--save-random', help='write randomly initialised weights (COCO head) here and exit')
    ap.add_argument('--json', action='store_true')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    if a.save_random:
        torch.manual_seed(0)
        m = torchvision.models.detection.fasterrcnn_resnet50_fpn(weights=None, weights_backbone=None)
        torch.save(m.state_dict(), a.save_random)
        return
    model = torchvision.models.detection.fasterrcnn_resnet50_fpn(weights=None, weights_backbone=None)
    model.load_state_dict(torch.load(a.weights, map_location='cpu'))
    model.eval()
    files = sorted(f for f in glob.glob(os.path.join(a.data, '**', '*'), recursive=True)
                   if f.lower().endswith(('.jpg', '.jpeg', '.png')))
    images = [TF.to_tensor(Image.open(f).convert('RGB')) for f in files]
    times = []
    with torch.no_grad():
        for i in range(a.warmup + a.steps):
            t = time.perf_counter()
            model([images[i % len(images)]])
            if i >= a.warmup:
                times.append(time.perf_counter() - t)
    times.sort()
    med = times[len(times) // 2]
    print(json.dumps({'framework': 'pytorch', 'version': torch.__version__, 'workload': 'detect',
                      'threads': a.threads, 'steps': a.steps, 'median_step_s': med, 'images_per_s': 1 / med}))


if __name__ == '__main__':
    main()
