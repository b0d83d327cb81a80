"""Reporting of benchmark results: published numbers, markdown tables, plots.

`markdown_table(result)` and `plot(result, path)` read a result dict as `benchmark.run_benchmark`
writes it (its JSON); `PUBLISHED` holds the published numbers shown beside ours, each with its
source. The `a2v_*` functions read the runs of `benchmarks/author2vec_vs_paper.py` (the
Author2Vec vs paper comparison) for its report and for notebook 02.
"""
import numpy as np

from . import evaluation
from .io import save_figure

__all__ = ['PUBLISHED', 'markdown_table', 'plot', 'A2V_PAPER_GAINS', 'A2V_METHODS', 'A2V_LABELS',
           'A2V_KEY', 'A2V_DEEPWALK_ROW', 'a2v_runs', 'a2v_verdict', 'a2v_verdict_markdown', 'a2v_run_key', 'a2v_summary', 'a2v_rows',
           'a2v_metrics', 'a2v_gain', 'a2v_best', 'a2v_markdown', 'a2v_figure',
           'a2v_curve_figure', 'goal_check', 'goal_check_markdown', 'replace_between_markers',
           'GOAL_CHECK_MARKERS']

_N2V = 'node2vec paper (Grover & Leskovec KDD 2016) Table 4, Hadamard operator, AUC'
_N2V_UNVERIFIED = _N2V + ' -- recalled, NOT verified against the paper here'
PUBLISHED = {
    ('ca-astroph', 'link-prediction'): {
        'source': _N2V + ' (also in PaddlePaddle/PGL node2vec README)',
        'metric': 'hadamard AUC', 'verified': True,
        'values': {'deepwalk': 0.9340, 'node2vec': 0.9366}},
    ('ca-astroph', 'link-prediction', 'unverified'): {
        'source': _N2V_UNVERIFIED, 'metric': 'hadamard AUC', 'verified': False,
        'values': {'common-neighbours': 0.8153, 'jaccard': 0.8067, 'adamic-adar': 0.8315,
                   'preferential-attachment': 0.6996, 'line': 0.8902}},
    ('facebook', 'link-prediction', 'unverified'): {
        'source': _N2V_UNVERIFIED, 'metric': 'hadamard AUC', 'verified': False,
        'values': {'common-neighbours': 0.8100, 'jaccard': 0.8880, 'adamic-adar': 0.8289,
                   'preferential-attachment': 0.7137, 'deepwalk': 0.9680, 'line': 0.9490,
                   'node2vec': 0.9680}},
    ('ppi', 'link-prediction', 'unverified'): {
        'source': _N2V_UNVERIFIED, 'metric': 'hadamard AUC', 'verified': False,
        'values': {'common-neighbours': 0.7142, 'jaccard': 0.7018, 'adamic-adar': 0.7126,
                   'preferential-attachment': 0.6670, 'deepwalk': 0.7441, 'line': 0.7249,
                   'node2vec': 0.7719}},
    ('blogcatalog', 'node-classification'): {
        'source': 'OpenNE README (thunlp/OpenNE), d=128, 50% labelled, Micro-F1 / Macro-F1',
        'metric': 'micro/macro F1 at 50%', 'verified': True,
        'values': {'deepwalk': (0.385, 0.238), 'line': (0.398, 0.235),
                   'node2vec': (0.404, 0.264)}},
    ('blogcatalog', 'node-classification', 'deepwalk-readme'): {
        'source': 'DeepWalk README (phanein/deepwalk), Micro-F1 at 10%..90% labelled',
        'metric': 'micro F1 by ratio', 'verified': True,
        'values': {'deepwalk': dict(zip([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
                                        [0.3586, 0.3851, 0.3996, 0.4076, 0.4151, 0.4185,
                                         0.4227, 0.4235, 0.4240]))}},
    ('wiki', 'node-classification'): {
        'source': 'OpenNE README (thunlp/OpenNE), d=128, 50% labelled, Micro-F1 / Macro-F1',
        'metric': 'micro/macro F1 at 50%', 'verified': True,
        'values': {'deepwalk': (0.669, 0.560), 'line-2': (0.576, 0.387),
                   'node2vec': (0.651, 0.541)}},
}


# ----------------------------------------------------------------------------------------------
# tables and plots

def _fmt(stat, pct=False):
    if stat is None:
        return '-'
    mean, std, n = stat
    scale = 100.0 if pct else 1.0
    if n > 1:
        return '%.4f +/- %.4f' % (mean * scale, std * scale) if not pct else \
            '%.2f +/- %.2f' % (mean * scale, std * scale)
    return '%.4f' % (mean * scale) if not pct else '%.2f' % (mean * scale)


def _published(dataset, task):
    return {k[2] if len(k) > 2 else 'main': v for k, v in PUBLISHED.items()
            if k[0] == dataset and k[1] == task}


def markdown_table(result):
    """Markdown for a result dict as written by `run_benchmark`."""
    task, dataset = result['task'], result['dataset']
    summ = result['summary']
    methods = [m for m in result['methods'] if m in summ]
    pub = _published(dataset, task)
    lines = ['## %s on %s' % (task, dataset), '',
             '%d seed(s)%s; mean +/- std over seeds. Command: `%s`' % (
                 len(result['seeds']), ', quick mode' if result['quick'] else '',
                 result['command'] or '')]
    st = result.get('settings', {})
    if st:
        lines += ['', 'Settings: d=%s; DeepWalk/node2vec %s walks x %s, window %s, 1 skip-gram epoch '
                  '(node2vec p=%s, q=%s); LINE max(%s x |E|, %s) edge samples per order, '
                  'learning rate %s; Author2Vec %s epochs (its estimator defaults otherwise; '
                  'author2vec-walks*: pairs from the same walks as DeepWalk, 2 per walk per '
                  'epoch).'
                  % (st.get('dim'), st.get('num_walks'), st.get('walk_length'), st.get('window'),
                     st.get('p'), st.get('q'), st.get('line_epochs'),
                     st.get('line_min_samples', 0), st.get('line_lr', 0.025),
                     st.get('a2v_epochs'))]
    for m, note in sorted(result.get('resumed', {}).items()):
        lines += ['', '%s: %s.' % (m, note)]
    if not result.get('complete', True):
        lines.append('')
        lines.append('**Partial: the run had not finished all methods when this was written.**')
    lines.append('')
    if task == 'link-prediction':
        ops = ['own'] + list(evaluation.EDGE_OPERATORS)
        head = ['method'] + ['AUC %s' % o for o in ops] + ['AP hadamard', 'AP own']
        if 'main' in pub:
            head.append('published AUC (Hadamard)')
        if 'unverified' in pub:
            head.append('node2vec Table 4 AUC (Hadamard), unverified')
        head.append('fit s')
        lines += ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
        for m in methods:
            s = summ[m]
            row = [m] + [_fmt(s.get('%s/auc' % o)) for o in ops] + \
                [_fmt(s.get('hadamard/ap')), _fmt(s.get('own/ap'))]
            for key in ('main', 'unverified'):
                if key in pub:
                    v = pub[key]['values'].get(m)
                    row.append('%.4f' % v if v is not None else '')
            row.append(_fmt_time(result, m))
            lines.append('| ' + ' | '.join(row) + ' |')
        lines += ['', 'own = the method\'s own pair score (Author2Vec: its edge probability; '
                  'heuristics: their value; other embeddings: inner product), no classifier. '
                  'Operators: node2vec edge features + logistic regression trained on the '
                  'training edges and as many sampled non-edges.']
    elif task == 'node-classification':
        ratios = sorted({k.split('/')[0] for s in summ.values() for k in s}, key=float)
        head = ['method'] + ['Micro-F1 %s%%' % _pct(r) for r in ratios] + \
            ['Macro-F1 %s%%' % _pct(r) for r in ratios]
        if 'main' in pub:
            head.append('published Micro/Macro at 50% (OpenNE)')
        if 'deepwalk-readme' in pub:
            head.append('published Micro at these ratios (DeepWalk README)')
        head.append('fit s')
        lines += ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
        for m in methods:
            s = summ[m]
            row = [m] + [_fmt(s.get('%s/micro' % r), pct=True) for r in ratios] + \
                [_fmt(s.get('%s/macro' % r), pct=True) for r in ratios]
            if 'main' in pub:
                v = pub['main']['values'].get(m)
                row.append('%.1f / %.1f' % (100 * v[0], 100 * v[1]) if v else '')
            if 'deepwalk-readme' in pub:
                v = pub['deepwalk-readme']['values'].get(m)
                row.append(', '.join('%.2f' % (100 * v[float(r)]) for r in ratios
                                     if float(r) in v) if v else '')
            row.append(_fmt_time(result, m))
            lines.append('| ' + ' | '.join(row) + ' |')
        lines += ['', 'F1 in %%; one-vs-rest logistic regression, %s shuffle(s) per ratio per '
                  'seed; each test node gets its k top-scoring labels, k = its true label '
                  'count.' % result['settings']['shuffles']]
    else:
        keys = sorted({k for s in summ.values() for k in s if not k.endswith('/k')})
        head = ['method'] + keys + ['fit s']
        lines += ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
        for m in methods:
            lines.append('| ' + ' | '.join([m] + [_fmt(summ[m].get(k)) for k in keys] +
                                           [_fmt_time(result, m)]) + ' |')
        if task == 'clustering':
            ks = {k: v[0] for s in summ.values() for k, v in s.items() if k.endswith('/k')}
            lines += ['', 'k-means with k = %s.' % ', '.join(
                '%d for %s' % (v, k.split('/')[0]) for k, v in sorted(ks.items()))]
        else:
            lines += ['', 'AUC/AP of per-node outlier scores vs %.0f%% planted nodes (every edge '
                      'of a planted node rewired to a random endpoint).'
                      % (100 * result['settings']['outlier_fraction'])]
    errors = {m: r['error'] for m, rs in result['runs'].items() for r in rs if 'error' in r}
    if errors:
        lines += ['', 'Failed: ' + '; '.join('%s: %s' % kv for kv in errors.items())]
    for key, p in sorted(pub.items()):
        lines += ['', 'Published (%s): %s.' % (p['metric'], p['source'])]
    return '\n'.join(lines) + '\n'


def _pct(r):
    return '%g' % (100 * float(r))


def _fmt_time(result, m):
    ts = [sum(r['timings'].values()) for r in result['runs'].get(m, []) if 'timings' in r]
    return '%.0f' % np.mean(ts) if ts else '-'


def plot(result, path):
    """PNG of the main metric per method (bars) or Micro-F1 vs training ratio (lines)."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    summ = result['summary']
    methods = [m for m in result['methods'] if m in summ]
    fig, ax = plt.subplots(figsize=(9, 4.5))
    if result['task'] == 'node-classification':
        for m in methods:
            ratios = sorted({k.split('/')[0] for k in summ[m]}, key=float)
            mean = [summ[m]['%s/micro' % r][0] for r in ratios]
            std = [summ[m]['%s/micro' % r][1] for r in ratios]
            ax.errorbar([float(r) for r in ratios], mean, yerr=std, marker='o', label=m,
                        capsize=2)
        ax.set_xlabel('fraction of labelled nodes used for training')
        ax.set_ylabel('Micro-F1')
        ax.legend(fontsize=8)
    else:
        keys = {'link-prediction': ['own/auc', 'hadamard/auc'],
                'clustering': sorted({k for s in summ.values() for k in s if k.endswith('/nmi')}),
                'outliers': sorted({k for s in summ.values() for k in s if k.endswith('/auc')})
                }[result['task']]
        width = 0.8 / max(1, len(keys))
        x = np.arange(len(methods))
        for j, k in enumerate(keys):
            mean = [summ[m].get(k, [np.nan])[0] for m in methods]
            std = [summ[m].get(k, [0, 0])[1] for m in methods]
            ax.bar(x + j * width, mean, width, yerr=std, label=k, capsize=2)
        ax.set_xticks(x + width * (len(keys) - 1) / 2)
        ax.set_xticklabels(methods, rotation=30, ha='right', fontsize=8)
        ax.set_ylim(0, 1)
        ax.legend(fontsize=8)
    ax.set_title('%s on %s' % (result['task'], result['dataset']))
    fig.tight_layout()
    save_figure(fig, path, dpi=100)
    plt.close(fig)
    return path


# ----------------------------------------------------------------------------------------------
# Author2Vec vs the paper: `benchmarks/author2vec_vs_paper.py` writes the runs, notebook 02 and
# the script's report read them through these functions.

#: the paper's abstract: Author2Vec's gain over DeepWalk, in %
A2V_PAPER_GAINS = {'link prediction': 2.35, 'clustering': 0.83}
A2V_METHODS = ['deepwalk', 'link', 'content', 'alternating', 'joint', 'walks']
A2V_LABELS = {'deepwalk': 'DeepWalk', 'link': 'Link-Info only', 'content': 'Content-Info only',
              'alternating': 'Author2Vec (alternating)', 'joint': 'Author2Vec (joint)',
              'walks': 'Author2Vec (walk pairs)'}
#: the methods that read the papers (their runs say which content they saw)
A2V_USES_CONTENT = ('content', 'alternating', 'joint', 'walks')
#: the identity of a run; DeepWalk's content, configuration and epochs are '-', so are
#: Link-Info only's content
A2V_KEY = ('dataset', 'protocol', 'content', 'config', 'epochs', 'method', 'seed')
A2V_DATASETS = {'aan': 'AAN (ACL Anthology co-authorship, titles)',
                'cane-cora': 'CANE-Cora (citations, abstracts)'}


def a2v_config(settings):
    """The configuration tag of a Keras method's settings (without a preset)."""
    s = settings
    return '%s%g-b%d-%s-d%d-h%d-n%d' % (s['optimizer'], s['lr'], s['batch_size'],
                                        'proj' if s['projection'] else 'noproj', s['dim'],
                                        s['hidden_dim'], s['negatives'])


def a2v_run_key(run):
    """A run's identity: the values of `A2V_KEY`."""
    return tuple(run.get(k) for k in A2V_KEY)


def a2v_run_name(key):
    """A run's identity as one string (checkpoint folders, the per-epoch logs)."""
    return '-'.join(str(k) for k in key).replace('/', '_')


def a2v_runs(data):
    """The runs of a results dict, those of the script's first version (AAN, leak-free, one
    global `settings`) given the fields of `A2V_KEY`."""
    out = []
    for run in data['runs']:
        if 'dataset' not in run:
            run = dict(run, dataset='aan')
            if run['method'] == 'deepwalk':
                run.update(content='-', config='-', epochs='-')
            else:
                s = data['settings']
                run.update(content='leak-free' if run['method'] in A2V_USES_CONTENT else '-',
                           epochs=s['epochs'], settings=s, config=a2v_config(s))
        out.append(run)
    return out


def _stats(vals):
    vals = np.asarray(vals, dtype=float)
    return vals.mean(), (vals.std(ddof=1) if len(vals) > 1 else 0.0), len(vals)


def _config_label(run):
    if run['method'] == 'deepwalk':
        return ''
    for preset, words in (('a2v-lua-as-run', 'a2v.lua as run (a table per model)'),
                          ('a2v-lua', 'a2v.lua preset')):
        if run['config'].startswith(preset):
            return '%s%s, %s ep' % (words, run['config'][len(preset):].replace(
                '[', ' [').replace('=', ' = '), run['epochs'])
    s = run.get('settings', {})
    return '%s %g, batch %s, %s ep%s' % (s.get('optimizer'), s.get('lr'), s.get('batch_size'),
                                        run['epochs'], ', proj' if s.get('projection') else '')


def a2v_summary(runs):
    """Mean, sample std and count over seeds.

    # Returns
        `(table, labels)`: table {(dataset, row): {(protocol, metric): (mean, std, n)}} with
        row = (method, config, epochs, content) and metric 'auc_hadamard', 'auc_own' or 'nmi';
        labels {row: its configuration in words}.
    """
    cells, labels = {}, {}
    for r in runs:
        row = (r['method'], r['config'], str(r['epochs']), r['content'])
        labels[row] = _config_label(r)
        for key in ('auc_hadamard', 'auc_own', 'nmi'):
            if key in r:
                cells.setdefault((r['dataset'], row), {}).setdefault(
                    (r['protocol'], key), []).append(r[key])
    return {k: {m: _stats(v) for m, v in d.items()} for k, d in cells.items()}, labels


def _row_order(row):
    method, config, epochs, content = row
    return (A2V_METHODS.index(method), config.startswith('a2v-lua'), config,
            int(epochs) if epochs.isdigit() else 0, content)


def a2v_rows(table, dataset):
    """The rows of `dataset` in `table`, in the tables' order."""
    return sorted({row for (d, row) in table if d == dataset}, key=_row_order)


def a2v_metrics(dataset):
    """[(protocol, metric, title)] of a dataset's table."""
    protocols = ['holdout', 'temporal'] if dataset == 'aan' else ['holdout']
    out = [(p, k, '%s %s' % ('LP AUC hold-out' if p == 'holdout' else 'LP AUC temporal',
                             '(Hadamard LR)' if k == 'auc_hadamard' else '(own score)'))
           for p in protocols for k in ('auc_hadamard', 'auc_own')]
    out.append(('holdout', 'nmi', 'clustering NMI (%s)' % (
        'venue series' if dataset == 'aan' else '7 topics')))
    return out


def a2v_gain(a, b):
    """% gain of mean `a` over mean `b` (stats tuples or None)."""
    return 100.0 * (a[0] - b[0]) / b[0] if a and b and b[0] else None


def _gain_text(g):
    return 'n/a' if g is None else '%+.2f%%' % g


def _cell(s):
    return '%.4f +/- %.4f (%d)' % s if s else 'n/a'


A2V_DEEPWALK_ROW = ('deepwalk', '-', '-', '-')


def a2v_best(table, dataset, protocol, metric, methods=('alternating', 'joint', 'walks')):
    """The row of `methods` with the highest mean of `metric` on `dataset`, its stats and its
    gain over DeepWalk (%): `(row, stats, gain)`, or None when no such run is there."""
    rows = [(row, table[(dataset, row)][(protocol, metric)]) for row in a2v_rows(table, dataset)
            if row[0] in methods and (protocol, metric) in table[(dataset, row)]]
    if not rows:
        return None
    row, stats = max(rows, key=lambda rs: rs[1][0])
    base = table.get((dataset, A2V_DEEPWALK_ROW), {}).get((protocol, metric))
    return row, stats, a2v_gain(stats, base)


def a2v_curves(data):
    """The per-epoch logs scored at 3 epochs or more, and those of runs in progress:
    [(name, log, dataset, protocol, running)]."""
    out = []
    for r in a2v_runs(data):
        if sum('auc_hadamard' in p for p in r.get('epochs_log', [])) >= 3:  # a curve
            out.append((a2v_run_name(a2v_run_key(r)), r['epochs_log'], r['dataset'],
                        r['protocol'], False))
    for name, log in sorted(data.get('in_progress', {}).items()):
        if any('auc_hadamard' in p for p in log):  # what there is of a running one
            dataset = 'cane-cora' if name.startswith('cane-cora-') else name.split('-')[0]
            protocol = name[len(dataset) + 1:].split('-')[0]
            out.append((name, log, dataset, protocol, True))
    return out


#: the verdict's columns: (protocol, metric, the paper's claim it is set against)
A2V_VERDICT = [('holdout', 'auc_hadamard', 'link prediction'),
               ('temporal', 'auc_hadamard', 'link prediction'),
               ('holdout', 'nmi', 'clustering')]


def a2v_verdict(data, method='alternating'):
    """Author2Vec's gain over DeepWalk per configuration, paired by seed (the same split).

    # Returns
        `[(dataset, row, label, {(protocol, metric): (mean %, std %, n seeds)})]`, row =
        (method, config, epochs, content), for every configuration `method` ran in.
    """
    runs = a2v_runs(data)
    base = {(r['dataset'], r['protocol'], r['seed']): r for r in runs
            if r['method'] == 'deepwalk'}
    gains, labels = {}, {}
    for r in runs:
        if r['method'] != method:
            continue
        row = (r['dataset'], (r['method'], r['config'], str(r['epochs']), r['content']))
        labels[row] = _config_label(r)
        dw = base.get((r['dataset'], r['protocol'], r['seed']))
        for protocol, key, _ in A2V_VERDICT:
            if protocol == r['protocol'] and dw and r.get(key) is not None and dw.get(key):
                gains.setdefault(row, {}).setdefault((protocol, key), []).append(
                    100.0 * (r[key] - dw[key]) / dw[key])
    order = sorted(gains, key=lambda dr: (list(A2V_DATASETS).index(dr[0]), _row_order(dr[1])))
    return [(d, row, labels[(d, row)], {k: _stats(v) for k, v in gains[(d, row)].items()})
            for d, row in order]


def a2v_verdict_markdown(data):
    """The verdict's table (`a2v_verdict`) as markdown lines, the paper's gains first."""
    rows = a2v_verdict(data)
    if not rows:
        return []
    head = ['LP hold-out (Hadamard)', 'LP temporal (Hadamard)', 'clustering NMI']
    lines = ['## The verdict: Author2Vec (alternating) over DeepWalk, next to the paper', '',
             'Gain in %, mean +/- sample std over seeds of the per-seed gain against DeepWalk '
             'on the same split (n seeds in brackets).', '',
             '| dataset | configuration | content | %s |' % ' | '.join(head),
             '|---|---|---|---|---|---|',
             '| **paper** (Ganesh J et al. 2016) | | | **+%.2f%%** | **+%.2f%%** (protocol '
             'not stated) | **+%.2f%%** |' % (A2V_PAPER_GAINS['link prediction'],
                                            A2V_PAPER_GAINS['link prediction'],
                                            A2V_PAPER_GAINS['clustering'])]
    for dataset, row, label, cells in rows:
        lines.append('| %s | %s | %s | %s |' % (dataset, label, row[3], ' | '.join(
            '%+.2f%% +/- %.2f (%d)' % cells[(p, k)] if (p, k) in cells else 'not run'
            for p, k, _ in A2V_VERDICT)))
    return lines + ['']


def a2v_markdown(data):
    """The comparison's markdown: per dataset the scores, the gains over DeepWalk next to the
    paper's, what the content adds over Link-Info only, the leak; the AUC-against-epoch runs."""
    table, labels = a2v_summary(a2v_runs(data))
    lines = a2v_verdict_markdown(data)
    for dataset, title in A2V_DATASETS.items():
        rows = a2v_rows(table, dataset)
        if not rows:
            continue
        metrics = a2v_metrics(dataset)
        head = ' | '.join(t for _, _, t in metrics)
        lines += ['## %s' % title, '', '| method | configuration | content | %s |' % head,
                  '|---|---|---|' + '---|' * len(metrics)]
        for row in rows:
            cells = table[(dataset, row)]
            lines.append('| %s | %s | %s | %s |' % (A2V_LABELS[row[0]], labels[row], row[3],
                                                    ' | '.join(_cell(cells.get((p, k)))
                                                               for p, k, _ in metrics)))
        base = table.get((dataset, A2V_DEEPWALK_ROW), {})
        shown = [m for m in metrics if m[1] != 'auc_own']
        lines += ['', '### Gain over DeepWalk (means), next to the paper', '',
                  '| method | configuration | content | %s |' % ' | '.join(
                      t.replace('LP AUC ', 'LP ') for _, _, t in shown),
                  '|---|---|---|' + '---|' * len(shown),
                  '| **paper: Author2Vec vs DeepWalk** | | | %s |' % ' | '.join(
                      '**+%.2f%%**' % A2V_PAPER_GAINS['clustering' if k == 'nmi' else
                                                      'link prediction'] for _, k, _ in shown)]
        for row in rows:
            if row[0] != 'deepwalk':
                cells = table[(dataset, row)]
                lines.append('| %s | %s | %s | %s |' % (
                    A2V_LABELS[row[0]], labels[row], row[3], ' | '.join(
                        _gain_text(a2v_gain(cells.get((p, k)), base.get((p, k))))
                        for p, k, _ in shown)))
        ablation = [row for row in rows if row[0] in A2V_USES_CONTENT and row[0] != 'content'
                    and (dataset, ('link',) + row[1:3] + ('-',)) in table]
        if ablation:
            lines += ['', "### What the content adds: gain over Link-Info only, same "
                          "configuration (the paper's ablation)", '',
                      '| method | configuration | content | %s |' % head,
                      '|---|---|---|' + '---|' * len(metrics)]
            for row in ablation:
                cells = table[(dataset, row)]
                link = table[(dataset, ('link',) + row[1:3] + ('-',))]
                lines.append('| %s | %s | %s | %s |' % (
                    A2V_LABELS[row[0]], labels[row], row[3], ' | '.join(
                        _gain_text(a2v_gain(cells.get((p, k)), link.get((p, k))))
                        for p, k, _ in metrics)))
        leaky = [row for row in rows if row[3] == 'leaky'
                 and (dataset, row[:3] + ('leak-free',)) in table]
        if leaky:
            lines += ['', '### The leak: leaky minus leak-free content, same method and '
                          'configuration (points of AUC / NMI)', '',
                      '| method | configuration | %s |' % head, '|---|---|' + '---|' * len(metrics)]
            for row in leaky:
                cells, free = table[(dataset, row)], table[(dataset, row[:3] + ('leak-free',))]
                lines.append('| %s | %s | %s |' % (A2V_LABELS[row[0]], labels[row], ' | '.join(
                    '%+.4f' % (cells[(p, k)][0] - free[(p, k)][0])
                    if (p, k) in cells and (p, k) in free else 'n/a' for p, k, _ in metrics)))
        lines.append('')
    curves = a2v_curves(data)
    if curves:
        lines += ['## Scores against epoch', '',
                  '| run | epochs scored | best Hadamard AUC (epoch) | last Hadamard AUC | '
                  'last own AUC | last NMI | median s / epoch (load) |',
                  '|---|---|---|---|---|---|---|']
        for name, log, _, _, running in curves:
            pts = [p for p in log if 'auc_hadamard' in p]
            best = max(pts, key=lambda p: p['auc_hadamard'])
            lines.append('| %s%s | %d-%d | %.4f (%d) | %.4f | %.4f | %s | %.0f (%.1f) |' % (
                name, ' (running)' if running else '', pts[0]['epoch'], pts[-1]['epoch'],
                best['auc_hadamard'], best['epoch'], pts[-1]['auc_hadamard'],
                pts[-1]['auc_own'], '%.4f' % pts[-1]['nmi'] if 'nmi' in pts[-1] else 'n/a',
                np.median([p['seconds'] for p in log]),
                np.median([p['loadavg'] for p in log])))
        lines.append('')
    return '\n'.join(lines)


def a2v_figure(data):
    """Bars of every configuration's mean (+/- std) per dataset and metric, the paper's claim
    as a dashed line at DeepWalk + its gain. Returns the matplotlib figure."""
    import matplotlib.pyplot as plt
    table, labels = a2v_summary(a2v_runs(data))
    panels = [(d, p, k, '%s: %s' % ({'aan': 'AAN', 'cane-cora': 'CANE-Cora'}[d], t))
              for d in A2V_DATASETS for p, k, t in a2v_metrics(d) if k != 'auc_own']
    panels = [x for x in panels if any(d == x[0] and (x[1], x[2]) in cells
                                       for (d, _), cells in table.items())]
    fig, axes = plt.subplots(1, len(panels), figsize=(4.3 * len(panels), 5.5), squeeze=False)
    for ax, (dataset, prot, key, title) in zip(axes[0], panels):
        rows = [r for r in a2v_rows(table, dataset) if (prot, key) in table[(dataset, r)]]
        mu = np.array([table[(dataset, r)][(prot, key)][0] for r in rows])
        sd = np.array([table[(dataset, r)][(prot, key)][1] for r in rows])
        colours = ['grey' if r[0] == 'deepwalk' else 'C%d' % (A2V_METHODS.index(r[0]) - 1
                                                               + (r[0] in ('joint', 'walks')))
                   for r in rows]
        bars = ax.barh(range(len(rows)), mu, xerr=sd, color=colours, capsize=2)
        for bar, r in zip(bars, rows):
            if r[3] == 'leaky':
                bar.set_hatch('///')
                bar.set_edgecolor('k')
        ax.set_yticks(range(len(rows)))
        ax.set_yticklabels(['%s\n%s%s' % (A2V_LABELS[r[0]], labels[r], ', LEAKY'
                                          if r[3] == 'leaky' else '') for r in rows], fontsize=6)
        ax.invert_yaxis()
        dw = table.get((dataset, A2V_DEEPWALK_ROW), {}).get((prot, key))
        hi = (mu + sd).max()
        if dw:
            claim = A2V_PAPER_GAINS['clustering' if key == 'nmi' else 'link prediction']
            ax.axvline(dw[0] * (1 + claim / 100), color='k', ls='--', lw=1,
                       label="DeepWalk +%.2f%% (the paper's claim)" % claim)
            ax.legend(fontsize=6, loc='lower right')
            hi = max(hi, dw[0] * (1 + claim / 100))
        lo = max(0.0, (mu - sd).min())
        ax.set_xlim(max(0, lo - 0.1 * (hi - lo + 1e-3)), hi + 0.05 * (hi - lo + 1e-3))
        ax.set_title(title, fontsize=9)
        ax.grid(axis='x', alpha=0.3)
    fig.suptitle('Author2Vec configurations vs DeepWalk (mean +/- std over seeds; hatched: '
                 'leaky content)')
    fig.tight_layout()
    return fig


def a2v_curve_figure(data):
    """Held-out scores against epoch for the runs scored as they trained, with DeepWalk's mean
    and the paper's claim; None when there is no such run."""
    import matplotlib.pyplot as plt
    curves = a2v_curves(data)
    if not curves:
        return None
    table, _ = a2v_summary(a2v_runs(data))
    metrics = [('auc_hadamard', 'LP AUC (Hadamard LR)'), ('auc_own', 'LP AUC (own score)'),
               ('nmi', 'clustering NMI')]
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.6))
    drawn = set()
    for i, (name, log, dataset, protocol, running) in enumerate(curves):
        pts = [p for p in log if 'auc_hadamard' in p]
        for ax, (key, title) in zip(axes, metrics):
            xs = [p['epoch'] for p in pts if key in p]
            if not xs:
                continue
            ax.plot(xs, [p[key] for p in pts if key in p], marker='o', ms=3, color='C%d' % i,
                    label=name + (' (running)' if running else ''))
            ref = 'auc_hadamard' if key == 'auc_own' else key
            dw = table.get((dataset, A2V_DEEPWALK_ROW), {}).get(
                ('holdout' if key == 'nmi' else protocol, ref))
            if dw and (dataset, protocol, key) not in drawn:
                drawn.add((dataset, protocol, key))
                claim = A2V_PAPER_GAINS['clustering' if key == 'nmi' else 'link prediction']
                ax.axhline(dw[0], color='C%d' % i, lw=0.8, ls=':',
                           label='DeepWalk, %s %s' % (dataset, protocol))
                ax.axhline(dw[0] * (1 + claim / 100), color='C%d' % i, ls='--', lw=1,
                           label="DeepWalk +%.2f%% (the paper's claim)" % claim)
            ax.set(xlabel='epoch', title=title)
            ax.grid(alpha=0.3)
    handles, names = axes[0].get_legend_handles_labels()  # one legend, under the panels
    rows = -(-len(names) // 3)
    fig.legend(handles, names, loc='lower center', ncol=3, fontsize=7)
    fig.suptitle('Held-out scores against training epochs (runs scored as they trained; '
                 'dashed: DeepWalk + the paper\'s claim, +0.83% on NMI)')
    fig.set_size_inches(16, 4.6 + 0.2 * rows)
    fig.tight_layout(rect=(0, min(0.5, 0.2 * rows / (4.6 + 0.2 * rows) + 0.04), 1, 1))
    return fig


# ----------------------------------------------------------------------------------------------
# The goal check of results/README.md ("Beyond one hop"), regenerated from the benchmark JSONs:
# `benchmarks/goal_check.py` writes it between GOAL_CHECK_MARKERS.

#: Author2Vec on walk-context pairs: the variants the goal is about
WALK_METHODS = ('author2vec-walks', 'author2vec-walks-separate')
#: link prediction: the rivals the best walk variant must reach, under any operator
LP_RIVALS = ('deepwalk', 'node2vec', 'line', 'line-1', 'line-2', 'spectral', 'common-neighbours',
             'jaccard', 'adamic-adar', 'preferential-attachment')
#: node classification: the goal is DeepWalk's Micro-F1 less this many points, at this fraction
NC_MARGIN = 2.0
NC_RATIO = '0.5'
#: fit time: walk methods at most this many times DeepWalk's
FIT_TIME_GOAL = 3.0
GOAL_CHECK_MARKERS = ('<!-- goal-check: generated by benchmarks/goal_check.py; edit the script, '
                      'not this section -->', '<!-- goal-check: end -->')
_OPERATOR_NAMES = {'own': 'own', 'average': 'Average', 'hadamard': 'Hadamard',
                   'weighted-l1': 'W-L1', 'weighted-l2': 'W-L2'}


def _best_auc(summary, method):
    """(operator, [mean, std, n]) of the method's best mean AUC over its own score and the
    operators, or None when it has none."""
    cells = [(op, summary[method]['%s/auc' % op]) for op in _OPERATOR_NAMES
             if '%s/auc' % op in summary.get(method, {})]
    return max(cells, key=lambda c: c[1][0]) if cells else None


def _fit_stats(result, methods):
    """Mean fit seconds over the runs of `methods` (None when none) and the 1-minute load
    averages recorded with them (a list, empty for runs that did not record one)."""
    fits, loads = [], []
    for m in methods:
        for r in result['runs'].get(m, []):
            if 'error' in r or 'fit' not in r.get('timings', {}):
                continue
            fits.append(r['timings']['fit'])
            loads.extend(x for x in r.get('loadavg') or () if x is not None)
    return (float(np.mean(fits)) if fits else None), loads


def goal_check(results):
    """The goal of issue 13 / 23 checked on benchmark results (dicts as `run_benchmark` writes
    them; quick-mode runs and other tasks are skipped).

    Link prediction: the best walk variant (over `WALK_METHODS` and operators) against the best
    of `LP_RIVALS` under any operator: 'reached' above it by more than the larger of the two
    standard deviations, 'level' within it, 'missed' below it. Node classification: the best
    walk variant's Micro-F1 at `NC_RATIO` against DeepWalk's: 'reached' when at most
    `NC_MARGIN` points under it. Fit time: the walk variants' mean fit seconds over DeepWalk's
    (goal: at most `FIT_TIME_GOAL`), with the load average recorded beside the fits.

    # Returns
        One dict per dataset and task, link prediction first, datasets by name: `dataset`,
        `task`, `complete`, `paper` (Author2Vec on edges), `walks` (best walk variant),
        `rival` (link prediction: best rival; node classification: DeepWalk), each a dict
        `method`, `operator`, `mean`, `std`, `seeds` or None; `difference` (walks - rival;
        node classification in F1 points), `verdict` ('reached', 'level', 'missed' or 'not
        run'), `short_by` (how far under the goal, else 0), and `fit` (`walks_s`,
        `deepwalk_s`, `ratio`, `load`, `within_goal`).
    """
    rows = []
    for res in results:
        task = res.get('task')
        if res.get('quick') or task not in ('link-prediction', 'node-classification'):
            continue
        summ = res['summary']

        def cell(method, op, stat, scale=1.0):
            if stat is None:
                return None
            return {'method': method, 'operator': op, 'mean': stat[0] * scale,
                    'std': stat[1] * scale, 'seeds': int(stat[2])}
        if task == 'link-prediction':
            def best(methods):
                found = [(m,) + _best_auc(summ, m) for m in methods if _best_auc(summ, m)]
                if not found:
                    return None
                m, op, stat = max(found, key=lambda f: f[2][0])
                return cell(m, op, stat)
            walks, rival = best(WALK_METHODS), best(LP_RIVALS)
            paper = best(('author2vec',))
        else:
            key = '%s/micro' % NC_RATIO

            def best(methods):
                found = [(m, summ[m][key]) for m in methods if key in summ.get(m, {})]
                if not found:
                    return None
                m, stat = max(found, key=lambda f: f[1][0])
                return cell(m, None, stat, 100.0)
            walks, rival, paper = best(WALK_METHODS), best(('deepwalk',)), best(('author2vec',))
        row = {'dataset': res['dataset'], 'task': task, 'complete': bool(res.get('complete')),
               'paper': paper, 'walks': walks, 'rival': rival, 'difference': None,
               'verdict': 'not run', 'short_by': 0.0}
        if walks and rival:
            diff = walks['mean'] - rival['mean']
            row['difference'] = diff
            if task == 'link-prediction':
                tol = max(walks['std'], rival['std'])
                row['verdict'] = 'reached' if diff > tol else 'level' if diff >= -tol \
                    else 'missed'
                row['short_by'] = max(0.0, -diff)
            else:
                row['verdict'] = 'reached' if diff >= -NC_MARGIN else 'missed'
                row['short_by'] = max(0.0, -diff - NC_MARGIN)
        walks_s, walks_load = _fit_stats(res, WALK_METHODS)
        dw_s, dw_load = _fit_stats(res, ('deepwalk',))
        loads = walks_load + dw_load
        ratio = walks_s / dw_s if walks_s is not None and dw_s else None
        row['fit'] = {'walks_s': walks_s, 'deepwalk_s': dw_s, 'ratio': ratio,
                      'load': float(np.mean(loads)) if loads else None,
                      'within_goal': None if ratio is None else ratio <= FIT_TIME_GOAL}
        rows.append(row)
    return sorted(rows, key=lambda r: (r['task'] != 'link-prediction', r['dataset']))


def _goal_cell(c, digits=4):
    if c is None:
        return 'not run'
    text = '%.*f' % (digits, c['mean']) if c['seeds'] < 2 else \
        '%.*f +/- %.*f' % (digits, c['mean'], digits, c['std'])
    op = ', %s' % _OPERATOR_NAMES[c['operator']] if c['operator'] else ''
    return '%s (%s%s)' % (text, c['method'], op)


def _fit_cell(fit):
    if fit['walks_s'] is None or fit['deepwalk_s'] is None:
        return '-', '-'
    load = 'load %.1f' % fit['load'] if fit['load'] is not None else 'load not recorded'
    return ('%.0f / %.0f s = %.2fx%s' % (fit['walks_s'], fit['deepwalk_s'], fit['ratio'],
                                         '' if fit['within_goal'] else ' (over 3x)'), load)


def _seeds(row):
    counts = sorted({c['seeds'] for c in (row['walks'], row['rival']) if c})
    return '/'.join(str(n) for n in counts) or '-'


def goal_check_markdown(rows, source='results/*.json'):
    """The goal-check section of results/README.md from `goal_check` rows."""
    lines = ['### The goal, checked (regenerated from %s)' % source, '',
             'Mean +/- std over seeds (population std, as the tables). Link prediction: the best '
             'AUC of the walk variants (`author2vec-walks`, `author2vec-walks-separate`) over '
             'their own score and the node2vec operators, against the best of DeepWalk, '
             'node2vec, LINE, spectral and the four heuristics under any operator; *reached* '
             'above it by more than the larger standard deviation, *level* within it, *missed* '
             'below it. Node classification: Micro-F1 (%%) at %g%% labelled; the goal is DeepWalk '
             'less %g points. Fit time: mean fit seconds of the two walk variants against '
             "DeepWalk's (goal: at most %gx), with the 1-minute load average recorded beside "
             'the fits (JSONs written before it was recorded say "not recorded").'
             % (100 * float(NC_RATIO), NC_MARGIN, FIT_TIME_GOAL), '']
    lp = [r for r in rows if r['task'] == 'link-prediction']
    nc = [r for r in rows if r['task'] == 'node-classification']

    def name(r):
        return '[%s](%s_%s.md)%s' % (r['dataset'], r['task'], r['dataset'],
                                     '' if r['complete'] else ' (partial)')
    if lp:
        lines += ['| dataset | seeds | edges (the paper) | best walk variant | best rival | '
                  'walks - rival | goal | fit: walks / DeepWalk | load |',
                  '|---|---|---|---|---|---|---|---|---|']
        for r in lp:
            diff = '%+.4f' % r['difference'] if r['difference'] is not None else '-'
            verdict = r['verdict'] + (' by %.4f' % r['short_by'] if r['verdict'] == 'missed'
                                      else '')
            lines.append('| %s | %s | %s | %s | %s | %s | %s | %s | %s |' % (
                (name(r), _seeds(r), _goal_cell(r['paper']), _goal_cell(r['walks']),
                 _goal_cell(r['rival']), diff, verdict) + _fit_cell(r['fit'])))
        lines.append('')
    if nc:
        lines += ['| dataset | seeds | edges (the paper) | best walk variant | DeepWalk | '
                  'walks - DeepWalk | goal (within %g) | fit: walks / DeepWalk | load |'
                  % NC_MARGIN, '|---|---|---|---|---|---|---|---|---|']
        for r in nc:
            diff = '%+.1f' % r['difference'] if r['difference'] is not None else '-'
            verdict = r['verdict'] + (' by %.1f' % r['short_by'] if r['verdict'] == 'missed'
                                      else '')
            lines.append('| %s | %s | %s | %s | %s | %s | %s | %s | %s |' % (
                (name(r), _seeds(r), _goal_cell(r['paper'], 1), _goal_cell(r['walks'], 1),
                 _goal_cell(r['rival'], 1), diff, verdict) + _fit_cell(r['fit'])))
        lines.append('')
    counts = {}
    for r in rows:
        counts.setdefault(r['task'], {}).setdefault(r['verdict'], []).append(r['dataset'])
    for task in ('link-prediction', 'node-classification'):
        if task in counts:
            lines.append('- %s: %s.' % (task.replace('-', ' ').capitalize(), '; '.join(
                '%s on %s' % (v, ', '.join(ds)) for v, ds in sorted(counts[task].items()))))
    return '\n'.join(lines) + '\n'


def replace_between_markers(text, section, markers=GOAL_CHECK_MARKERS):
    """`text` with what lies between the two marker lines replaced by `section` (markers kept);
    ValueError when the markers are missing or out of order."""
    start, end = markers
    i, j = text.find(start), text.find(end)
    if i < 0 or j < 0 or j < i:
        raise ValueError('the markers %r and %r are not both in the text, in that order'
                         % markers)
    return text[:i + len(start)] + '\n' + section.rstrip('\n') + '\n' + text[j:]
