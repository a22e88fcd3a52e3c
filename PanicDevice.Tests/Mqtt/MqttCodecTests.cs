using System;
using PanicDevice.Core.Mqtt;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Mqtt
{
    [TestClass]
    public class MqttCodecTests
    {
        private static MqttReadStatus Feed(byte[] bytes, int max, out MqttPacketReader reader)
        {
            reader = new MqttPacketReader(max);
            MqttReadStatus s = MqttReadStatus.Incomplete;
            for (int i = 0; i < bytes.Length; i++)
            {
                s = reader.Push(bytes[i]);
                if (s != MqttReadStatus.Incomplete)
                {
                    break;
                }
            }
            return s;
        }

        private static string HexOf(string s)
        {
            return Hex.Of(Hex.Ascii(s));
        }

        [TestMethod]
        public void ConnectMatchesTheSpecificationLayout()
        {
            byte[] c = MqttPacketWriter.Connect("fob-1", "fob-1", "pw", false, 60, "pd/v1/fob-1/presence", Hex.Ascii("offline"), 1, false);
            string expected =
                "10" + "3b" +                      // CONNECT, remaining length 59
                "0004" + "4d515454" + "04" +       // "MQTT", level 4
                "cc" +                             // user, password, will QoS 1, will flag; clean session off
                "003c" +                           // keep-alive 60 s
                "0005" + HexOf("fob-1") +
                "0014" + HexOf("pd/v1/fob-1/presence") + "0007" + HexOf("offline") +
                "0005" + HexOf("fob-1") + "0002" + HexOf("pw");
            Assert.AreEqual(expected, Hex.Of(c));
        }

        [TestMethod]
        public void SubscribePublishPubAckPingAndDisconnectBytes()
        {
            // SUBSCRIBE (flags 0010), remaining length 15, packet id 1, topic filter, requested QoS 1
            Assert.AreEqual("820f" + "0001" + "000a" + HexOf("pd/v1/x/ac") + "01", Hex.Of(MqttPacketWriter.Subscribe(1, "pd/v1/x/ac", 1)));
            Assert.AreEqual("3a" + "0a" + "0003" + HexOf("a/b") + "0007" + "aabbcc", Hex.Of(MqttPacketWriter.Publish("a/b", new byte[] { 0xAA, 0xBB, 0xCC }, 1, 7, true, false)));
            Assert.AreEqual("40020102", Hex.Of(MqttPacketWriter.PubAck(0x0102)));
            Assert.AreEqual("c000", Hex.Of(MqttPacketWriter.PingReq()));
            Assert.AreEqual("e000", Hex.Of(MqttPacketWriter.Disconnect()));
        }

        [TestMethod]
        [DataRow(0, "00")]
        [DataRow(127, "7F")]
        [DataRow(128, "8001")]
        [DataRow(16383, "FF7F")]
        [DataRow(16384, "808001")]
        [DataRow(2097151, "FFFF7F")]
        [DataRow(2097152, "80808001")]
        [DataRow(268435455, "FFFFFF7F")]
        public void RemainingLengthBoundariesFromTheSpecification(int length, string hex)
        {
            byte[] b = new byte[4];
            int end = MqttPacketWriter.WriteRemainingLength(b, 0, length);
            Assert.AreEqual(hex.ToLower(), Hex.Of(b, 0, end));
            Assert.AreEqual(hex.Length / 2, MqttPacketWriter.RemainingLengthBytes(length));
        }

        [TestMethod]
        public void LengthBeyondTheMaximumIsRefused()
        {
            Expect.Throws(typeof(ArgumentException), () => MqttPacketWriter.RemainingLengthBytes(268435456));
            MqttPacketReader r;
            MqttReadStatus s = Feed(new byte[] { 0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }, 2048, out r);
            Assert.AreEqual((int)MqttReadStatus.Error, (int)s);
            Expect.Contains("longer than 4 bytes", r.Error);
        }

        [TestMethod]
        public void PublishFromTheBrokerParsesInAnyChunking()
        {
            byte[] payload = new byte[300];
            for (int i = 0; i < payload.Length; i++)
            {
                payload[i] = (byte)i;
            }
            byte[] first = MqttPacketWriter.Publish("pd/v1/fob-1/ack", payload, 1, 513, false, false);
            byte[] second = MqttPacketWriter.Publish("pd/v1/fob-1/ack", new byte[] { 9 }, 0, 0, false, false);
            byte[] stream = new byte[first.Length + second.Length];
            Array.Copy(first, 0, stream, 0, first.Length);
            Array.Copy(second, 0, stream, first.Length, second.Length);
            MqttPacketReader r = new MqttPacketReader(2048);
            MqttPacket got = null;
            for (int i = 0; i < stream.Length; i++)
            {
                if (r.Push(stream[i]) == MqttReadStatus.Packet && got == null)
                {
                    got = r.Packet;
                }
            }
            Assert.IsNotNull(got);
            Assert.AreEqual("pd/v1/fob-1/ack", got.Topic);
            Assert.AreEqual(513, got.PacketId);
            Expect.SameBytes(payload, got.Payload);
            Assert.AreEqual(1, r.Packet.Payload.Length, "the next packet parsed after the first");
            Assert.AreEqual(9, (int)r.Packet.Payload[0], "the next packet parsed after the first");
        }

        [TestMethod]
        [DataRow("20020006", "return code")]
        [DataRow("21020000", "CONNACK")]
        [DataRow("3400", "QoS 2")]
        [DataRow("380400016100", "DUP set on a QoS 0")]
        [DataRow("320500036162630000", "topic length")]
        [DataRow("32050001230001", "wildcard")]
        [DataRow("4002 0000", "identifier 0")]
        [DataRow("900401020003", "SUBACK return code")]
        [DataRow("1000", "not expected from a broker")]
        [DataRow("C000", "not expected from a broker")]
        [DataRow("D00100", "PINGRESP")]
        public void MalformedOrForbiddenPacketsAreRefusedWithAReason(string hex, string reason)
        {
            MqttPacketReader r;
            MqttReadStatus s = Feed(Hex.Bytes(hex), 2048, out r);
            Assert.AreEqual((int)MqttReadStatus.Error, (int)s, hex + " refused");
            Expect.Contains(reason, r.Error);
        }

        [TestMethod]
        public void OversizedPacketIsRefusedBeforeItsBodyIsAllocated()
        {
            MqttPacketReader r;
            MqttReadStatus s = Feed(new byte[] { 0x30, 0xFF, 0xFF, 0xFF, 0x7F }, 2048, out r);
            Assert.AreEqual((int)MqttReadStatus.Error, (int)s);
            Expect.Contains("exceeds the limit", r.Error);
        }

        [TestMethod]
        public void RandomAndMutatedStreamsNeverThrow()
        {
            TestRandom rng = new TestRandom(311);
            byte[][] seeds =
            {
                new byte[] { 0x20, 0x02, 0x00, 0x00 },
                new byte[] { 0x90, 0x03, 0x00, 0x01, 0x01 },
                new byte[] { 0x40, 0x02, 0x00, 0x05 },
                new byte[] { 0xD0, 0x00 },
                MqttPacketWriter.Publish("pd/v1/fob-1/ack", new byte[64], 1, 9, false, false),
            };
            int packets = 0;
            int errors = 0;
            for (int i = 0; i < 100000; i++)
            {
                byte[] input;
                if (i % 2 == 0)
                {
                    input = new byte[rng.Next(0, 80)];
                    rng.NextBytes(input);
                }
                else
                {
                    input = (byte[])seeds[rng.Next(seeds.Length)].Clone();
                    for (int e = rng.Next(1, 4); e > 0; e--)
                    {
                        input[rng.Next(input.Length)] = (byte)rng.Next(256);
                    }
                }
                MqttPacketReader r = new MqttPacketReader(512);
                for (int j = 0; j < input.Length; j++)
                {
                    MqttReadStatus s = r.Push(input[j]);
                    if (s == MqttReadStatus.Packet)
                    {
                        packets++;
                    }
                    if (s == MqttReadStatus.Error)
                    {
                        errors++;
                        Assert.IsFalse(r.Error == null || r.Error.Length == 0, "an error comes with a reason");
                        break;
                    }
                }
            }
            Assert.IsTrue(packets > 1000, "packets parsed: " + packets.ToString());
            Assert.IsTrue(errors > 1000, "streams refused: " + errors.ToString());
        }
    }
}
