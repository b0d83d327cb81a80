#!/usr/bin/env bash
# The runs of issue 21: the authors' configuration under both readings of a2v.lua, trained to
# their budget on AAN beside DeepWalk on the same splits, then CANE-Cora. Every command resumes
# (--resume: finished runs are kept, an interrupted Keras fit continues from its checkpoint):
# stop it any time, run it again. Breadth first: one seed of everything, then the next seed.
# Writes results/author2vec_vs_paper.{json,md,png} and _curve.png.
#   benchmarks/paper_runs.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
run() { echo "== $(date +%H:%M) load $(cut -d' ' -f1-3 /proc/loadavg): $*"
        "$PY" benchmarks/author2vec_vs_paper.py --resume --curve-every 5 "$@"; }
lua() {  # PRESET SEED PROTOCOL [--leaky]
    run --preset "$1" --methods deepwalk alternating --seeds "$2" --protocols "$3" "${@:4}"; }
why() {  # 20-epoch sensitivity runs of the a2v-lua preset (seed 0, hold-out, leak-free)
    run --preset a2v-lua --epochs 20 --methods alternating --seeds 0 --protocols holdout "$@"; }
cane() {  # CANE-Cora, the content + link model with the first-round settings (batched Adam)
    run --dataset cane-cora --methods deepwalk link content alternating --seeds "$@"; }
lua a2v-lua 0 holdout
lua a2v-lua-as-run 0 holdout
why --set embedding_init=uniform
why --set lr=1.0
why --set lr=10.0
why --set embedding_init=uniform --set lr=1.0
why --set batching=pairs --set optimizer=adam --set lr=0.01
cane 0 1 2
# the first round's settings (4 epochs of batched Adam), the content seeing every paper
run --methods content alternating --seeds 0 1 2 --protocols holdout temporal --leaky
# the smallest change that learns (the 20-epoch runs above): Keras' U(-0.05, 0.05) start, to 100
lua a2v-lua 0 holdout --set embedding_init=uniform
# the verdict: both readings, held-out links, leak-free content, five seeds
for seed in 1 2 3 4; do
    lua a2v-lua "$seed" holdout
    lua a2v-lua-as-run "$seed" holdout
done
for seed in 0 1 2; do
    lua a2v-lua "$seed" holdout --leaky
    lua a2v-lua-as-run "$seed" holdout --leaky
    lua a2v-lua "$seed" temporal
    lua a2v-lua-as-run "$seed" temporal
done
for seed in 3 4; do
    lua a2v-lua "$seed" temporal
    lua a2v-lua-as-run "$seed" temporal
done
