"""Data-layer speed: dataset load times, negative sampling and PairSequence pairs/s.

    python benchmarks/data_speed.py [--repeat 3] [--datasets ca-grqc,ca-astroph,...]

Prints a table. The model's training speed on this machine (DESIGN.md: keras+Theano, d=128,
batch 512) is 12,000-164,000 pairs/s depending on graph size; the batch maker must be well above.
"""
import argparse
import os
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))

from author2vec_keras.data import datasets  # noqa: E402
from author2vec_keras.data.graph import DataWarning  # noqa: E402
from author2vec_keras.data.readers import read_edgelist  # noqa: E402

MODEL_PAIRS_PER_S = '12,000-164,000 (DESIGN.md, 2-core CPU)'


def best(fn, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--repeat', type=int, default=3)
    ap.add_argument('--datasets', default=','.join(datasets.names()))
    args = ap.parse_args(argv)
    warnings.simplefilter('ignore', DataWarning)

    print('%-12s %8s %8s %10s   %s' % ('dataset', 'nodes', 'edges', 'load s', 'incl. sha256 check'))
    for name in args.datasets.split(','):
        dt, ds = best(lambda: datasets.load(name), args.repeat)
        print('%-12s %8d %8d %10.3f' % (name, ds.graph.num_nodes, ds.graph.num_edges, dt))
    path = datasets._file_path('ca-AstroPh/ca-AstroPh.txt')
    dt, g = best(lambda: read_edgelist(path), args.repeat)
    print('read_edgelist(ca-AstroPh.txt.gz) alone: %.3f s (%d edges)' % (dt, g.num_edges))

    from author2vec_keras.data.negatives import NegativeSampler
    from author2vec_keras.nn.sequences import PairSequence
    print()
    print('%-34s %14s' % ('sampling on ca-astroph', 'pairs/s'))
    src = np.random.default_rng(0).integers(0, g.num_nodes, size=200000)
    for dist in ('uniform', 'degree'):
        s = NegativeSampler(g, dist, seed=0)
        dt, _ = best(lambda: s.sample(src, 5), args.repeat)
        print('%-34s %14s' % ('NegativeSampler(%s), k=5' % dist,
                              '{:,.0f}'.format(len(src) * 5 / dt)))
    for neg, bs in ((1, 512), (5, 512), (5, 4096)):
        seq = PairSequence(g, negatives=neg, batch_size=bs, seed=0)

        def epoch():
            return sum(len(seq[i][0]) for i in range(len(seq)))
        dt, n = best(epoch, 1)
        print('%-34s %14s' % ('PairSequence neg=%d batch=%d' % (neg, bs), '{:,.0f}'.format(n / dt)))
    print('%-34s %14s' % ('model training (for comparison)', MODEL_PAIRS_PER_S))


if __name__ == '__main__':
    main()
