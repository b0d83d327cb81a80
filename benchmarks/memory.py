"""Peak memory of `author2vec train` against the memory guard's estimate.

    python benchmarks/memory.py                 # measure (about 20 minutes on 2 busy cores)
    python benchmarks/memory.py --table-only    # re-render the table from results/memory.json
    python benchmarks/memory.py --workers 1,2   # `--workers N` at 1M nodes: total PSS

Each case is one real `author2vec train` run in a child process (read the edge list, split,
build and compile the model, train one epoch, score the held-out pairs, write the embeddings);
its peak resident set size comes from `os.wait4`. The cases isolate the terms of
`memory.estimate_training_memory`: the fixed cost of the process, the embedding table (and the
optimizer's state for it), the pair layer's weights `W_p`, `W_m` (dim x hidden_dim each), the
activations of a batch (batch x dim), and the graph (per edge). Writes `results/memory.json`
(every measurement, versions, load average) and `results/memory.md` (the table).

`--workers 1,2,...`: `author2vec train --workers N` (Hogwild worker processes over shared-memory
tables) on a graph of `--workers-nodes` nodes (default 1,000,000, as many random chords; d=128,
RowAdam, one epoch): the peak of the processes' summed proportional set size (PSS, from
`/proc/PID/smaps_rollup`, sampled every 0.2 s over the `train` process and its workers: a
page the workers share counts once, where RSS would count it in each), beside the parent's
peak RSS. Writes `results/memory_workers.{json,md}` (`--output` + `_workers`); the issue's
goal: N workers' total PSS at most one worker's + 100 MB per extra worker.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
sys.path.insert(0, ROOT)

from author2vec_keras.evaluation.pipeline import versions  # noqa: E402
from author2vec_keras.fileio import atomic_open  # noqa: E402
from author2vec_keras.training import memory  # noqa: E402

MiB = 2.0 ** 20

#: (label, nodes, extra random edges, dim, hidden_dim, batch_size, optimizer, dense_updates)
CASES = [
    ('base', 131, 131, 8, 32, 512, 'adam', False),
    ('table', 200000, 100000, 640, 32, 512, 'sgd', False),
    ('table', 200000, 100000, 640, 32, 512, 'adagrad', False),
    ('table', 200000, 100000, 640, 32, 512, 'adam', False),
    ('table', 200000, 100000, 160, 32, 4096, 'sgd', True),
    ('table', 200000, 100000, 160, 32, 4096, 'adam', True),
    ('batch', 131, 131, 65536, 32, 512, 'adam', False),  # 262 edges: batches of ~470 pairs
    ('batch', 1000, 1000, 32768, 32, 512, 'adam', False),
    ('batch', 1000, 1000, 32768, 32, 2048, 'adam', False),
    ('pair', 131, 131, 65536, 512, 512, 'sgd', False),
    ('pair', 131, 131, 65536, 512, 512, 'adam', False),
    ('edges', 200000, 2000000, 8, 32, 8192, 'adam', False),
    ('issue', 131, 131, 100000, 32, 512, 'adam', False),  # issue 14's graph, d=10^5 not 10^7
]


def key(run):
    return (run['label'], run['nodes'], run['dim'], run['hidden_dim'], run['batch_size'],
            run['optimizer'], run['dense_updates'])


def write_graph(path, nodes, extra, seed=0):
    """A ring over `nodes` nodes plus `extra` random chords (every node has an edge)."""
    rng = np.random.default_rng(seed)
    ring = np.stack([np.arange(nodes), (np.arange(nodes) + 1) % nodes], axis=1)
    chords = rng.integers(0, nodes, size=(extra, 2))
    chords = chords[chords[:, 0] != chords[:, 1]]
    np.savetxt(path, np.concatenate([ring, chords]), fmt='%d')


def peak_rss(argv):
    """(exit status, peak RSS in bytes, seconds) of a child process."""
    t0 = time.time()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    err = proc.stderr.read().decode('utf-8', 'replace')
    proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, usage.ru_maxrss * 1024, time.time() - t0, err


def _pss(pid):
    """Proportional set size of a process in bytes (0 once it is gone)."""
    try:
        with open('/proc/%d/smaps_rollup' % pid) as f:
            return int(re.search(r'^Pss:\s+(\d+) kB', f.read(), re.M).group(1)) * 1024
    except (OSError, AttributeError):
        return 0


def _workers(pid):
    """Process ids of `pid`'s forked children (its own program: not Theano's compilers)."""
    out = []
    try:
        exe = os.readlink('/proc/%d/exe' % pid)
        for task in os.listdir('/proc/%d/task' % pid):
            with open('/proc/%d/task/%s/children' % (pid, task)) as f:
                out += [int(p) for p in f.read().split()]
    except OSError:
        return []
    same = []
    for child in out:
        try:
            if os.readlink('/proc/%d/exe' % child) == exe:
                same.append(child)
        except OSError:
            pass
    return same


def peak_pss(argv, interval=0.2):
    """(exit status, peak RSS of the process, peak summed PSS of it and its worker processes,
    most processes seen at once, seconds, stderr) of a child process, sampled every
    `interval`."""
    t0 = time.time()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err)
        top, most = 0, 1
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            pids = [proc.pid] + _workers(proc.pid)
            top, most = max(top, sum(_pss(p) for p in pids)), max(most, len(pids))
            time.sleep(interval)
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        rss = usage.ru_maxrss * 1024
        err.seek(0)
        text = err.read().decode('utf-8', 'replace')
    return code, rss, top, most, time.time() - t0, text


def measure_workers(nodes, workers, workdir):
    """`author2vec train --workers N` on a ring of `nodes` nodes plus as many chords."""
    graph = os.path.join(workdir, 'g%d_%d.txt' % (nodes, nodes))
    if not os.path.exists(graph):
        write_graph(graph, nodes, nodes)
    argv = [sys.executable, '-m', 'author2vec_keras.cli', 'train', '--edgelist', graph,
            '--dim', '128', '--hidden-dim', '32', '--batch-size', '512', '--optimizer', 'adam',
            '--epochs', '1', '--negatives', '1', '--quiet', '--test-fraction', '0.1',
            '--workers', str(workers), '--output', os.path.join(workdir, 'out.emb')]
    code, rss, pss, most, seconds, err = peak_pss(argv)
    return dict(label='workers', nodes=nodes, dim=128, workers=workers, exit=code,
                peak_rss=rss, peak_pss_total=pss, processes=most, seconds=round(seconds, 1),
                stderr=err.strip()[-300:], loadavg=open('/proc/loadavg').read().split()[:3])


def workers_table(runs):
    """The workers runs: total PSS, and what each worker beyond the first adds to it."""
    one = {r['nodes']: r['peak_pss_total'] for r in runs if r['workers'] == 1}
    rows = ['| nodes | dim | workers | processes seen | peak PSS total MiB | added per extra '
            'worker MiB | peak RSS of the train process MiB | exit | load avg |',
            '|' + '---|' * 9]
    for r in sorted(runs, key=lambda r: (r['nodes'], r['workers'])):
        base = one.get(r['nodes'])
        extra = '-' if base is None or r['workers'] == 1 else '%.0f' % (
            (r['peak_pss_total'] - base) / MiB / (r['workers'] - 1))
        rows.append('| {:,} | %d | %d | %d | %.0f | %s | %.0f | %d | %s |'.format(r['nodes'])
                    % (r['dim'], r['workers'], r['processes'], r['peak_pss_total'] / MiB,
                       extra, r['peak_rss'] / MiB, r['exit'], ' '.join(r['loadavg'])))
    return '\n'.join(rows) + '\n'


def run_workers(args):
    """`--workers`: measure, write `OUTPUT_workers.{json,md}`, print the table."""
    counts = sorted({int(n) for n in args.workers.split(',') if n.strip()})
    runs = []
    result = {'command': ' '.join(['python'] + sys.argv), 'versions': versions(), 'runs': runs}
    with tempfile.TemporaryDirectory() as workdir:
        for n in counts:
            run = measure_workers(args.workers_nodes, n, workdir)
            runs.append(run)
            print('workers=%d nodes=%d exit %d  peak PSS total %8.0f MiB  peak RSS %8.0f MiB  '
                  '%d processes  %5.1f s  load %s' % (
                      n, run['nodes'], run['exit'], run['peak_pss_total'] / MiB,
                      run['peak_rss'] / MiB, run['processes'], run['seconds'],
                      ' '.join(run['loadavg'])), flush=True)
            if run['exit']:
                print(run['stderr'], file=sys.stderr)
    with atomic_open(args.output + '_workers.json', 'w') as f:
        json.dump(result, f, indent=1)
    md = ('# Memory of `author2vec train --workers N`: the processes\' summed PSS\n\n'
          'Written by `%s` (`benchmarks/memory.py --workers`): one `author2vec train` run per row '
          '(a ring plus random chords, d=128, RowAdam, 1 epoch, 1 negative); the peak of the '
          'summed proportional set size of the train process and its worker processes, sampled '
          'every 0.2 s from /proc/PID/smaps_rollup (shared pages counted once). Goal: N workers '
          'at most one worker\'s total + 100 MB per extra worker.\n\n'
          % result['command']) + workers_table(runs)
    with atomic_open(args.output + '_workers.md', 'w') as f:
        f.write(md)
    print(md)
    return 1 if any(r['exit'] for r in runs) else 0


def measure(case, workdir):
    label, nodes, extra, dim, hidden, batch, optimizer, dense = case
    graph = os.path.join(workdir, 'g%d_%d.txt' % (nodes, extra))
    if not os.path.exists(graph):
        write_graph(graph, nodes, extra)
    argv = [sys.executable, '-m', 'author2vec_keras.cli', 'train', '--edgelist', graph,
            '--dim', str(dim), '--hidden-dim', str(hidden), '--batch-size', str(batch),
            '--optimizer', optimizer, '--epochs', '1', '--negatives', '1', '--quiet',
            '--test-fraction', '0.1', '--output', os.path.join(workdir, 'out.emb')]
    if dense:
        argv.append('--dense-updates')
    code, peak, seconds, err = peak_rss(argv)
    with open(graph) as f:
        edges = sum(1 for _ in f)
    return dict(label=label, nodes=nodes, edges=edges, dim=dim, hidden_dim=hidden,
                batch_size=batch, negatives=1, optimizer=optimizer, dense_updates=dense,
                exit=code, peak_rss=peak, seconds=round(seconds, 1), stderr=err.strip()[-300:],
                loadavg=open('/proc/loadavg').read().split()[:3])


def table(runs):
    head = ('| case | nodes | edges | dim | hidden | batch | optimizer | table MiB | '
            'estimate MiB | peak RSS MiB | estimate / peak | load avg |')
    rows = [head, '|' + '---|' * 12]
    for r in runs:
        parts = memory.estimate_training_memory(
            r['nodes'], r['dim'], hidden_dim=r['hidden_dim'], batch_size=r['batch_size'],
            optimizer=r['optimizer'], dense_updates=r['dense_updates'], num_edges=r['edges'],
            negatives=r.get('negatives', 1), parts=True)
        est = sum(parts.values())
        rows.append('| %s | {:,} | {:,} | {:,} | %d | %d | %s%s | %.0f | %.0f | %.0f | %.2f | %s |'
                    .format(r['nodes'], r['edges'], r['dim'])
                    % (r['label'], r['hidden_dim'], r['batch_size'], r['optimizer'],
                       ' (dense)' if r['dense_updates'] else '',
                       r['nodes'] * r['dim'] * 4 / MiB, est / MiB, r['peak_rss'] / MiB,
                       est / r['peak_rss'], ' '.join(r['loadavg'])))
    return '\n'.join(rows) + '\n'


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--table-only', action='store_true',
                    help='re-render results/memory.md from results/memory.json')
    ap.add_argument('--cases', default=None, help='comma separated case labels to run')
    ap.add_argument('--fresh', action='store_true',
                    help='measure every case again (default: keep those in the JSON)')
    ap.add_argument('--output', default=os.path.join(ROOT, 'results', 'memory'))
    ap.add_argument('--workers', default=None, metavar='N,N',
                    help='measure `train --workers N` for each N (the processes\' summed PSS) '
                         'instead of the cases')
    ap.add_argument('--workers-nodes', type=int, default=1000000,
                    help='--workers: nodes of the graph (default 1,000,000)')
    args = ap.parse_args(argv)
    if args.workers:
        return run_workers(args)
    old = []
    if os.path.exists(args.output + '.json') and not args.fresh:
        with open(args.output + '.json') as f:
            old = json.load(f)['runs']
    if args.table_only:
        with open(args.output + '.json') as f:
            result = json.load(f)
    else:
        cases = [c for c in CASES if args.cases is None or c[0] in args.cases.split(',')]
        done = {key(r): r for r in old}
        runs = [r for r in old]
        result = {'command': ' '.join(['python'] + sys.argv), 'versions': versions(),
                  'runs': runs}
        with tempfile.TemporaryDirectory() as workdir:
            for case in cases:
                if key(dict(zip(('label', 'nodes', 'extra', 'dim', 'hidden_dim', 'batch_size',
                                 'optimizer', 'dense_updates'), case))) in done:
                    continue
                run = measure(case, workdir)
                runs.append(run)
                with atomic_open(args.output + '.json', 'w') as f:  # after every case
                    json.dump(result, f, indent=1)
                print('%-6s n=%-7d d=%-7d h=%-4d b=%-5d %-8s%s exit %d  peak %8.0f MiB  %5.1f s '
                      'load %s' % (run['label'], run['nodes'], run['dim'], run['hidden_dim'],
                                   run['batch_size'], run['optimizer'],
                                   ' dense' if run['dense_updates'] else '', run['exit'],
                                   run['peak_rss'] / MiB, run['seconds'],
                                   ' '.join(run['loadavg'])), flush=True)
        runs.sort(key=lambda r: [c[0] for c in CASES].index(r['label']))
        with atomic_open(args.output + '.json', 'w') as f:
            json.dump(result, f, indent=1)
    md = ('# Peak memory of `author2vec train` vs the memory guard\'s estimate\n\n'
          'Written by `%s` (`benchmarks/memory.py`): one `author2vec train` run per row '
          '(1 epoch, 1 negative, 10%% held out, embeddings written); peak RSS of the process '
          'from `os.wait4`; estimate from `memory.estimate_training_memory` (what the guard '
          'refuses above the available memory). The estimate must stay above the peak '
          '(`tests/end_to_end/test_own_graph.py` checks every row). '
          'The cases isolate its terms: `table` '
          '(200k nodes: the table and the optimizer\'s slots for it, RowSGD 0, RowAdagrad 1, '
          'RowAdam 2, one table each; stock Keras SGD keeps a momentum slot), `batch` (a '
          'batch\'s activations: about 8.5 float32 per pair and dimension), `pair` (W_p, W_m '
          'with their slots), `edges` (the graph: about 240 bytes per edge), `issue` (issue '
          '14\'s 131-node graph, d=10^5 rather than 10^7). Machine: 2 shared cores, 24 GB; '
          'the load average of each run is in its row.\n\n'
          % result['command']) + table(result['runs'])
    with atomic_open(args.output + '.md', 'w') as f:
        f.write(md)
    print(md)


if __name__ == '__main__':
    sys.exit(main())
