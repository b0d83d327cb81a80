"""The evaluation wing: embeddings scored the way the node2vec and DeepWalk papers score them.

`protocols` (link prediction, node classification, clustering, outliers), `baselines` (DeepWalk,
node2vec, LINE, spectral, the link heuristics), `pipeline` (split -> fit -> score -> record),
`methods` (the benchmark's method registry), `benchmark` (every method on the same splits:
JSON, markdown, PNG), `reporting` (published numbers, tables, plots). Reads every wing before
it.
"""
