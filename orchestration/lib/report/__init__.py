"""The published brief as people read it: Markdown, HTML, XLSX, charts, methods, provenance.

Each renderer is one module and reads only `BriefTables` and the run's `Provenance`; heavy
libraries (great-tables, Altair, vl-convert, xlsxwriter) are imported inside functions.
"""
