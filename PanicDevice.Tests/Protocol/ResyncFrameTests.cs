using System;
using PanicDevice.Core.Protocol;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Protocol
{
    /// <summary>
    /// The Resync frame (receiver → device, kind 0x83): the receiver refused a frame's counter and names the counter to
    /// continue from and the first tag bytes of the refused frame, in the two position fields a Resync does not use.
    /// </summary>
    [TestClass]
    public class ResyncFrameTests
    {
        // docs/protocol.md, vector "resync-counter-reused": the answer to the "alert-gnss" vector's frame.
        private const string VectorHex = "018308666f622d3030303100000001016afd86c20000004152e81bf2ffffffff00ff0000"
            + "48958af3d7076e1db3b269daeb81b5e9b162c4f2f5f6f1ddd30c44eb2051358e";

        private static Frame Refusal(uint counter, uint next)
        {
            Frame f = Frame.Create(MessageKind.Resync, "fob-0001", counter, (byte)CounterProblem.Reused);
            f.NextCounter = next;
            f.AnsweredTag = 0x52e81bf2;
            return f;
        }

        [TestMethod]
        public void TheDocumentedResyncAnswersTheAlertVectorAndEncodesByteExact()
        {
            byte[] key = Hex.Bytes(AlertGnssVector.KeyHex);
            byte[] refused = Hex.Bytes(AlertGnssVector.SignedHex + AlertGnssVector.TagHex);
            Frame answer = Frame.ResyncFor(AlertGnssVector.Fields(), refused, CounterProblem.Reused, 65, 1795000002);
            Assert.AreEqual(VectorHex, Hex.Of(FrameCodec.Encode(answer, key)), "encoded bytes");

            DecodeResult r = FrameCodec.DecodeAndVerify(Hex.Bytes(VectorHex), key);
            Assert.AreEqual((int)DecodeStatus.Ok, (int)r.Status, "the vector verifies: " + r.Detail);
            Assert.AreEqual((int)MessageKind.Resync, (int)r.Frame.Kind, "kind");
            Assert.IsTrue(r.Frame.IsFromReceiver, "a Resync comes from the receiver");
            Assert.AreEqual(1u, r.Frame.Counter, "the refused counter");
            Assert.AreEqual((int)CounterProblem.Reused, (int)r.Frame.Code, "code");
            Assert.AreEqual(65u, r.Frame.NextCounter, "next counter");
            Assert.AreEqual(FrameCodec.TagPrefix(refused), r.Frame.AnsweredTag, "answered tag");
            Assert.AreEqual(0, r.Frame.LatitudeE7, "no latitude");
            Assert.AreEqual(0, r.Frame.LongitudeE7, "no longitude");
        }

        [TestMethod]
        public void TagPrefixIsTheFirstFourTagBytesBigEndian()
        {
            byte[] frame = Hex.Bytes(AlertGnssVector.SignedHex + AlertGnssVector.TagHex);
            Assert.AreEqual(0x52e81bf2u, FrameCodec.TagPrefix(frame));
            Expect.Throws(typeof(ArgumentException), () => FrameCodec.TagPrefix(new byte[10]), "ten bytes hold no tag");
        }

        [TestMethod]
        [DataRow(0L, 0L, "next counter")]
        [DataRow(1L, 1L, "next counter")]
        [DataRow(5L, 4L, "next counter")]
        public void ANextCounterNotAboveTheRefusedCounterIsRefused(long counter, long next, string field)
        {
            Frame f = Refusal((uint)counter, (uint)next);
            ArgumentException e = (ArgumentException)Expect.Throws(typeof(ArgumentException), () => FrameCodec.Encode(f, SampleFrames.Key(0)), "encode");
            Expect.Contains(field, e.Message);

            // The same bytes from the wire: a decoder refuses them too.
            Frame good = Refusal((uint)counter, (uint)counter + 1);
            byte[] bytes = FrameCodec.Encode(good, SampleFrames.Key(0));
            int nextAt = 3 + 8 + 4 + 1 + 4;
            bytes[nextAt] = (byte)(next >> 24);
            bytes[nextAt + 1] = (byte)(next >> 16);
            bytes[nextAt + 2] = (byte)(next >> 8);
            bytes[nextAt + 3] = (byte)next;
            Assert.AreEqual((int)DecodeStatus.BadField, (int)FrameCodec.Decode(bytes).Status, "decoded with next " + next.ToString());
        }

        [TestMethod]
        public void AResyncCarriesNoPositionAndOnlyACounterProblemCode()
        {
            byte[] key = SampleFrames.Key(0);
            Frame placed = Refusal(3, 70);
            placed.Source = LocationSource.Gnss;
            Expect.Throws(typeof(ArgumentException), () => FrameCodec.Encode(placed, key), "a Resync with a position source");
            Frame located = Refusal(3, 70);
            located.LatitudeE7 = 5;
            Expect.Throws(typeof(ArgumentException), () => FrameCodec.Encode(located, key), "a Resync with a latitude");
            int[] badCodes = { 0, 3, 255 };
            for (int i = 0; i < badCodes.Length; i++)
            {
                Frame f = Refusal(3, 70);
                f.Code = (byte)badCodes[i];
                Expect.Throws(typeof(ArgumentException), () => FrameCodec.Encode(f, key), "code " + badCodes[i].ToString());
            }
            Frame tooOld = Refusal(3, 70);
            tooOld.Code = (byte)CounterProblem.TooOld;
            Assert.AreEqual((int)DecodeStatus.Ok, (int)FrameCodec.DecodeAndVerify(FrameCodec.Encode(tooOld, key), key).Status, "TooOld is a counter problem");
        }

        [TestMethod]
        public void NextCounterAndAnsweredTagBelongToResyncFramesOnly()
        {
            // One meaning per field: on any other kind they would go on the wire as a position nobody set.
            Frame ack = Frame.AckFor(SampleFrames.Alert(), 1795000100);
            ack.NextCounter = 9;
            Expect.Throws(typeof(ArgumentException), () => FrameCodec.Encode(ack, SampleFrames.Key(0)), "an Ack with a next counter");
            Frame alert = SampleFrames.Alert();
            alert.AnsweredTag = 1;
            Expect.Throws(typeof(ArgumentException), () => FrameCodec.Encode(alert, SampleFrames.Key(0)), "an alert with an answered tag");
        }

        [TestMethod]
        public void EveryUnsignedValueOfBothFieldsSurvivesTheWire()
        {
            // The fields ride in signed position slots: values past 2^31 must not come back negative or refused.
            byte[] key = SampleFrames.Key(0);
            uint[] values = { 2, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFE, 0xFFFFFFFF };
            for (int i = 0; i < values.Length; i++)
            {
                Frame f = Refusal(1, values[i]);
                f.AnsweredTag = values[i];
                DecodeResult r = FrameCodec.DecodeAndVerify(FrameCodec.Encode(f, key), key);
                Assert.AreEqual((int)DecodeStatus.Ok, (int)r.Status, "value " + values[i].ToString() + ": " + r.Detail);
                Assert.AreEqual(values[i], r.Frame.NextCounter, "next counter");
                Assert.AreEqual(values[i], r.Frame.AnsweredTag, "answered tag");
            }
        }
    }
}
