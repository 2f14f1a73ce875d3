#!/usr/bin/env bash
# Builds the examples against the installed io.resnet4j:resnet4j (run 'mvn install' in the parent
# folder first) and runs each once: fine-tune, then classify and embed the images it wrote.
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -q package
run() { java -Dai.djl.offline=true -cp "target/classes:target/lib/*" "$@"; }
rm -rf target/work
run io.resnet4j.examples.FineTune target/work
run io.resnet4j.examples.ClassifyImages target/work/finetuned.safetensors target/work/images/*.png
run io.resnet4j.examples.ExtractFeatures target/work/finetuned.safetensors target/work/images/*.png
