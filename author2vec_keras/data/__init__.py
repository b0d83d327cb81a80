"""The data wing: files and networkx graphs in, `Graph`, splits, walks, negatives and texts out.

`graph` (`Graph`: ids <-> indices, edges, weights, adjacency), `readers` (edge lists, adjacency
lists, .mat, labels), `bibliography` (papers from CSV, JSON, OpenAlex, Semantic Scholar, arXiv,
BibTeX -> co-author graph + authorship + texts), `datasets` (the bundled real graphs, a user's
files and papers), `splits` (the link-prediction hold-out, the temporal split), `negatives`
(non-edges), `walks` (DeepWalk's and node2vec's walks, their context pairs), `text` (tokens,
Doc2Vec paper vectors), `generators` (large test graphs). numpy, scipy, networkx, gensim and the
BibTeX parser (bibtexparser, pylatexenc) only: no Theano, no Keras.
"""
