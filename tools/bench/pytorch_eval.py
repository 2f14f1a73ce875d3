#!/usr/bin/env python3
"""PyTorch eager counterpart of `resnet4j bench eval`: torchvision evaluation of an image folder's
ROOT/val split, the way torchvision's reference scripts do it (ImageFolder + DataLoader with worker
processes, model.eval(), torch.no_grad()).

  center:   Resize(256), CenterCrop(224)                (batch of --batch-size images)
  ten-crop: Resize(256), TenCrop(224), softmax averaged (batch of --batch-size images x 10 views)

The model is torchvision's resnet50 (or --model), with the weights of --weights (a state_dict .pth)
or random ones: the weights change the accuracy, not the speed. Prints one JSON object with
images_per_s, seconds, rss_mb (peak resident memory of this process and its workers) and top1_error.

  apt-get install -y python3-torch python3-torchvision
  /usr/bin/python3 tools/bench/pytorch_eval.py --data ROOT --protocol center --workers 2 --batch-size 32
"""
import argparse, json, resource, time

import torch
import torchvision
import torchvision.transforms as T


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('workload', nargs='?', default='eval', choices=['eval'])
    ap.add_argument('--data', required=True, help='image folder ROOT (ROOT/val/<class>/*.jpg)')
    ap.add_argument('--model', default='resnet50')
    ap.add_argument('--weights', help='a torchvision state_dict (.pth); random weights when absent')
    ap.add_argument('--protocol', default='center', choices=['center', 'ten-crop'])
    ap.add_argument('--batch-size', type=int, default=32)
    ap.add_argument('--workers', type=int, default=2)
    ap.add_argument('--threads', type=int, default=torch.get_num_threads())
    ap.add_argument('--json', action='store_true', help='accepted for symmetry with resnet4j; the output is always JSON')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    model = getattr(torchvision.models, a.model)()
    if a.weights and a.weights.endswith('.pth'):
        model.load_state_dict(torch.load(a.weights, map_location='cpu'))
    model.eval()
    norm = T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
    if a.protocol == 'center':
        tf = T.Compose([T.Resize(256), T.CenterCrop(224), T.ToTensor(), norm])
    else:
        tf = T.Compose([T.Resize(256), T.TenCrop(224),
                        T.Lambda(lambda crops: torch.stack([norm(T.functional.to_tensor(c)) for c in crops]))])
    ds = torchvision.datasets.ImageFolder(a.data.rstrip('/') + '/val', tf)
    dl = torch.utils.data.DataLoader(ds, batch_size=a.batch_size, num_workers=a.workers)
    errors = 0
    start = time.perf_counter()
    with torch.no_grad():
        for x, y in dl:
            if a.protocol == 'center':
                p = model(x)
            else:
                b, v = x.shape[:2]
                p = model(x.flatten(0, 1)).softmax(1).view(b, v, -1).mean(1)
            errors += (p.argmax(1) != y).sum().item()
    seconds = time.perf_counter() - start
    rss = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    print(json.dumps({'framework': 'pytorch', 'version': torch.__version__, 'workload': 'eval',
                      'model': a.model, 'protocol': a.protocol, 'batch_size': a.batch_size, 'workers': a.workers,
                      'threads': a.threads, 'images': len(ds), 'seconds': seconds,
                      'images_per_s': len(ds) / seconds, 'rss_mb': rss // 1024, 'top1_error': errors / len(ds)}))


if __name__ == '__main__':
    main()
