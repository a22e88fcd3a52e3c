using PanicDevice.Core.Protocol;

namespace PanicDevice.Tests.Support;

/// <summary>Valid frames and keys for tests that need "some good frame".</summary>
public static class SampleFrames
{
    public static byte[] Key(byte start)
    {
        byte[] k = new byte[FrameCodec.KeyLength];
        for (int i = 0; i < k.Length; i++)
        {
            k[i] = (byte)(start + i);
        }
        return k;
    }

    public static Frame Alert(string id = "fob-0001", uint counter = 7)
    {
        Frame f = Frame.Create(MessageKind.Alert, id, counter, (byte)AlertCode.Panic);
        f.TimeUtcSeconds = 1795000000;
        f.LatitudeE7 = -61753924;
        f.LongitudeE7 = 1068271528;
        f.AccuracyM = 8;
        f.FixAgeS = 3;
        f.Source = LocationSource.Gnss;
        f.BatteryPercent = 87;
        f.SignalDbm = -71;
        return f;
    }

    /// <summary>A random frame that is valid for its kind.</summary>
    public static Frame Random(Random rng)
    {
        MessageKind[] kinds = { MessageKind.Alert, MessageKind.Update, MessageKind.Cancel, MessageKind.Heartbeat, MessageKind.Ack, MessageKind.Status };
        MessageKind kind = kinds[rng.Next(kinds.Length)];
        byte code = kind switch
        {
            MessageKind.Alert or MessageKind.Update => (byte)new[] { AlertCode.Panic, AlertCode.HoldUp, AlertCode.Test, AlertCode.ButtonFault }[rng.Next(4)],
            MessageKind.Cancel => (byte)(rng.Next(2) == 0 ? AlertCode.Cancel : AlertCode.DuressCancel),
            MessageKind.Heartbeat => 0,
            MessageKind.Ack => (byte)AlertStatus.Received,
            _ => (byte)rng.Next(1, 6),
        };
        const string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.";
        char[] id = new char[rng.Next(1, FrameCodec.MaxDeviceIdLength + 1)];
        for (int i = 0; i < id.Length; i++)
        {
            id[i] = alphabet[rng.Next(alphabet.Length)];
        }
        Frame f = Frame.Create(kind, new string(id), (uint)rng.NextInt64(0, uint.MaxValue + 1L), code);
        f.TimeUtcSeconds = (uint)rng.NextInt64(0, uint.MaxValue + 1L);
        f.Source = (LocationSource)rng.Next(4);
        if (f.Source != LocationSource.None)
        {
            f.LatitudeE7 = rng.Next(-900000000, 900000001);
            f.LongitudeE7 = rng.Next(-1800000000, 1800000001);
        }
        f.AccuracyM = (ushort)rng.Next(0, 65536);
        f.FixAgeS = (ushort)rng.Next(0, 65536);
        f.BatteryPercent = rng.Next(5) == 0 ? Frame.UnknownBattery : (byte)rng.Next(0, 101);
        f.SignalDbm = (sbyte)rng.Next(-128, 1);
        f.Flags = (byte)rng.Next(0, FrameFlags.All + 1);
        return f;
    }

    public static void AssertSameFields(Frame expected, Frame actual)
    {
        Assert.AreEqual(expected.Kind, actual.Kind);
        Assert.AreEqual(expected.DeviceId, actual.DeviceId);
        Assert.AreEqual(expected.Counter, actual.Counter);
        Assert.AreEqual(expected.Code, actual.Code);
        Assert.AreEqual(expected.TimeUtcSeconds, actual.TimeUtcSeconds);
        Assert.AreEqual(expected.LatitudeE7, actual.LatitudeE7);
        Assert.AreEqual(expected.LongitudeE7, actual.LongitudeE7);
        Assert.AreEqual(expected.AccuracyM, actual.AccuracyM);
        Assert.AreEqual(expected.FixAgeS, actual.FixAgeS);
        Assert.AreEqual(expected.Source, actual.Source);
        Assert.AreEqual(expected.BatteryPercent, actual.BatteryPercent);
        Assert.AreEqual(expected.SignalDbm, actual.SignalDbm);
        Assert.AreEqual(expected.Flags, actual.Flags);
    }
}
