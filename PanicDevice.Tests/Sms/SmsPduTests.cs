using System.Text;
using PanicDevice.Core.Protocol;
using PanicDevice.Core.Sms;

namespace PanicDevice.Tests.Sms;

[TestClass]
public class SmsPduTests
{
    private const string Number = "+6281234567890";

    private static SmsSubmit Decode(SmsPdu pdu)
    {
        SmsSubmit? decoded = SmsPduDecoder.Decode(pdu.Hex);
        Assert.IsNotNull(decoded, "decoder rejected " + pdu.Hex);
        return decoded;
    }

    private static SmsSubmit[] DecodeAll(SmsPdu[] parts) => parts.Select(Decode).ToArray();

    private static string Ud(SmsPdu pdu, int udhOctets = 0)
    {
        return pdu.Hex.Substring(UdlAt + 2 + 2 * udhOctets);
    }

    private static int Udl(SmsPdu pdu) => Convert.ToInt32(pdu.Hex.Substring(UdlAt, 2), 16);

    // Where TP-UDL sits in hex for Number (13 digits): SMSC, first octet, MR, length, type, 7 digit octets, PID, DCS, VP.
    private const int UdlAt = 2 * (1 + 1 + 1 + 1 + 1 + 7 + 1 + 1 + 1);

    // ---- Published vector and header fields ----

    [TestMethod]
    public void HelloHelloMatchesThePublishedVector()
    {
        SmsPdu[] parts = SmsPduEncoder.Encode("+46708251358", "hellohello", 0);
        Assert.HasCount(1, parts);
        Assert.AreEqual("0011000B916407281553F80000AA0AE8329BFD4697D9EC37", parts[0].Hex);
        Assert.AreEqual(23, parts[0].TpduLength);
        Assert.AreEqual(1, parts[0].PartNumber);
        Assert.AreEqual(1, parts[0].PartCount);
    }

    [TestMethod]
    public void NationalNumberIsTypeUnknownWithSwappedDigits()
    {
        SmsPdu pdu = SmsPduEncoder.Encode("0812345678", "hi", 0)[0];
        Assert.AreEqual("0011000A8180214365870000AA02E834", pdu.Hex);
        Assert.AreEqual(15, pdu.TpduLength);
        Assert.AreEqual("0812345678", Decode(pdu).Number);
    }

    [TestMethod]
    public void OddDigitCountGetsFFiller()
    {
        SmsPdu pdu = SmsPduEncoder.Encode("+12345", "", 0)[0];
        Assert.AreEqual("00110005912143F50000AA00", pdu.Hex);
        SmsSubmit decoded = Decode(pdu);
        Assert.AreEqual("+12345", decoded.Number);
        Assert.AreEqual("", decoded.Text);
        Assert.IsFalse(decoded.IsConcatenated);
    }

    [TestMethod]
    public void TwentyDigitsIsTheLongestNumber()
    {
        string twenty = "+" + new string('9', 20);
        SmsPdu pdu = SmsPduEncoder.Encode(twenty, "x", 0)[0];
        StringAssert.StartsWith(pdu.Hex, "0011001491" + new string('9', 20) + "0000AA01");
        Assert.AreEqual(twenty, Decode(pdu).Number);
    }

    [TestMethod]
    [DataRow(null)]
    [DataRow("")]
    [DataRow("+")]
    [DataRow("0812 3456")]
    [DataRow("+62-812-3456")]
    [DataRow("++628123")]
    [DataRow("62812a")]
    [DataRow("123456789012345678901")]
    [DataRow("+123456789012345678901")]
    public void BadNumbersAreRefused(string? number)
    {
        Assert.ThrowsExactly<ArgumentException>(() => SmsPduEncoder.Encode(number!, "hi", 0));
    }

    // ---- GSM 7-bit alphabet ----

    [TestMethod]
    public void AsciiOutsideTheDefaultTableIsBacktickAndTheExtensionCharacters()
    {
        var notDefault = new StringBuilder();
        for (char c = ' '; c <= '~'; c++)
            if (Gsm7Alphabet.CodeOf(c) < 0)
                notDefault.Append(c);
        Assert.AreEqual("[\\]^`{|}~", notDefault.ToString());
        foreach (char c in "[\\]^{|}~")
            Assert.IsGreaterThanOrEqualTo(0, Gsm7Alphabet.ExtensionCodeOf(c), c.ToString());
        Assert.AreEqual(-1, Gsm7Alphabet.ExtensionCodeOf('`'));
        Assert.IsFalse(Gsm7Alphabet.CanEncode("a`b"));
        Assert.AreEqual(-1, Gsm7Alphabet.SeptetCount("a`b"));
    }

    [TestMethod]
    public void CodesWhereAsciiAndGsmDiffer()
    {
        Assert.AreEqual(0x00, Gsm7Alphabet.CodeOf('@'));
        Assert.AreEqual(0x02, Gsm7Alphabet.CodeOf('$'));
        Assert.AreEqual(0x24, Gsm7Alphabet.CodeOf('¤'));
        Assert.AreEqual(0x11, Gsm7Alphabet.CodeOf('_'));
        Assert.AreEqual(0x40, Gsm7Alphabet.CodeOf('¡'));
        Assert.AreEqual(0x7F, Gsm7Alphabet.CodeOf('à'));
        Assert.AreEqual(-1, Gsm7Alphabet.CodeOf('\u001B'), "the escape is not a sendable character");
        Assert.AreEqual(-1, Gsm7Alphabet.CodeOf('\t'));
        Assert.AreEqual(0x65, Gsm7Alphabet.ExtensionCodeOf('€'));
        Assert.AreEqual(0x0A, Gsm7Alphabet.ExtensionCodeOf('\f'));
        Assert.AreEqual(-1, Gsm7Alphabet.CodeOf('€'));
    }

    [TestMethod]
    public void EveryCodeDecodesToTheCharacterThatEncodesToIt()
    {
        for (int code = 0; code < 128; code++)
        {
            if (code == Gsm7Alphabet.Escape)
                continue;
            char c = Gsm7Alphabet.CharOf(code);
            Assert.AreEqual(code, Gsm7Alphabet.CodeOf(c), "code " + code);
        }
        foreach (char c in "\f^{}\\[~]|€")
            Assert.AreEqual(c, Gsm7Alphabet.ExtensionCharOf(Gsm7Alphabet.ExtensionCodeOf(c)));
    }

    [TestMethod]
    public void UnknownSeptetsDecodeBySpecRule()
    {
        Assert.AreEqual('A', Gsm7Alphabet.ExtensionCharOf(0x41), "undefined extension code shows the default-table character");
        Assert.AreEqual(' ', Gsm7Alphabet.ExtensionCharOf(Gsm7Alphabet.Escape));
        Assert.AreEqual('?', Gsm7Alphabet.CharOf(128));
        Assert.AreEqual('?', Gsm7Alphabet.CharOf(-1));
    }

    [TestMethod]
    public void ExtensionCharactersCountTwoSeptetsAndRoundTrip()
    {
        const string text = "€10 [x]";
        Assert.AreEqual(10, Gsm7Alphabet.SeptetCount(text));
        SmsPdu pdu = SmsPduEncoder.Encode(Number, text, 0)[0];
        Assert.AreEqual(10, Udl(pdu));
        SmsSubmit decoded = Decode(pdu);
        Assert.AreEqual(0x00, decoded.Dcs);
        Assert.AreEqual(text, decoded.Text);
    }

    [TestMethod]
    public void EuroIsEscapeThenSixtyFivePacked()
    {
        // septets 1B 65: 0011011 then 1100101 -> octets 0x9B (low 7 bits + bit 0 of 0x65), 0x32.
        SmsPdu pdu = SmsPduEncoder.Encode(Number, "€", 0)[0];
        Assert.AreEqual(2, Udl(pdu));
        Assert.AreEqual("9B32", Ud(pdu));
    }

    // ---- Part sizes and concatenation ----

    [TestMethod]
    public void OneHundredSixtySeptetsIsOnePart()
    {
        SmsPdu[] parts = SmsPduEncoder.Encode(Number, new string('a', 160), 7);
        Assert.HasCount(1, parts);
        StringAssert.StartsWith(parts[0].Hex, "0011");
        Assert.AreEqual(160, Udl(parts[0]));
        Assert.AreEqual(140, Ud(parts[0]).Length / 2);

        // 159 plain + one extension character is 161 septets: no longer one part.
        Assert.HasCount(2, SmsPduEncoder.Encode(Number, new string('a', 159) + "€", 7));
    }

    [TestMethod]
    public void OneHundredSixtyOneIsTwoPartsOf153AndTheRest()
    {
        string text = new string('a', 100) + new string('b', 61);
        SmsPdu[] parts = SmsPduEncoder.Encode(Number, text, 0x1234);
        Assert.HasCount(2, parts);
        SmsSubmit[] decoded = DecodeAll(parts);
        Assert.AreEqual(new string('a', 100) + new string('b', 53), decoded[0].Text);
        Assert.AreEqual(new string('b', 8), decoded[1].Text);
        Assert.AreEqual(7 + 153, Udl(parts[0]));
        Assert.AreEqual(7 + 8, Udl(parts[1]));
        Assert.AreEqual(text, SmsPduDecoder.Join(decoded));
    }

    [TestMethod]
    public void UdhAndFillBitIsExactlyWhereTheSpecPutsIt()
    {
        SmsPdu[] parts = SmsPduEncoder.Encode(Number, new string('a', 200), 0x1234);
        for (int i = 0; i < parts.Length; i++)
        {
            StringAssert.StartsWith(parts[i].Hex, "0051", "UDHI set");
            // UDH 05 00 03, low byte of the reference, total, sequence; then 'a' (0x61) after one fill bit: 0xC2.
            StringAssert.StartsWith(Ud(parts[i]), "050003" + "34" + "02" + (i + 1).ToString("X2") + "C2");
            Assert.AreEqual(i + 1, parts[i].PartNumber);
            Assert.AreEqual(2, parts[i].PartCount);
        }
    }

    [TestMethod]
    public void EachPartDecodesOnItsOwn()
    {
        string text = "Part one ends here..." + new string('.', 132) + "Part two: {braces} and €uro";
        SmsPdu[] parts = SmsPduEncoder.Encode(Number, text, 300);
        Assert.HasCount(2, parts);
        // Decoded one at a time (as a phone without concatenation support would show them).
        SmsSubmit first = Decode(parts[0]);
        SmsSubmit second = Decode(parts[1]);
        Assert.AreEqual(text.Substring(0, 153), first.Text);
        Assert.AreEqual("Part two: {braces} and €uro", second.Text);
        Assert.IsTrue(first.IsConcatenated);
        Assert.AreEqual(300 & 0xFF, first.ConcatReference);
        Assert.AreEqual(2, second.PartNumber);
        Assert.AreEqual(2, second.PartCount);
    }

    [TestMethod]
    public void EscapeSequenceIsNeverSplitAtTheBoundary()
    {
        // '€' would take septets 153 and 154: it moves to part two whole.
        string text = new string('a', 152) + "€" + new string('b', 10);
        SmsPdu[] parts = SmsPduEncoder.Encode(Number, text, 1);
        Assert.HasCount(2, parts);
        Assert.AreEqual(7 + 152, Udl(parts[0]));
        Assert.AreEqual(new string('a', 152), Decode(parts[0]).Text);
        Assert.AreEqual("€" + new string('b', 10), Decode(parts[1]).Text);
        Assert.AreEqual(7 + 12, Udl(parts[1]));

        // One septet earlier, it fits exactly at 152-153.
        string fits = new string('a', 151) + "€" + new string('b', 10);
        Assert.AreEqual(new string('a', 151) + "€", Decode(SmsPduEncoder.Encode(Number, fits, 1)[0]).Text);
    }

    [TestMethod]
    public void SixPartsAreTheLimit()
    {
        Assert.HasCount(6, SmsPduEncoder.Encode(Number, new string('a', 6 * 153), 0));
        var ex = Assert.ThrowsExactly<ArgumentException>(() => SmsPduEncoder.Encode(Number, new string('a', 6 * 153 + 1), 0));
        StringAssert.Contains(ex.Message, "7 parts");

        Assert.HasCount(6, SmsPduEncoder.Encode(Number, new string('ş', 6 * 67), 0));
        Assert.ThrowsExactly<ArgumentException>(() => SmsPduEncoder.Encode(Number, new string('ş', 6 * 67 + 1), 0));
    }

    [TestMethod]
    public void NullTextIsRefused()
    {
        Assert.ThrowsExactly<ArgumentNullException>(() => SmsPduEncoder.Encode(Number, null!, 0));
    }

    // ---- UCS-2 ----

    [TestMethod]
    public void NonGsmTextIsUcs2BigEndian()
    {
        const string text = "Siti 😀 di Jl. Merdeka";
        Assert.IsFalse(Gsm7Alphabet.CanEncode(text));
        SmsPdu[] parts = SmsPduEncoder.Encode(Number, text, 0);
        Assert.HasCount(1, parts);
        SmsSubmit decoded = Decode(parts[0]);
        Assert.AreEqual(0x08, decoded.Dcs);
        Assert.AreEqual(text, decoded.Text);
        Assert.AreEqual(text.Length * 2, Udl(parts[0]));
        StringAssert.StartsWith(Ud(parts[0]), "00530069007400690020D83DDE000020");
    }

    [TestMethod]
    public void SeventyUnitsIsOnePartSeventyOneIsTwo()
    {
        Assert.HasCount(1, SmsPduEncoder.Encode(Number, new string('ş', 70), 0));
        SmsPdu[] parts = SmsPduEncoder.Encode(Number, new string('ş', 71), 0);
        Assert.HasCount(2, parts);
        Assert.AreEqual(6 + 134, Udl(parts[0]));
        StringAssert.StartsWith(Ud(parts[0]), "050003000201015F");
        Assert.AreEqual(new string('ş', 67), Decode(parts[0]).Text);
        Assert.AreEqual(new string('ş', 4), Decode(parts[1]).Text);
    }

    [TestMethod]
    public void SurrogatePairIsNeverSplitAtTheBoundary()
    {
        // The pair would take units 67 and 68.
        string text = "Siti " + new string('x', 61) + "😀" + " di Jl. Merdeka";
        Assert.AreEqual('\uD83D', text[66]);
        SmsPdu[] parts = SmsPduEncoder.Encode(Number, text, 9);
        Assert.HasCount(2, parts);
        string first = Decode(parts[0]).Text;
        string second = Decode(parts[1]).Text;
        Assert.AreEqual(66, first.Length);
        Assert.IsFalse(char.IsSurrogate(first[^1]));
        Assert.AreEqual("😀 di Jl. Merdeka", second);
        Assert.AreEqual(text, SmsPduDecoder.Join(new[] { Decode(parts[1]), Decode(parts[0]) }));
    }

    [TestMethod]
    public void LoneSurrogateIsSentAsReplacementCharacter()
    {
        SmsSubmit decoded = Decode(SmsPduEncoder.Encode(Number, "a\uD83Db\uDE00", 0)[0]);
        Assert.AreEqual("a\uFFFDb\uFFFD", decoded.Text);
        Assert.AreEqual(0x08, decoded.Dcs);
    }

    [TestMethod]
    public void AlertTextsAreGsm7OnePart()
    {
        var frames = new List<Frame>();
        foreach (LocationSource source in new[] { LocationSource.Gnss, LocationSource.FixedAddress, LocationSource.None })
        {
            foreach (AlertCode code in new[] { AlertCode.Panic, AlertCode.HoldUp, AlertCode.Test })
            {
                Frame f = Frame.Create(MessageKind.Alert, "fob-0001", 5, (byte)code);
                f.Source = source;
                if (source != LocationSource.None)
                {
                    f.LatitudeE7 = -61753924;
                    f.LongitudeE7 = 1068271528;
                    f.AccuracyM = 8;
                    f.FixAgeS = 4000;
                }
                frames.Add(f);
            }
        }
        Frame cancel = Frame.Create(MessageKind.Cancel, "fob-0001", 6, (byte)AlertCode.Cancel);
        frames.Add(cancel);

        foreach (string language in new[] { "en", "id" })
        {
            var composer = new AlertSmsComposer("Siti Rahma", language, null);
            foreach (Frame f in frames)
            {
                string text = composer.Compose(f);
                Assert.AreEqual(text.Length, Gsm7Alphabet.SeptetCount(text), "no extension or foreign characters: " + text);
                SmsPdu[] parts = SmsPduEncoder.Encode(Number, text, 0);
                Assert.HasCount(1, parts, text);
                SmsSubmit decoded = Decode(parts[0]);
                Assert.AreEqual(0x00, decoded.Dcs);
                Assert.AreEqual(text, decoded.Text);
            }
        }

        // A name outside the alphabet switches the whole message to UCS-2, spelled exactly as configured.
        string vietnamese = new AlertSmsComposer("Nguyễn Thị Hương", "en", null).Compose(cancel);
        SmsSubmit exact = Decode(SmsPduEncoder.Encode(Number, vietnamese, 0)[0]);
        Assert.AreEqual(0x08, exact.Dcs);
        StringAssert.Contains(exact.Text, "Nguyễn Thị Hương");
    }

    // ---- Decoder robustness ----

    [TestMethod]
    [DataRow(null, "empty PDU")]
    [DataRow("", "empty PDU")]
    [DataRow("0", "odd number of hex digits (1)")]
    [DataRow("00", "SMSC length 0 runs past the end")]
    [DataRow("0011000B916407281553F80000AA0AE8329BFD4697D9EC3", "odd number of hex digits (47)")]
    [DataRow("0011000B916407281553F80000AA0AE8329BFD4697D9EC37FF", "user data is 10 octets, its length says 9")]
    [DataRow("0011000B916407281553F80000AA0AE8329BFD4697D9EC3G", "not hex")]
    [DataRow("0011000B916407281553F80004AA0AE8329BFD4697D9EC37", "data coding 0x04 is neither GSM-7 nor UCS-2")]
    [DataRow("0011000B916407281553F80024AA0AE8329BFD4697D9EC37", "data coding 0x24 is neither GSM-7 nor UCS-2")]
    [DataRow("0004000B916407281553F80000AA0AE8329BFD4697D9EC37", "message type 0 is not SMS-SUBMIT")]
    [DataRow("0011000B916407281553080000AA0AE8329BFD4697D9EC37", "destination address has a misplaced F filler")]
    [DataRow("FF11000B916407281553F80000AA0AE8329BFD4697D9EC37", "SMSC length 255 runs past the end")]
    [DataRow("0051000B916407281553F80000AA0A0B329BFD4697D9EC37", "user data header length 11 runs past the user data")]
    [DataRow("0011001B916407281553F80000AA0AE8329BFD4697D9EC37", "destination has 27 digits (at most 20)")]
    [DataRow("0011000B916407281553F80000AAA1E8329BFD4697D9EC37", "user data length 161 is over 160 septets")]
    [DataRow("0011000B916407281553F80008AA03E8329B", "UCS-2 text has an odd number of octets (3)")]
    public void MalformedPdusDecodeToNullWithTheReason(string? hex, string reason)
    {
        // Truncated, a trailing byte, a bad digit, 8-bit and compressed DCS, SMS-DELIVER, no F filler,
        // an SMSC length past the end, a UDH longer than the user data, too many digits, too long, odd UCS-2.
        Assert.IsNull(SmsPduDecoder.Decode(hex!));
        Assert.IsNull(SmsPduDecoder.Decode(hex!, out string error));
        Assert.AreEqual(reason, error);
    }

    [TestMethod]
    public void AValidPduDecodesWithoutAReason()
    {
        SmsSubmit? s = SmsPduDecoder.Decode("0011000B916407281553F80000AA0AE8329BFD4697D9EC37", out string error);
        Assert.AreEqual("hellohello", s?.Text);
        Assert.IsNull(error);
    }

    [TestMethod]
    public void LowercaseHexDecodes()
    {
        Assert.AreEqual("hellohello", SmsPduDecoder.Decode("0011000b916407281553f80000aa0ae8329bfd4697d9ec37")?.Text);
    }

    [TestMethod]
    public void EveryTruncationOfAValidPduIsRejected()
    {
        foreach (SmsPdu pdu in SmsPduEncoder.Encode(Number, new string('z', 170) + "😀", 5)
            .Concat(SmsPduEncoder.Encode(Number, new string('z', 170) + "€", 5)))
        {
            for (int length = 0; length < pdu.Hex.Length; length++)
            {
                Assert.IsNull(SmsPduDecoder.Decode(pdu.Hex.Substring(0, length), out string error), pdu.Hex + " cut at " + length);
                Assert.IsFalse(string.IsNullOrEmpty(error), pdu.Hex + " cut at " + length + " is refused with a reason");
            }
        }
    }

    [TestMethod]
    public void RandomBytesNeverThrow()
    {
        var random = new Random(20261122);
        SmsPdu valid = SmsPduEncoder.Encode(Number, "EMERGENCY: {test} €", 1)[0];
        byte[] template = Convert.FromHexString(valid.Hex);
        int decoded = 0;
        for (int i = 0; i < 2000; i++)
        {
            byte[] bytes;
            if (i % 2 == 0)
            {
                bytes = new byte[random.Next(0, 60)];
                random.NextBytes(bytes);
            }
            else
            {
                // Mutations of a valid PDU reach deeper into the decoder than pure noise.
                bytes = (byte[])template.Clone();
                for (int k = random.Next(1, 4); k > 0; k--)
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }
            SmsSubmit? result = SmsPduDecoder.Decode(Convert.ToHexString(bytes));
            if (result != null)
            {
                decoded++;
                Assert.IsNotNull(result.Text);
                Assert.IsNotNull(result.Number);
            }
        }
        Assert.IsGreaterThan(0, decoded, "some mutations stay valid, so the test reaches the text decoders");
    }

    [TestMethod]
    public void JoinNeedsEveryPartOfOneMessage()
    {
        SmsSubmit[] a = DecodeAll(SmsPduEncoder.Encode(Number, new string('a', 400), 1));
        SmsSubmit[] b = DecodeAll(SmsPduEncoder.Encode(Number, new string('b', 400), 2));
        Assert.HasCount(3, a);
        Assert.AreEqual(new string('a', 400), SmsPduDecoder.Join(new[] { a[2], a[0], a[1] }));
        Assert.IsNull(SmsPduDecoder.Join(new[] { a[0], a[1] }), "missing part");
        Assert.IsNull(SmsPduDecoder.Join(new[] { a[0], a[1], a[1] }), "duplicate part");
        Assert.IsNull(SmsPduDecoder.Join(new[] { a[0], b[1], a[2] }), "other reference");
        Assert.IsNull(SmsPduDecoder.Join(new[] { a[0], null!, a[2] }));
        Assert.IsNull(SmsPduDecoder.Join(Array.Empty<SmsSubmit>()));
        Assert.IsNull(SmsPduDecoder.Join(null!));
        SmsSubmit single = Decode(SmsPduEncoder.Encode(Number, "short", 1)[0]);
        Assert.AreEqual("short", SmsPduDecoder.Join(new[] { single }));
        Assert.IsNull(SmsPduDecoder.Join(new[] { single, a[1], a[2] }), "an unconcatenated part does not belong");
    }

    [TestMethod]
    public void SixteenBitReferenceHeaderDecodes()
    {
        // UDH 06 08 04 ABCD 02 01 (7 octets, no fill needed: 56 bits = 8 septets), then "hi".
        // 'h' and 'i' start at septet 8, octet 7: same packing as a plain "hi".
        SmsSubmit? part = SmsPduDecoder.Decode("0051000B916407281553F80000AA0A060804ABCD0201E834");
        Assert.IsNotNull(part);
        Assert.AreEqual("hi", part.Text);
        Assert.AreEqual(0xABCD, part.ConcatReference);
        Assert.AreEqual(2, part.PartCount);
        Assert.AreEqual(1, part.PartNumber);
    }

    // ---- Round-trip property ----

    [TestMethod]
    public void RandomTextsRoundTrip()
    {
        const string plain = "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789 .,:;!?'\"()+-*/=<>#%&@$_\n\r";
        const string gsmSpecial = "£¥èéùìòÇØøÅåΔΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà";
        const string extension = "^{}\\[~]|€\f";
        const string foreign = "şğıĞŞİễươ中文日本語Ђжщ`\t";
        string[] emoji = { "😀", "🚨", "👍🏽", "𝔸" };
        var random = new Random(424242);

        for (int n = 0; n < 400; n++)
        {
            bool gsmOnly = n % 2 == 0;
            // Sizes that always fit in 6 parts: each GSM part holds at least 152 septets, each UCS-2 part at
            // least 66 units. `used` counts septets for GSM-only texts and UTF-16 units otherwise (an upper
            // bound on septets too, should the text happen to be all GSM).
            int budget = random.Next(0, gsmOnly ? 900 : 390);
            var sb = new StringBuilder();
            int used = 0;
            while (used < budget)
            {
                int pick = random.Next(gsmOnly ? 10 : 12);
                string piece;
                if (pick < 6) piece = plain[random.Next(plain.Length)].ToString();
                else if (pick < 8) piece = gsmSpecial[random.Next(gsmSpecial.Length)].ToString();
                else if (pick < 10) piece = extension[random.Next(extension.Length)].ToString();
                else if (pick < 11) piece = foreign[random.Next(foreign.Length)].ToString();
                else piece = emoji[random.Next(emoji.Length)];
                sb.Append(piece);
                used += gsmOnly ? Gsm7Alphabet.SeptetCount(piece) : piece.Length;
            }
            string text = sb.ToString();
            int reference = random.Next(0, 100000);

            SmsPdu[] parts = SmsPduEncoder.Encode(Number, text, reference);
            bool gsm7 = Gsm7Alphabet.CanEncode(text);
            SmsSubmit[] decoded = DecodeAll(parts);
            Assert.AreEqual(text, SmsPduDecoder.Join(decoded), "text " + n);
            for (int i = 0; i < parts.Length; i++)
            {
                Assert.AreEqual(parts[i].Hex.Length / 2 - 1, parts[i].TpduLength);
                Assert.AreEqual(parts[i].Hex.ToUpperInvariant(), parts[i].Hex);
                Assert.AreEqual(i + 1, parts[i].PartNumber);
                Assert.AreEqual(parts.Length, parts[i].PartCount);
                Assert.AreEqual(gsm7 ? 0x00 : 0x08, decoded[i].Dcs);
                Assert.AreEqual(Number, decoded[i].Number);
                Assert.AreEqual(parts.Length > 1, decoded[i].IsConcatenated);
                if (parts.Length > 1)
                {
                    Assert.AreEqual(reference & 0xFF, decoded[i].ConcatReference);
                    Assert.AreEqual(i + 1, decoded[i].PartNumber);
                }
                Assert.IsLessThanOrEqualTo(140, parts[i].TpduLength - UdlAt / 2, "user data (TPDU less its 14 header octets and UDL) never over 140 octets");
            }
            int single = gsm7 ? Gsm7Alphabet.SeptetCount(text) : text.Length;
            Assert.AreEqual(single <= (gsm7 ? 160 : 70), parts.Length == 1, "text " + n + " single-part rule");
        }
    }
}
