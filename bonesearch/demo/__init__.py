"""The demo archive: a deterministic, fictional hospital export (DICOM + French reports).

``write_demo_archive(OUT, studies=600, seed=0)`` writes ``OUT/export`` (what ingest
reads), ``OUT/labels.csv`` (ground truth per image) and ``OUT/phi.json`` (every
identifying string injected). Modules: ``phantoms`` (procedural radiographs),
``reports_fr`` + ``phrases_fr`` (report text), ``identities`` (fictional PHI),
``dicom_writer``, ``plan`` (study mix), ``archive`` (the writer).
"""

from bonesearch.demo.archive import DemoArchiveSummary, write_demo_archive

__all__ = ["DemoArchiveSummary", "write_demo_archive"]
