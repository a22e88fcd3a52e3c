using System;
using PanicDevice.Core.Protocol;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Protocol;

[TestClass]
public class FrameCodecTests
{
    [TestMethod]
    public void RandomValidFramesRoundTripThroughBytesAndText()
    {
        byte[] key = SampleFrames.Key(0);
        TestRandom rng = new TestRandom(4231);
        for (int i = 0; i < 5000; i++)
        {
            Frame f = SampleFrames.Random(rng);
            byte[] bytes = FrameCodec.Encode(f, key);
            Assert.AreEqual(FrameCodec.FrameLength(f.DeviceId.Length), bytes.Length, "frame " + i.ToString());

            DecodeResult r = FrameCodec.DecodeAndVerify(bytes, key);
            Assert.AreEqual((int)DecodeStatus.Ok, (int)r.Status, "frame " + i.ToString() + ": " + r.Detail);
            SampleFrames.AssertSameFields(f, r.Frame);

            string sms = FrameText.Encode(bytes);
            Assert.IsTrue(sms.Length <= FrameText.MaxTextLength, "text of frame " + i.ToString() + " has " + sms.Length.ToString() + " characters");
            Expect.SameBytes(bytes, FrameText.ToBytes(sms), "text of frame " + i.ToString());
        }
    }

    [TestMethod]
    public void LongestFrameFitsOneSmsWithItsPrefix()
    {
        Frame f = SampleFrames.Alert(new string('x', FrameCodec.MaxDeviceIdLength));
        byte[] bytes = FrameCodec.Encode(f, SampleFrames.Key(0));
        Assert.AreEqual(FrameCodec.MaxFrameLength, bytes.Length);
        string sms = FrameText.Encode(bytes);
        Assert.AreEqual(FrameText.MaxTextLength, sms.Length);
        Assert.IsTrue(sms.Length <= 160, "longer than one SMS: " + sms.Length.ToString());
        // Every character must be a one-septet GSM 03.38 default-alphabet character.
        const string gsmSafe = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=:";
        for (int i = 0; i < sms.Length; i++)
        {
            Assert.IsTrue(gsmSafe.IndexOf(sms[i]) >= 0, "character " + i.ToString() + " of " + sms + " is not GSM-safe");
        }
    }

    [TestMethod]
    public void ChangingAnySingleByteIsDetected()
    {
        byte[] key = SampleFrames.Key(0);
        byte[] good = FrameCodec.Encode(SampleFrames.Alert(), key);
        for (int i = 0; i < good.Length; i++)
        {
            for (int bit = 0; bit < 8; bit++)
            {
                byte[] bad = (byte[])good.Clone();
                bad[i] ^= (byte)(1 << bit);
                DecodeResult r = FrameCodec.DecodeAndVerify(bad, key);
                Assert.AreNotEqual((int)DecodeStatus.Ok, (int)r.Status, "byte " + i.ToString() + " bit " + bit.ToString() + " changed without detection");
                Assert.IsNull(r.Frame, "a rejected frame still came with fields");
            }
        }
    }

    [TestMethod]
    public void TamperedPayloadWithValidStructureIsBadTag()
    {
        byte[] key = SampleFrames.Key(0);
        byte[] bad = FrameCodec.Encode(SampleFrames.Alert(counter: 1), key);
        bad[3 + 8 + 3] ^= 0x01; // lowest counter byte: still a well-formed frame
        Assert.AreEqual((int)DecodeStatus.Ok, (int)FrameCodec.Decode(bad).Status, "the tampered frame is well formed");
        Assert.AreEqual((int)DecodeStatus.BadTag, (int)FrameCodec.DecodeAndVerify(bad, key).Status);
    }

    [TestMethod]
    public void WrongKeyIsBadTag()
    {
        byte[] bytes = FrameCodec.Encode(SampleFrames.Alert(), SampleFrames.Key(0));
        Assert.AreEqual((int)DecodeStatus.BadTag, (int)FrameCodec.DecodeAndVerify(bytes, SampleFrames.Key(1)).Status);
        Assert.IsFalse(FrameCodec.VerifyTag(bytes, new byte[16]), "a 16-byte key verified");
        Assert.IsFalse(FrameCodec.VerifyTag(bytes, null), "no key verified");
    }

    [TestMethod]
    public void EmptyAndNullAreEmpty()
    {
        Assert.AreEqual((int)DecodeStatus.Empty, (int)FrameCodec.Decode(null).Status);
        Assert.AreEqual((int)DecodeStatus.Empty, (int)FrameCodec.Decode(new byte[0]).Status);
    }

    [TestMethod]
    public void OversizedIsTooLongBeforeAnyParsing()
    {
        byte[] big = new byte[FrameCodec.MaxFrameLength + 1];
        big[0] = 0xEE; // would be UnknownVersion if parsed
        Assert.AreEqual((int)DecodeStatus.TooLong, (int)FrameCodec.Decode(big).Status);
        Assert.AreEqual((int)DecodeStatus.TooLong, (int)FrameCodec.Decode(new byte[1_000_000]).Status);
    }

    [TestMethod]
    public void OtherVersionIsUnknownVersion()
    {
        byte[] bytes = FrameCodec.Encode(SampleFrames.Alert(), SampleFrames.Key(0));
        bytes[0] = 2;
        DecodeResult r = FrameCodec.Decode(bytes);
        Assert.AreEqual((int)DecodeStatus.UnknownVersion, (int)r.Status);
        Expect.Contains("version 2", r.Detail);
    }

    [TestMethod]
    public void EveryShorterPrefixIsTruncated()
    {
        byte[] bytes = FrameCodec.Encode(SampleFrames.Alert(), SampleFrames.Key(0));
        for (int n = 1; n < bytes.Length; n++)
        {
            Assert.AreEqual((int)DecodeStatus.Truncated, (int)FrameCodec.Decode(Prefix(bytes, n)).Status, "prefix of " + n.ToString() + " bytes");
        }
    }

    [TestMethod]
    public void ExtraTrailingBytesAreBadLength()
    {
        byte[] key = SampleFrames.Key(0);
        byte[] bytes = FrameCodec.Encode(SampleFrames.Alert(), key);
        byte[] longer = new byte[bytes.Length + 1];
        Array.Copy(bytes, longer, bytes.Length);
        Assert.AreEqual((int)DecodeStatus.BadLength, (int)FrameCodec.Decode(longer).Status);
        Assert.IsFalse(FrameCodec.VerifyTag(longer, key), "a frame with a trailing byte verified");
    }

    [TestMethod]
    [DataRow(0x00)]
    [DataRow(0x06)]
    [DataRow(0x80)]
    [DataRow(0x84)]
    [DataRow(0xFF)]
    public void UndefinedKindIsUnknownKind(int kind)
    {
        byte[] bytes = FrameCodec.Encode(SampleFrames.Alert(), SampleFrames.Key(0));
        bytes[1] = (byte)kind;
        Assert.AreEqual((int)DecodeStatus.UnknownKind, (int)FrameCodec.Decode(bytes).Status, "kind " + kind.ToString());
    }

    [TestMethod]
    public void BadDeviceIdLengthOrCharactersAreBadDeviceId()
    {
        byte[] bytes = FrameCodec.Encode(SampleFrames.Alert(), SampleFrames.Key(0));
        byte[] zero = (byte[])bytes.Clone();
        zero[2] = 0;
        Assert.AreEqual((int)DecodeStatus.BadDeviceId, (int)FrameCodec.Decode(zero).Status, "id length 0");
        byte[] tooLong = (byte[])bytes.Clone();
        tooLong[2] = FrameCodec.MaxDeviceIdLength + 1;
        Assert.AreEqual((int)DecodeStatus.BadDeviceId, (int)FrameCodec.Decode(tooLong).Status, "id length 33");
        string badChars = "/+#\0 é";
        for (int i = 0; i < badChars.Length; i++)
        {
            byte[] badChar = (byte[])bytes.Clone();
            badChar[4] = (byte)badChars[i];
            Assert.AreEqual((int)DecodeStatus.BadDeviceId, (int)FrameCodec.Decode(badChar).Status, "character " + ((int)badChars[i]).ToString());
        }
    }

    private delegate void FrameEdit(Frame f);

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
        AssertBadField(f => { f.Kind = MessageKind.Status; f.Code = (byte)AlertStatus.OperatorAcknowledged + 1; }, "status");
    }

    private static void AssertBadField(FrameEdit spoil, string expectedInDetail)
    {
        byte[] key = SampleFrames.Key(0);
        Frame f = SampleFrames.Alert();
        spoil(f);
        Assert.IsNotNull(FrameCodec.Validate(f), "Encode must refuse: " + expectedInDetail);
        Expect.Throws(typeof(ArgumentException), () => FrameCodec.Encode(f, key), expectedInDetail);

        // Build the same bytes by hand from a valid frame to prove the decoder refuses them too.
        Frame valid = SampleFrames.Alert();
        byte[] bytes = FrameCodec.Encode(valid, key);
        WriteFields(bytes, valid.DeviceId.Length, f);
        DecodeResult r = FrameCodec.Decode(bytes);
        Assert.AreEqual((int)DecodeStatus.BadField, (int)r.Status, expectedInDetail);
        Expect.Contains(expectedInDetail, r.Detail);
    }

    [TestMethod]
    public void FieldLimitsAreInclusiveAndOneBeyondIsBadField()
    {
        AssertGoodField(f => f.LatitudeE7 = 900000000, "latitude +90");
        AssertGoodField(f => f.LatitudeE7 = -900000000, "latitude -90");
        AssertGoodField(f => f.LongitudeE7 = 1800000000, "longitude +180");
        AssertGoodField(f => f.LongitudeE7 = -1800000000, "longitude -180");
        AssertGoodField(f => f.Source = LocationSource.FixedAddress, "last location source");
        AssertGoodField(f => f.BatteryPercent = 100, "battery 100 %");
        AssertGoodField(f => f.BatteryPercent = 0, "battery 0 %");
        AssertGoodField(f => f.BatteryPercent = Frame.UnknownBattery, "battery unknown");
        AssertGoodField(f => f.SignalDbm = 0, "signal unknown");
        AssertGoodField(f => f.SignalDbm = -128, "signal -128 dBm");
        AssertGoodField(f => f.Flags = FrameFlags.All, "every defined flag");
        AssertGoodField(f => f.Code = (byte)AlertCode.ButtonFault, "alert code ButtonFault");
        AssertGoodField(f => { f.Kind = MessageKind.Update; f.Code = (byte)AlertCode.HoldUp; }, "update code HoldUp");
        AssertGoodField(f => { f.Kind = MessageKind.Cancel; f.Code = (byte)AlertCode.DuressCancel; }, "cancel code DuressCancel");
        AssertGoodField(f => { f.Kind = MessageKind.Status; f.Code = (byte)AlertStatus.Received; }, "status Received");
        AssertGoodField(f => { f.Kind = MessageKind.Status; f.Code = (byte)AlertStatus.FalseAlarm; }, "status FalseAlarm");

        AssertBadField(f => f.LatitudeE7 = -900000001, "latitude");
        AssertBadField(f => f.LongitudeE7 = 1800000001, "longitude");
        AssertBadField(f => f.LatitudeE7 = int.MinValue, "latitude");
        AssertBadField(f => f.BatteryPercent = 254, "battery");
        AssertBadField(f => f.Source = (LocationSource)0xFF, "location source");
        AssertBadField(f => f.Flags = 0x80, "flag");
        AssertBadField(f => f.Code = (byte)AlertCode.None, "alert code");
        AssertBadField(f => { f.Kind = MessageKind.Update; f.Code = (byte)AlertCode.DuressCancel; }, "alert code");
        AssertBadField(f => { f.Kind = MessageKind.Cancel; f.Code = (byte)AlertCode.ButtonFault; }, "cancel code");
        AssertBadField(f => { f.Kind = MessageKind.Ack; f.Code = 0; }, "acknowledgement");
        AssertBadField(f => { f.Kind = MessageKind.Status; f.Code = 0; }, "status");
    }

    /// <summary>The changed frame encodes, and the same bytes written by hand into a valid frame decode with that value.</summary>
    private static void AssertGoodField(FrameEdit change, string what)
    {
        byte[] key = SampleFrames.Key(0);
        Frame f = SampleFrames.Alert();
        change(f);
        Assert.IsNull(FrameCodec.Validate(f), what + " refused: " + FrameCodec.Validate(f));
        DecodeResult r = FrameCodec.DecodeAndVerify(FrameCodec.Encode(f, key), key);
        Assert.AreEqual((int)DecodeStatus.Ok, (int)r.Status, what + ": " + r.Detail);
        SampleFrames.AssertSameFields(f, r.Frame);
    }

    [TestMethod]
    public void IdLengthByteThatDisagreesWithTheFrameIsTruncatedOrBadLength()
    {
        byte[] key = SampleFrames.Key(0);
        byte[] bytes = FrameCodec.Encode(SampleFrames.Alert("fob-0001"), key);
        byte[] longer = (byte[])bytes.Clone();
        longer[2] = 9;
        DecodeResult r = FrameCodec.Decode(longer);
        Assert.AreEqual((int)DecodeStatus.Truncated, (int)r.Status, "id length 9 in a frame with 8: " + r.Detail);
        Assert.IsFalse(FrameCodec.VerifyTag(longer, key), "id length 9 in a frame with 8 verified");
        byte[] shorter = (byte[])bytes.Clone();
        shorter[2] = 7;
        r = FrameCodec.Decode(shorter);
        Assert.AreEqual((int)DecodeStatus.BadLength, (int)r.Status, "id length 7 in a frame with 8: " + r.Detail);
        Assert.IsFalse(FrameCodec.VerifyTag(shorter, key), "id length 7 in a frame with 8 verified");
    }

    [TestMethod]
    public void EncodeRefusesFramesThatCouldNeverDecode()
    {
        byte[] key = SampleFrames.Key(0);
        Assert.IsNotNull(FrameCodec.Validate(null), "a missing frame passed validation");
        Expect.Throws(typeof(ArgumentException), () => FrameCodec.Encode(null, key), "no frame");
        string[] badIds = { null, "", new string('a', FrameCodec.MaxDeviceIdLength + 1), "fob 1", "fob:1", "fob\u0141", "fob\u00e9" };
        for (int i = 0; i < badIds.Length; i++)
        {
            Frame f = SampleFrames.Alert();
            f.DeviceId = badIds[i];
            // U+0141 has the low byte 0x41: cast to a byte it would go on the wire as "fobA", another device's id.
            Expect.Throws(typeof(ArgumentException), () => FrameCodec.Encode(f, key), "device id number " + i.ToString());
        }
        int[] badKinds = { 0, 6, 0x80, 0x84 };
        for (int i = 0; i < badKinds.Length; i++)
        {
            Frame f = SampleFrames.Alert();
            f.Kind = (MessageKind)badKinds[i];
            Expect.Throws(typeof(ArgumentException), () => FrameCodec.Encode(f, key), "kind " + badKinds[i].ToString());
        }
    }

    [TestMethod]
    public void CallReportsNameWhoTheyAreAboutAndNothingElse()
    {
        byte[] key = SampleFrames.Key(0);
        byte[] good = { CallReport.Code(CallEvent.EmergencyConnected, 0), CallReport.Code(CallEvent.GuardianConfirmed, 1), CallReport.Code(CallEvent.GuardianConfirmed, 8),
            CallReport.Code(CallEvent.NoGuardianConfirmed, 0), CallReport.Code(CallEvent.EmergencyUnanswered, 0), CallReport.Code(CallEvent.ListenedIn, 3),
            CallReport.Code(CallEvent.ListenedIn, CallReport.CallBackNumber) };
        for (int i = 0; i < good.Length; i++)
        {
            Frame f = Frame.Create(MessageKind.Call, "fob-0001", 7, good[i]);
            DecodeResult r = FrameCodec.DecodeAndVerify(FrameCodec.Encode(f, key), key);
            Assert.AreEqual((int)DecodeStatus.Ok, (int)r.Status, "code " + good[i].ToString());
            Assert.AreEqual(good[i], r.Frame.Code);
        }
        Assert.AreEqual(0x12, (int)CallReport.Code(CallEvent.GuardianConfirmed, 1), "event low, who high");
        Assert.AreEqual(2, CallReport.WhoOf(0x25));
        Assert.AreEqual((int)CallEvent.ListenedIn, (int)CallReport.EventOf(0x25));
        byte[] bad = { 0, CallReport.Code(CallEvent.GuardianConfirmed, 0), CallReport.Code(CallEvent.GuardianConfirmed, 9), CallReport.Code(CallEvent.EmergencyConnected, 2),
            CallReport.Code(CallEvent.ListenedIn, 0), CallReport.Code(CallEvent.ListenedIn, 12), 0x06, 0x0F };
        for (int i = 0; i < bad.Length; i++)
        {
            Assert.IsNotNull(CallReport.Problem(bad[i]), "code " + bad[i].ToString());
            Frame f = Frame.Create(MessageKind.Call, "fob-0001", 7, bad[i]);
            Expect.Throws(typeof(ArgumentException), () => FrameCodec.Encode(f, key), "code " + bad[i].ToString());
        }
    }

    [TestMethod]
    public void EveryKindEncodesWithNothingKnown()
    {
        // A press must be sent even before a fix, a clock, a battery reading or a signal: Create's defaults encode.
        byte[] key = SampleFrames.Key(0);
        MessageKind[] kinds = { MessageKind.Alert, MessageKind.Update, MessageKind.Cancel, MessageKind.Heartbeat, MessageKind.Call, MessageKind.Ack, MessageKind.Status };
        byte[] codes = { (byte)AlertCode.Panic, (byte)AlertCode.Panic, (byte)AlertCode.Cancel, (byte)AlertCode.None, CallReport.Code(CallEvent.EmergencyConnected, 0),
            (byte)AlertStatus.Received, (byte)AlertStatus.Resolved };
        for (int i = 0; i < kinds.Length; i++)
        {
            Frame f = Frame.Create(kinds[i], "fob-0001", 1, codes[i]);
            DecodeResult r = FrameCodec.DecodeAndVerify(FrameCodec.Encode(f, key), key);
            Assert.AreEqual((int)DecodeStatus.Ok, (int)r.Status, "kind " + ((int)kinds[i]).ToString() + ": " + r.Detail);
            Assert.AreEqual((int)LocationSource.None, (int)r.Frame.Source, "source");
            Assert.AreEqual(0, r.Frame.LatitudeE7, "latitude");
            Assert.AreEqual(0, r.Frame.LongitudeE7, "longitude");
            Assert.AreEqual(Frame.Unknown16, r.Frame.AccuracyM, "accuracy");
            Assert.AreEqual(Frame.Unknown16, r.Frame.FixAgeS, "fix age");
            Assert.AreEqual(Frame.UnknownBattery, r.Frame.BatteryPercent, "battery");
            Assert.AreEqual(0, (int)r.Frame.SignalDbm, "signal");
            Assert.AreEqual(0u, r.Frame.TimeUtcSeconds, "time");
            Assert.AreEqual(0, (int)r.Frame.Flags, "flags");
        }
    }

    [TestMethod]
    public void EncodingTheSameFrameTwiceGivesTheSameBytes()
    {
        // The second round runs backwards, so nothing one call leaves behind (in the key, the frame or the
        // codec) can line up with the call it would affect.
        byte[] key = SampleFrames.Key(0);
        TestRandom rng = new TestRandom(1212);
        Frame[] frames = new Frame[200];
        byte[][] first = new byte[frames.Length][];
        for (int i = 0; i < frames.Length; i++)
        {
            frames[i] = SampleFrames.Random(rng);
            first[i] = FrameCodec.Encode(frames[i], key);
        }
        for (int i = frames.Length - 1; i >= 0; i--)
        {
            Expect.SameBytes(first[i], FrameCodec.Encode(frames[i], key), "frame " + i.ToString() + " encoded again");
        }
    }

    /// <summary>Writes the kind and the range-checked fields of <paramref name="f"/> over an encoded frame, tag untouched.</summary>
    private static void WriteFields(byte[] bytes, int idLength, Frame f)
    {
        int p = 3 + idLength;
        bytes[0] = 1;
        bytes[1] = (byte)f.Kind;
        bytes[p + 4] = f.Code;
        WriteInt(bytes, p + 9, f.LatitudeE7);
        WriteInt(bytes, p + 13, f.LongitudeE7);
        bytes[p + 21] = (byte)f.Source;
        bytes[p + 22] = f.BatteryPercent;
        bytes[p + 23] = (byte)f.SignalDbm;
        bytes[p + 24] = f.Flags;
    }

    private static void WriteInt(byte[] b, int p, int v)
    {
        b[p] = (byte)(v >> 24);
        b[p + 1] = (byte)(v >> 16);
        b[p + 2] = (byte)(v >> 8);
        b[p + 3] = (byte)v;
    }

    private static byte[] Prefix(byte[] bytes, int n)
    {
        byte[] p = new byte[n];
        Array.Copy(bytes, p, n);
        return p;
    }

    [TestMethod]
    public void EncodeRefusesBadKeysWithoutEchoingThem()
    {
        Frame f = SampleFrames.Alert();
        Exception e = Expect.Throws(typeof(ArgumentException), () => FrameCodec.Encode(f, new byte[31]));
        Expect.Contains("32 bytes", e.Message);
        Expect.Throws(typeof(ArgumentException), () => FrameCodec.Encode(f, null));
        byte[] secret = SampleFrames.Key(0x41);
        f.DeviceId = "bad/id";
        Exception e2 = Expect.Throws(typeof(ArgumentException), () => FrameCodec.Encode(f, secret));
        Expect.DoesNotContain(Hex.Of(secret), e2.Message, "the key's hex is in the message");
        Expect.DoesNotContain(Convert.ToBase64String(secret), e2.Message, "the key's base64 is in the message");
    }

    [TestMethod]
    public void AckIsBoundToDeviceCounterAndKindSoItCannotBeReflectedOrReused()
    {
        byte[] key = SampleFrames.Key(0);
        Frame alert = SampleFrames.Alert(counter: 41);
        byte[] alertBytes = FrameCodec.Encode(alert, key);
        byte[] ack = FrameCodec.Encode(Frame.AckFor(alert, 1795000001), key);
        DecodeResult decoded = FrameCodec.DecodeAndVerify(ack, key);
        Assert.AreEqual((int)MessageKind.Ack, (int)decoded.Frame.Kind);
        Assert.AreEqual(41u, decoded.Frame.Counter);
        Assert.IsTrue(decoded.Frame.IsFromReceiver, "an Ack is from the receiver");

        // The device's own frame with its kind byte switched to Ack does not verify.
        byte[] reflected = (byte[])alertBytes.Clone();
        reflected[1] = (byte)MessageKind.Ack;
        Assert.AreEqual((int)DecodeStatus.BadTag, (int)FrameCodec.DecodeAndVerify(reflected, key).Status);
    }

    [TestMethod]
    public void FixedTimeEqualsComparesWholeRangesAndRejectsBadRanges()
    {
        byte[] a = { 1, 2, 3, 4 };
        byte[] b = { 9, 1, 2, 3, 4 };
        Assert.IsTrue(TagComparer.FixedTimeEquals(a, 0, b, 1, 4), "equal ranges");
        Assert.IsFalse(TagComparer.FixedTimeEquals(a, 0, b, 0, 4), "shifted ranges");
        b[4] = 5;
        Assert.IsFalse(TagComparer.FixedTimeEquals(a, 0, b, 1, 4), "last byte differs");
        Assert.IsFalse(TagComparer.FixedTimeEquals(a, 0, b, 2, 4), "range past the end");
        Assert.IsFalse(TagComparer.FixedTimeEquals(a, -1, b, 0, 1), "negative offset");
        Assert.IsFalse(TagComparer.FixedTimeEquals(null, 0, b, 0, 1), "null array");
    }
}
