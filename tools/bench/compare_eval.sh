#!/usr/bin/env bash
# Evaluation throughput of resnet4j against torchvision eager on the same folder and weights,
# alternating runs (A B A B ...) as ../shared/bench/compare.sh does; prints each pair's ratio and
# the median (> 1.0 means resnet4j is faster).
#
#   tools/bench/compare_eval.sh --data ROOT --weights resnet50.pth --model resnet50 --protocol center --workers 2
#
# The PyTorch side is tools/bench/pytorch_eval.py (apt-get install -y python3-torch python3-torchvision).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
pairs=${PAIRS:-3}
ratios=()
for i in $(seq "$pairs"); do
  j=$(bin/resnet4j bench eval "$@" --json | tail -n 1)
  p=$(/usr/bin/python3 "$here/pytorch_eval.py" eval "$@" | tail -n 1)
  line=$(python3 -c 'import json,sys; a=json.loads(sys.argv[1]); b=json.loads(sys.argv[2]); print("resnet4j %.1f img/s (%d MB), pytorch %.1f img/s (%d MB), ratio %.3f" % (a["images_per_s"], a["rss_mb"], b["images_per_s"], b["rss_mb"], a["images_per_s"]/b["images_per_s"]))' "$j" "$p")
  echo "pair $i: $line"
  ratios+=("${line##* }")
done
printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR]=$1} END {print "median ratio resnet4j/pytorch: " a[int((NR+1)/2)]}'
