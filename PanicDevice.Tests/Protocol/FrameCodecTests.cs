using PanicDevice.Core.Protocol;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Protocol;

[TestClass]
public class FrameCodecTests
{
    private static readonly byte[] Key = SampleFrames.Key(0);

    [TestMethod]
    public void RandomValidFramesRoundTripThroughBytesAndText()
    {
        var rng = new TestRandom(4231);
        for (int i = 0; i < 5000; i++)
        {
            Frame f = SampleFrames.Random(rng);
            byte[] bytes = FrameCodec.Encode(f, Key);
            Assert.AreEqual(FrameCodec.FrameLength(f.DeviceId.Length), bytes.Length);

            DecodeResult r = FrameCodec.DecodeAndVerify(bytes, Key);
            Assert.AreEqual(DecodeStatus.Ok, r.Status, r.Detail);
            SampleFrames.AssertSameFields(f, r.Frame);

            string sms = FrameText.Encode(bytes);
            Assert.IsLessThanOrEqualTo(FrameText.MaxTextLength, sms.Length);
            CollectionAssert.AreEqual(bytes, FrameText.ToBytes(sms));
        }
    }

    [TestMethod]
    public void LongestFrameFitsOneSmsWithItsPrefix()
    {
        Frame f = SampleFrames.Alert(new string('x', FrameCodec.MaxDeviceIdLength));
        byte[] bytes = FrameCodec.Encode(f, Key);
        Assert.AreEqual(FrameCodec.MaxFrameLength, bytes.Length);
        string sms = FrameText.Encode(bytes);
        Assert.AreEqual(FrameText.MaxTextLength, sms.Length);
        Assert.IsLessThanOrEqualTo(160, sms.Length);
        // Every character must be a one-septet GSM 03.38 default-alphabet character.
        const string gsmSafe = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=:";
        Assert.IsTrue(sms.All(c => gsmSafe.Contains(c)), sms);
    }

    [TestMethod]
    public void ChangingAnySingleByteIsDetected()
    {
        byte[] good = FrameCodec.Encode(SampleFrames.Alert(), Key);
        for (int i = 0; i < good.Length; i++)
        {
            for (int bit = 0; bit < 8; bit++)
            {
                byte[] bad = (byte[])good.Clone();
                bad[i] ^= (byte)(1 << bit);
                DecodeResult r = FrameCodec.DecodeAndVerify(bad, Key);
                Assert.AreNotEqual(DecodeStatus.Ok, r.Status, "byte " + i + " bit " + bit + " changed without detection");
                Assert.IsNull(r.Frame);
            }
        }
    }

    [TestMethod]
    public void TamperedPayloadWithValidStructureIsBadTag()
    {
        byte[] bad = FrameCodec.Encode(SampleFrames.Alert(counter: 1), Key);
        bad[3 + 8 + 3] ^= 0x01; // lowest counter byte: still a well-formed frame
        Assert.AreEqual(DecodeStatus.Ok, FrameCodec.Decode(bad).Status);
        Assert.AreEqual(DecodeStatus.BadTag, FrameCodec.DecodeAndVerify(bad, Key).Status);
    }

    [TestMethod]
    public void WrongKeyIsBadTag()
    {
        byte[] bytes = FrameCodec.Encode(SampleFrames.Alert(), Key);
        Assert.AreEqual(DecodeStatus.BadTag, FrameCodec.DecodeAndVerify(bytes, SampleFrames.Key(1)).Status);
        Assert.IsFalse(FrameCodec.VerifyTag(bytes, new byte[16]));
        Assert.IsFalse(FrameCodec.VerifyTag(bytes, null));
    }

    [TestMethod]
    public void EmptyAndNullAreEmpty()
    {
        Assert.AreEqual(DecodeStatus.Empty, FrameCodec.Decode(null).Status);
        Assert.AreEqual(DecodeStatus.Empty, FrameCodec.Decode(Array.Empty<byte>()).Status);
    }

    [TestMethod]
    public void OversizedIsTooLongBeforeAnyParsing()
    {
        byte[] big = new byte[FrameCodec.MaxFrameLength + 1];
        big[0] = 0xEE; // would be UnknownVersion if parsed
        Assert.AreEqual(DecodeStatus.TooLong, FrameCodec.Decode(big).Status);
        Assert.AreEqual(DecodeStatus.TooLong, FrameCodec.Decode(new byte[1_000_000]).Status);
    }

    [TestMethod]
    public void OtherVersionIsUnknownVersion()
    {
        byte[] bytes = FrameCodec.Encode(SampleFrames.Alert(), Key);
        bytes[0] = 2;
        DecodeResult r = FrameCodec.Decode(bytes);
        Assert.AreEqual(DecodeStatus.UnknownVersion, r.Status);
        StringAssert.Contains(r.Detail, "version 2");
    }

    [TestMethod]
    public void EveryShorterPrefixIsTruncated()
    {
        byte[] bytes = FrameCodec.Encode(SampleFrames.Alert(), Key);
        for (int n = 1; n < bytes.Length; n++)
        {
            Assert.AreEqual(DecodeStatus.Truncated, FrameCodec.Decode(bytes[..n]).Status, "prefix of " + n + " bytes");
        }
    }

    [TestMethod]
    public void ExtraTrailingBytesAreBadLength()
    {
        byte[] bytes = FrameCodec.Encode(SampleFrames.Alert(), Key);
        byte[] longer = bytes.Concat(new byte[] { 0 }).ToArray();
        Assert.AreEqual(DecodeStatus.BadLength, FrameCodec.Decode(longer).Status);
        Assert.IsFalse(FrameCodec.VerifyTag(longer, Key));
    }

    [TestMethod]
    [DataRow((byte)0x00)]
    [DataRow((byte)0x05)]
    [DataRow((byte)0x80)]
    [DataRow((byte)0x83)]
    [DataRow((byte)0xFF)]
    public void UndefinedKindIsUnknownKind(byte kind)
    {
        byte[] bytes = FrameCodec.Encode(SampleFrames.Alert(), Key);
        bytes[1] = kind;
        Assert.AreEqual(DecodeStatus.UnknownKind, FrameCodec.Decode(bytes).Status);
    }

    [TestMethod]
    public void BadDeviceIdLengthOrCharactersAreBadDeviceId()
    {
        byte[] bytes = FrameCodec.Encode(SampleFrames.Alert(), Key);
        byte[] zero = (byte[])bytes.Clone();
        zero[2] = 0;
        Assert.AreEqual(DecodeStatus.BadDeviceId, FrameCodec.Decode(zero).Status);
        byte[] tooLong = (byte[])bytes.Clone();
        tooLong[2] = FrameCodec.MaxDeviceIdLength + 1;
        Assert.AreEqual(DecodeStatus.BadDeviceId, FrameCodec.Decode(tooLong).Status);
        foreach (char c in "/+#\0 é")
        {
            byte[] badChar = (byte[])bytes.Clone();
            badChar[4] = (byte)c;
            Assert.AreEqual(DecodeStatus.BadDeviceId, FrameCodec.Decode(badChar).Status, "character " + (int)c);
        }
    }

    [TestMethod]
    public void OutOfRangeFieldsAreBadFieldNamingTheField()
    {
        AssertBadField(f => f.LatitudeE7 = 900000001, "latitude");
        AssertBadField(f => f.LongitudeE7 = -1800000001, "longitude");
        AssertBadField(f => f.Source = (LocationSource)4, "location source");
        AssertBadField(f => { f.Source = LocationSource.None; f.LatitudeE7 = 1; }, "position");
        AssertBadField(f => f.BatteryPercent = 101, "battery");
        AssertBadField(f => f.SignalDbm = 1, "signal");
        AssertBadField(f => f.Flags = 0x10, "flag");
        AssertBadField(f => f.Code = (byte)AlertCode.Cancel, "alert code");
        AssertBadField(f => { f.Kind = MessageKind.Cancel; f.Code = (byte)AlertCode.Panic; }, "cancel code");
        AssertBadField(f => { f.Kind = MessageKind.Heartbeat; f.Code = 1; }, "heartbeat");
        AssertBadField(f => { f.Kind = MessageKind.Ack; f.Code = (byte)AlertStatus.Resolved; }, "acknowledgement");
        AssertBadField(f => { f.Kind = MessageKind.Status; f.Code = 6; }, "status");
    }

    private static void AssertBadField(Action<Frame> spoil, string expectedInDetail)
    {
        Frame f = SampleFrames.Alert();
        spoil(f);
        Assert.IsNotNull(FrameCodec.Validate(f), "Encode must refuse: " + expectedInDetail);
        Assert.ThrowsExactly<ArgumentException>(() => FrameCodec.Encode(f, Key));

        // Build the same bytes by hand from a valid frame to prove the decoder refuses them too.
        Frame valid = SampleFrames.Alert();
        byte[] bytes = FrameCodec.Encode(valid, Key);
        int p = 3 + valid.DeviceId.Length;
        bytes[0] = 1;
        bytes[1] = (byte)f.Kind;
        bytes[p + 4] = f.Code;
        WriteInt(bytes, p + 9, f.LatitudeE7);
        WriteInt(bytes, p + 13, f.LongitudeE7);
        bytes[p + 21] = (byte)f.Source;
        bytes[p + 22] = f.BatteryPercent;
        bytes[p + 23] = (byte)f.SignalDbm;
        bytes[p + 24] = f.Flags;
        DecodeResult r = FrameCodec.Decode(bytes);
        Assert.AreEqual(DecodeStatus.BadField, r.Status, expectedInDetail);
        StringAssert.Contains(r.Detail, expectedInDetail);
    }

    private static void WriteInt(byte[] b, int p, int v)
    {
        b[p] = (byte)(v >> 24);
        b[p + 1] = (byte)(v >> 16);
        b[p + 2] = (byte)(v >> 8);
        b[p + 3] = (byte)v;
    }

    [TestMethod]
    public void EncodeRefusesBadKeysWithoutEchoingThem()
    {
        Frame f = SampleFrames.Alert();
        var e = Assert.ThrowsExactly<ArgumentException>(() => FrameCodec.Encode(f, new byte[31]));
        StringAssert.Contains(e.Message, "32 bytes");
        Assert.ThrowsExactly<ArgumentException>(() => FrameCodec.Encode(f, null));
        byte[] secret = SampleFrames.Key(0x41);
        f.DeviceId = "bad/id";
        var e2 = Assert.ThrowsExactly<ArgumentException>(() => FrameCodec.Encode(f, secret));
        Assert.IsFalse(e2.Message.Contains(RepoFiles.ToHex(secret)) || e2.Message.Contains(Convert.ToBase64String(secret)));
    }

    [TestMethod]
    public void AckIsBoundToDeviceCounterAndKindSoItCannotBeReflectedOrReused()
    {
        Frame alert = SampleFrames.Alert(counter: 41);
        byte[] alertBytes = FrameCodec.Encode(alert, Key);
        byte[] ack = FrameCodec.Encode(Frame.AckFor(alert, 1795000001), Key);
        DecodeResult decoded = FrameCodec.DecodeAndVerify(ack, Key);
        Assert.AreEqual(MessageKind.Ack, decoded.Frame.Kind);
        Assert.AreEqual(41u, decoded.Frame.Counter);
        Assert.IsTrue(decoded.Frame.IsFromReceiver);

        // The device's own frame with its kind byte switched to Ack does not verify.
        byte[] reflected = (byte[])alertBytes.Clone();
        reflected[1] = (byte)MessageKind.Ack;
        Assert.AreEqual(DecodeStatus.BadTag, FrameCodec.DecodeAndVerify(reflected, Key).Status);
    }

    [TestMethod]
    public void FixedTimeEqualsComparesWholeRangesAndRejectsBadRanges()
    {
        byte[] a = { 1, 2, 3, 4 };
        byte[] b = { 9, 1, 2, 3, 4 };
        Assert.IsTrue(TagComparer.FixedTimeEquals(a, 0, b, 1, 4));
        Assert.IsFalse(TagComparer.FixedTimeEquals(a, 0, b, 0, 4));
        b[4] = 5;
        Assert.IsFalse(TagComparer.FixedTimeEquals(a, 0, b, 1, 4), "last byte differs");
        Assert.IsFalse(TagComparer.FixedTimeEquals(a, 0, b, 2, 4), "range past the end");
        Assert.IsFalse(TagComparer.FixedTimeEquals(a, -1, b, 0, 1));
        Assert.IsFalse(TagComparer.FixedTimeEquals(null, 0, b, 0, 1));
    }
}
