"""Issue 6's workload 2 in plain PyTorch (Debian's python3-torch), padded batch, for comparison
with `dotnet run --project bench/CtcDsl.Bench -c Release -- --workload2`.

usage: /usr/bin/python3 bench/CtcDsl.Bench/workload2.py [steps]
"""
import random
import sys
import time

import torch

steps = int(sys.argv[1]) if len(sys.argv) > 1 else 5
torch.manual_seed(0)
rng = random.Random(0)
lengths = torch.tensor([rng.randint(300, 500) for _ in range(32)])
label_lengths = torch.tensor([rng.randint(40, 80) for _ in range(32)])
features = torch.randn(32, int(lengths.max()), 13)
labels = torch.randint(0, 28, (32, int(label_lengths.max())))
rnn = torch.nn.LSTM(13, 256, num_layers=3, batch_first=True, bidirectional=True)
dense = torch.nn.Linear(512, 29)
adam = torch.optim.Adam(list(rnn.parameters()) + list(dense.parameters()), 1e-3)
times = []
for step in range(steps + 1):
    start = time.perf_counter()
    adam.zero_grad()
    logits = dense(rnn(features)[0])
    loss = torch.nn.functional.ctc_loss(logits.log_softmax(-1).transpose(0, 1), labels, lengths, label_lengths, blank=28, reduction="none").mean()
    loss.backward()
    adam.step()
    if step > 0:
        times.append((time.perf_counter() - start) * 1000)
median = sorted(times)[len(times) // 2]
print(f"PyTorch {torch.__version__} nn.LSTM bidirectional (padded)   {median:9.0f} ms/step {32000 / median:7.1f} utt/s, threads {torch.get_num_threads()}")
