#!/usr/bin/env bash
# Images/s of 'resnet4j spark predict' (local[1], local[2]) against the single-process
# 'resnet4j predict' on the same JPEGs, in alternating rounds. Each command also runs on the first
# 16 images alone: the difference of the two wall times is the steady rate without JVM, Spark and
# model start-up, which the summary reports separately.
# CPU ms per image (user + system, steady part) shows what each costs whatever else runs.
#   usage: tools/bench-predict.sh WEIGHTS IMAGE_FOLDER [ROUNDS] [COMMANDS]   (COMMANDS: "single spark1 spark2")
set -euo pipefail
MODULE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
R4J="$MODULE/../bin/resnet4j"
WEIGHTS="$1"
FOLDER="$2"
ROUNDS="${3:-2}"
COMMANDS="${4:-single spark1 spark2}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mapfile -t ALL < <(find "$FOLDER" -name '*.jpg' | sort)
mkdir -p "$WORK/small"
for f in "${ALL[@]:0:16}"; do ln -s "$f" "$WORK/small/$(basename "$(dirname "$f")")-$(basename "$f")"; done

wall() { # seconds of a command's wall time; its CPU seconds (user + system) go to $WORK/cpu
  /usr/bin/time -f '%e %U %S' -o "$WORK/t" "$@" > "$WORK/out" 2> "$WORK/err" || { cat "$WORK/err" >&2; exit 1; }
  awk '{ print $2 + $3 }' "$WORK/t" > "$WORK/cpu"
  awk '{ print $1 }' "$WORK/t"
}
single() { wall "$R4J" predict --weights "$WEIGHTS" --batch-size 16 "$1"; }
spark() { wall "$R4J" spark predict --weights "$WEIGHTS" --batch-size 16 --input "$2" --output "$WORK/o" --force --master "local[$1]"; }

echo "images: ${#ALL[@]} in $FOLDER; weights: $WEIGHTS"
echo "round load1 command wall_all_s wall_16_s steady_images_per_s cpu_ms_per_image"
for ((r = 1; r <= ROUNDS; r++)); do
  for cmd in $COMMANDS; do
    while [[ -n "${MAX_LOAD:-}" ]] && awk -v l="$(cut -d' ' -f1 /proc/loadavg)" -v m="$MAX_LOAD" 'BEGIN { exit !(l > m) }'; do
      sleep 15 # wait for other work on the machine to calm down
    done
    load=$(cut -d' ' -f1 /proc/loadavg)
    case $cmd in
      single) all=$(single "$FOLDER"); cpu_all=$(cat "$WORK/cpu"); small=$(single "$WORK/small") ;;
      spark1) all=$(spark 1 "$FOLDER"); cpu_all=$(cat "$WORK/cpu"); small=$(spark 1 "$WORK/small") ;;
      spark2) all=$(spark 2 "$FOLDER"); cpu_all=$(cat "$WORK/cpu"); small=$(spark 2 "$WORK/small") ;;
    esac
    cpu_small=$(cat "$WORK/cpu")
    rate=$(awk -v n="${#ALL[@]}" -v a="$all" -v s="$small" 'BEGIN { print (n - 16) / (a - s) }')
    cpu=$(awk -v n="${#ALL[@]}" -v a="$cpu_all" -v s="$cpu_small" 'BEGIN { print 1000 * (a - s) / (n - 16) }')
    printf '%d %s %s %s %s %.1f %.1f\n' "$r" "$load" "$cmd" "$all" "$small" "$rate" "$cpu"
  done
done
