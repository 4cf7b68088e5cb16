"""CtcDsl's runtime pieces in PyTorch, written by `ctcdsl export-pytorch` beside model.py.

Each mirrors a class or function of CtcDsl.Runtime (named in its docstring) so that a model built
here has the generated C# model's parameter names, shapes and arithmetic: a state dict saved on
either side loads on the other, and the logits agree.
"""
import math

import torch
from torch import nn
import torch.nn.functional as F


def valid_mask(lengths, time):
    """Sequences.ValidMask: [batch, time], True where t < lengths[b]."""
    return torch.arange(time, device=lengths.device).unsqueeze(0) < lengths.unsqueeze(1)


def zero_padding(x, lengths):
    """Sequences.ZeroPadding: a convolution then sees zeros past each sequence's end, as on the sequence alone."""
    return x * valid_mask(lengths.to(x.device), x.shape[1]).unsqueeze(-1).to(x.dtype)


def reverse_within_lengths(x, lengths):
    """Sequences.ReverseWithinLengths: each sequence reversed within its length, padding left in place."""
    time = x.shape[1]
    steps = torch.arange(time, device=x.device).unsqueeze(0)
    last = lengths.to(x.device).long().sub(1).unsqueeze(1)
    source = torch.where(steps <= last, last - steps, steps)
    return x.gather(1, source.unsqueeze(-1).expand(x.shape[0], time, x.shape[2]))


def convolved_lengths(lengths, kernel, stride, padding, dilation):
    """Sequences.ConvolvedLengths: floor((L + 2p - d(k - 1) - 1) / s) + 1, at least 0."""
    span = dilation * (kernel - 1) + 1
    return torch.div(lengths + (2 * padding - span), stride, rounding_mode="floor").add(1).clamp_min(0)


class BidirectionalRnn(nn.Module):
    """Nn.BidirectionalRnn: per layer a forward and a backward one-layer RNN, the backward one on each
    sequence reversed within its length (exact on padded batches without packing)."""

    def __init__(self, kind, input_size, hidden_size, layers=1, dropout=0.0):
        super().__init__()
        cell = nn.LSTM if kind == "lstm" else nn.GRU
        # The C# module's field names, so the state dict keys match: forwardLayers.N.*, backwardLayers.N.*.
        self.forwardLayers = nn.ModuleList()
        self.backwardLayers = nn.ModuleList()
        for layer in range(layers):
            width = input_size if layer == 0 else 2 * hidden_size
            self.forwardLayers.append(cell(width, hidden_size, batch_first=True))
            self.backwardLayers.append(cell(width, hidden_size, batch_first=True))
        self.dropout = nn.Dropout(dropout) if dropout > 0 and layers > 1 else None

    def directions(self):
        """Every one-layer RNN, forward and backward of layer 0 first (for initialisation)."""
        for ahead, behind in zip(self.forwardLayers, self.backwardLayers):
            yield ahead
            yield behind

    def forward(self, x, lengths):
        for layer, (ahead, behind) in enumerate(zip(self.forwardLayers, self.backwardLayers)):
            if layer > 0 and self.dropout is not None:
                x = self.dropout(x)
            forward_out = ahead(x)[0]
            backward_out = reverse_within_lengths(behind(reverse_within_lengths(x, lengths))[0], lengths)
            x = torch.cat([forward_out, backward_out], -1)
        return x


class Conv1d(nn.Module):
    """Nn.Conv1d: a 1-D convolution over time on [batch, time, channels]; weight [out, in, kernel], bias [out]."""

    def __init__(self, in_channels, out_channels, kernel, stride=1, padding=0, dilation=1):
        super().__init__()
        self.kernel, self.stride, self.padding, self.dilation = kernel, stride, padding, dilation
        bound = 1.0 / math.sqrt(in_channels * kernel)
        self.weight = nn.Parameter(torch.empty(out_channels, in_channels, kernel).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(out_channels).uniform_(-bound, bound))

    def forward(self, x):
        return F.conv1d(x.transpose(1, 2), self.weight, self.bias, self.stride, self.padding, self.dilation).transpose(1, 2)


class MaskedBatchNorm(nn.Module):
    """Nn.MaskedBatchNorm: batch norm over features whose statistics use valid frames only."""

    def __init__(self, features, epsilon=1e-5, momentum=0.1):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(features))
        self.bias = nn.Parameter(torch.zeros(features))
        self.register_buffer("running_mean", torch.zeros(features))
        self.register_buffer("running_var", torch.ones(features))
        self.epsilon, self.momentum = epsilon, momentum

    def forward(self, x, lengths):
        if self.training:
            mask = valid_mask(lengths.to(x.device), x.shape[1]).unsqueeze(-1).to(x.dtype)
            count = mask.sum().clamp_min(1)
            mean = (x * mask).sum((0, 1)) / count
            variance = ((x - mean).pow(2) * mask).sum((0, 1)) / count
            with torch.no_grad():
                unbiased = variance * count / (count - 1).clamp_min(1)
                self.running_mean.mul_(1 - self.momentum).add_(mean.detach() * self.momentum)
                self.running_var.mul_(1 - self.momentum).add_(unbiased.detach() * self.momentum)
        else:
            mean, variance = self.running_mean, self.running_var
        return (x - mean) / (variance + self.epsilon).sqrt() * self.weight + self.bias


def clear_padding(x, lengths):
    """Sequences.ClearPadding: frames past each length set to 0 by selection (NaN or inf there cannot leak)."""
    padding = ~valid_mask(lengths.to(x.device), x.shape[1])
    return x.masked_fill(padding.reshape(padding.shape + (1,) * (x.dim() - 2)), 0.0)


# ---- Attention (Nn.Attention, MultiHeadSelfAttention, RelPositionMultiHeadAttention) ----

MASKED_SCORE = -10000.0  # Attention.MaskedScore: finite, so a row of padding queries stays finite


def split_heads(projected, heads):
    """Attention.SplitHeads: [batch, time, d] -> [batch, heads, time, d / heads]."""
    batch, time, size = projected.shape
    return projected.view(batch, time, heads, size // heads).transpose(1, 2)


def padding_mask(lengths, time, device):
    """Attention.PaddingMask: [batch, 1, query, key], True where the query or the key is padding."""
    valid = valid_mask(lengths.to(device), time)
    return (valid.unsqueeze(2) & valid.unsqueeze(1)).logical_not().unsqueeze(1)


def attend(scores, mask, value, dropout):
    """Attention.Attend: masked softmax (masked weights then exactly 0), dropout, heads merged back."""
    probabilities = scores.masked_fill(mask, MASKED_SCORE).softmax(-1).masked_fill(mask, 0.0)
    weighted = torch.matmul(dropout(probabilities), value)
    batch, heads, time, head_size = weighted.shape
    return weighted.transpose(1, 2).reshape(batch, time, heads * head_size)


class MultiHeadSelfAttention(nn.Module):
    """Nn.MultiHeadSelfAttention: separate q, k, v projections (NeMo's names), padding masked."""

    def __init__(self, size, heads, dropout=0.0):
        super().__init__()
        self.heads, self.head_size = heads, size // heads
        self.linear_q = nn.Linear(size, size)
        self.linear_k = nn.Linear(size, size)
        self.linear_v = nn.Linear(size, size)
        self.linear_out = nn.Linear(size, size)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, lengths):
        q = split_heads(self.linear_q(x), self.heads)
        k = split_heads(self.linear_k(x), self.heads)
        v = split_heads(self.linear_v(x), self.heads)
        scores = torch.matmul(q, k.transpose(-2, -1)) / math.sqrt(self.head_size)
        return self.linear_out(attend(scores, padding_mask(lengths, x.shape[1], x.device), v, self.dropout))


def rel_shift(x):
    """RelPositionMultiHeadAttention.RelShift (NeMo's rel_shift): moves slot time-1-(i-j) to column j of row i."""
    batch, heads, queries, slots = x.shape
    folded = F.pad(x, (1, 0)).view(batch, heads, -1, queries)
    return folded[:, :, 1:].reshape(batch, heads, queries, slots)


class RelPositionMultiHeadAttention(nn.Module):
    """Nn.RelPositionMultiHeadAttention: Transformer-XL attention with NeMo's names (pos_bias_u, pos_bias_v
    start at zero, as in the runtime)."""

    def __init__(self, size, heads, dropout=0.0):
        super().__init__()
        self.heads, self.head_size = heads, size // heads
        self.linear_q = nn.Linear(size, size)
        self.linear_k = nn.Linear(size, size)
        self.linear_v = nn.Linear(size, size)
        self.linear_out = nn.Linear(size, size)
        self.linear_pos = nn.Linear(size, size, bias=False)
        self.pos_bias_u = nn.Parameter(torch.zeros(heads, self.head_size))
        self.pos_bias_v = nn.Parameter(torch.zeros(heads, self.head_size))
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, lengths, positions):
        time = x.shape[1]
        q = split_heads(self.linear_q(x), self.heads).transpose(1, 2)  # [batch, time, heads, d_k]
        k = split_heads(self.linear_k(x), self.heads)
        v = split_heads(self.linear_v(x), self.heads)
        p = split_heads(self.linear_pos(positions), self.heads)  # [1, heads, 2 time - 1, d_k]
        content = torch.matmul((q + self.pos_bias_u).transpose(1, 2), k.transpose(-2, -1))
        position = rel_shift(torch.matmul((q + self.pos_bias_v).transpose(1, 2), p.transpose(-2, -1)))[..., :time]
        scores = (content + position) / math.sqrt(self.head_size)
        return self.linear_out(attend(scores, padding_mask(lengths, time, x.device), v, self.dropout))


# ---- Positions (SinusoidalPositionalEncoding, RelPositionalEncoding) ----

def sinusoid_table(positions, size):
    """SinusoidalPositionalEncoding.Table: sin at even features, cos at odd ones."""
    frequencies = torch.arange(0, size, 2, dtype=positions.dtype, device=positions.device).mul(-math.log(10000.0) / size).exp()
    angles = positions.unsqueeze(1) * frequencies
    return torch.stack([angles.sin(), angles.cos()], -1).reshape(positions.shape[0], size)


def table_type(dtype):
    """SinusoidalPositionalEncoding.TableType: float64 tables for float64 inputs, float32 otherwise."""
    return torch.float64 if dtype == torch.float64 else torch.float32


class SinusoidalPositionalEncoding(nn.Module):
    """Nn.SinusoidalPositionalEncoding: x times sqrt(d) when scaled, plus Vaswani's table, dropped out."""

    def __init__(self, size, dropout=0.0, scale=True):
        super().__init__()
        self.size, self.scale = size, scale
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        positions = torch.arange(x.shape[1], dtype=table_type(x.dtype), device=x.device)
        table = sinusoid_table(positions, self.size).to(x.dtype).unsqueeze(0)
        scaled = x * math.sqrt(self.size) if self.scale else x
        return self.dropout(scaled + table)


class RelPositionalEncoding(nn.Module):
    """Nn.RelPositionalEncoding: the scaled, dropped-out input and the table of distances time-1 ... -(time-1)."""

    def __init__(self, size, dropout=0.0, scale=True):
        super().__init__()
        self.size, self.scale = size, scale
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        time = x.shape[1]
        distances = torch.arange(time - 1, -time, -1, dtype=table_type(x.dtype), device=x.device)
        table = sinusoid_table(distances, self.size).to(x.dtype).unsqueeze(0)
        scaled = x * math.sqrt(self.size) if self.scale else x
        return self.dropout(scaled), table


def positional_encoding(positions, size, dropout, scale):
    return RelPositionalEncoding(size, dropout, scale) if positions == "relative" else SinusoidalPositionalEncoding(size, dropout, scale)


def add_positions(pos_enc, x):
    """(x with its positions, the relative-distance table or None): what the encoders hand their layers."""
    if isinstance(pos_enc, RelPositionalEncoding):
        return pos_enc(x)
    return pos_enc(x), None


def self_attention(positions, size, heads, dropout):
    return RelPositionMultiHeadAttention(size, heads, dropout) if positions == "relative" else MultiHeadSelfAttention(size, heads, dropout)


# ---- Conformer (ConformerEncoder, ConformerBlock, ConformerConvolution, ConformerFeedForward) ----

class DepthwiseConv1d(nn.Module):
    """Nn.DepthwiseConv1d: one odd kernel per channel, length kept; weight [channels, 1, kernel]."""

    def __init__(self, channels, kernel):
        super().__init__()
        bound = 1.0 / math.sqrt(kernel)
        self.weight = nn.Parameter(torch.empty(channels, 1, kernel).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(channels).uniform_(-bound, bound))

    def forward(self, x):
        padding = (self.weight.shape[2] - 1) // 2
        return F.conv1d(x.transpose(1, 2), self.weight, self.bias, 1, padding, 1, self.weight.shape[0]).transpose(1, 2)


class ConformerFeedForward(nn.Module):
    """Nn.ConformerFeedForward: linear, Swish, dropout, linear."""

    def __init__(self, size, hidden, dropout=0.0):
        super().__init__()
        self.linear1 = nn.Linear(size, hidden)
        self.linear2 = nn.Linear(hidden, size)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        return self.linear2(self.dropout(F.silu(self.linear1(x))))


class ConformerConvolution(nn.Module):
    """Nn.ConformerConvolution: pointwise to 2d, GLU, padding cleared, depthwise, norm, Swish, pointwise."""

    def __init__(self, size, kernel=31, norm="batch_norm"):
        super().__init__()
        self.pointwise_conv1 = nn.Linear(size, 2 * size)
        self.depthwise_conv = DepthwiseConv1d(size, kernel)
        self.norm = MaskedBatchNorm(size) if norm == "batch_norm" else nn.LayerNorm(size)
        self.pointwise_conv2 = nn.Linear(size, size)

    def forward(self, x, lengths):
        convolved = self.depthwise_conv(clear_padding(F.glu(self.pointwise_conv1(x), -1), lengths))
        normalized = self.norm(convolved, lengths) if isinstance(self.norm, MaskedBatchNorm) else self.norm(convolved)
        return self.pointwise_conv2(F.silu(normalized))


class ConformerBlock(nn.Module):
    """Nn.ConformerBlock (NeMo's ConformerLayer): half feed-forward, attention, convolution, half
    feed-forward, LayerNorm; output padding cleared."""

    def __init__(self, size, heads, feed_forward, kernel=31, norm="batch_norm", dropout=0.0, attention_dropout=0.0, positions="relative"):
        super().__init__()
        self.norm_feed_forward1 = nn.LayerNorm(size)
        self.feed_forward1 = ConformerFeedForward(size, feed_forward, dropout)
        self.norm_self_att = nn.LayerNorm(size)
        self.self_attn = self_attention(positions, size, heads, attention_dropout)
        self.norm_conv = nn.LayerNorm(size)
        self.conv = ConformerConvolution(size, kernel, norm)
        self.norm_feed_forward2 = nn.LayerNorm(size)
        self.feed_forward2 = ConformerFeedForward(size, feed_forward, dropout)
        self.norm_out = nn.LayerNorm(size)
        self.dropout = nn.Dropout(dropout)

    def attention(self, x, lengths, positions):
        if isinstance(self.self_attn, RelPositionMultiHeadAttention):
            return self.self_attn(x, lengths, positions)
        return self.self_attn(x, lengths)

    def forward(self, x, lengths, positions):
        residual = x + self.dropout(self.feed_forward1(self.norm_feed_forward1(x))) * 0.5
        residual = residual + self.dropout(self.attention(self.norm_self_att(residual), lengths, positions))
        residual = residual + self.dropout(self.conv(self.norm_conv(residual), lengths))
        residual = residual + self.dropout(self.feed_forward2(self.norm_feed_forward2(residual))) * 0.5
        return clear_padding(self.norm_out(residual), lengths)


class ConformerEncoder(nn.Module):
    """Nn.ConformerEncoder: pre_encode when the input is not d_model wide, positions, the blocks."""

    def __init__(self, input_size, size, heads, blocks, feed_forward, conv_kernel=31, conv_norm="batch_norm",
                 dropout=0.0, attention_dropout=0.0, input_dropout=0.0, positions="relative", scale_input=True):
        super().__init__()
        self.pre_encode = nn.Linear(input_size, size) if input_size != size else None
        self.pos_enc = positional_encoding(positions, size, input_dropout, scale_input)
        self.layers = nn.ModuleList(ConformerBlock(size, heads, feed_forward, conv_kernel, conv_norm, dropout, attention_dropout, positions)
                                    for _ in range(blocks))

    def forward(self, x, lengths):
        y = clear_padding(x, lengths)
        if self.pre_encode is not None:
            y = self.pre_encode(y)
        y, positions = add_positions(self.pos_enc, y)
        for block in self.layers:
            y = block(y, lengths, positions)
        return y


# ---- Transformer (TransformerEncoder, TransformerEncoderLayer) ----

class TransformerEncoderLayer(nn.Module):
    """Nn.TransformerEncoderLayer: torch.nn.TransformerEncoderLayer's arithmetic with separate q, k, v
    projections (so relative attention fits too); output padding cleared."""

    def __init__(self, size, heads, feed_forward, dropout=0.0, norm_first=True, positions="absolute", activation="relu"):
        super().__init__()
        self.self_attn = self_attention(positions, size, heads, dropout)
        self.linear1 = nn.Linear(size, feed_forward)
        self.linear2 = nn.Linear(feed_forward, size)
        self.norm1 = nn.LayerNorm(size)
        self.norm2 = nn.LayerNorm(size)
        self.dropout = nn.Dropout(dropout)
        self.dropout1 = nn.Dropout(dropout)
        self.dropout2 = nn.Dropout(dropout)
        self.norm_first = norm_first
        self.activation = F.gelu if activation == "gelu" else F.relu

    def attention(self, x, lengths, positions):
        if isinstance(self.self_attn, RelPositionMultiHeadAttention):
            return self.self_attn(x, lengths, positions)
        return self.self_attn(x, lengths)

    def feed_forward(self, x):
        return self.linear2(self.dropout(self.activation(self.linear1(x))))

    def forward(self, x, lengths, positions):
        if self.norm_first:
            y = x + self.dropout1(self.attention(self.norm1(x), lengths, positions))
            y = y + self.dropout2(self.feed_forward(self.norm2(y)))
        else:
            y = self.norm1(x + self.dropout1(self.attention(x, lengths, positions)))
            y = self.norm2(y + self.dropout2(self.feed_forward(y)))
        return clear_padding(y, lengths)


class TransformerEncoder(nn.Module):
    """Nn.TransformerEncoder: input_projection when needed, positions, the layers, a final norm when pre-norm."""

    def __init__(self, input_size, size, heads, layers, feed_forward, dropout=0.0, norm_first=True, positions="absolute",
                 activation="relu", scale_input=True):
        super().__init__()
        self.input_projection = nn.Linear(input_size, size) if input_size != size else None
        self.pos_enc = positional_encoding(positions, size, dropout, scale_input)
        self.layers = nn.ModuleList(TransformerEncoderLayer(size, heads, feed_forward, dropout, norm_first, positions, activation)
                                    for _ in range(layers))
        self.norm = nn.LayerNorm(size) if norm_first else None

    def forward(self, x, lengths):
        y = clear_padding(x, lengths)
        if self.input_projection is not None:
            y = self.input_projection(y)
        y, positions = add_positions(self.pos_enc, y)
        for layer in self.layers:
            y = layer(y, lengths, positions)
        if self.norm is not None:
            y = clear_padding(self.norm(y), lengths)
        return y


# ---- Subsampling (Conv2dSubsampling, Conv2d) ----

class Conv2d(nn.Module):
    """Nn.Conv2d: torch.nn.Conv2d's parameters ([out, in, k, k], bias) and initialisation; NCHW here."""

    def __init__(self, in_channels, out_channels, kernel, stride=1, padding=0):
        super().__init__()
        self.stride, self.padding = stride, padding
        bound = 1.0 / math.sqrt(in_channels * kernel * kernel)
        self.weight = nn.Parameter(torch.empty(out_channels, in_channels, kernel, kernel).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(out_channels).uniform_(-bound, bound))

    def forward(self, x):
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding)


class Conv2dSubsampling(nn.Module):
    """Nn.Conv2dSubsampling (NeMo's striding subsampling): log2(factor) stride-2 conv2d layers with ReLU over
    [batch, 1, time, freq], padding frames zeroed before each, then `out` over (channel, freq) features."""

    def __init__(self, input_size, output_size, factor=4, channels=144, kernel=3):
        super().__init__()
        self.kernel = kernel
        layers = {2: 1, 4: 2, 8: 3}[factor]
        frequencies = input_size
        self.conv = nn.ModuleList()
        for i in range(layers):
            self.conv.append(Conv2d(1 if i == 0 else channels, channels, kernel, stride=2, padding=(kernel - 1) // 2))
            frequencies = (frequencies + 2 * ((kernel - 1) // 2) - kernel) // 2 + 1
        self.out = nn.Linear(channels * frequencies, output_size)

    def output_lengths(self, lengths):
        for _ in self.conv:
            lengths = convolved_lengths(lengths, self.kernel, 2, (self.kernel - 1) // 2, 1)
        return lengths

    def forward(self, x, lengths):
        y = x.unsqueeze(1)  # [batch, 1, time, freq]
        for convolution in self.conv:
            time = y.shape[2]
            y = F.relu(convolution(y.masked_fill(~valid_mask(lengths.to(y.device), time)[:, None, :, None], 0.0)))
            lengths = convolved_lengths(lengths, self.kernel, 2, (self.kernel - 1) // 2, 1)
        batch, channels, time, frequencies = y.shape
        return self.out(y.transpose(1, 2).reshape(batch, time, channels * frequencies))


def glorot_uniform(weight):
    """Initializers.GlorotUniform."""
    nn.init.xavier_uniform_(weight)


def orthogonal(weight):
    """Initializers.Orthogonal."""
    nn.init.orthogonal_(weight)


def zeros(weight):
    """Initializers.Zeros."""
    nn.init.zeros_(weight)


def uniform(weight, low, high):
    """Initializers.Uniform."""
    nn.init.uniform_(weight, low, high)


def truncated_normal(weight, mean, stddev):
    """Initializers.TruncatedNormal: Normal(mean, stddev) within two standard deviations, by inverting the CDF."""
    lower = (1 + math.erf(-2.0 / math.sqrt(2.0))) / 2
    upper = (1 + math.erf(2.0 / math.sqrt(2.0))) / 2
    with torch.no_grad():
        weight.uniform_(2 * lower - 1, 2 * upper - 1).erfinv_()
        weight.mul_(stddev * math.sqrt(2.0)).add_(mean).clamp_(mean - 2 * stddev, mean + 2 * stddev)


def forget_gate_bias(bias, value=1.0):
    """Initializers.ForgetGateBias: Keras' unit_forget_bias on a PyTorch LSTM bias (gates i, f, g, o)."""
    hidden = bias.shape[0] // 4
    with torch.no_grad():
        bias.narrow(0, hidden, hidden).fill_(value)


def ctc_loss(logits, logit_lengths, labels, label_lengths, blank, reduction, zero_infinity):
    """Loss.CtcLoss: per-utterance NLL from log-softmaxed logits, then mean, sum or length_normalized_mean."""
    log_probs = F.log_softmax(logits.float(), dim=-1).transpose(0, 1)
    losses = F.ctc_loss(log_probs, labels, logit_lengths, label_lengths, blank=blank, reduction="none", zero_infinity=zero_infinity)
    if reduction == "sum":
        return losses.sum()
    if reduction == "length_normalized_mean":
        return (losses / label_lengths.to(losses.device).to(losses.dtype).clamp_min(1)).mean()
    return losses.mean()


def spec_augment(features, generator, frequency_masks, max_frequency_width, time_masks, max_time_width, max_time_fraction):
    """Audio.SpecAugment on one utterance [time, channels]: masks filled with the utterance's mean value.
    Same distribution of masks as the runtime's; the random stream is PyTorch's, not .NET's."""
    frames, channels = features.shape
    result = features.clone()
    if frames == 0:
        return result
    fill = features.mean()

    def draw(high):
        return int(torch.randint(0, high + 1, (1,), generator=generator))

    for _ in range(frequency_masks):
        width = draw(min(max_frequency_width, channels))
        start = draw(channels - width)
        result[:, start:start + width] = fill
    max_time = min(max_time_width, int(max_time_fraction * frames))
    for _ in range(time_masks):
        width = draw(max_time)
        start = draw(frames - width)
        result[start:start + width, :] = fill
    return result
