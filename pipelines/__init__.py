"""Jobs that chain several steps of the packages, for the command line and for Python callers.

``demo`` runs the whole pipeline (archive → ingest → pretrain → index → evaluate) and so
uses ``bonesearch``, ``indexer`` and ``pretrain`` together, which none of them may do;
``jobs`` gives the indexer's long jobs a progress bar; ``knn_evaluation`` chains
``bonesearch.downstream`` for ``bonesearch eval knn``. Nothing here prints results: callers
show the typed summaries (the command line through ``console``).
"""
