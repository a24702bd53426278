"""attestscore: Danish quality scores for medical-certificate requests and certificates.

``import scorer`` is cheap: torch and transformers load only when a transformer model scores.

    >>> import scorer
    >>> s = scorer.load()
    >>> s.score_request("Vi beder om en statusattest vedrørende borgerens helbred.").label
    0
"""
from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["load", "Scorer", "RequestScore", "CertificateScore", "PairScore", "Evidence", "Feedback",
           "__version__"]

_LAZY = {"load": "scorer.api", "Scorer": "scorer.api", "RequestScore": "scorer.results",
         "CertificateScore": "scorer.results", "PairScore": "scorer.results", "Evidence": "scorer.results",
         "Feedback": "scorer.feedback"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'scorer' has no attribute {name!r}")
