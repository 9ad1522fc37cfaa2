"""Official documents: drafted from the data, numbered at issue, registered, printed (issue 15).

The room sits beside intake, reports and scheduler: it may import services, persistence,
deadlines, workflow and language; never Flask or Celery (the web layer serves the files).

* `kinds` — pure data: document types (the register's series), the kinds the product drafts,
  the two formats (party HD 36-HD/VPTW, state NĐ 30/2020/NĐ-CP) and `number_text`.
* `register` — numbering at issue, the register of outgoing documents, issuing, corrections,
  uploads of documents produced elsewhere, `count_by_type` for Phụ lục 1.
* `heading`, `shipped`, `placeholders`, `contexts`, `render`, `pdf` — the unit heading, the
  shipped templates, their placeholders, the data of each kind, DOCX rendering, PDF conversion.
"""
