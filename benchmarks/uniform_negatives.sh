#!/usr/bin/env bash
# Issue 33's PPI question: the walk variant's negatives drawn uniformly instead of by degree^0.75
# (word2vec's default), on every table of benchmarks/walk_tables.sh, as one more row
# (`author2vec-walks-uniform`) beside the others on the same splits. Resumes (--resume): stop it
# any time, run it again.
#   benchmarks/uniform_negatives.sh [SEEDS] [BIG_SEEDS]    (default 5 seeds, 3 on the big sets)
# DATASETS="ppi facebook" runs those tables only.
set -euo pipefail
cd "$(dirname "$0")/.."
A2V=${A2V:-.venv/bin/author2vec}
SEEDS=${1:-5}
BIG=${2:-3}
M=author2vec-walks-uniform
run() { [ -z "${DATASETS:-}" ] || [[ " $DATASETS " == *" $2 "* ]] || return 0
        echo "== $(date +%H:%M) load $(cut -d' ' -f1-3 /proc/loadavg): $*"; "$A2V" benchmark --resume --no-progress "$@"; }
run --dataset ppi --task link-prediction --methods $M --seeds "$SEEDS"
run --dataset facebook --task link-prediction --methods $M --seeds "$SEEDS"
run --dataset ca-grqc --task link-prediction --methods $M --seeds "$SEEDS"
run --dataset ca-hepth --task link-prediction --methods $M --seeds "$SEEDS"
run --dataset cora --task node-classification --methods $M --seeds "$SEEDS"
run --dataset wiki --task node-classification --methods $M --seeds "$SEEDS"
run --dataset aan --task link-prediction --methods $M --seeds "$SEEDS"
run --dataset ca-astroph --task link-prediction --methods $M --seeds "$BIG"
