"""``attestscore ingest``: PDF (text or scanned), DOCX, TXT and RTF exports -> archive JSONL.

Modules, one job each: ``extract`` (text per format), ``ocr`` (Tesseract), ``header`` (kind and LÆ
number from the letterhead), ``pairing`` (manifest and naming convention), ``pipeline`` (the run).
"""
from scorer.ingest.pipeline import IngestSummary, ingest_folder

__all__ = ["IngestSummary", "ingest_folder"]
