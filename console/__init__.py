"""What the `bonesearch` command line shows: views of the jobs' results, and options built from settings.

``cli.py`` parses options and calls one function per command; the modules here turn the
typed results into the one-screen tables and lines users read (``views_*``), and turn a
settings dataclass into typer options (:mod:`console.options`). The library never imports
this package.
"""
