"""How far one a2v.lua step moves an author vector: the per-group mean gradient against the
vector's size, on the AAN hold-out training graph (seed 0), at the start of training.

    python benchmarks/a2v_step_sizes.py            # writes results/a2v_step_sizes.{json,md}

a2v.lua takes one SGD step per author on the mean loss of that author's (author, co-author)
pairs and their negatives (`grad_params_model2:div(#author_batch_input)`), and one per paper on
its (author, paper) pairs. For a sample of groups this computes, with Theano, the gradient of
that mean loss with respect to the author table and reports, for the group's own author,
lr * |gradient row| / |vector| (the relative step), for the link model and the content model,
under each initial scale (N(0, 1), Torch's LookupTable; U(-0.05, 0.05), Keras') and learning
rate. A relative step of 1e-3 per epoch moves a vector by about 10% in 100 epochs (when the
steps agree in direction), which is the scale at which held-out pairs can be told apart.
"""
import argparse
import json
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
OUT = os.path.join(os.path.dirname(HERE), 'results', 'a2v_step_sizes')


def group_gradients(model, table, batches, groups, rows):
    """|d mean loss / d table[row]| for each group `g` of `batches` and its row `rows[g]`."""
    from author2vec_keras.nn.backend import K, feed_variables
    inner = model
    grads = K.gradients(inner.total_loss, [table])[0]
    inputs, targets, weights = feed_variables(inner)
    f = K.function(inputs + targets + weights, [grads])
    out = []
    for g in groups:
        x, y = batches[g]
        (grad,) = f([x, y, np.ones(len(x), dtype='float32')])
        out.append(float(np.linalg.norm(grad[rows(g, x)])))
    return np.asarray(out)


def measure(init, seed=0, sample=300):
    from author2vec_keras import ContentLinkAuthor2Vec
    from author2vec_keras.data import datasets
    from author2vec_keras.data.datasets import content_inputs
    from author2vec_keras.data.splits import link_prediction_split
    from author2vec_keras.nn import models
    from author2vec_keras.nn.sequences import AuthorshipSequence, PairSequence
    ds = datasets.load('aan')
    split = link_prediction_split(ds.graph, 0.5, seed=seed)
    pairs, texts = content_inputs(ds, split)
    est = ContentLinkAuthor2Vec.from_preset('a2v-lua', embedding_init=init, doc2vec_epochs=1,
                                            random_state=seed, verbose=0)
    est.graph_ = split.train_graph  # what `fit` does before its first epoch
    est._prepare_content(pairs, texts, None)
    np.random.seed(seed)
    link, content, _ = models.author2vec_models(
        est.graph_.num_nodes, len(est.papers_), est.dim, est.hidden_dim, est.projection,
        est.paper_init_, est.train_papers, init)
    est.link_model_, est.content_model_, est.joint_model_ = link, content, None
    est._compile()
    table = link.get_layer(models.EMBEDDING_LAYER)
    emb = table.get_weights()[0]
    rng = np.random.default_rng(seed)
    link_seq = PairSequence(est.graph_, negatives=5, seed=seed, grouped=True)
    content_seq = AuthorshipSequence(est.authorship_, len(est.papers_), 5, 512, seed=seed,
                                     grouped=True)
    out = {}
    for name, model, seq in (('link', link, link_seq), ('content', content, content_seq)):
        groups = rng.choice(len(seq), size=min(sample, len(seq)), replace=False)
        seq.set_epoch(0)
        rows = {}

        def row(g, x):  # the group's author: column 0 of the link pairs, of the content pairs
            r = int(x[0, 0])
            rows[g] = r
            return r
        grad = group_gradients(model, table.embeddings, seq, groups, row)
        norms = np.linalg.norm(emb[[rows[g] for g in groups]], axis=1)
        sizes = [len(seq[g][0]) for g in groups]
        out[name] = {'groups': int(len(groups)), 'median_group_rows': float(np.median(sizes)),
                     'median_grad_norm': float(np.median(grad)),
                     'median_vector_norm': float(np.median(norms)),
                     'median_relative_grad': float(np.median(grad / norms))}
    return out


def markdown(data):
    lines = ['# How far one a2v.lua step moves an author vector', '',
             'Command: `%s`. AAN hold-out training graph, seed %d, at initialisation; medians '
             'over %d sampled groups per model. Versions: %s.' % (
                 data['command'], data['seed'], data['sample'], ', '.join(
                     '%s %s' % kv for kv in sorted(data['versions'].items()))), '',
             '| initial table | model | rows per step | \\|mean gradient row\\| | '
             '\\|vector\\| | relative step at lr 0.1 | at lr 1 | at lr 10 |',
             '|---|---|---|---|---|---|---|---|']
    for init, models in data['inits'].items():
        for name, m in models.items():
            r = m['median_relative_grad']
            lines.append('| %s | %s | %.0f | %.2e | %.3f | %.1e | %.1e | %.1e |' % (
                {'normal': 'N(0, 1) (a2v.lua)', 'uniform': 'U(-0.05, 0.05) (Keras)'}[init],
                name, m['median_group_rows'], m['median_grad_norm'], m['median_vector_norm'],
                0.1 * r, r, 10 * r))
    return '\n'.join(lines) + '\n'


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--sample', type=int, default=300, help='groups sampled per model')
    p.add_argument('--out', default=OUT)
    args = p.parse_args(argv)
    from author2vec_keras.evaluation.pipeline import versions
    from author2vec_keras.fileio import atomic_open
    from author2vec_keras.nn.backend import keras  # noqa: F401  (Theano + fixes, recorded)
    t0 = time.time()
    data = {'command': 'python benchmarks/a2v_step_sizes.py ' + ' '.join(
                argv if argv is not None else sys.argv[1:]),
            'seed': args.seed, 'sample': args.sample, 'versions': versions(),
            'inits': {init: measure(init, args.seed, args.sample)
                      for init in ('normal', 'uniform')}}
    data['seconds'] = round(time.time() - t0, 1)
    with atomic_open(args.out + '.json', 'w') as f:
        json.dump(data, f, indent=1)
    with atomic_open(args.out + '.md', 'w') as f:
        f.write(markdown(data))
    print(markdown(data))


if __name__ == '__main__':
    main()
