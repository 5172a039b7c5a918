"""bonesearch: a French-language search engine for bone X-ray archives.

The library: image decoding/preprocessing, report processing and de-identification,
model configs and factory, store (DuckDB schema), search, evaluation. It never imports
``indexer`` or ``pretrain``.
"""

__version__ = "0.1.0"
