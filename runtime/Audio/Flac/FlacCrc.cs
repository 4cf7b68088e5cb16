namespace CtcDsl.Runtime.Audio.Flac;

/// <summary>The two checksums of a FLAC frame: CRC-8 (polynomial x⁸+x²+x+1) over the header, CRC-16 (x¹⁶+x¹⁵+x²+1) over the whole frame.</summary>
internal static class FlacCrc
{
    private static readonly byte[] Crc8Table = BuildCrc8();
    private static readonly ushort[] Crc16Table = BuildCrc16();

    public static byte Crc8(System.ReadOnlySpan<byte> bytes)
    {
        byte crc = 0;
        foreach (var b in bytes) crc = Crc8Table[crc ^ b];
        return crc;
    }

    public static ushort Crc16(System.ReadOnlySpan<byte> bytes)
    {
        ushort crc = 0;
        foreach (var b in bytes) crc = (ushort)((crc << 8) ^ Crc16Table[(crc >> 8) ^ b]);
        return crc;
    }

    private static byte[] BuildCrc8()
    {
        var table = new byte[256];
        for (var i = 0; i < 256; i++)
        {
            var crc = i;
            for (var bit = 0; bit < 8; bit++) crc = (crc & 0x80) != 0 ? (crc << 1) ^ 0x07 : crc << 1;
            table[i] = (byte)crc;
        }
        return table;
    }

    private static ushort[] BuildCrc16()
    {
        var table = new ushort[256];
        for (var i = 0; i < 256; i++)
        {
            var crc = i << 8;
            for (var bit = 0; bit < 8; bit++) crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x8005 : crc << 1;
            table[i] = (ushort)crc;
        }
        return table;
    }
}
