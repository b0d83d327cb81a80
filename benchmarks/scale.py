"""Past one machine: how far one box goes, what partitions (PyTorch-BigGraph's buckets) save, and
the same buckets on Ray. Writes results/scale.{md,json,png}; each part can be run on its own and
the others are kept from the JSON.

    python benchmarks/scale.py throughput --nodes 1000000 10000000     # table + slots vs RSS
    python benchmarks/scale.py partitions --nodes 1000000 --partitions 1 2 4 8
    python benchmarks/scale.py partitions --nodes 10000000 --partitions 4 8 16 --append
    python benchmarks/scale.py auc --datasets ca-astroph facebook      # P=4 vs unpartitioned
    python benchmarks/scale.py ray --dataset facebook --workers 1 2   # needs ray
    python benchmarks/scale.py report                                   # md + png from the JSON

Every measurement runs in its own child process, one at a time, so its peak RSS
(`ru_maxrss`) is its own. Graphs are `generators.power_law_graph` (Chung-Lu, exponent 2.5,
seeded). Speed counts only on a quiet machine: every row records the load average before and
after it, and rows run with a load average over 2 are marked. The 10M-node rows need about
18 GB free (RowAdam: a 4.8 GiB table and 9.5 GiB of moments, plus the graph).

- throughput: `Author2Vec` with RowSGD / RowAdagrad / RowAdam on one machine: graph generation,
  training pairs/s (batches made on the fly as `fit` makes them; compile and 5 warm-up batches
  excluded), peak RSS against the memory guard's estimate (`check_table_fits` with the
  optimizer's slots), and a checkpoint (`io.save_model`: the table, its slots, the dense
  weights) size and time.
- partitions: one epoch of `PartitionedAuthor2Vec` for each `P`: peak RSS against the
  two-partition table's estimate, pairs/s, time spent swapping partitions in and checkpointing
  after every bucket.
- auc: ca-AstroPh and Facebook, 50% of the edges held out (node2vec's protocol, `splits` and
  `evaluation`): `Author2Vec` and `PartitionedAuthor2Vec(partitions=4)` with the same
  parameters, their own edge probability and the node2vec edge-feature classifiers.
- ray: the same buckets on a local Ray cluster with 1 and 2 workers.
"""
import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
RESULTS = os.path.join(ROOT, 'results')
STEM = os.path.join(RESULTS, 'scale')
GIB = 2.0 ** 30


def _peak_rss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # bytes


def _load():
    with open('/proc/loadavg') as f:
        return float(f.read().split()[0])


def _mem_available():
    from author2vec_keras.training.memory import available_memory
    return available_memory()


def versions():
    """`pipeline.versions()` with Theano and Keras loaded, and Ray's version."""
    import importlib.metadata

    import author2vec_keras.nn.backend  # noqa: F401  loads Theano and Keras, as the children do
    from author2vec_keras.evaluation.pipeline import versions as stack
    out = stack()
    try:
        out['ray'] = importlib.metadata.version('ray')
    except importlib.metadata.PackageNotFoundError:
        out['ray'] = None
    return out


# ---------------------------------------------------------------------------------------------
# children: one measurement each, printing one JSON line


def child_throughput(spec):
    """Unpartitioned Author2Vec on a generated graph: pairs/s, peak RSS, estimate, checkpoint."""
    import numpy as np

    from author2vec_keras.data.generators import power_law_graph
    started = time.time()
    graph = power_law_graph(spec['nodes'], spec['average_degree'], seed=spec['seed'])
    out = {'edges': graph.num_edges, 'generate_s': time.time() - started}
    from author2vec_keras import Author2Vec
    from author2vec_keras.nn import models
    from author2vec_keras.nn.optimizers import table_copies
    from author2vec_keras.nn.saving import save_model
    from author2vec_keras.nn.sequences import PairSequence
    from author2vec_keras.training.memory import available_memory, check_table_fits
    est = Author2Vec(dim=spec['dim'], hidden_dim=32, negatives=5, batch_size=512,
                     optimizer=spec['optimizer'], random_state=spec['seed'], verbose=0)
    optimizer = est._make_optimizer()
    out['copies'] = table_copies(optimizer)
    out['estimate_bytes'] = check_table_fits(spec['nodes'], spec['dim'], optimizer=optimizer,
                                             num_edges=graph.num_edges, available=2 ** 60)
    pairs = PairSequence(graph, negatives=5, batch_size=512, seed=spec['seed'])
    batches = iter(pairs)
    x, y = next(batches)
    out['graph_rss_bytes'] = _peak_rss()
    try:  # what Author2Vec.fit does, now that the graph is in memory
        check_table_fits(spec['nodes'], spec['dim'], optimizer=optimizer,
                         num_edges=graph.num_edges)
    except MemoryError as e:
        out['refused'] = str(e)
        return out
    started = time.time()
    np.random.seed(spec['seed'])  # as Author2Vec.fit builds its model
    model = models.BUILDERS['paper'](graph.num_nodes, spec['dim'], 32, optimizer=optimizer)
    model.train_on_batch(x, y)
    out['build_compile_s'] = time.time() - started
    for _ in range(5):
        model.train_on_batch(*next(batches))
    done, started = 0, time.time()
    while time.time() - started < spec['seconds']:
        x, y = next(batches)
        model.train_on_batch(x, y)
        done += len(x)
    out['pairs_per_s'] = done / (time.time() - started)
    out['train_rss_bytes'] = _peak_rss()
    if available_memory() < 1.05 * out['estimate_bytes']:  # Keras' save copies every weight
        out['checkpoint_skipped'] = 'needs %.1f GiB more' % (out['estimate_bytes'] / GIB)
        out['peak_rss_bytes'] = _peak_rss()
        return out
    directory = tempfile.mkdtemp(prefix='scale-ckpt-', dir=spec.get('tmp'))
    try:
        path = os.path.join(directory, 'model.h5')
        started = time.time()
        save_model(model, path)
        out['checkpoint_s'] = time.time() - started
        out['checkpoint_bytes'] = os.path.getsize(path)
    finally:
        shutil.rmtree(directory)
    out['peak_rss_bytes'] = _peak_rss()
    return out


def child_partitions(spec):
    """One epoch of PartitionedAuthor2Vec on a generated graph."""
    from author2vec_keras.data.generators import power_law_graph
    from author2vec_keras.nn.optimizers import table_copies
    from author2vec_keras.training.memory import check_table_fits
    from author2vec_keras.training.partitioned_training import PartitionedAuthor2Vec
    graph = power_law_graph(spec['nodes'], spec['average_degree'], seed=spec['seed'])
    graph.degrees  # the adjacency (write_buckets reads the degrees): part of the baseline
    out = {'edges': graph.num_edges, 'graph_rss_bytes': _peak_rss()}
    workdir = tempfile.mkdtemp(prefix='scale-parts-', dir=spec.get('tmp'))
    try:
        est = PartitionedAuthor2Vec(partitions=spec['partitions'], workdir=workdir,
                                    dim=spec['dim'], epochs=spec['epochs'],
                                    optimizer=spec['optimizer'], random_state=spec['seed'],
                                    verbose=0)
        started = time.time()
        est.fit(graph)
        out['fit_s'] = time.time() - started
        out['peak_rss_bytes'] = _peak_rss()
        out['table_rows'] = est.layout_.table_rows
        out['copies'] = table_copies(spec['optimizer'])
        out['estimate_bytes'] = check_table_fits(est.layout_.table_rows, spec['dim'],
                                                 optimizer=spec['optimizer'],
                                                 num_edges=graph.num_edges, available=2 ** 60)
        out['timings'] = est.timings_
        out['pairs'] = est.pairs_trained_
        out['pairs_per_s'] = est.pairs_trained_ / est.timings_['train']
        buckets = sum(1 for row in json.load(open(os.path.join(workdir, 'checkpoint.json')))
                      ['bucket_edges'] for c in row if c) * spec['epochs']
        out['buckets'] = buckets
        out['checkpoint_s_per_bucket'] = est.timings_['checkpoint'] / buckets
        sizes = [os.path.getsize(os.path.join(workdir, n)) for n in os.listdir(workdir)
                 if n.startswith(('emb_', 'slots_'))]
        out['partition_files_bytes'] = sum(sizes)
        out['checkpoint_bytes_per_bucket'] = sum(sizes) * min(2, spec['partitions']) / spec[
            'partitions']
    finally:
        shutil.rmtree(workdir)
    return out


def _setup(dataset, seed, classifier=True):
    """`pipeline.prepare`: node2vec's link-prediction hold-out of half the edges."""
    import warnings

    from author2vec_keras.data import datasets
    from author2vec_keras.evaluation import pipeline
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        graph = datasets.load(dataset).graph
        return pipeline.prepare('link-prediction', graph, seed=seed, test_fraction=0.5,
                                classifier=classifier)


def child_auc(spec):
    """Author2Vec vs PartitionedAuthor2Vec on a real graph, 50% held out (`pipeline`)."""
    from author2vec_keras.evaluation import pipeline
    setup = _setup(spec['dataset'], spec['seed'])
    graph = setup.graph
    params = dict(dim=128, hidden_dim=32, negatives=5, batch_size=512, epochs=spec['epochs'],
                  random_state=spec['seed'], verbose=0)
    workdir = tempfile.mkdtemp(prefix='scale-auc-', dir=spec.get('tmp'))
    try:
        if spec['partitions']:
            from author2vec_keras.training.partitioned_training import PartitionedAuthor2Vec
            est = PartitionedAuthor2Vec(partitions=spec['partitions'], workdir=workdir,
                                        **params)
        else:
            from author2vec_keras.training.estimator import Author2Vec
            est = Author2Vec(**params)
        scores, timings = pipeline.fit_and_score(est, setup, seed=spec['seed'])
    finally:
        shutil.rmtree(workdir)
    return {'nodes': graph.num_nodes, 'edges': graph.num_edges, 'fit_s': timings['fit'],
            'scores': scores, 'history': est.history_, 'peak_rss_bytes': _peak_rss()}


def child_ray(spec):
    """The buckets on a local Ray cluster with `workers` workers."""
    from author2vec_keras.evaluation import pipeline
    from author2vec_keras.training.partitioned_training import PartitionedAuthor2Vec
    setup = _setup(spec['dataset'], spec['seed'], classifier=False)
    workdir = tempfile.mkdtemp(prefix='scale-ray-', dir=spec.get('tmp'))
    try:
        est = PartitionedAuthor2Vec(partitions=spec['partitions'], workdir=workdir, dim=128,
                                    epochs=spec['epochs'], random_state=spec['seed'],
                                    verbose=0, ray_address='local' if spec['workers'] else None,
                                    workers=spec['workers'] or None)
        scores, timings = pipeline.fit_and_score(est, setup, seed=spec['seed'])
        wall, auc = timings['fit'], scores['own']['auc']
    finally:
        shutil.rmtree(workdir)
    out = {'wall_s': wall, 'auc': auc, 'timings': est.timings_, 'pairs': est.pairs_trained_,
           'pairs_per_s': est.pairs_trained_ / est.timings_['train']}
    if spec['workers']:
        stats = est.ray_stats_
        out['compile_s'] = [w['compile_seconds'] for w in est.ray_workers_]
        out['buckets_per_worker'] = sorted(
            sum(1 for s in stats if s['pid'] == w['pid']) for w in est.ray_workers_)
        out['worker_train_s'] = sum(s['train_seconds'] for s in stats)
        out['worker_io_s'] = sum(s['io_seconds'] for s in stats)
    return out


CHILDREN = {'throughput': child_throughput, 'partitions': child_partitions, 'auc': child_auc,
            'ray': child_ray}


def run_child(kind, spec):
    """Run one measurement in a fresh process; returns its result with load and memory."""
    before = {'load': _load(), 'mem_available_bytes': _mem_available()}
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get('PYTHONPATH', ''))
    started = time.time()
    proc = subprocess.run([sys.executable, __file__, '_child', kind, json.dumps(spec)],
                          env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-3000:])
        return dict(spec, error=(proc.stderr.strip().splitlines() or ['exit %d'
                                                                       % proc.returncode])[-1],
                    load_before=before['load'])
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result.update(spec, load_before=before['load'], load_after=_load(),
                  mem_available_before_bytes=before['mem_available_bytes'],
                  child_s=time.time() - started)
    return result


# ---------------------------------------------------------------------------------------------
# results: JSON sections, markdown, plot


def _read(stem):
    if os.path.exists(stem + '.json'):
        with open(stem + '.json') as f:
            return json.load(f)
    return {'sections': {}}


def _write(data, stem):
    from author2vec_keras.fileio import atomic_open
    with atomic_open(stem + '.json', 'w', encoding='utf8') as f:
        json.dump(data, f, indent=1, sort_keys=True)
    with atomic_open(stem + '.md', 'w', encoding='utf8') as f:
        f.write(markdown(data))
    plot(data, stem)


def _gib(x):
    return '-' if x is None else '%.2f' % (x / GIB)


def _loaded(row):
    worst = max(row.get('load_before', 0), row.get('load_after', 0))
    return '%.1f%s' % (worst, ' (loaded)' if worst > 2 else '')


def _section_header(section):
    return 'Command: `%s`; seed %s; %s; %s.\n\n' % (
        section['command'], section['seed'], section['date'],
        ', '.join('%s %s' % kv for kv in section['versions'].items() if kv[1]))


def markdown(data):
    s = data['sections']
    out = ['# Past one machine: 10M nodes, out-of-core partitions, Ray\n\n',
           'Generated by `benchmarks/scale.py` (each part in its own run; rows keep the load '
           'average and free memory they ran with). Speed counts only at a load average under '
           '2 on this 2-core machine; rows marked (loaded) ran busier. d=128, n_h=32, batch '
           '512, 5 negatives per edge unless said.\n\n']
    if 'throughput' in s:
        sec = s['throughput']
        out.append('## One machine: the whole table in memory\n\n')
        out.append(_section_header(sec))
        out.append('Power-law graphs (Chung-Lu, exponent 2.5, mean degree %s). Estimate = the '
                   'memory guard\'s figure (`memory.check_table_fits`: process, graph, table '
                   'with its optimizer slots and copies, pair layer, batch). '
                   'Graph RSS = the process before the model (graph, adjacency, sampler). '
                   'Building the model, Keras makes the initial table and then copies it into '
                   'the Theano variable, so RowSGD peaks near two tables while it trains with '
                   'one; a checkpoint (`io.save_model`, Keras\' `model.save`) copies the table '
                   'and its slots while it writes them (last column).\n\n'
                   % sec['rows'][0].get('average_degree') if sec['rows'] else '')
        out.append('| nodes | edges | optimizer | pairs/s | estimate GiB | peak RSS GiB '
                   '(training) | graph RSS GiB | checkpoint GiB | checkpoint s | peak RSS GiB '
                   '(with checkpoint) | load |\n|---|---|---|---|---|---|---|---|---|---|---|\n')
        for r in sec['rows']:
            if 'error' in r:
                out.append('| {:,} | - | {} | error: {} | | | | | | | {} |\n'.format(
                    r['nodes'], r['optimizer'], r['error'], _loaded(r)))
                continue
            if 'refused' in r:
                out.append('| {:,} | {:,} | {} | refused by the guard: {} | {} | - | {} | - | - '
                           '| - | {} |\n'.format(r['nodes'], r['edges'], r['optimizer'],
                                                 r['refused'], _gib(r['estimate_bytes']),
                                                 _gib(r['graph_rss_bytes']), _loaded(r)))
                continue
            skipped = r.get('checkpoint_skipped')
            out.append('| {:,} | {:,} | {} | {:,.0f} | {} | {} | {} | {} | {} | {} | {} |\n'
                       .format(r['nodes'], r['edges'], r['optimizer'], r['pairs_per_s'],
                               _gib(r['estimate_bytes']), _gib(r['train_rss_bytes']),
                               _gib(r['graph_rss_bytes']),
                               'skipped: ' + skipped if skipped else
                               _gib(r['checkpoint_bytes']),
                               '-' if skipped else '%.1f' % r['checkpoint_s'],
                               _gib(r['peak_rss_bytes']), _loaded(r)))
        out.append('\n')
    if 'partitions' in s:
        sec = s['partitions']
        out.append('## Out of core: peak memory falls with the partitions\n\n')
        out.append(_section_header(sec))
        out.append('One epoch of `PartitionedAuthor2Vec` (every bucket once, checkpointed after '
                   'each). Estimate = the memory guard\'s figure for the two-partition table '
                   '(with its slots) and the graph; graph RSS = the '
                   'process with the graph and its adjacency, before training.\n\n')
        out.append('| nodes | edges | optimizer | P | table rows | estimate GiB | peak RSS GiB | '
                   'graph RSS GiB | peak - graph GiB | pairs/s | swap-in s | checkpoint s / '
                   'bucket | checkpoint GiB / bucket | export s | load |\n'
                   '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n')
        for r in sec['rows']:
            if 'error' in r:
                out.append('| {:,} | - | {} | {} | error: {} | | | | | | | | | | {} |\n'.format(
                    r['nodes'], r['optimizer'], r['partitions'], r['error'], _loaded(r)))
                continue
            t = r['timings']
            out.append('| {:,} | {:,} | {} | {} | {:,} | {} | {} | {} | {} | {:,.0f} | {:.1f} | '
                       '{:.2f} | {} | {:.1f} | {} |\n'.format(
                           r['nodes'], r['edges'], r['optimizer'], r['partitions'],
                           r['table_rows'], _gib(r['estimate_bytes']), _gib(r['peak_rss_bytes']),
                           _gib(r['graph_rss_bytes']),
                           _gib(r['peak_rss_bytes'] - r['graph_rss_bytes']), r['pairs_per_s'],
                           t['swap'], r['checkpoint_s_per_bucket'],
                           _gib(r['checkpoint_bytes_per_bucket']), t['export'], _loaded(r)))
        out.append('\n')
    if 'auc' in s:
        sec = s['auc']
        out.append('## Partitions keep the link-prediction AUC\n\n')
        out.append(_section_header(sec))
        out.append('50% of the edges held out (node2vec protocol, `pipeline.prepare` and '
                   '`pipeline.fit_and_score`); own = the model\'s edge probability; the '
                   'operators train a logistic regression on edge features. '
                   'Same parameters for both (d=128, 5 negatives, batch 512, RowAdam).\n\n')
        ops = ['own', 'hadamard', 'weighted-l1', 'weighted-l2', 'average']
        out.append('| dataset | epochs | training | ' + ' | '.join('AUC ' + o for o in ops) +
                   ' | fit s | load |\n|' + '---|' * (len(ops) + 5) + '\n')
        for r in sec['rows']:
            if 'error' in r:
                out.append('| %s | %s | %s | error: %s |\n' % (r['dataset'], r['epochs'],
                                                               r['partitions'], r['error']))
                continue
            name = 'P=%d partitions' % r['partitions'] if r['partitions'] else 'unpartitioned'
            out.append('| %s | %d | %s | %s | %.0f | %s |\n' % (
                r['dataset'], r['epochs'], name,
                ' | '.join('%.4f' % r['scores'][o]['auc'] for o in ops), r['fit_s'],
                _loaded(r)))
        deltas = _auc_deltas(sec['rows'])
        if deltas:
            out.append('\nP=4 minus unpartitioned, own AUC: ' + ', '.join(
                '%s %+.4f' % kv for kv in deltas.items()) + '.\n')
        out.append('\n')
    if 'ray' in s:
        sec = s['ray']
        out.append('## The same buckets on Ray: 1 vs 2 workers on this machine\n\n')
        out.append(_section_header(sec))
        out.append('A local Ray cluster (`--ray-address local`) on the 2 cores; 0 workers = '
                   'the single-process trainer. Wall = the whole `fit` (Ray start, compile, '
                   'buckets, export); pairs/s over the bucket phase; AUC own, 50% held out. '
                   'Ray workers run with one BLAS thread each (`distributed.connect`), the '
                   'single process with numpy\'s default (two).\n\n')
        out.append('| dataset | P | epochs | workers | wall s | compile s (per worker) | '
                   'bucket phase s | pairs/s | buckets per worker | AUC | load |\n'
                   '|---|---|---|---|---|---|---|---|---|---|---|\n')
        for r in sec['rows']:
            if 'error' in r:
                out.append('| %s | %s | %s | %s | error: %s |\n' % (
                    r['dataset'], r['partitions'], r['epochs'], r['workers'], r['error']))
                continue
            out.append('| %s | %d | %d | %s | %.0f | %s | %.1f | %s | %s | %.4f | %s |\n' % (
                r['dataset'], r['partitions'], r['epochs'], r['workers'] or '0 (local)',
                r['wall_s'], ', '.join('%.0f' % c for c in r.get('compile_s', [])) or
                '%.0f' % r['timings']['compile'], r['timings']['train'],
                '{:,.0f}'.format(r['pairs_per_s']),
                ', '.join(map(str, r.get('buckets_per_worker', []))) or '-', r['auc'],
                _loaded(r)))
        out.append('\n')
    out.append(_notes())
    return ''.join(out)


def _spec_key(row):
    return tuple(row.get(k) for k in ('nodes', 'optimizer', 'partitions', 'dataset', 'workers',
                                      'epochs', 'dim', 'average_degree'))


def _auc_deltas(rows):
    own = {(r['dataset'], r['partitions']): r['scores']['own']['auc'] for r in rows
           if 'scores' in r}
    return {d: own[(d, p)] - own[(d, 0)] for d, p in own if p and (d, 0) in own}


def plot(data, stem):
    s = data['sections']
    if 'partitions' not in s and 'throughput' not in s:
        return
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    from author2vec_keras.fileio import save_figure
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    ax = axes[0]
    rows = [r for r in s.get('partitions', {}).get('rows', []) if 'error' not in r]
    for nodes in sorted({r['nodes'] for r in rows}):
        sub = sorted((r for r in rows if r['nodes'] == nodes), key=lambda r: r['partitions'])
        ps = [r['partitions'] for r in sub]
        ax.plot(ps, [r['peak_rss_bytes'] / GIB for r in sub], 'o-',
                label='peak RSS, %s nodes' % format(nodes, ','))
        ax.plot(ps, [r['estimate_bytes'] / GIB for r in sub], 'k--',
                alpha=0.5, label='the guard\'s estimate')
    ax.set_xscale('log', base=2)
    ax.set_xlabel('partitions P')
    ax.set_ylabel('GiB')
    ax.set_title('Out of core: memory vs partitions (RowAdam)')
    if rows:
        ax.legend(fontsize=8)
    ax = axes[1]
    rows = [r for r in s.get('throughput', {}).get('rows', []) if 'pairs_per_s' in r]
    labels = ['%s\n%sM' % (r['optimizer'], format(r['nodes'] / 1e6, 'g')) for r in rows]
    x = range(len(rows))
    graph = [r['graph_rss_bytes'] / GIB for r in rows]
    ax.bar(x, graph, 0.5, color='0.75', label='process with the graph')
    ax.bar(x, [r['train_rss_bytes'] / GIB - g for r, g in zip(rows, graph)], 0.5,
           bottom=graph, label='peak RSS while training')
    ax.bar(x, [(r['peak_rss_bytes'] - r['train_rss_bytes']) / GIB for r in rows], 0.5,
           bottom=[r['train_rss_bytes'] / GIB for r in rows], alpha=0.4,
           label='+ a Keras checkpoint')
    ax.plot(x, [r['estimate_bytes'] / GIB for r in rows], 'k_',
            markersize=30, mew=2, linestyle='none', label='the guard\'s estimate')
    ax.set_xticks(list(x))
    ax.set_xticklabels(labels, fontsize=8)
    ax.set_ylabel('GiB')
    ax.set_title('One machine: the memory guard vs peak RSS')
    if rows:
        ax.legend(fontsize=8)
    fig.tight_layout()
    save_figure(fig, stem + '.png', dpi=110)
    plt.close(fig)


def _notes():
    """The hand-written part of the report (runbook, design note): results/scale.notes.md."""
    path = os.path.join(RESULTS, 'scale.notes.md')
    if not os.path.exists(path):
        return ''
    with open(path, encoding='utf8') as f:
        return f.read()


# ---------------------------------------------------------------------------------------------


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == '_child':
        result = CHILDREN[argv[1]](json.loads(argv[2]))
        print(json.dumps(result))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('part', choices=['throughput', 'partitions', 'auc', 'ray', 'report'])
    parser.add_argument('--nodes', type=int, nargs='+', default=None)
    parser.add_argument('--average-degree', type=float, default=6.0)
    parser.add_argument('--dim', type=int, default=128)
    parser.add_argument('--optimizers', nargs='+', default=['sgd', 'adagrad', 'adam'])
    parser.add_argument('--optimizer', default='adam', help='partitions: the optimizer')
    parser.add_argument('--seconds', type=float, default=30.0,
                        help='throughput: training seconds measured per row')
    parser.add_argument('--partitions', type=int, nargs='+', default=None)
    parser.add_argument('--epochs', type=int, default=None)
    parser.add_argument('--datasets', nargs='+', default=['ca-astroph', 'facebook'])
    parser.add_argument('--dataset', default='facebook', help='ray: the dataset')
    parser.add_argument('--workers', type=int, nargs='+', default=[0, 1, 2],
                        help='ray: worker counts (0 = the single-process trainer)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--tmp', default=None, help='directory for workdirs and checkpoints')
    parser.add_argument('--output', default=STEM, help='results stem (default results/scale)')
    parser.add_argument('--append', action='store_true',
                        help="keep the part's earlier rows (a row measured again is replaced)")
    args = parser.parse_args(argv)
    data = _read(args.output)
    if args.part == 'report':
        _write(data, args.output)
        return 0
    common = {'seed': args.seed, 'tmp': args.tmp}
    specs = []
    if args.part == 'throughput':
        for n in args.nodes or [1000000, 10000000]:
            for opt in args.optimizers:
                specs.append(dict(common, nodes=n, optimizer=opt, dim=args.dim,
                                  average_degree=args.average_degree, seconds=args.seconds))
    elif args.part == 'partitions':
        for n in args.nodes or [1000000]:
            for p in args.partitions or [1, 2, 4, 8]:
                specs.append(dict(common, nodes=n, partitions=p, optimizer=args.optimizer,
                                  dim=args.dim, average_degree=args.average_degree,
                                  epochs=args.epochs or 1))
    elif args.part == 'auc':
        epochs = {'ca-astroph': 3, 'facebook': 10}  # as results/link-prediction_*.md
        for dataset in args.datasets:
            for p in [0] + (args.partitions or [4]):
                specs.append(dict(common, dataset=dataset, partitions=p,
                                  epochs=args.epochs or epochs.get(dataset, 10)))
    elif args.part == 'ray':
        for w in args.workers:
            specs.append(dict(common, dataset=args.dataset, partitions=(args.partitions or
                                                                        [4])[0],
                              epochs=args.epochs or 3, workers=w))
    command = 'python benchmarks/scale.py ' + ' '.join(argv)
    section = {'command': command, 'seed': args.seed, 'versions': versions(),
               'date': time.strftime('%Y-%m-%d'), 'machine': '%d cores, %.0f GiB' % (
                   os.cpu_count(), os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') /
                   GIB), 'rows': []}
    previous = data['sections'].get(args.part)
    if args.append and previous:
        keys = [_spec_key(spec) for spec in specs]
        section['rows'] = [r for r in previous['rows'] if _spec_key(r) not in keys]
        section['command'] = previous['command'] + '`, then `' + command
    data['sections'][args.part] = section
    for spec in specs:
        print('%s %s ...' % (args.part, json.dumps({k: v for k, v in spec.items()
                                                     if k not in ('seed', 'tmp')})),
              file=sys.stderr, flush=True)
        row = run_child(args.part, spec)
        section['rows'].append(row)
        _write(data, args.output)  # after every row: a stopped run keeps what it measured
        print(json.dumps({k: v for k, v in row.items() if k not in ('scores', 'history')}),
              file=sys.stderr, flush=True)
    print(markdown(data))
    return 0


if __name__ == '__main__':
    sys.exit(main())
