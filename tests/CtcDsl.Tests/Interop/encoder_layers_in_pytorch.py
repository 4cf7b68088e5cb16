"""Independent PyTorch references for CtcDsl's encoder layers (issue 24), run by EncoderLayerReferenceTests.

Usage: encoder_layers_in_pytorch.py DIRECTORY

DIRECTORY holds config.json ({"block": ..., "lengths": [...], options}), the input x.bin, the
upstream gradient upstream.bin and every tensor of the module's state dict as param.NAME.bin (raw
little-endian float32 with a NAME.bin.shape file of sizes). The reference runs in float64 on those
weights, computes y = block(x, lengths) and the gradients of sum(y * upstream) with respect to x and
every parameter, and writes out.bin, grad.x.bin and grad.NAME.bin in the same format.

The references are written from the papers and PyTorch's own modules, not from CtcDsl's code:
torch.nn.MultiheadAttention's functional core, torch.nn.TransformerEncoderLayer, torch.nn.Conv2d,
grouped torch.nn.functional.conv1d, torch.nn.functional.batch_norm over the valid frames gathered
together, and Transformer-XL relative attention written with an explicit table lookup of the
distance i - j (NeMo's RelPositionMultiHeadAttention computes the same with its rel_shift trick).
"""
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
DIRECTORY = sys.argv[1]


def read(name):
    path = os.path.join(DIRECTORY, name)
    with open(path + ".shape") as handle:
        text = handle.read().split()
    shape = [int(s) for s in text]
    data = np.fromfile(path, dtype="<f8")
    return torch.from_numpy(data).reshape(shape)


def write(name, tensor):
    path = os.path.join(DIRECTORY, name)
    tensor.detach().to(torch.float64).contiguous().numpy().astype("<f8").tofile(path)
    with open(path + ".shape", "w") as handle:
        handle.write(" ".join(str(s) for s in tensor.shape))


def j(name, part):
    """The state-dict name of part inside module name ("" for the module under test itself)."""
    return f"{name}.{part}" if name else part


def valid_mask(lengths, time):
    return torch.arange(time)[None, :] < lengths[:, None]


def linear(x, W, name):
    return F.linear(x, W[j(name, "weight")], W.get(j(name, "bias")))


def layer_norm(x, W, name):
    return F.layer_norm(x, (x.shape[-1],), W[j(name, "weight")], W[j(name, "bias")], 1e-5)


def masked_batch_norm(x, lengths, W, name):
    """Training-mode batch norm whose statistics are those of the valid frames alone: PyTorch's batch_norm
    on the valid frames gathered into one [frames, channels] batch, scattered back (padding left 0)."""
    valid = valid_mask(lengths, x.shape[1])
    normed = F.batch_norm(x[valid], None, None, W[j(name, "weight")], W[j(name, "bias")], training=True, eps=1e-5)
    out = torch.zeros_like(x)
    out[valid] = normed
    return out


def sinusoids(positions, size):
    """Vaswani et al.'s table: sin at even features, cos at odd ones, for float64 positions."""
    frequencies = torch.exp(torch.arange(0, size, 2, dtype=torch.float64) * -(math.log(10000.0) / size))
    angles = positions[:, None] * frequencies[None, :]
    table = torch.zeros(len(positions), size)
    table[:, 0::2] = torch.sin(angles)
    table[:, 1::2] = torch.cos(angles)
    return table


def relative_table(time, size):
    """Distances time-1 ... -(time-1), slot s holding distance time-1-s."""
    return sinusoids(torch.arange(time - 1, -time, -1, dtype=torch.float64), size)


def plain_attention(x, lengths, W, heads, name):
    """torch.nn.MultiheadAttention's functional core with in_proj_weight = [W_q; W_k; W_v]."""
    size = x.shape[-1]
    weight = torch.cat([W[j(name, "linear_q.weight")], W[j(name, "linear_k.weight")], W[j(name, "linear_v.weight")]])
    bias = torch.cat([W[j(name, "linear_q.bias")], W[j(name, "linear_k.bias")], W[j(name, "linear_v.bias")]])
    seq_first = x.transpose(0, 1)
    out, _ = F.multi_head_attention_forward(
        seq_first, seq_first, seq_first, size, heads, weight, bias, None, None, False, 0.0,
        W[j(name, "linear_out.weight")], W[j(name, "linear_out.bias")], training=True,
        key_padding_mask=~valid_mask(lengths, x.shape[1]), need_weights=False)
    return out.transpose(0, 1)


def relative_attention(x, lengths, table, W, heads, name):
    """Transformer-XL attention (Dai et al. 2019, eq. for A^rel with u and v), distances looked up directly:
    score(i, j) = ((q_i + u) . k_j + (q_i + v) . p_{i-j}) / sqrt(d_k), keys past the length at -inf."""
    batch, time, size = x.shape
    dk = size // heads
    q = linear(x, W, j(name, "linear_q")).view(batch, time, heads, dk)
    k = linear(x, W, j(name, "linear_k")).view(batch, time, heads, dk)
    v = linear(x, W, j(name, "linear_v")).view(batch, time, heads, dk)
    p = F.linear(table, W[j(name, "linear_pos.weight")]).view(-1, heads, dk)
    query = torch.arange(time)[:, None]
    key = torch.arange(time)[None, :]
    by_distance = p[(time - 1) - (query - key)]  # [time, time, heads, dk]: slot of distance i - j
    content = torch.einsum("bihd,bjhd->bhij", q + W[j(name, "pos_bias_u")], k)
    position = torch.einsum("bihd,ijhd->bhij", q + W[j(name, "pos_bias_v")], by_distance)
    scores = (content + position) / math.sqrt(dk)
    keys = valid_mask(lengths, time)[:, None, None, :]
    weights = scores.masked_fill(~keys, float("-inf")).softmax(-1)
    context = torch.einsum("bhij,bjhd->bihd", weights, v).reshape(batch, time, size)
    return linear(context, W, j(name, "linear_out"))


def attention(x, lengths, table, W, cfg, name):
    if cfg["positions"] == "relative":
        return relative_attention(x, lengths, table, W, cfg["heads"], name)
    return plain_attention(x, lengths, W, cfg["heads"], name)


def subsampling(x, lengths, W, cfg):
    """Stride-2 torch.nn.functional.conv2d layers over [batch, 1, time, freq] with ReLU, frames past each
    length zeroed before each convolution, then the projection of (channel, freq) features."""
    kernel = cfg["kernel"]
    pad = (kernel - 1) // 2
    h = x[:, None, :, :]
    current = lengths.clone()
    for layer in range(cfg["layers"]):
        h = h * valid_mask(current, h.shape[2])[:, None, :, None]
        h = F.relu(F.conv2d(h, W[f"conv.{layer}.weight"], W[f"conv.{layer}.bias"], stride=2, padding=pad))
        current = torch.div(current + 2 * pad - kernel, 2, rounding_mode="floor") + 1
    batch, channels, time, freq = h.shape
    return linear(h.transpose(1, 2).reshape(batch, time, channels * freq), W, "out"), current


def convolution_module(x, lengths, W, cfg, name):
    """Gulati et al.'s convolution module: pointwise (as linear), GLU, padding zeroed, grouped conv1d, norm, Swish, pointwise."""
    size = x.shape[-1]
    h = F.glu(linear(x, W, j(name, "pointwise_conv1")), dim=-1)
    h = h.masked_fill(~valid_mask(lengths, x.shape[1])[:, :, None], 0.0)
    h = F.conv1d(h.transpose(1, 2), W[j(name, "depthwise_conv.weight")], W[j(name, "depthwise_conv.bias")],
                 padding=(cfg["kernel"] - 1) // 2, groups=size).transpose(1, 2)
    if cfg["norm"] == "batch_norm":
        h = masked_batch_norm(h, lengths, W, j(name, "norm"))
    else:
        h = layer_norm(h, W, j(name, "norm"))
    return linear(F.silu(h), W, j(name, "pointwise_conv2"))


def feed_forward(x, W, name):
    return linear(F.silu(linear(x, W, j(name, "linear1"))), W, j(name, "linear2"))


def conformer_block(x, lengths, table, W, cfg, name):
    """Gulati et al. 2020, eq. 1: half-step FFN, MHSA, convolution, half-step FFN, LayerNorm (pre-norm inside)."""
    r = x + 0.5 * feed_forward(layer_norm(x, W, j(name, "norm_feed_forward1")), W, j(name, "feed_forward1"))
    r = r + attention(layer_norm(r, W, j(name, "norm_self_att")), lengths, table, W, cfg, j(name, "self_attn"))
    r = r + convolution_module(layer_norm(r, W, j(name, "norm_conv")), lengths, W, cfg, j(name, "conv"))
    r = r + 0.5 * feed_forward(layer_norm(r, W, j(name, "norm_feed_forward2")), W, j(name, "feed_forward2"))
    return layer_norm(r, W, j(name, "norm_out"))


def transformer_layer(x, lengths, table, W, cfg, name):
    act = F.gelu if cfg.get("activation") == "gelu" else F.relu

    def ff(h):
        return linear(act(linear(h, W, j(name, "linear1"))), W, j(name, "linear2"))

    if cfg["norm_first"]:
        x = x + attention(layer_norm(x, W, j(name, "norm1")), lengths, table, W, cfg, j(name, "self_attn"))
        return x + ff(layer_norm(x, W, j(name, "norm2")))
    x = layer_norm(x + attention(x, lengths, table, W, cfg, j(name, "self_attn")), W, j(name, "norm1"))
    return layer_norm(x + ff(x), W, j(name, "norm2"))


def encoder_input(x, W, cfg, projection):
    """Projection when present, x * sqrt(d) when scaled, absolute sinusoids added or the relative table."""
    if j(projection, "weight") in W:
        x = linear(x, W, projection)
    size = x.shape[-1]
    if cfg["scale"]:
        x = x * math.sqrt(size)
    table = None
    if cfg["positions"] == "relative":
        table = relative_table(x.shape[1], size)
    else:
        x = x + sinusoids(torch.arange(x.shape[1], dtype=torch.float64), size)[None]
    return x, table


def torch_transformer_layer(x, lengths, W, cfg):
    """torch.nn.TransformerEncoderLayer itself, weights copied in and its gradients mapped back."""
    size = x.shape[-1]
    layer = torch.nn.TransformerEncoderLayer(size, cfg["heads"], cfg["feed_forward"], dropout=0.0,
                                             activation=cfg.get("activation", "relu"), batch_first=True,
                                             norm_first=cfg["norm_first"])
    layer.train()
    with torch.no_grad():
        layer.self_attn.in_proj_weight.copy_(torch.cat([W[f"self_attn.linear_{n}.weight"] for n in "qkv"]))
        layer.self_attn.in_proj_bias.copy_(torch.cat([W[f"self_attn.linear_{n}.bias"] for n in "qkv"]))
        layer.self_attn.out_proj.weight.copy_(W["self_attn.linear_out.weight"])
        layer.self_attn.out_proj.bias.copy_(W["self_attn.linear_out.bias"])
        for name in ("linear1", "linear2", "norm1", "norm2"):
            getattr(layer, name).weight.copy_(W[j(name, "weight")])
            getattr(layer, name).bias.copy_(W[j(name, "bias")])
    y = layer(x, src_key_padding_mask=~valid_mask(lengths, x.shape[1]))

    def grads():
        mapped = {}
        for index, n in enumerate("qkv"):
            mapped[f"self_attn.linear_{n}.weight"] = layer.self_attn.in_proj_weight.grad[index * size:(index + 1) * size]
            mapped[f"self_attn.linear_{n}.bias"] = layer.self_attn.in_proj_bias.grad[index * size:(index + 1) * size]
        mapped["self_attn.linear_out.weight"] = layer.self_attn.out_proj.weight.grad
        mapped["self_attn.linear_out.bias"] = layer.self_attn.out_proj.bias.grad
        for name in ("linear1", "linear2", "norm1", "norm2"):
            mapped[j(name, "weight")] = getattr(layer, name).weight.grad
            mapped[j(name, "bias")] = getattr(layer, name).bias.grad
        return mapped

    return y, grads


def main():
    with open(os.path.join(DIRECTORY, "config.json")) as handle:
        cfg = json.load(handle)
    lengths = torch.tensor(cfg["lengths"], dtype=torch.int64)
    x = read("x.bin").requires_grad_(True)
    upstream = read("upstream.bin")
    W = {}
    for entry in sorted(os.listdir(DIRECTORY)):
        if entry.startswith("param.") and entry.endswith(".bin"):
            W[entry[len("param."):-len(".bin")]] = read(entry).requires_grad_(True)

    block = cfg["block"]
    mapped_grads = None
    if block == "attention":
        y = plain_attention(x, lengths, W, cfg["heads"], "")
    elif block == "relative_attention":
        h, table = encoder_input(x, W, cfg, "none")
        y = relative_attention(h, lengths, table, W, cfg["heads"], "")
    elif block == "subsampling":
        y, _ = subsampling(x, lengths, W, cfg)
    elif block == "convolution":
        y = convolution_module(x, lengths, W, cfg, "")
    elif block == "conformer":
        h, table = encoder_input(x, W, cfg, "pre_encode")
        for index in range(cfg["blocks"]):
            h = conformer_block(h, lengths, table, W, cfg, f"layers.{index}")
        y = h
    elif block == "torch_transformer_layer":
        y, mapped_grads = torch_transformer_layer(x, lengths, W, cfg)
    elif block == "transformer":
        h, table = encoder_input(x, W, cfg, "input_projection")
        for index in range(cfg["layers"]):
            h = transformer_layer(h, lengths, table, W, cfg, f"layers.{index}")
        if cfg["norm_first"]:
            h = layer_norm(h, W, "norm")
        y = h
    else:
        raise SystemExit(f"unknown block {block}")

    (y * upstream).sum().backward()
    write("out.bin", y)
    write("grad.x.bin", x.grad)
    grads = mapped_grads() if mapped_grads else {name: tensor.grad for name, tensor in W.items()}
    for name, grad in grads.items():
        if grad is not None:
            write(f"grad.{name}.bin", grad)
    print("ok")


main()
