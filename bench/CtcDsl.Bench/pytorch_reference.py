"""PyTorch eager on the same workloads as `bench --suite` / the seed benchmark, same thread count.

usage: /usr/bin/python3 bench/CtcDsl.Bench/pytorch_reference.py [steps] [threads]
Debian's python3-torch (1.13, no oneDNN) is a floor to clear, not the target (issue 6).
"""
import random
import sys
import time

import torch

steps = int(sys.argv[1]) if len(sys.argv) > 1 else 3
torch.set_num_threads(int(sys.argv[2]) if len(sys.argv) > 2 else 2)
print(f"PyTorch {torch.__version__}, threads {torch.get_num_threads()}")


def median(run, count):
    run()
    times = []
    for _ in range(count):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return sorted(times)[len(times) // 2]


# Workload 1: the seed model, one SGD step on two utterances (291 and 119 frames) plus validation.
torch.manual_seed(0)
lstm, dense = torch.nn.LSTM(13, 50, batch_first=True), torch.nn.Linear(50, 28)
sgd = torch.optim.SGD(list(lstm.parameters()) + list(dense.parameters()), lr=0.005, momentum=0.9)
x = torch.randn(2, 291, 13)
lengths, label_lengths = torch.tensor([291, 119]), torch.tensor([52, 19])
labels = torch.randint(0, 27, (2, 52))


def seed_epoch():
    sgd.zero_grad()
    loss = torch.nn.functional.ctc_loss(dense(lstm(x)[0]).log_softmax(-1).transpose(0, 1), labels, lengths, label_lengths, blank=27, reduction="none").mean()
    loss.backward()
    sgd.step()
    with torch.no_grad():
        torch.nn.functional.ctc_loss(dense(lstm(x)[0]).log_softmax(-1).transpose(0, 1), labels, lengths, label_lengths, blank=27)


print(f"workload 1, seed model epoch: {median(seed_epoch, 50):.2f} ms")

# Workload 2: 3-layer BiLSTM(256), batch 32 of 300-500 frames, Adam 1e-3 (padded batch).
rng = random.Random(0)
lengths = torch.tensor([rng.randint(300, 500) for _ in range(32)])
label_lengths = torch.tensor([rng.randint(40, 80) for _ in range(32)])
x = torch.randn(32, int(lengths.max()), 13)
labels = torch.randint(0, 28, (32, int(label_lengths.max())))
rnn, dense = torch.nn.LSTM(13, 256, num_layers=3, batch_first=True, bidirectional=True), torch.nn.Linear(512, 29)
adam = torch.optim.Adam(list(rnn.parameters()) + list(dense.parameters()), 1e-3)


def train_step():
    adam.zero_grad()
    loss = torch.nn.functional.ctc_loss(dense(rnn(x)[0]).log_softmax(-1).transpose(0, 1), labels, lengths, label_lengths, blank=28, reduction="none").mean()
    loss.backward()
    adam.step()


def infer():
    with torch.no_grad():
        dense(rnn(x)[0]).argmax(-1)


ms = median(infer, steps)
print(f"workload 2, inference (forward + argmax): {ms:.0f} ms, {32000 / ms:.1f} utt/s")
ms = median(train_step, steps)
print(f"workload 2, training step: {ms:.0f} ms, {32000 / ms:.1f} utt/s")
