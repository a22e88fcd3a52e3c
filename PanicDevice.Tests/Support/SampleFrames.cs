using PanicDevice.Core.Protocol;

namespace PanicDevice.Tests.Support
{
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

        /// <summary>A key that passes provisioning's strength check (Key counts up, which provisioning refuses); the same on every run.</summary>
        public static byte[] RandomKey(int seed)
        {
            TestRandom rng = new TestRandom(seed);
            byte[] k = new byte[FrameCodec.KeyLength];
            for (int i = 0; i < k.Length; i++)
            {
                k[i] = (byte)rng.Next(256);
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

        private static readonly MessageKind[] Kinds = { MessageKind.Alert, MessageKind.Update, MessageKind.Cancel, MessageKind.Heartbeat, MessageKind.Ack, MessageKind.Status };
        private static readonly AlertCode[] AlertCodes = { AlertCode.Panic, AlertCode.HoldUp, AlertCode.Test, AlertCode.ButtonFault };
        private const string IdAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.";

        /// <summary>A random frame that is valid for its kind.</summary>
        public static Frame Random(TestRandom rng)
        {
            MessageKind kind = Kinds[rng.Next(Kinds.Length)];
            byte code;
            switch (kind)
            {
                case MessageKind.Alert:
                case MessageKind.Update:
                    code = (byte)AlertCodes[rng.Next(AlertCodes.Length)];
                    break;
                case MessageKind.Cancel:
                    code = (byte)(rng.Next(2) == 0 ? AlertCode.Cancel : AlertCode.DuressCancel);
                    break;
                case MessageKind.Heartbeat:
                    code = 0;
                    break;
                case MessageKind.Ack:
                    code = (byte)AlertStatus.Received;
                    break;
                default:
                    code = (byte)rng.Next(1, 6);
                    break;
            }
            char[] id = new char[rng.Next(1, FrameCodec.MaxDeviceIdLength + 1)];
            for (int i = 0; i < id.Length; i++)
            {
                id[i] = IdAlphabet[rng.Next(IdAlphabet.Length)];
            }
            Frame f = Frame.Create(kind, new string(id), rng.NextUInt32(), code);
            f.TimeUtcSeconds = rng.NextUInt32();
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
            Assert.AreEqual((int)expected.Kind, (int)actual.Kind, "kind");
            Assert.AreEqual(expected.DeviceId, actual.DeviceId, "device id");
            Assert.AreEqual(expected.Counter, actual.Counter, "counter");
            Assert.AreEqual(expected.Code, actual.Code, "code");
            Assert.AreEqual(expected.TimeUtcSeconds, actual.TimeUtcSeconds, "time");
            Assert.AreEqual(expected.LatitudeE7, actual.LatitudeE7, "latitude");
            Assert.AreEqual(expected.LongitudeE7, actual.LongitudeE7, "longitude");
            Assert.AreEqual(expected.AccuracyM, actual.AccuracyM, "accuracy");
            Assert.AreEqual(expected.FixAgeS, actual.FixAgeS, "fix age");
            Assert.AreEqual((int)expected.Source, (int)actual.Source, "source");
            Assert.AreEqual(expected.BatteryPercent, actual.BatteryPercent, "battery");
            Assert.AreEqual(expected.SignalDbm, actual.SignalDbm, "signal");
            Assert.AreEqual(expected.Flags, actual.Flags, "flags");
            Assert.AreEqual(expected.NextCounter, actual.NextCounter, "next counter");
            Assert.AreEqual(expected.AnsweredTag, actual.AnsweredTag, "answered tag");
        }
    }
}
