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
