"""Radiology reports as exported: records, encodings, PDF text, sources, sections."""
