"""Searching a store: the engine, SQL filters, typed hits, the HTML contact sheet, zero-shot labels."""
