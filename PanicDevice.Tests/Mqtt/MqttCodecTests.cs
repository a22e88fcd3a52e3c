using System.Text;
using PanicDevice.Core.Mqtt;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Mqtt;

[TestClass]
public class MqttCodecTests
{
    private static (MqttReadStatus Status, MqttPacketReader Reader) Feed(byte[] bytes, int max = 2048)
    {
        var r = new MqttPacketReader(max);
        MqttReadStatus s = MqttReadStatus.Incomplete;
        foreach (byte b in bytes)
        {
            s = r.Push(b);
            if (s != MqttReadStatus.Incomplete) break;
        }
        return (s, r);
    }

    [TestMethod]
    public void ConnectMatchesTheSpecificationLayout()
    {
        byte[] c = MqttPacketWriter.Connect("fob-1", "fob-1", "pw", false, 60, "pd/v1/fob-1/presence", Encoding.UTF8.GetBytes("offline"), 1, false);
        string expected =
            "10" + "3B" +                      // CONNECT, remaining length 59
            "0004" + "4D515454" + "04" +       // "MQTT", level 4
            "CC" +                             // user, password, will QoS 1, will flag; clean session off
            "003C" +                           // keep-alive 60 s
            "0005" + Hex("fob-1") +
            "0014" + Hex("pd/v1/fob-1/presence") + "0007" + Hex("offline") +
            "0005" + Hex("fob-1") + "0002" + Hex("pw");
        Assert.AreEqual(expected, Convert.ToHexString(c));
    }

    private static string Hex(string s) => Convert.ToHexString(Encoding.UTF8.GetBytes(s));

    [TestMethod]
    public void SubscribePublishPubAckPingAndDisconnectBytes()
    {
        // SUBSCRIBE (flags 0010), remaining length 15, packet id 1, topic filter, requested QoS 1
        Assert.AreEqual("820F" + "0001" + "000A" + Hex("pd/v1/x/ac") + "01", Convert.ToHexString(MqttPacketWriter.Subscribe(1, "pd/v1/x/ac", 1)));
        Assert.AreEqual("3A" + "0A" + "0003" + Hex("a/b") + "0007" + "AABBCC", Convert.ToHexString(MqttPacketWriter.Publish("a/b", new byte[] { 0xAA, 0xBB, 0xCC }, 1, 7, true, false)));
        Assert.AreEqual("40020102", Convert.ToHexString(MqttPacketWriter.PubAck(0x0102)));
        Assert.AreEqual("C000", Convert.ToHexString(MqttPacketWriter.PingReq()));
        Assert.AreEqual("E000", Convert.ToHexString(MqttPacketWriter.Disconnect()));
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
        Assert.AreEqual(hex, Convert.ToHexString(b, 0, end));
        Assert.AreEqual(hex.Length / 2, MqttPacketWriter.RemainingLengthBytes(length));
    }

    [TestMethod]
    public void LengthBeyondTheMaximumIsRefused()
    {
        Assert.ThrowsExactly<ArgumentException>(() => MqttPacketWriter.RemainingLengthBytes(268435456));
        var (s, r) = Feed(new byte[] { 0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 });
        Assert.AreEqual(MqttReadStatus.Error, s);
        StringAssert.Contains(r.Error, "longer than 4 bytes");
    }

    [TestMethod]
    public void PublishFromTheBrokerParsesInAnyChunking()
    {
        byte[] payload = Enumerable.Range(0, 300).Select(i => (byte)i).ToArray();
        byte[] packet = MqttPacketWriter.Publish("pd/v1/fob-1/ack", payload, 1, 513, false, false);
        var r = new MqttPacketReader(2048);
        MqttPacket? got = null;
        foreach (byte b in packet.Concat(MqttPacketWriter.Publish("pd/v1/fob-1/ack", new byte[] { 9 }, 0, 0, false, false)))
        {
            if (r.Push(b) == MqttReadStatus.Packet)
            {
                got ??= r.Packet;
            }
        }
        Assert.IsNotNull(got);
        Assert.AreEqual("pd/v1/fob-1/ack", got.Topic);
        Assert.AreEqual(513, got.PacketId);
        CollectionAssert.AreEqual(payload, got.Payload);
        Assert.AreEqual(9, r.Packet.Payload.Single(), "the next packet parsed after the first");
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
        var (s, r) = Feed(Convert.FromHexString(hex.Replace(" ", "")));
        Assert.AreEqual(MqttReadStatus.Error, s);
        StringAssert.Contains(r.Error, reason);
    }

    [TestMethod]
    public void OversizedPacketIsRefusedBeforeItsBodyIsAllocated()
    {
        var (s, r) = Feed(new byte[] { 0x30, 0xFF, 0xFF, 0xFF, 0x7F }, 2048);
        Assert.AreEqual(MqttReadStatus.Error, s);
        StringAssert.Contains(r.Error, "exceeds the limit");
    }

    [TestMethod]
    public void RandomAndMutatedStreamsNeverThrow()
    {
        var rng = new Random(311);
        byte[][] seeds =
        {
            new byte[] { 0x20, 0x02, 0x00, 0x00 },
            new byte[] { 0x90, 0x03, 0x00, 0x01, 0x01 },
            new byte[] { 0x40, 0x02, 0x00, 0x05 },
            new byte[] { 0xD0, 0x00 },
            MqttPacketWriter.Publish("pd/v1/fob-1/ack", new byte[64], 1, 9, false, false),
        };
        int packets = 0, errors = 0;
        for (int i = 0; i < 100_000; i++)
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
                for (int e = rng.Next(1, 4); e > 0; e--) input[rng.Next(input.Length)] = (byte)rng.Next(256);
            }
            var r = new MqttPacketReader(512);
            foreach (byte b in input)
            {
                MqttReadStatus s = r.Push(b);
                if (s == MqttReadStatus.Packet) packets++;
                if (s == MqttReadStatus.Error)
                {
                    errors++;
                    Assert.IsFalse(string.IsNullOrEmpty(r.Error));
                    break;
                }
            }
        }
        Assert.IsGreaterThan(1000, packets);
        Assert.IsGreaterThan(1000, errors);
    }
}
