"""Counts of people released, arrested, held or dead, and who states them (docs/MATCHING.md).

`extract_counts` (extract.py) is the entry point; the attribution rules (classify.py,
rules_bare.py, rules_noun.py), the phrasing they read (numbers, phrases, quantities,
cues, lexicon, ...), the sources (sources.py, joint.py) and the learned attachment step
(model.py, trained by model_training.py) are its parts.
"""

from monitor.match.counts.extract import extract_counts, read_counts

__all__ = ["extract_counts", "read_counts"]
