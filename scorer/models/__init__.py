"""Document classifiers: each maps a list of segmented documents to per-label logits and
per-segment contributions (the evidence). Two families share that interface: a TF-IDF linear
baseline and attention heads over a frozen e5 encoder."""
