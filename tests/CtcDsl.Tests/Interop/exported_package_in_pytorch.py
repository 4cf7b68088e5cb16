"""Runs a package written by `ctcdsl export-pytorch` against the C# model (run by PyTorchExportTests).

Usage: exported_package_in_pytorch.py PACKAGE DIRECTORY [STATE_DICT]

PACKAGE is the exported folder; DIRECTORY holds the C# model's state dict (csharp.pt), its inputs for
each case (CASE.features.bin, CASE.lengths.bin, float64 with .shape files, as PyTorchReference writes)
and cases.txt naming them. The script
  1. builds the exported model and loads csharp.pt strictly (every name present, every shape equal),
  2. writes the logits and output lengths of each case (CASE.logits.bin, CASE.out_lengths.bin),
  3. draws fresh weights with the package's own initialisers (reset_parameters, seed 5), saves them with
     torch.save as train.py does (python.pt and its .ctcdsl.json identity) and writes each case's
     logits with them (CASE.python_logits.bin), for the C# model to load and reproduce.
With STATE_DICT (a file train.py wrote), only step 2 runs, on those weights.
Everything runs in float32 and eval mode, as the C# side does.
"""
import importlib
import json
import os
import sys

import numpy as np
import torch

PACKAGE, DIRECTORY = sys.argv[1], sys.argv[2]
STATE_DICT = sys.argv[3] if len(sys.argv) > 3 else None
sys.path.insert(0, os.path.dirname(os.path.abspath(PACKAGE)))
generated = importlib.import_module(os.path.basename(os.path.abspath(PACKAGE)) + ".model")


def read(name):
    path = os.path.join(DIRECTORY, name)
    with open(path + ".shape") as handle:
        shape = [int(s) for s in handle.read().split()]
    return torch.from_numpy(np.fromfile(path, dtype="<f8")).reshape(shape)


def write(name, tensor):
    path = os.path.join(DIRECTORY, name)
    tensor.detach().to(torch.float64).contiguous().numpy().astype("<f8").tofile(path)
    with open(path + ".shape", "w") as handle:
        handle.write(" ".join(str(s) for s in tensor.shape))


def run(model, case, suffix):
    features = read(f"{case}.features.bin").float()
    lengths = read(f"{case}.lengths.bin").long()
    with torch.no_grad():
        logits, out_lengths = model(features, lengths)
    write(f"{case}.{suffix}.bin", logits)
    if suffix == "logits":
        write(f"{case}.out_lengths.bin", out_lengths)


torch.set_num_threads(1)
with open(os.path.join(DIRECTORY, "cases.txt")) as handle:
    cases = handle.read().split()

model = generated.Model()
model.load_state_dict(torch.load(STATE_DICT or os.path.join(DIRECTORY, "csharp.pt")), strict=True)
model.eval()
for case in cases:
    run(model, case, "logits")
if STATE_DICT:
    print("ok")
    sys.exit(0)

torch.manual_seed(5)
fresh = generated.Model()
fresh.eval()
path = os.path.join(DIRECTORY, "python.pt")
torch.save(fresh.state_dict(), path)
with open(path + ".ctcdsl.json", "w", encoding="utf-8") as handle:
    json.dump({"model": generated.MODEL_NAME, "tokens": generated.TOKENS, "blank": generated.BLANK}, handle)
for case in cases:
    run(fresh, case, "python_logits")
print("ok")
