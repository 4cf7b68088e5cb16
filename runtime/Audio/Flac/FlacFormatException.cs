using System;

namespace CtcDsl.Runtime.Audio.Flac;

/// <summary>What is wrong with the bytes of a FLAC stream; the decoder adds the file, frame and byte to it.</summary>
internal sealed class FlacFormatException(string reason) : Exception(reason);

/// <summary>A frame ran past the buffered bytes while more of the stream remains: buffer more and decode it again.</summary>
internal sealed class FlacNeedMoreDataException() : Exception("A FLAC frame is larger than the bytes buffered for it.");
