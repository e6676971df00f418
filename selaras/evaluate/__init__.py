"""The yardstick (`selaras evaluate`): how well the matcher links, on the sample's ground
truth and on real labelled sets. Not a run step: no pipeline stage imports it.

measure.py computes the figures (P / R / F1, top-k, leave-one-set-out, the worst set);
sets.py reads the real labelled sets. May import: the match stage, selaras.sample (its
variant generators), the shared layer."""

from selaras.evaluate.measure import evaluate_cli, evaluate_sample, link_metrics

__all__ = ["evaluate_cli", "evaluate_sample", "link_metrics"]
