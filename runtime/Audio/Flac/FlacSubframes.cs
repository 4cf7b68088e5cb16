using System;

namespace CtcDsl.Runtime.Audio.Flac;

/// <summary>
/// One channel of a FLAC frame: its subframe header, then constant, verbatim, fixed-polynomial or LPC
/// samples, residuals decoded in place and the prediction added back. Sums are 64-bit, so 32-bit
/// audio (33-bit side channels) and high-order, high-precision predictors cannot overflow.
/// </summary>
internal static class FlacSubframes
{
    public static void Decode(FlacBitReader reader, Span<long> samples, int bits)
    {
        if (reader.ReadBits(1) != 0) throw new FlacFormatException("a subframe's padding bit is set");
        var type = (int)reader.ReadBits(6);
        var wasted = 0;
        if (reader.ReadBits(1) == 1)
        {
            wasted = (int)reader.ReadUnary() + 1;
            if (wasted >= bits) throw new FlacFormatException($"{wasted} wasted bits of a {bits}-bit subframe");
            bits -= wasted;
        }
        switch (type)
        {
            case 0:
                samples.Fill(reader.ReadSigned(bits));
                break;
            case 1:
                for (var i = 0; i < samples.Length; i++) samples[i] = reader.ReadSigned(bits);
                break;
            case >= 8 and <= 12:
                Fixed(reader, samples, bits, type - 8);
                break;
            case >= 32:
                Lpc(reader, samples, bits, type - 31);
                break;
            default:
                throw new FlacFormatException($"subframe type {type} is reserved");
        }
        if (wasted > 0)
            for (var i = 0; i < samples.Length; i++) samples[i] <<= wasted;
    }

    private static void Fixed(FlacBitReader reader, Span<long> s, int bits, int order)
    {
        if (order > s.Length) throw new FlacFormatException($"a fixed predictor of order {order} in a block of {s.Length} samples");
        for (var i = 0; i < order; i++) s[i] = reader.ReadSigned(bits);
        Residual(reader, s, order);
        switch (order)
        {
            case 1:
                for (var i = 1; i < s.Length; i++) s[i] += s[i - 1];
                break;
            case 2:
                for (var i = 2; i < s.Length; i++) s[i] += 2 * s[i - 1] - s[i - 2];
                break;
            case 3:
                for (var i = 3; i < s.Length; i++) s[i] += 3 * (s[i - 1] - s[i - 2]) + s[i - 3];
                break;
            case 4:
                for (var i = 4; i < s.Length; i++) s[i] += 4 * (s[i - 1] + s[i - 3]) - 6 * s[i - 2] - s[i - 4];
                break;
        }
    }

    private static void Lpc(FlacBitReader reader, Span<long> s, int bits, int order)
    {
        if (order > s.Length) throw new FlacFormatException($"an LPC predictor of order {order} in a block of {s.Length} samples");
        for (var i = 0; i < order; i++) s[i] = reader.ReadSigned(bits);
        var precision = (int)reader.ReadBits(4) + 1;
        if (precision == 16) throw new FlacFormatException("LPC coefficient precision code 15 is invalid");
        var shift = (int)reader.ReadSigned(5);
        if (shift < 0) throw new FlacFormatException($"a negative LPC shift ({shift})");
        // Coefficient j multiplies the sample j + 1 back; stored oldest first, so the history is read forwards.
        Span<long> coefficients = stackalloc long[order];
        for (var j = 0; j < order; j++) coefficients[order - 1 - j] = reader.ReadSigned(precision);
        Residual(reader, s, order);
        for (var i = order; i < s.Length; i++)
        {
            var history = s.Slice(i - order, order);
            long sum = 0;
            for (var j = 0; j < history.Length; j++) sum += coefficients[j] * history[j];
            s[i] += sum >> shift;
        }
    }

    /// <summary>The residual after the warm-up samples: Rice partitions (4- or 5-bit parameters) or escaped raw values.</summary>
    private static void Residual(FlacBitReader reader, Span<long> s, int order)
    {
        var method = reader.ReadBits(2);
        if (method > 1) throw new FlacFormatException($"residual coding method {method} is reserved");
        var parameterBits = method == 0 ? 4 : 5;
        var escape = (1 << parameterBits) - 1;
        var partitionOrder = (int)reader.ReadBits(4);
        var partitionSize = s.Length >> partitionOrder;
        if (partitionSize << partitionOrder != s.Length || partitionSize < order)
            throw new FlacFormatException($"residual partition order {partitionOrder} does not fit a block of {s.Length} samples with a predictor of order {order}");
        var at = order;
        for (var p = 0; p < 1 << partitionOrder; p++)
        {
            var count = p == 0 ? partitionSize - order : partitionSize;
            var parameter = (int)reader.ReadBits(parameterBits);
            var part = s.Slice(at, count);
            if (parameter == escape)
            {
                var rawBits = (int)reader.ReadBits(5);
                for (var i = 0; i < count; i++) part[i] = reader.ReadSigned(rawBits);
            }
            else
            {
                reader.ReadRice(part, parameter);
            }
            at += count;
        }
    }
}
