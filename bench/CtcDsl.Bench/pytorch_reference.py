"""PyTorch eager on the same workloads as `bench --suite`, the seed benchmark and the GPU checks.

usage: python3 bench/CtcDsl.Bench/pytorch_reference.py [steps] [threads] [--device cpu|cuda] [--steps N]
On the CPU: workload 1 (seed model epoch) and workload 2 (3-layer BiLSTM(256), batch 32, 300-500
frames), same thread count as the .NET run (Debian's python3-torch 1.13 is a floor to clear, not
the target: issue 6). On CUDA (the GPU kit, issue 12): workload 2 at batch 32 and 256 (padded and
packed, fp32 and bf16 weights with an fp32 loss) and 1024 (fp32), as CtcDsl.GpuCheck measures it.
"""
import random
import sys
import time

import torch

args = sys.argv[1:]
device = "cpu"
if "--device" in args:
    i = args.index("--device")
    device = args[i + 1]
    del args[i:i + 2]
steps = 3
if "--steps" in args:
    i = args.index("--steps")
    steps = int(args[i + 1])
    del args[i:i + 2]
if args:
    steps = int(args[0])
torch.set_num_threads(int(args[1]) if len(args) > 1 else (2 if device == "cpu" else torch.get_num_threads()))
cuda = device.startswith("cuda")
print(f"PyTorch {torch.__version__}, device {device}"
      + (f" ({torch.cuda.get_device_name()}, cuDNN {torch.backends.cudnn.version()})" if cuda else "")
      + f", threads {torch.get_num_threads()}")


def median(run, count):
    run()
    if cuda:
        torch.cuda.synchronize()
    times = []
    for _ in range(count):
        start = time.perf_counter()
        run()
        if cuda:
            torch.cuda.synchronize()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return times[len(times) // 2] if count % 2 else (times[count // 2 - 1] + times[count // 2]) / 2


# Workload 1: the seed model, one SGD step on two utterances (291 and 119 frames) plus validation.
torch.manual_seed(0)
lstm, dense = torch.nn.LSTM(13, 50, batch_first=True).to(device), torch.nn.Linear(50, 28).to(device)
sgd = torch.optim.SGD(list(lstm.parameters()) + list(dense.parameters()), lr=0.005, momentum=0.9)
x = torch.randn(2, 291, 13, device=device)
lengths, label_lengths = torch.tensor([291, 119], device=device), torch.tensor([52, 19], device=device)
labels = torch.randint(0, 27, (2, 52), device=device)


def seed_epoch():
    sgd.zero_grad()
    loss = torch.nn.functional.ctc_loss(dense(lstm(x)[0]).log_softmax(-1).transpose(0, 1), labels, lengths, label_lengths, blank=27, reduction="none").mean()
    loss.backward()
    sgd.step()
    with torch.no_grad():
        torch.nn.functional.ctc_loss(dense(lstm(x)[0]).log_softmax(-1).transpose(0, 1), labels, lengths, label_lengths, blank=27)


print(f"workload 1, seed model epoch: {median(seed_epoch, 50):.2f} ms")


# Workload 2: 3-layer BiLSTM(256) over 13 features, 300-500 frames, Adam 1e-3.
def workload2(batch, packed, dtype):
    rng = random.Random(0)
    lengths = torch.tensor([rng.randint(300, 500) for _ in range(batch)])
    label_lengths = torch.tensor([rng.randint(40, 80) for _ in range(batch)])
    x = torch.randn(batch, int(lengths.max()), 13, device=device, dtype=dtype)
    labels = torch.randint(0, 28, (batch, int(label_lengths.max())), device=device)
    torch.manual_seed(1)
    rnn = torch.nn.LSTM(13, 256, num_layers=3, batch_first=True, bidirectional=True).to(device, dtype)
    dense = torch.nn.Linear(512, 29).to(device, dtype)
    adam = torch.optim.Adam(list(rnn.parameters()) + list(dense.parameters()), 1e-3)

    def logits():
        if not packed:
            return dense(rnn(x)[0])
        sequence = torch.nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        padded, _ = torch.nn.utils.rnn.pad_packed_sequence(rnn(sequence)[0], batch_first=True, total_length=x.shape[1])
        return dense(padded)

    def train_step():
        adam.zero_grad()
        log_probs = logits().float().log_softmax(-1).transpose(0, 1)
        loss = torch.nn.functional.ctc_loss(log_probs, labels, lengths.to(device), label_lengths.to(device), blank=28, reduction="none").mean()
        loss.backward()
        adam.step()

    def infer():
        with torch.no_grad():
            logits().argmax(-1).cpu()

    return median(train_step, steps), median(infer, steps)


forms = [(32, False, torch.float32)] if not cuda else [
    (size, packed, dtype) for size in (32, 256) for dtype in (torch.float32, torch.bfloat16) for packed in (False, True)] + [
    (1024, packed, torch.float32) for packed in (False, True)]
print("| workload 2, PyTorch eager | batch | train ms | train utt/s | infer ms | infer utt/s |")
print("|---|---:|---:|---:|---:|---:|")
for size, packed, dtype in forms:
    train, infer = workload2(size, packed, dtype)
    name = f"nn.LSTM, {'packed (exact)' if packed else 'padded (inexact)'}{', bf16 (fp32 loss)' if dtype == torch.bfloat16 else ''}"
    print(f"| {name} | {size} | {train:.1f} | {size / train * 1000:.0f} | {infer:.1f} | {size / infer * 1000:.0f} |", flush=True)
