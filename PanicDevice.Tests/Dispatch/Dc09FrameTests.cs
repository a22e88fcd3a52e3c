using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using PanicDevice.Receiver.Dispatch.Dc09;

namespace PanicDevice.Tests.Dispatch;

/// <summary>
/// The SIA DC-09 frame (issue 18), checked against messages published with an independent implementation and
/// against <see cref="ArcReceiver"/>, a receiver written here with its own CRC, parser and decryption.
/// Published vectors: pysiaalarm (github.com/eavanvalkenburg/pysiaalarm, tests/test_sia_package_cases.py, cases
/// "null" and "cl"; key "AAAAAAAAAAAAAAAA" from tests/test_utils.py), messages of real panels and its own encrypter.
/// </summary>
[TestClass]
public class Dc09FrameTests
{
    private static readonly byte[] AsciiAs = Encoding.ASCII.GetBytes("AAAAAAAAAAAAAAAA");

    private static string Text(byte[] frame) => Encoding.ASCII.GetString(frame);

    [TestMethod]
    public void AnEncryptedLinkTestIsByteForByteThePublishedOne()
    {
        // pysiaalarm case "null": 76D80055"*NULL"0000R0L0#AAAB[B4BC…D9, which decrypts to "]_18:24:52,07-05-2020"
        // after 11 pad characters "p".
        var account = new Dc09Account("AAAB", "0", "0", AsciiAs);
        byte[] frame = Dc09Frame.Build(Dc09Frame.Null, 0, account, "", Array.Empty<string>(), new DateTime(2020, 7, 5, 18, 24, 52, DateTimeKind.Utc), n => new string('p', n));
        Assert.AreEqual("\n76D80055\"*NULL\"0000R0L0#AAAB[B4BC8B40D0E6D959D6BEA78E88CC0B2155741A3C44FBB96D476A3E557CAD64D9\r", Text(frame));
    }

    [TestMethod]
    public void AClearSiaMessageHasThePublishedCrc()
    {
        // pysiaalarm case "cl": E5D5…"SIA-DCS"6002L0#AAA[|Nri1/CL501]_14:12:04,09-25-2019 (its length field is not the
        // message's length: that case tests the parser, so only the CRC is compared).
        var account = new Dc09Account("AAA", "0");
        string text = Text(Dc09Frame.Build(Dc09Frame.SiaDcs, 6002, account, "|Nri1/CL501", Array.Empty<string>(), new DateTime(2019, 9, 25, 14, 12, 4, DateTimeKind.Utc)));
        Assert.AreEqual("\nE5D50034\"SIA-DCS\"6002L0#AAA[|Nri1/CL501]_14:12:04,09-25-2019\r", text);
        // Another published message, encrypted with a key the case does not give: its CRC alone.
        Assert.AreEqual(0x60AB, Dc09Frame.Crc(Encoding.ASCII.GetBytes(
            "\"*SIA-DCS\"5994L0#AAA[5AB718E008C616BF16F6468033A11326B0F7546CAB230910BCA10E4DEBA42283C436E4F8EFF50931070DDE36D5BB5F0C")));
    }

    [TestMethod]
    [DataRow(16)]
    [DataRow(24)]
    [DataRow(32)]
    public void AnIndependentReceiverReadsAContactIdAlarmAtEveryKeySize(int keyBytes)
    {
        byte[] key = RandomNumberGenerator.GetBytes(keyBytes);
        var account = new Dc09Account("1a2B3c", "7F", "12", key);
        var at = new DateTime(2026, 12, 4, 6, 30, 15, DateTimeKind.Utc);
        byte[] frame = Dc09Frame.Build(Dc09Frame.ContactId, 42, account, "#1A2B3C|1120 01 015", new[] { "Xwhatever" }, at);

        ArcReceiver.Message m = new ArcReceiver(key).Read(frame);
        Assert.AreEqual(("ADM-CID", true, 42, "12", "7F", "1A2B3C"), (m.Id, m.Encrypted, m.Sequence, m.Receiver, m.Line, m.Account));
        Assert.AreEqual("#1A2B3C|1120 01 015", m.Data);
        CollectionAssert.AreEqual(new[] { "Xwhatever" }, m.Extended);
        Assert.AreEqual(at, m.Time);
        StringAssert.DoesNotMatch(Text(frame), new Regex("1120"), "the event is not readable on the wire");
    }

    [TestMethod]
    public void PaddingIsRandomSoTheSameAlarmTwiceLooksDifferentOnTheWire()
    {
        var account = new Dc09Account("1234", "1", key: RandomNumberGenerator.GetBytes(16));
        var at = new DateTime(2026, 12, 4, 6, 30, 15, DateTimeKind.Utc);
        byte[] a = Dc09Frame.Build(Dc09Frame.ContactId, 1, account, "#1234|1120 00 001", Array.Empty<string>(), at);
        byte[] b = Dc09Frame.Build(Dc09Frame.ContactId, 1, account, "#1234|1120 00 001", Array.Empty<string>(), at);
        Assert.AreNotEqual(Text(a), Text(b));
    }

    [TestMethod]
    public void AWrongKeyIsNotUnderstoodAndTheReceiversNakIsReadWithItsTime()
    {
        var account = new Dc09Account("1234", "1", key: RandomNumberGenerator.GetBytes(32));
        byte[] frame = Dc09Frame.Build(Dc09Frame.ContactId, 7, account, "#1234|1120 00 001", Array.Empty<string>(), DateTime.UtcNow);
        var arc = new ArcReceiver(RandomNumberGenerator.GetBytes(32));
        Assert.ThrowsExactly<FormatException>(() => arc.Read(frame));

        var arcTime = new DateTime(2026, 12, 4, 7, 0, 1, DateTimeKind.Utc);
        Dc09Reply nak = Dc09Reply.Parse(ArcReceiver.Nak(arcTime), account, 7);
        Assert.AreEqual((Dc09ReplyKind.Nak, (DateTime?)arcTime), (nak.Kind, nak.ReceiverTimeUtc));
    }

    [TestMethod]
    public void AnAckCountsOnlyForItsOwnMessageAndAnEncryptedAccountOnlyWhenEncrypted()
    {
        byte[] key = RandomNumberGenerator.GetBytes(16);
        var account = new Dc09Account("1234", "1", "5", key);
        var arc = new ArcReceiver(key);
        var now = new DateTime(2026, 12, 4, 7, 0, 1, DateTimeKind.Utc);

        Dc09Reply ack = Dc09Reply.Parse(arc.Ack(9, "5", "1", "1234", now, encrypted: true), account, 9);
        Assert.AreEqual((Dc09ReplyKind.Ack, 9, (DateTime?)now), (ack.Kind, ack.Sequence, ack.ReceiverTimeUtc));

        Assert.ThrowsExactly<FormatException>(() => Dc09Reply.Parse(arc.Ack(8, "5", "1", "1234", now, encrypted: true), account, 9), "another message's ACK");
        Assert.ThrowsExactly<FormatException>(() => Dc09Reply.Parse(arc.Ack(9, "5", "1", "9999", now, encrypted: true), account, 9), "another account's ACK");
        Assert.ThrowsExactly<FormatException>(() => Dc09Reply.Parse(arc.Ack(9, "5", "1", "1234", now, encrypted: false), account, 9), "a clear ACK proves nothing");
        byte[] damaged = arc.Ack(9, "5", "1", "1234", now, encrypted: true);
        damaged[^3] ^= 0x01;
        Assert.ThrowsExactly<FormatException>(() => Dc09Reply.Parse(damaged, account, 9), "a damaged ACK");
        Assert.AreEqual(Dc09ReplyKind.Duh, Dc09Reply.Parse(ArcReceiver.Duh(9, "5", "1", "1234"), account, 9).Kind);
    }

    [TestMethod]
    public void ABadAccountFieldIsRefusedWhenConfiguredAndTheKeyIsNeverPrinted()
    {
        Assert.ThrowsExactly<ArgumentException>(() => new Dc09Account("12", "1"));
        Assert.ThrowsExactly<ArgumentException>(() => new Dc09Account("12G4", "1"));
        Assert.ThrowsExactly<ArgumentException>(() => new Dc09Account("1234", "1234567"));
        var e = Assert.ThrowsExactly<ArgumentException>(() => new Dc09Account("1234", "1", key: new byte[20]));
        StringAssert.Contains(e.Message, "160 bits");
        byte[] key = Enumerable.Repeat((byte)0xAB, 16).ToArray();
        string shown = new Dc09Account("1234", "1", key: key).ToString();
        Assert.IsFalse(shown.Contains(Convert.ToHexString(key), StringComparison.OrdinalIgnoreCase), shown);
        Assert.AreEqual("#1234 L1 (encrypted)", shown);
    }

    /// <summary>
    /// An ARC's receiver as the tests need one, written from the standard's description and not from the sender: its
    /// own table-driven CRC, its own parsing, decryption through an ICryptoTransform.
    /// </summary>
    internal sealed class ArcReceiver(byte[] key)
    {
        internal sealed record Message(string Id, bool Encrypted, int Sequence, string? Receiver, string Line, string Account, string Data, string[] Extended, DateTime Time);

        private static readonly ushort[] Table = Enumerable.Range(0, 256).Select(n =>
        {
            int c = n;
            for (int i = 0; i < 8; i++) c = (c & 1) == 1 ? (c >> 1) ^ 0xA001 : c >> 1;
            return (ushort)c;
        }).ToArray();

        private static ushort Crc(string s) => s.Aggregate((ushort)0, (crc, ch) => (ushort)((crc >> 8) ^ Table[(crc ^ ch) & 0xFF]));

        public Message Read(byte[] bytes)
        {
            string s = Encoding.ASCII.GetString(bytes);
            if (s[0] != '\n' || s[^1] != '\r') throw new FormatException("framing");
            string crc = s.Substring(1, 4), len = s.Substring(5, 4), body = s[9..^1];
            if (Crc(body).ToString("X4", CultureInfo.InvariantCulture) != crc) throw new FormatException("crc");
            if (Convert.ToInt32(len, 16) != body.Length) throw new FormatException("length");
            Match m = Regex.Match(body, "^\"(\\*?)([A-Z-]+)\"(\\d{4})(?:R([0-9A-F]+))?L([0-9A-F]+)#([0-9A-F]+)\\[(.*)$");
            if (!m.Success) throw new FormatException("header");
            string rest = m.Groups[7].Value;
            bool encrypted = m.Groups[1].Value == "*";
            if (encrypted)
            {
                using var aes = Aes.Create();
                aes.Mode = CipherMode.CBC;
                aes.Padding = PaddingMode.None;
                using ICryptoTransform d = aes.CreateDecryptor(key, new byte[16]);
                byte[] cipher = Convert.FromHexString(rest);
                string plain = Encoding.ASCII.GetString(d.TransformFinalBlock(cipher, 0, cipher.Length));
                int at = plain.IndexOfAny("#|]".ToCharArray());
                if (at < 1) throw new FormatException("no pad, or no data: not our key");
                rest = plain[at..];
            }
            Match p = Regex.Match(rest, "^([^\\]]*)\\]((?:\\[[^\\]]*\\])*)_(\\d\\d):(\\d\\d):(\\d\\d),(\\d\\d)-(\\d\\d)-(\\d{4})$");
            if (!p.Success) throw new FormatException("data or timestamp: not our key");
            int G(int i) => int.Parse(p.Groups[i].Value, CultureInfo.InvariantCulture);
            string[] extended = Regex.Matches(p.Groups[2].Value, "\\[([^\\]]*)\\]").Select(x => x.Groups[1].Value).ToArray();
            return new Message(m.Groups[2].Value, encrypted, int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture), m.Groups[4].Success ? m.Groups[4].Value : null,
                m.Groups[5].Value, m.Groups[6].Value, p.Groups[1].Value, extended, new DateTime(G(8), G(6), G(7), G(3), G(4), G(5), DateTimeKind.Utc));
        }

        public byte[] Ack(int seq, string receiver, string line, string account, DateTime now, bool encrypted)
        {
            string stamp = now.ToString("'_'HH':'mm':'ss','MM'-'dd'-'yyyy", CultureInfo.InvariantCulture);
            string content = "]" + stamp;
            if (encrypted)
            {
                string padded = new string('x', 16 - content.Length % 16) + content;
                using var aes = Aes.Create();
                aes.Mode = CipherMode.CBC;
                aes.Padding = PaddingMode.None;
                using ICryptoTransform e = aes.CreateEncryptor(key, new byte[16]);
                byte[] plain = Encoding.ASCII.GetBytes(padded);
                content = Convert.ToHexString(e.TransformFinalBlock(plain, 0, plain.Length));
            }
            return Frame($"\"{(encrypted ? "*" : "")}ACK\"{seq:D4}R{receiver}L{line}#{account}[{content}");
        }

        public static byte[] Nak(DateTime now) => Frame("\"NAK\"0000R0L0A0[]" + now.ToString("'_'HH':'mm':'ss','MM'-'dd'-'yyyy", CultureInfo.InvariantCulture));

        public static byte[] Duh(int seq, string receiver, string line, string account) => Frame($"\"DUH\"{seq:D4}R{receiver}L{line}#{account}[]");

        private static byte[] Frame(string body) => Encoding.ASCII.GetBytes("\n" + Crc(body).ToString("X4", CultureInfo.InvariantCulture) + body.Length.ToString("X4", CultureInfo.InvariantCulture) + body + "\r");
    }
}
