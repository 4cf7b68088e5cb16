"""Builds and runs every exported package under ROOT (run by PyTorchExportLanguageTests).

Usage: exported_packages_run.py ROOT

Each folder of ROOT is a package `ctcdsl export-pytorch` printed. For each: import model.py, build the
model (its initialisers run), and run forward in eval mode on a padded batch of random features (lengths
48 and 37) and the loss with its backward pass in train mode; the logits must be finite with CLASSES
classes, the lengths within the batch and the loss not NaN. Prints one line per failure and "ok" when there is none.
"""
import importlib
import math
import os
import sys
import traceback

import torch

ROOT = sys.argv[1]
sys.path.insert(0, ROOT)
torch.set_num_threads(1)
torch.manual_seed(0)
failures = []
for name in sorted(os.listdir(ROOT)):
    try:
        generated = importlib.import_module(name + ".model")
        model = generated.Model().eval()
        features = torch.randn(2, 48, generated.FEATURE_SIZE)
        lengths = torch.tensor([48, 37])
        with torch.no_grad():
            logits, out_lengths = model(features, lengths)
        assert logits.shape[0] == 2 and logits.shape[2] == generated.CLASSES, f"logits {tuple(logits.shape)}"
        assert bool(torch.isfinite(logits).all()), "non-finite logits"
        assert int(out_lengths.max()) <= logits.shape[1], f"lengths {out_lengths.tolist()} for {logits.shape[1]} frames"
        model.train()
        labels = torch.tensor([[1, 2], [2, 0]]) % generated.CLASSES
        total, _ = model.loss(features, lengths, labels, torch.tensor([2, 1]))
        total.backward()
        # Infinite is CTC's answer when heavy subsampling leaves fewer frames than labels; NaN never is.
        assert not math.isnan(float(total)), "NaN loss"
    except Exception:  # noqa: BLE001 - every failure is reported, with its package
        failures.append(f"{name}: {traceback.format_exc(limit=3)}")
for failure in failures:
    print(failure)
print(f"{len(os.listdir(ROOT))} packages, {len(failures)} failed")
if not failures:
    print("ok")
