"""PDF output without third-party libraries: ``writer`` (pages, text, lines, boxes, JPEG, tables) and the
layouts built on it (``statement``; receipts elsewhere)."""
