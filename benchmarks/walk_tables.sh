#!/usr/bin/env bash
# The tables of issue 13: Author2Vec trained on edges, on walk pairs, and on walk pairs with a
# separate context table, beside DeepWalk, node2vec, LINE, spectral, the heuristics and chance,
# on the same splits (node2vec's and DeepWalk's protocols). Each command resumes (--resume):
# stop it any time, run it again, finished methods and seeds are kept. Writes results/TASK_DATASET.*
#   benchmarks/walk_tables.sh [SEEDS] [BIG_SEEDS]    (default 5 seeds, 3 on ca-astroph/blogcatalog)
# DATASETS="aan ca-astroph" runs those tables only.
set -euo pipefail
cd "$(dirname "$0")/.."
A2V=${A2V:-.venv/bin/author2vec}
SEEDS=${1:-5}
BIG=${2:-3}
EMB=deepwalk,node2vec,line,spectral,random,author2vec,author2vec-walks,author2vec-walks-separate
LP=common-neighbours,jaccard,adamic-adar,preferential-attachment,$EMB
run() { [ -z "${DATASETS:-}" ] || [[ " $DATASETS " == *" $2 "* ]] || return 0
        echo "== $(date +%H:%M) load $(cut -d' ' -f1-3 /proc/loadavg): $*"; "$A2V" benchmark --resume --no-progress "$@"; }
run --dataset ca-grqc --task link-prediction --methods "$LP" --seeds "$SEEDS"
run --dataset cora --task node-classification --methods "$EMB" --seeds "$SEEDS"
run --dataset wiki --task node-classification --methods "$EMB" --seeds "$SEEDS"
run --dataset ppi --task link-prediction --methods "$LP" --seeds "$SEEDS"
run --dataset facebook --task link-prediction --methods "$LP" --seeds "$SEEDS"
run --dataset ca-hepth --task link-prediction --methods "$LP" --seeds "$SEEDS"
run --dataset aan --task link-prediction --methods "$LP" --seeds "$SEEDS"
run --dataset ca-astroph --task link-prediction --methods "$LP" --seeds "$BIG"
run --dataset blogcatalog --task node-classification --methods "$EMB" --seeds "$BIG" --shuffles 3
