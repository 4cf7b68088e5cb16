"""Trains the exported model with PyTorch, on one process or many (torchrun, DistributedDataParallel).

Written by `ctcdsl export-pytorch`; the settings come from spec.json (the spec as CtcDsl's analysis
resolved it). Data: an .npz of features computed by CtcDsl (`ctcdsl export-features SPEC MANIFEST OUT.npz`),
so the front-end is the one the .NET app runs at inference. Checkpoints are plain state dicts that the
generated C# model loads (LoadStateDict, or `ctcdsl evaluate SPEC model.pt ...`).

    python3 train.py train.npz --out run                       # one process
    torchrun --nproc_per_node 8 train.py train.npz --out run   # DDP: nccl on GPUs, gloo on CPUs

--batch-size is the global batch: each step, every process takes its share of the same utterances a
single process would take, and the losses are weighted so that the gradient is the single process's
(so a 2-process run logs the losses of a 1-process run, to float rounding; a CI test checks this).

Layers whose training arithmetic depends on the whole batch are the exception: batch_norm (and a
conformer's batch-norm convolution module) normalise with each process's own share, as PyTorch's
BatchNorm does under DDP; the losses then differ from one process's, as they would in any DDP run.
"""
import argparse
import contextlib
import json
import math
import os
import sys

import numpy as np
import torch
import torch.distributed as dist

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ctcdsl_nn as nn_rt  # noqa: E402
import model as generated  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def load_settings():
    with open(os.path.join(HERE, "spec.json"), encoding="utf-8") as f:
        return json.load(f)


class Corpus:
    """The utterances of an .npz written by `ctcdsl export-features`: features concatenated over time, labels concatenated."""

    def __init__(self, path, settings):
        data = np.load(path)
        self.features = torch.from_numpy(data["features"].astype(np.float32))
        self.feature_lengths = torch.from_numpy(data["feature_lengths"].astype(np.int64))
        self.labels = torch.from_numpy(data["labels"].astype(np.int64))
        self.label_lengths = torch.from_numpy(data["label_lengths"].astype(np.int64))
        if self.features.shape[1] != settings["feature_size"]:
            raise SystemExit(f"{path}: features are {self.features.shape[1]} wide, the model reads {settings['feature_size']}")
        if data["tokens"].tolist() != settings["tokens"] or int(data["blank"]) != settings["blank"]:
            raise SystemExit(f"{path}: written for another vocabulary than this package's spec")
        self.feature_starts = torch.cat([torch.zeros(1, dtype=torch.int64), self.feature_lengths.cumsum(0)])
        self.label_starts = torch.cat([torch.zeros(1, dtype=torch.int64), self.label_lengths.cumsum(0)])

    def __len__(self):
        return len(self.feature_lengths)

    def item(self, i):
        f0, f1 = int(self.feature_starts[i]), int(self.feature_starts[i + 1])
        l0, l1 = int(self.label_starts[i]), int(self.label_starts[i + 1])
        return self.features[f0:f1], self.labels[l0:l1]


def collate(items):
    """A padded batch: features [B, T, F] and labels [B, S] padded with zeros, with their lengths."""
    feature_lengths = torch.tensor([f.shape[0] for f, _ in items], dtype=torch.int64)
    label_lengths = torch.tensor([l.shape[0] for _, l in items], dtype=torch.int64)
    features = torch.zeros(len(items), int(feature_lengths.max()), items[0][0].shape[1])
    labels = torch.zeros(len(items), max(1, int(label_lengths.max())), dtype=torch.int64)
    for b, (f, l) in enumerate(items):
        features[b, :f.shape[0]] = f
        labels[b, :l.shape[0]] = l
    return features, feature_lengths, labels, label_lengths


def learning_rate(schedule, base, epoch, step):
    """LearningRateSchedule.Rate: epoch counts from 0, step is the optimisation step from 0."""
    if schedule is None:
        return base
    kind = schedule["type"]
    if kind == "step":
        rate = base * schedule["gamma"] ** (epoch // schedule["step_size"])
    elif kind == "exponential":
        rate = base * schedule["gamma"] ** epoch
    elif kind == "cosine":
        low, epochs = schedule["min_learning_rate"], schedule["epochs"]
        rate = low + (base - low) * (1 + math.cos(math.pi * min(epoch, epochs) / epochs)) / 2
    else:
        rate = base
    if schedule["warmup_steps"] > 0:
        rate *= min(1.0, (step + 1.0) / schedule["warmup_steps"])
    return rate


def make_optimizer(parameters, o):
    lr, decay = o["learning_rate"], o["weight_decay"]
    if o["type"] == "sgd":
        return torch.optim.SGD(parameters, lr=lr, momentum=o["momentum"], nesterov=o["nesterov"], weight_decay=decay)
    if o["type"] == "adam":
        return torch.optim.Adam(parameters, lr=lr, betas=(o["beta1"], o["beta2"]), eps=o["epsilon"], weight_decay=decay)
    if o["type"] == "adamw":
        return torch.optim.AdamW(parameters, lr=lr, betas=(o["beta1"], o["beta2"]), eps=o["epsilon"], weight_decay=decay)
    return torch.optim.RMSprop(parameters, lr=lr, eps=o["epsilon"], weight_decay=decay, momentum=o["momentum"])


def save(module, settings, path):
    """A state dict the C# model loads, and its identity beside it (PyTorchInterop's PATH.ctcdsl.json)."""
    temporary = path + ".tmp"
    torch.save(module.state_dict(), temporary)
    os.replace(temporary, path)
    with open(path + ".ctcdsl.json", "w", encoding="utf-8") as f:
        json.dump({"model": settings["model"], "tokens": settings["tokens"], "blank": settings["blank"]}, f)


def main(argv=None):
    settings = load_settings()
    parser = argparse.ArgumentParser(description=f"Train {settings['model']} ({settings['spec']}) with PyTorch.")
    parser.add_argument("data", help="features .npz from `ctcdsl export-features`")
    parser.add_argument("--out", default="run", help="folder for checkpoints (model.pt, epoch-N.pt) and losses.jsonl")
    parser.add_argument("--epochs", type=int, default=settings["epochs"])
    parser.add_argument("--batch-size", type=int, default=settings["batch_size"], help="global batch, over all processes")
    parser.add_argument("--max-steps", type=int, default=None, help="stop after this many optimisation steps")
    parser.add_argument("--seed", type=int, default=settings["seed"])
    parser.add_argument("--init", default=None, help="start from this state dict instead of the spec's initialisers")
    parser.add_argument("--no-shuffle", action="store_true", help="visit utterances in file order")
    parser.add_argument("--no-augment", action="store_true", help="leave out the spec's SpecAugment")
    parser.add_argument("--fp32", action="store_true", help="no bf16 autocast on GPUs (CPUs always run float32)")
    args = parser.parse_args(argv)

    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    cuda = torch.cuda.is_available()
    device = torch.device("cuda", local_rank) if cuda else torch.device("cpu")
    if cuda:
        torch.cuda.set_device(device)
    if world > 1:
        dist.init_process_group(backend="nccl" if cuda else "gloo")
    # bf16 autocast on GPUs only; the CTC loss itself runs in float32 (ctcdsl_nn.ctc_loss casts the logits).
    # Not measured in CI, which has no GPU (docs/training-at-scale.md).
    def mixed_precision():
        if cuda and not args.fp32:
            return torch.autocast("cuda", dtype=torch.bfloat16)
        return contextlib.nullcontext()

    if args.batch_size < world:
        raise SystemExit(f"--batch-size {args.batch_size} is the global batch: it needs at least one utterance per process ({world})")

    # Same seed on every process: the same initial weights (DDP also broadcasts rank 0's) and the same order.
    torch.manual_seed(args.seed)
    module = generated.Model().to(device)
    if args.init:
        module.load_state_dict(torch.load(args.init, map_location=device))
    every_node = AllOutputs(module)
    model = torch.nn.parallel.DistributedDataParallel(every_node, device_ids=[local_rank] if cuda else None) if world > 1 else every_node
    optimizer = make_optimizer(model.parameters(), settings["optimizer"])
    base_rate = settings["optimizer"]["learning_rate"]
    corpus = Corpus(args.data, settings)
    augment = None if args.no_augment else settings["spec_augment"]
    shuffle = settings["shuffle"] and not args.no_shuffle
    if rank == 0:
        os.makedirs(args.out, exist_ok=True)
        log = open(os.path.join(args.out, "losses.jsonl"), "w", encoding="utf-8")

    step = 0
    for epoch in range(args.epochs):
        order = torch.randperm(len(corpus), generator=torch.Generator().manual_seed(args.seed + epoch)) if shuffle else torch.arange(len(corpus))
        for start in range(0, len(corpus), args.batch_size):
            batch = order[start:start + args.batch_size].tolist()
            if len(batch) < world:
                # Every process needs an utterance to take part in the gradient's all-reduce; a last batch
                # smaller than the number of processes is left out (with one process, never).
                continue
            share = batch[rank::world]  # this process's part of the global batch
            items = []
            for i in share:
                features, labels = corpus.item(i)
                if augment is not None:
                    g = torch.Generator().manual_seed(args.seed * 1_000_003 + epoch * 100_003 + i)
                    features = nn_rt.spec_augment(features, g, **augment)
                items.append((features, labels))
            features, feature_lengths, labels, label_lengths = (t.to(device) for t in collate(items))
            for group in optimizer.param_groups:
                group["lr"] = learning_rate(settings["schedule"], base_rate, epoch, step)
            optimizer.zero_grad()
            with mixed_precision():
                outputs = model(features, feature_lengths)
            loss = weighted_loss(outputs, labels, label_lengths, len(share), len(batch), world)
            reported = loss.detach() / world
            if world > 1:
                dist.all_reduce(reported)
            if not torch.isfinite(reported):
                raise SystemExit(f"epoch {epoch + 1}, step {step + 1}: the loss is {float(reported)} (non-finite); stopping with the last checkpoint kept")
            loss.backward()
            if settings["clip_grad_norm"] is not None:
                torch.nn.utils.clip_grad_norm_(model.parameters(), settings["clip_grad_norm"])
            optimizer.step()
            step += 1
            if rank == 0:
                log.write(json.dumps({"epoch": epoch + 1, "step": step, "loss": float(reported), "lr": optimizer.param_groups[0]["lr"]}) + "\n")
                log.flush()
            if args.max_steps is not None and step >= args.max_steps:
                break
        if rank == 0:
            save(module, settings, os.path.join(args.out, f"epoch-{epoch + 1}.pt"))
        if args.max_steps is not None and step >= args.max_steps:
            break
    if rank == 0:
        save(module, settings, os.path.join(args.out, "model.pt"))
        log.close()
        print(f"{args.out}: model.pt after {step} steps, last loss {json.loads(open(os.path.join(args.out, 'losses.jsonl')).readlines()[-1])['loss'] if step else float('nan'):.6f}")
    if world > 1:
        dist.destroy_process_group()


class AllOutputs(torch.nn.Module):
    """The model with every CTC node's outputs as its forward, for DDP (whose hooks run on forward); the
    state dict saved is the inner model's, with the C# model's names."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, features, feature_lengths):
        return self.inner.run(features, feature_lengths)


def weighted_loss(outputs, labels, label_lengths, local, total, world):
    """This process's part of the global batch's loss, scaled so that DDP's average of gradients over
    processes equals the gradient of the loss one process computes over the whole batch: a mean over
    n of N utterances counts n/N of it, a sum counts whole, and DDP divides by the number of processes."""
    loss = 0
    for name, weight, reduction, zero_infinity in generated.CTC_NODES:
        logits, lengths = outputs[name]
        node = nn_rt.ctc_loss(logits, lengths, labels, label_lengths, generated.BLANK, reduction, zero_infinity)
        share = world if reduction == "sum" else world * local / total
        loss = loss + weight * share * node
    return loss


if __name__ == "__main__":
    main()
