namespace PanicDevice.Receiver.Pipeline;

/// <summary>What the anti-replay window says about a counter.</summary>
internal enum ReplayVerdict
{
    /// <summary>Never seen and inside (or ahead of) the window: accept.</summary>
    New,
    /// <summary>Seen before. Only the bytes tell whether it is the same frame again (its SMS copy, a resend) or another frame under a used counter: FrameStore compares them.</summary>
    Duplicate,
    /// <summary>Older than the window can remember: the same frame if the store holds these bytes under it, refused otherwise.</summary>
    TooOld,
}

/// <summary>
/// Per-device sliding window in the style of RFC 4303 §3.4.3: the highest counter accepted and a bitmap
/// of the <see cref="Size"/> counters below it. Frames may arrive out of order (an SMS copy minutes after
/// later MQTT frames), so a window, not a "greater than last" rule. The state is two numbers, stored
/// with the device so the window survives restarts and is shared by every receiver instance.
/// </summary>
internal sealed class ReplayWindow
{
    /// <summary>Counters remembered below the highest (RFC 4303 requires ≥ 32; the frame rate of one device makes 256 ample).</summary>
    public const int Size = 256;

    private readonly ulong[] bits = new ulong[Size / 64];

    /// <summary>Highest counter accepted so far; 0 before the first (device counters start at 1).</summary>
    public uint Highest { get; private set; }

    /// <summary>Classifies a counter without changing the window.</summary>
    public ReplayVerdict Check(uint counter)
    {
        if (counter == 0)
        {
            return ReplayVerdict.TooOld;
        }
        if (counter > Highest)
        {
            return ReplayVerdict.New;
        }
        uint offset = Highest - counter;
        if (offset >= Size)
        {
            return ReplayVerdict.TooOld;
        }
        return IsSet((int)offset) ? ReplayVerdict.Duplicate : ReplayVerdict.New;
    }

    /// <summary>Marks a counter as seen. Call only after the frame is stored, so a crash never loses a frame the window claims.</summary>
    public void Mark(uint counter)
    {
        if (Check(counter) != ReplayVerdict.New)
        {
            return;
        }
        if (counter > Highest)
        {
            Shift(counter - Highest);
            Highest = counter;
            Set(0);
        }
        else
        {
            Set((int)(Highest - counter));
        }
    }

    /// <summary>The window as bytes for storage: highest (4, big-endian) then the bitmap.</summary>
    public byte[] ToBytes()
    {
        var b = new byte[4 + Size / 8];
        b[0] = (byte)(Highest >> 24); b[1] = (byte)(Highest >> 16); b[2] = (byte)(Highest >> 8); b[3] = (byte)Highest;
        for (int i = 0; i < bits.Length; i++)
        {
            for (int k = 0; k < 8; k++)
            {
                b[4 + i * 8 + k] = (byte)(bits[i] >> (8 * k));
            }
        }
        return b;
    }

    /// <summary>Restores a window saved by <see cref="ToBytes"/>; an empty or malformed value gives a fresh window.</summary>
    public static ReplayWindow FromBytes(byte[]? b)
    {
        var w = new ReplayWindow();
        if (b == null || b.Length != 4 + Size / 8)
        {
            return w;
        }
        w.Highest = ((uint)b[0] << 24) | ((uint)b[1] << 16) | ((uint)b[2] << 8) | b[3];
        for (int i = 0; i < w.bits.Length; i++)
        {
            ulong v = 0;
            for (int k = 0; k < 8; k++)
            {
                v |= (ulong)b[4 + i * 8 + k] << (8 * k);
            }
            w.bits[i] = v;
        }
        return w;
    }

    private bool IsSet(int offset) => (bits[offset / 64] & (1UL << (offset % 64))) != 0;

    private void Set(int offset) => bits[offset / 64] |= 1UL << (offset % 64);

    /// <summary>Moves every remembered counter <paramref name="by"/> places further from the new highest.</summary>
    private void Shift(uint by)
    {
        if (by >= Size)
        {
            Array.Clear(bits);
            return;
        }
        int words = (int)by / 64;
        int rest = (int)by % 64;
        for (int i = bits.Length - 1; i >= 0; i--)
        {
            ulong v = i - words >= 0 ? bits[i - words] << rest : 0;
            if (rest != 0 && i - words - 1 >= 0)
            {
                v |= bits[i - words - 1] >> (64 - rest);
            }
            bits[i] = v;
        }
    }
}
