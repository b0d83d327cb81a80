"""The Author2Vec vs paper comparison's tables and plots (numpy only; matplotlib to draw).

`benchmarks/author2vec_vs_paper.py` writes the runs; its report and notebook 02 read them through
these functions: `a2v_runs` (the runs, old files included), `a2v_summary` (mean, std, n over
seeds), `a2v_verdict` (the gains over DeepWalk against the paper's), `a2v_markdown`,
`a2v_figure`, `a2v_curve_figure`.
"""
import numpy as np

__all__ = ['A2V_PAPER_GAINS', 'A2V_METHODS', 'A2V_LABELS', 'A2V_USES_CONTENT', 'A2V_KEY',
           'A2V_DATASETS', 'A2V_DEEPWALK_ROW', 'A2V_VERDICT', 'a2v_config', 'a2v_run_key',
           'a2v_run_name', 'a2v_runs', 'a2v_summary', 'a2v_rows', 'a2v_metrics', 'a2v_gain',
           'a2v_best', 'a2v_curves', 'a2v_verdict', 'a2v_verdict_markdown', 'a2v_markdown',
           'a2v_figure', 'a2v_curve_figure']

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
