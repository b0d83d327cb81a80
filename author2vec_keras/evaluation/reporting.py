"""Reporting of benchmark results: published numbers, markdown tables, plots.

`markdown_table(result)` and `plot(result, path)` read a result dict as `benchmark.run_benchmark`
writes it (its JSON); `PUBLISHED` holds the published numbers shown beside ours, each with its
source. (The Author2Vec vs paper comparison's tables are `benchmarks/paper_comparison.py`, the
goal check of results/README.md `benchmarks/goal_check.py`.) `papers_markdown` and `papers_plot` do
the same for `papers_benchmark.run_papers_benchmark`.
"""
import numpy as np

from author2vec_keras.evaluation import protocols
from author2vec_keras.fileio import save_figure

__all__ = ['PUBLISHED', 'markdown_table', 'plot', 'papers_markdown', 'papers_plot',
           'PAPERS_COLUMNS']

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
    pub = _published(dataset, task)
    lines = ['## %s on %s' % (task, dataset), '',
             '%d seed(s)%s; mean +/- std over seeds. Command: `%s`' % (
                 len(result['seeds']), ', quick mode' if result['quick'] else '',
                 result['command'] or '')]
    st = result.get('settings', {})
    if st:
        lines += ['', 'Settings: d=%s; DeepWalk/node2vec %s walks x %s, window %s, '
                  '1 skip-gram epoch '
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
        ops = ['own'] + list(protocols.EDGE_OPERATORS)
        head = ['AUC %s' % o for o in ops] + ['AP hadamard', 'AP own']
        if 'main' in pub:
            head.append('published AUC (Hadamard)')
        if 'unverified' in pub:
            head.append('node2vec Table 4 AUC (Hadamard), unverified')

        def cells(s, m):
            row = [_fmt(s.get('%s/auc' % o)) for o in ops] + \
                [_fmt(s.get('hadamard/ap')), _fmt(s.get('own/ap'))]
            for key in ('main', 'unverified'):
                if key in pub:
                    v = pub[key]['values'].get(m)
                    row.append('%.4f' % v if v is not None else '')
            return row
        lines += _table(result, head, cells)
        lines += ['', 'own = the method\'s own pair score (Author2Vec: its edge probability; '
                  'heuristics: their value; other embeddings: inner product), no classifier. '
                  'Operators: node2vec edge features + logistic regression trained on the '
                  'training edges and as many sampled non-edges.']
    elif task == 'node-classification':
        ratios = sorted({k.split('/')[0] for s in summ.values() for k in s}, key=float)
        head = ['Micro-F1 %s%%' % _pct(r) for r in ratios] + \
            ['Macro-F1 %s%%' % _pct(r) for r in ratios]
        if 'main' in pub:
            head.append('published Micro/Macro at 50% (OpenNE)')
        if 'deepwalk-readme' in pub:
            head.append('published Micro at these ratios (DeepWalk README)')

        def cells(s, m):
            row = [_fmt(s.get('%s/micro' % r), pct=True) for r in ratios] + \
                [_fmt(s.get('%s/macro' % r), pct=True) for r in ratios]
            if 'main' in pub:
                v = pub['main']['values'].get(m)
                row.append('%.1f / %.1f' % (100 * v[0], 100 * v[1]) if v else '')
            if 'deepwalk-readme' in pub:
                v = pub['deepwalk-readme']['values'].get(m)
                row.append(', '.join('%.2f' % (100 * v[float(r)]) for r in ratios
                                     if float(r) in v) if v else '')
            return row
        lines += _table(result, head, cells)
        lines += ['', 'F1 in %%; one-vs-rest logistic regression, %s shuffle(s) per ratio per '
                  'seed; each test node gets its k top-scoring labels, k = its true label '
                  'count.' % result['settings']['shuffles']]
    else:
        keys = sorted({k for s in summ.values() for k in s if not k.endswith('/k')})
        lines += _table(result, keys, lambda s, m: [_fmt(s.get(k)) for k in keys])
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


def _table(result, head, cells):
    """Markdown lines of a table: a row per method of the summary, its name, `cells(summary of
    the method, method)` under `head`, then its fit seconds."""
    summ = result['summary']
    rows = [['method'] + head + ['fit s']] + [[m] + cells(summ[m], m) + [_fmt_time(result, m)]
                                              for m in result['methods'] if m in summ]
    return ['| ' + ' | '.join(rows[0]) + ' |', '|' + '---|' * len(rows[0])] + \
        ['| ' + ' | '.join(row) + ' |' for row in rows[1:]]


def _pct(r):
    return '%g' % (100 * float(r))


def _fmt_time(result, m):
    ts = [sum(r['timings'].values()) for r in result['runs'].get(m, []) if 'timings' in r]
    return '%.0f' % np.mean(ts) if ts else '-'


def plot(result, path):
    """PNG of the main metric per method (bars) or Micro-F1 vs training ratio (lines)."""
    from matplotlib.figure import Figure  # no pyplot: the user's backend stays as it is
    summ = result['summary']
    methods = [m for m in result['methods'] if m in summ]
    fig = Figure(figsize=(9, 4.5))
    ax = fig.subplots()
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
    return path


# ----------------------------------------------------------------------------------------------
# the papers benchmark

#: (metric key, column title) of the papers benchmark's table, in order
PAPERS_COLUMNS = (('auc_random', 'AUC vs random pairs'), ('auc_active', 'AUC vs active authors'),
                  ('hits@10', 'Hits@10'), ('mrr', 'MRR'), ('auc_cold', 'cold-start AUC'))


def _papers_title(result):
    what = 'temporal, train up to %s' % result['split_year'] if result['protocol'] == 'temporal' \
        else 'hold-out of half the co-author pairs'
    if result.get('leaky'):
        what += ', LEAKY'
    return 'Future co-authors on %s (%s)' % (result['dataset'], what)


def _papers_split_text(result):
    info = (result.get('splits') or {}).get('0')
    if not info:
        return ''
    if result['protocol'] == 'temporal':
        neg = info['negatives']
        return ('Train: the %s papers of %d-%d (%s authors, %s co-author pairs). Test: %s new '
                'co-author pairs in %d-%d among the %s authors with %d+ papers up to %d (%s of '
                'them with an author who had no co-author: the cold-start pairs). Negatives: '
                'as many pairs of those authors that never write together, at random (%s), and '
                'among the %s of them also active after %d (%s, harder).'
                % (_n(info['train_papers']), info['train_years'][0], info['train_years'][1],
                   _n(info['authors']), _n(info['train_edges']), _n(info['test_edges']),
                   info['test_years'][0], info['test_years'][1], _n(info['active_authors']),
                   result.get('min_papers', 1), result['split_year'],
                   _n(info['cold_test_edges']), _n(neg['random']), _n(info['active_after']),
                   result['split_year'], _n(neg['active'])))
    return ('Hold-out (node2vec): %s of the co-author pairs held out (the training graph keeps its '
            'components), as many non-pairs at random and as many drawn in proportion to '
            'degree**0.75 (pairs of prolific authors: the harder "active" column). The content '
            'methods read %s of the %s papers: %s.'
            % (_n(info['test_edges']), _n(info['papers_read']), _n(info['papers']),
               'every paper, the joint papers of held-out pairs too: LEAKY, the held-out links '
               'are in the text' if result.get('leaky') else
               'not the joint papers of held-out pairs (leak-free)'))


def _n(x):
    return '{:,}'.format(int(x))


def papers_markdown(result):
    """Markdown for a result dict as written by `papers_benchmark.run_papers_benchmark`."""
    summ = result.get('summary', {})
    lines = ['## %s' % _papers_title(result), '',
             '%d seed(s)%s; mean +/- std over seeds. Command: `%s`'
             % (len(result['seeds']), ', quick mode' if result.get('quick') else '',
                result.get('command') or '')]
    split = _papers_split_text(result)
    if split:
        lines += ['', split]
    if not result.get('complete', True):
        lines += ['', '**Partial: the run had not finished all methods when this was written.**']
    head = ['method'] + [title for _, title in PAPERS_COLUMNS] + ['fit s']
    lines += ['', '| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    for m in result['methods']:
        if m not in summ:
            continue
        lines.append('| ' + ' | '.join([m] + [_fmt(summ[m].get(k)) for k, _ in PAPERS_COLUMNS]
                                       + [_fmt_fit(result, m)]) + ' |')
    lines += ['', 'Scores: each method\'s own pair score (Author2Vec: its edge probability; '
              'heuristics: their value), else the cosine of its vectors. Hits@10 and MRR: each '
              'author of a test pair ranks every candidate author (every active author but '
              'itself, its co-authors of the training period and its other true partners) and '
              'finds its true new co-authors there, both ways; ties count as their expected rank '
              'under random tie-breaking (at most 5,000 query authors, a seeded sample beyond). '
              'Cold-start AUC: the test pairs with an author who had no co-author, against as '
              'many never-co-author pairs of such an author and a candidate. "-": nothing to '
              'score.', '',
              'Methods: ' + '; '.join('%s: %s' % (m, result.get('labels', {}).get(m, m))
                                      for m in result['methods']) + '.']
    errors = {m: r['error'] for m, rs in result['runs'].items() for r in rs if 'error' in r}
    if errors:
        lines += ['', 'Failed: ' + '; '.join('%s: %s' % kv for kv in errors.items())]
    versions = result.get('versions') or {}
    lines += ['', 'Versions: %s.' % ', '.join('%s %s' % kv for kv in sorted(versions.items())
                                             if kv[1])]
    return '\n'.join(lines) + '\n'


def _fmt_fit(result, m):
    ts = [r['timings']['fit'] for r in result['runs'].get(m, []) if 'timings' in r]
    return '%.0f' % np.mean(ts) if ts else '-'


def papers_plot(result, path):
    """PNG: the table's metrics per method (bars, std over seeds)."""
    from matplotlib.figure import Figure  # no pyplot: the user's backend stays as it is
    summ = result['summary']
    methods = [m for m in result['methods'] if m in summ]
    fig = Figure(figsize=(10, 4.5))
    ax = fig.subplots()
    width = 0.8 / len(PAPERS_COLUMNS)
    x = np.arange(len(methods))
    for j, (key, title) in enumerate(PAPERS_COLUMNS):
        mean = [summ[m].get(key, [np.nan])[0] for m in methods]
        std = [summ[m].get(key, [0, 0])[1] for m in methods]
        ax.bar(x + j * width, mean, width, yerr=std, label=title, capsize=2)
    ax.set_xticks(x + width * (len(PAPERS_COLUMNS) - 1) / 2)
    ax.set_xticklabels(methods, rotation=30, ha='right', fontsize=8)
    ax.set_ylim(0, 1)
    ax.axhline(0.5, color='grey', lw=0.5, ls=':')
    ax.legend(fontsize=8)
    ax.set_title(_papers_title(result), fontsize=10)
    fig.tight_layout()
    save_figure(fig, path, dpi=100)
    return path
