"""Loads a CtcDsl seed-model state dict in PyTorch and back (run by PyTorchInteropTests).

usage: seed_model_in_pytorch.py STATE_DICT INPUT EXPECTED OUT_STATE_DICT OUT_LOGITS

INPUT is float32 [batch, time, 13] and EXPECTED float32 [batch, time, 28], raw little-endian with
the shape in the file name's companion .shape file. The script builds the same architecture in
plain PyTorch (LSTM(13, 50) batch-first, Linear(50, 28)), loads the state dict strictly, checks its
logits against TorchSharp's, then halves every weight, saves the state dict with torch.save and
writes the new logits, for the C# side to load and compare.
"""
import sys

import numpy as np
import torch


class Seed(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = torch.nn.LSTM(13, 50, batch_first=True)
        self.logits = torch.nn.Linear(50, 28)

    def forward(self, x):
        return self.logits(self.rnn(x)[0])


def read(path):
    shape = tuple(int(n) for n in open(path + ".shape").read().split())
    return torch.from_numpy(np.fromfile(path, dtype="<f4").reshape(shape))


def write(path, tensor):
    array = tensor.detach().numpy().astype("<f4")
    array.tofile(path)
    open(path + ".shape", "w").write(" ".join(str(n) for n in array.shape))


state_dict, features, expected, out_state_dict, out_logits = sys.argv[1:6]
model = Seed()
model.load_state_dict(torch.load(state_dict), strict=True)
model.eval()
with torch.no_grad():
    logits = model(read(features))
difference = (logits - read(expected)).abs().max().item()
print(f"max |pytorch - torchsharp| = {difference:.3g}")
if difference > 1e-4:
    sys.exit(f"logits differ by {difference}")

with torch.no_grad():
    for parameter in model.parameters():
        parameter.mul_(0.5)
    write(out_logits, model(read(features)))
torch.save(model.state_dict(), out_state_dict)
print("ok")
