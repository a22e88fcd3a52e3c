using System;
using System.Collections;
using System.Text;
using PanicDevice.Core.Protocol;
using PanicDevice.Core.Sms;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Sms
{
    [TestClass]
    public class SmsPduTests
    {
        private const string Number = "+6281234567890";

        // Where TP-UDL sits in hex for Number (13 digits): SMSC, first octet, MR, length, type, 7 digit octets, PID, DCS, VP.
        private const int UdlAt = 2 * (1 + 1 + 1 + 1 + 1 + 7 + 1 + 1 + 1);

        private static void PartCount(int expected, SmsPdu[] parts, string message)
        {
            Assert.AreEqual(expected, parts.Length, "parts: " + message);
        }

        private static bool IsSurrogate(char c)
        {
            return c >= '\uD800' && c <= '\uDFFF';
        }

        // ---- Published vector and header fields ----

        [TestMethod]
        public void HelloHelloMatchesThePublishedVector()
        {
            SmsPdu[] parts = SmsPduEncoder.Encode("+46708251358", "hellohello", 0);
            PartCount(1, parts, "hellohello");
            Assert.AreEqual("0011000B916407281553F80000AA0AE8329BFD4697D9EC37", parts[0].Hex);
            Assert.AreEqual(23, parts[0].TpduLength);
            Assert.AreEqual(1, parts[0].PartNumber);
            Assert.AreEqual(1, parts[0].PartCount);

            // A one-part message carries no concatenation header, so the reference cannot change a byte of it.
            for (int reference = 1; reference < 0x300; reference += 0x7F)
            {
                SmsPdu[] again = SmsPduEncoder.Encode("+46708251358", "hellohello", reference);
                PartCount(1, again, "reference " + reference.ToString());
                Assert.AreEqual(parts[0].Hex, again[0].Hex, "reference " + reference.ToString());
                Assert.AreEqual(23, again[0].TpduLength);
            }
        }

        [TestMethod]
        public void NationalNumberIsTypeUnknownWithSwappedDigits()
        {
            SmsPdu pdu = SmsPduEncoder.Encode("0812345678", "hi", 0)[0];
            Assert.AreEqual("0011000A8180214365870000AA02E834", pdu.Hex);
            Assert.AreEqual(15, pdu.TpduLength);
            Assert.AreEqual("0812345678", SentPdu.Decode(pdu).Number);
        }

        [TestMethod]
        public void OddDigitCountGetsFFiller()
        {
            SmsPdu pdu = SmsPduEncoder.Encode("+12345", "", 0)[0];
            Assert.AreEqual("00110005912143F50000AA00", pdu.Hex);
            SmsSubmit decoded = SentPdu.Decode(pdu);
            Assert.AreEqual("+12345", decoded.Number);
            Assert.AreEqual("", decoded.Text);
            Assert.IsFalse(decoded.IsConcatenated);
        }

        [TestMethod]
        public void TwentyDigitsIsTheLongestNumber()
        {
            string twenty = "+" + new string('9', 20);
            SmsPdu pdu = SmsPduEncoder.Encode(twenty, "x", 0)[0];
            Expect.StartsWith("0011001491" + new string('9', 20) + "0000AA01", pdu.Hex);
            Assert.AreEqual(twenty, SentPdu.Decode(pdu).Number);
        }

        // A null number is NullNumberIsRefused: nanoFramework's metadata processor cannot store a null string in
        // an attribute (v3.0.100, nanoSignaturesTable.cs, WriteAttributeArgumentValue), so no DataRow holds one.
        [TestMethod]
        [DataRow("")]
        [DataRow("+")]
        [DataRow("0812 3456")]
        [DataRow("+62-812-3456")]
        [DataRow("++628123")]
        [DataRow("62812a")]
        [DataRow("123456789012345678901")]
        [DataRow("+123456789012345678901")]
        public void BadNumbersAreRefused(string number)
        {
            Expect.Throws(typeof(ArgumentException), () => SmsPduEncoder.Encode(number, "hi", 0), "number \"" + number + "\"");
        }

        [TestMethod]
        public void NullNumberIsRefused()
        {
            Expect.Throws(typeof(ArgumentException), () => SmsPduEncoder.Encode(null, "hi", 0));
        }

        // ---- GSM 7-bit alphabet ----

        [TestMethod]
        public void AsciiOutsideTheDefaultTableIsBacktickAndTheExtensionCharacters()
        {
            StringBuilder notDefault = new StringBuilder();
            for (char c = ' '; c <= '~'; c++)
            {
                if (Gsm7Alphabet.CodeOf(c) < 0)
                {
                    notDefault.Append(c);
                }
            }
            Assert.AreEqual("[\\]^`{|}~", notDefault.ToString());
            string extension = "[\\]^{|}~";
            for (int i = 0; i < extension.Length; i++)
            {
                Assert.IsTrue(Gsm7Alphabet.ExtensionCodeOf(extension[i]) >= 0, extension.Substring(i, 1) + " is in the extension table");
            }
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
                {
                    continue;
                }
                char c = Gsm7Alphabet.CharOf(code);
                Assert.AreEqual(code, Gsm7Alphabet.CodeOf(c), "code " + code.ToString());
            }
            string extension = "\f^{}\\[~]|€";
            for (int i = 0; i < extension.Length; i++)
            {
                char c = extension[i];
                Assert.AreEqual(c, Gsm7Alphabet.ExtensionCharOf(Gsm7Alphabet.ExtensionCodeOf(c)), "extension character " + i.ToString());
            }
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
            Assert.AreEqual(10, SentPdu.Udl(pdu));
            SmsSubmit decoded = SentPdu.Decode(pdu);
            Assert.AreEqual(0x00, decoded.Dcs);
            Assert.AreEqual(text, decoded.Text);
        }

        [TestMethod]
        public void EuroIsEscapeThenSixtyFivePacked()
        {
            // septets 1B 65: 0011011 then 1100101 -> octets 0x9B (low 7 bits + bit 0 of 0x65), 0x32.
            SmsPdu pdu = SmsPduEncoder.Encode(Number, "€", 0)[0];
            Assert.AreEqual(2, SentPdu.Udl(pdu));
            Assert.AreEqual("9B32", SentPdu.Ud(pdu, 0));
        }

        // ---- Part sizes and concatenation ----

        [TestMethod]
        public void OneHundredSixtySeptetsIsOnePart()
        {
            SmsPdu[] parts = SmsPduEncoder.Encode(Number, new string('a', 160), 7);
            PartCount(1, parts, "160 septets");
            Expect.StartsWith("0011", parts[0].Hex);
            Assert.AreEqual(160, SentPdu.Udl(parts[0]));
            Assert.AreEqual(140, SentPdu.Ud(parts[0], 0).Length / 2);

            // 159 plain + one extension character is 161 septets: no longer one part.
            PartCount(2, SmsPduEncoder.Encode(Number, new string('a', 159) + "€", 7), "161 septets");
        }

        [TestMethod]
        public void OneHundredSixtyOneIsTwoPartsOf153AndTheRest()
        {
            string text = new string('a', 100) + new string('b', 61);
            SmsPdu[] parts = SmsPduEncoder.Encode(Number, text, 0x1234);
            PartCount(2, parts, "161 septets");
            SmsSubmit[] decoded = SentPdu.DecodeAll(parts);
            Assert.AreEqual(new string('a', 100) + new string('b', 53), decoded[0].Text);
            Assert.AreEqual(new string('b', 8), decoded[1].Text);
            Assert.AreEqual(7 + 153, SentPdu.Udl(parts[0]));
            Assert.AreEqual(7 + 8, SentPdu.Udl(parts[1]));
            Assert.AreEqual(text, SmsPduDecoder.Join(decoded));
        }

        [TestMethod]
        public void UdhAndFillBitIsExactlyWhereTheSpecPutsIt()
        {
            SmsPdu[] parts = SmsPduEncoder.Encode(Number, new string('a', 200), 0x1234);
            for (int i = 0; i < parts.Length; i++)
            {
                Expect.StartsWith("0051", parts[i].Hex, "UDHI set");
                // UDH 05 00 03, low byte of the reference, total, sequence; then 'a' (0x61) after one fill bit: 0xC2.
                Expect.StartsWith("050003" + "34" + "02" + (i + 1).ToString("X2") + "C2", SentPdu.Ud(parts[i], 0));
                Assert.AreEqual(i + 1, parts[i].PartNumber);
                Assert.AreEqual(2, parts[i].PartCount);
            }
        }

        [TestMethod]
        public void EachPartDecodesOnItsOwn()
        {
            string text = "Part one ends here..." + new string('.', 132) + "Part two: {braces} and €uro";
            SmsPdu[] parts = SmsPduEncoder.Encode(Number, text, 300);
            PartCount(2, parts, text);
            // Decoded one at a time (as a phone without concatenation support would show them).
            SmsSubmit first = SentPdu.Decode(parts[0]);
            SmsSubmit second = SentPdu.Decode(parts[1]);
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
            PartCount(2, parts, "152 + euro + 10");
            Assert.AreEqual(7 + 152, SentPdu.Udl(parts[0]));
            Assert.AreEqual(new string('a', 152), SentPdu.Decode(parts[0]).Text);
            Assert.AreEqual("€" + new string('b', 10), SentPdu.Decode(parts[1]).Text);
            Assert.AreEqual(7 + 12, SentPdu.Udl(parts[1]));

            // One septet earlier, it fits exactly at 152-153.
            string fits = new string('a', 151) + "€" + new string('b', 10);
            Assert.AreEqual(new string('a', 151) + "€", SentPdu.Decode(SmsPduEncoder.Encode(Number, fits, 1)[0]).Text);
        }

        [TestMethod]
        public void ExtensionCharactersAtEveryPartBoundaryStayWhole()
        {
            // Each extension character at every offset around the ends of parts one and two, and texts made of
            // nothing but escapes: no part ends on a bare escape (a phone would show a space and then the wrong
            // character), and no part is left shorter than it must be (more parts cost credit and can arrive late).
            const string extension = "\f^{}\\[~]|€";
            ArrayList texts = new ArrayList();
            for (int e = 0; e < extension.Length; e++)
            {
                string x = extension.Substring(e, 1);
                for (int before = 148; before <= 155; before++)
                {
                    texts.Add(new string('a', before) + x + new string('b', 20));
                    texts.Add(new string('a', 153) + new string('c', before) + x + new string('b', 20));
                }
            }
            texts.Add(new string('€', 80));
            texts.Add(new string('€', 81));
            texts.Add(new string('€', 6 * 76));
            for (int t = 0; t < texts.Count; t++)
            {
                string text = (string)texts[t];
                SmsPdu[] parts = SmsPduEncoder.Encode(Number, text, t);
                SmsSubmit[] decoded = SentPdu.DecodeAll(parts);
                Assert.AreEqual(text, SmsPduDecoder.Join(decoded), "text " + t.ToString());
                int header = parts.Length > 1 ? 7 : 0;
                for (int i = 0; i < parts.Length; i++)
                {
                    int septets = Gsm7Alphabet.SeptetCount(decoded[i].Text);
                    Assert.AreEqual(SentPdu.Udl(parts[i]) - header, septets, "text " + t.ToString() + " part " + (i + 1).ToString() + " holds only whole characters");
                    Assert.IsTrue(septets <= (parts.Length > 1 ? 153 : 160), "text " + t.ToString() + " part " + (i + 1).ToString() + " over size");
                    if (i < parts.Length - 1)
                    {
                        Assert.IsTrue(septets >= 152, "text " + t.ToString() + " part " + (i + 1).ToString() + " has only " + septets.ToString() + " septets");
                    }
                }
            }
            Assert.AreEqual(1, SmsPduEncoder.Encode(Number, new string('€', 80), 0).Length, "80 escapes are 160 septets: one part");
            Assert.AreEqual(6, SmsPduEncoder.Encode(Number, new string('€', 6 * 76), 0).Length, "76 escapes (152 septets) per part");
        }

        [TestMethod]
        public void AtSignIsSeptetZeroAndSurvivesEveryPosition()
        {
            // '@' is septet 0, the same bits as the padding after the last septet: only TP-UDL tells them apart.
            string[] texts = new string[]
            {
                "@", "a@", "@a", new string('@', 7), new string('@', 8), new string('@', 9),
                new string('@', 160), new string('@', 161), new string('a', 152) + "@", new string('a', 153) + "@",
            };
            for (int t = 0; t < texts.Length; t++)
            {
                SmsPdu[] parts = SmsPduEncoder.Encode(Number, texts[t], 3);
                Assert.AreEqual(texts[t], SmsPduDecoder.Join(SentPdu.DecodeAll(parts)), "text " + t.ToString() + " (" + texts[t].Length.ToString() + " characters)");
            }
            Assert.AreEqual("00", SentPdu.Ud(SmsPduEncoder.Encode(Number, "@", 0)[0], 0));
            Assert.AreEqual(1, SentPdu.Udl(SmsPduEncoder.Encode(Number, "@", 0)[0]));
        }

        [TestMethod]
        public void SixPartsAreTheLimit()
        {
            PartCount(6, SmsPduEncoder.Encode(Number, new string('a', 6 * 153), 0), "6 x 153 septets");
            Exception ex = Expect.Throws(typeof(ArgumentException), () => SmsPduEncoder.Encode(Number, new string('a', 6 * 153 + 1), 0));
            Expect.Contains("7 parts", ex.Message);

            PartCount(6, SmsPduEncoder.Encode(Number, new string('ş', 6 * 67), 0), "6 x 67 UCS-2 units");
            Expect.Throws(typeof(ArgumentException), () => SmsPduEncoder.Encode(Number, new string('ş', 6 * 67 + 1), 0));
        }

        [TestMethod]
        public void NullTextIsRefused()
        {
            Expect.Throws(typeof(ArgumentNullException), () => SmsPduEncoder.Encode(Number, null, 0));
        }

        // ---- UCS-2 ----

        [TestMethod]
        public void NonGsmTextIsUcs2BigEndian()
        {
            const string text = "Siti 😀 di Jl. Merdeka";
            Assert.IsFalse(Gsm7Alphabet.CanEncode(text));
            SmsPdu[] parts = SmsPduEncoder.Encode(Number, text, 0);
            PartCount(1, parts, text);
            SmsSubmit decoded = SentPdu.Decode(parts[0]);
            Assert.AreEqual(0x08, decoded.Dcs);
            Assert.AreEqual(text, decoded.Text);
            Assert.AreEqual(text.Length * 2, SentPdu.Udl(parts[0]));
            Expect.StartsWith("00530069007400690020D83DDE000020", SentPdu.Ud(parts[0], 0));
        }

        [TestMethod]
        public void SeventyUnitsIsOnePartSeventyOneIsTwo()
        {
            PartCount(1, SmsPduEncoder.Encode(Number, new string('ş', 70), 0), "70 units");
            SmsPdu[] parts = SmsPduEncoder.Encode(Number, new string('ş', 71), 0);
            PartCount(2, parts, "71 units");
            Assert.AreEqual(6 + 134, SentPdu.Udl(parts[0]));
            Expect.StartsWith("050003000201015F", SentPdu.Ud(parts[0], 0));
            Assert.AreEqual(new string('ş', 67), SentPdu.Decode(parts[0]).Text);
            Assert.AreEqual(new string('ş', 4), SentPdu.Decode(parts[1]).Text);
        }

        [TestMethod]
        public void SurrogatePairIsNeverSplitAtTheBoundary()
        {
            // The pair would take units 67 and 68.
            string text = "Siti " + new string('x', 61) + "😀" + " di Jl. Merdeka";
            Assert.AreEqual('\uD83D', text[66]);
            SmsPdu[] parts = SmsPduEncoder.Encode(Number, text, 9);
            PartCount(2, parts, text);
            string first = SentPdu.Decode(parts[0]).Text;
            string second = SentPdu.Decode(parts[1]).Text;
            Assert.AreEqual(66, first.Length);
            Assert.IsFalse(IsSurrogate(first[first.Length - 1]), "part one ends on a whole character");
            Assert.AreEqual("😀 di Jl. Merdeka", second);
            Assert.AreEqual(text, SmsPduDecoder.Join(new SmsSubmit[] { SentPdu.Decode(parts[1]), SentPdu.Decode(parts[0]) }));
        }

        [TestMethod]
        public void SurrogatePairsAtEveryPartBoundaryStayWhole()
        {
            // Emoji (one pair, two pairs with a skin tone, a ZWJ sequence) and a mathematical letter at every
            // offset around the ends of parts one and two: no part ends on half a pair, and every part but the
            // last holds at least 66 of its 67 units.
            string[] wide = new string[] { "😀", "👍🏽", "👩🏽‍⚕️", "𝔸" };
            int count = 0;
            for (int w = 0; w < wide.Length; w++)
            {
                for (int before = 63; before <= 69; before++)
                {
                    for (int round = 0; round < 2; round++)
                    {
                        string text = (round == 0 ? "" : new string('ş', 67)) + new string('x', before) + wide[w] + " di Jl. Merdeka";
                        SmsPdu[] parts = SmsPduEncoder.Encode(Number, text, count++);
                        SmsSubmit[] decoded = SentPdu.DecodeAll(parts);
                        string where = "emoji " + w.ToString() + " after " + before.ToString() + " (round " + round.ToString() + ")";
                        Assert.AreEqual(text, SmsPduDecoder.Join(decoded), where);
                        Assert.AreEqual(SentPdu.Ucs2Hex(text), SentPdu.Ucs2TextHex(parts), where + ": the code units on the air");
                        for (int i = 0; i < parts.Length; i++)
                        {
                            char[] units = decoded[i].Text.ToCharArray();
                            Assert.IsTrue(units.Length > 0, where + " part " + (i + 1).ToString() + " is empty");
                            Assert.IsFalse(units[0] >= '\uDC00' && units[0] <= '\uDFFF', where + " part " + (i + 1).ToString() + " starts with half a pair");
                            Assert.IsFalse(units[units.Length - 1] >= '\uD800' && units[units.Length - 1] <= '\uDBFF', where + " part " + (i + 1).ToString() + " ends with half a pair");
                            Assert.AreEqual(SentPdu.Udl(parts[i]) - (parts.Length > 1 ? 6 : 0), units.Length * 2, where + " part " + (i + 1).ToString() + " length");
                            if (i < parts.Length - 1)
                            {
                                Assert.IsTrue(units.Length >= 66, where + " part " + (i + 1).ToString() + " has only " + units.Length.ToString() + " units");
                            }
                        }
                    }
                }
            }
            Assert.AreEqual(1, SmsPduEncoder.Encode(Number, "Siti " + new string('x', 63) + "😀", 0).Length, "70 units, the last two a pair: one part");
        }

        [TestMethod]
        public void LoneSurrogateIsSentAsReplacementCharacter()
        {
            SmsSubmit decoded = SentPdu.Decode(SmsPduEncoder.Encode(Number, "a\uD83Db\uDE00", 0)[0]);
            Assert.AreEqual("a\uFFFDb\uFFFD", decoded.Text);
            Assert.AreEqual(0x08, decoded.Dcs);
        }

        [TestMethod]
        public void AlertTextsAreGsm7OnePart()
        {
            ArrayList frames = new ArrayList();
            LocationSource[] sources = new LocationSource[] { LocationSource.Gnss, LocationSource.FixedAddress, LocationSource.None };
            AlertCode[] codes = new AlertCode[] { AlertCode.Panic, AlertCode.HoldUp, AlertCode.Test };
            for (int s = 0; s < sources.Length; s++)
            {
                for (int k = 0; k < codes.Length; k++)
                {
                    Frame f = Frame.Create(MessageKind.Alert, "fob-0001", 5, (byte)codes[k]);
                    f.Source = sources[s];
                    if (sources[s] != LocationSource.None)
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

            string[] languages = new string[] { "en", "id" };
            for (int l = 0; l < languages.Length; l++)
            {
                AlertSmsComposer composer = new AlertSmsComposer("Siti Rahma", languages[l], null);
                for (int i = 0; i < frames.Count; i++)
                {
                    string text = composer.Compose((Frame)frames[i]);
                    Assert.AreEqual(text.Length, Gsm7Alphabet.SeptetCount(text), "no extension or foreign characters: " + text);
                    SmsPdu[] parts = SmsPduEncoder.Encode(Number, text, 0);
                    PartCount(1, parts, text);
                    SmsSubmit decoded = SentPdu.Decode(parts[0]);
                    Assert.AreEqual(0x00, decoded.Dcs);
                    Assert.AreEqual(text, decoded.Text);
                }
            }

            // A name outside the alphabet switches the whole message to UCS-2, spelled exactly as configured.
            string vietnamese = new AlertSmsComposer("Nguyễn Thị Hương", "en", null).Compose(cancel);
            SmsSubmit exact = SentPdu.Decode(SmsPduEncoder.Encode(Number, vietnamese, 0)[0]);
            Assert.AreEqual(0x08, exact.Dcs);
            Expect.Contains("Nguyễn Thị Hương", exact.Text);
        }

        // ---- Decoder robustness ----

        // The null PDU is NullPduDecodesToNullWithTheReason (no null string in a DataRow on nanoFramework).
        [TestMethod]
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
        public void MalformedPdusDecodeToNullWithTheReason(string hex, string reason)
        {
            // Truncated, a trailing byte, a bad digit, 8-bit and compressed DCS, SMS-DELIVER, no F filler,
            // an SMSC length past the end, a UDH longer than the user data, too many digits, too long, odd UCS-2.
            Assert.IsNull(SmsPduDecoder.Decode(hex), reason);
            string error;
            Assert.IsNull(SmsPduDecoder.Decode(hex, out error), reason);
            Assert.AreEqual(reason, error);
        }

        [TestMethod]
        public void NullPduDecodesToNullWithTheReason()
        {
            Assert.IsNull(SmsPduDecoder.Decode(null));
            string error;
            Assert.IsNull(SmsPduDecoder.Decode(null, out error));
            Assert.AreEqual("empty PDU", error);
        }

        [TestMethod]
        public void AValidPduDecodesWithoutAReason()
        {
            string error;
            SmsSubmit s = SmsPduDecoder.Decode("0011000B916407281553F80000AA0AE8329BFD4697D9EC37", out error);
            Assert.IsNotNull(s, "the published vector decodes");
            Assert.AreEqual("hellohello", s.Text);
            Assert.IsNull(error);
        }

        [TestMethod]
        public void LowercaseHexDecodes()
        {
            SmsSubmit s = SmsPduDecoder.Decode("0011000b916407281553f80000aa0ae8329bfd4697d9ec37");
            Assert.IsNotNull(s, "lower-case hex is refused");
            Assert.AreEqual("hellohello", s.Text);
        }

        [TestMethod]
        public void EveryTruncationOfAValidPduIsRejected()
        {
            SmsPdu[] withEmoji = SmsPduEncoder.Encode(Number, new string('z', 170) + "😀", 5);
            SmsPdu[] withEuro = SmsPduEncoder.Encode(Number, new string('z', 170) + "€", 5);
            SmsPdu[] all = new SmsPdu[withEmoji.Length + withEuro.Length];
            Array.Copy(withEmoji, 0, all, 0, withEmoji.Length);
            Array.Copy(withEuro, 0, all, withEmoji.Length, withEuro.Length);
            for (int p = 0; p < all.Length; p++)
            {
                SmsPdu pdu = all[p];
                for (int length = 0; length < pdu.Hex.Length; length++)
                {
                    string error;
                    Assert.IsNull(SmsPduDecoder.Decode(pdu.Hex.Substring(0, length), out error), pdu.Hex + " cut at " + length.ToString());
                    Assert.IsFalse(string.IsNullOrEmpty(error), pdu.Hex + " cut at " + length.ToString() + " is refused with a reason");
                }
            }
        }

        [TestMethod]
        public void RandomBytesNeverThrow()
        {
            TestRandom random = new TestRandom(20261122);
            SmsPdu valid = SmsPduEncoder.Encode(Number, "EMERGENCY: {test} €", 1)[0];
            byte[] template = Hex.Bytes(valid.Hex);
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
                    {
                        bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                    }
                }
                SmsSubmit result = SmsPduDecoder.Decode(Hex.Of(bytes));
                if (result != null)
                {
                    decoded++;
                    Assert.IsNotNull(result.Text, "decoded without text: " + Hex.Of(bytes));
                    Assert.IsNotNull(result.Number, "decoded without number: " + Hex.Of(bytes));
                }
            }
            Assert.IsTrue(decoded > 0, "some mutations stay valid, so the test reaches the text decoders");
        }

        [TestMethod]
        public void JoinNeedsEveryPartOfOneMessage()
        {
            SmsSubmit[] a = SentPdu.DecodeAll(SmsPduEncoder.Encode(Number, new string('a', 400), 1));
            SmsSubmit[] b = SentPdu.DecodeAll(SmsPduEncoder.Encode(Number, new string('b', 400), 2));
            Assert.AreEqual(3, a.Length, "400 septets are 3 parts");
            Assert.AreEqual(new string('a', 400), SmsPduDecoder.Join(new SmsSubmit[] { a[2], a[0], a[1] }));
            Assert.IsNull(SmsPduDecoder.Join(new SmsSubmit[] { a[0], a[1] }), "missing part");
            Assert.IsNull(SmsPduDecoder.Join(new SmsSubmit[] { a[0], a[1], a[1] }), "duplicate part");
            Assert.IsNull(SmsPduDecoder.Join(new SmsSubmit[] { a[0], b[1], a[2] }), "other reference");
            Assert.IsNull(SmsPduDecoder.Join(new SmsSubmit[] { a[0], null, a[2] }), "a null part");
            Assert.IsNull(SmsPduDecoder.Join(new SmsSubmit[0]), "no parts");
            Assert.IsNull(SmsPduDecoder.Join(null), "null");
            SmsSubmit single = SentPdu.Decode(SmsPduEncoder.Encode(Number, "short", 1)[0]);
            Assert.AreEqual("short", SmsPduDecoder.Join(new SmsSubmit[] { single }));
            Assert.IsNull(SmsPduDecoder.Join(new SmsSubmit[] { single, a[1], a[2] }), "an unconcatenated part does not belong");
        }

        [TestMethod]
        public void SixteenBitReferenceHeaderDecodes()
        {
            // UDH 06 08 04 ABCD 02 01 (7 octets, no fill needed: 56 bits = 8 septets), then "hi".
            // 'h' and 'i' start at septet 8, octet 7: same packing as a plain "hi".
            SmsSubmit part = SmsPduDecoder.Decode("0051000B916407281553F80000AA0A060804ABCD0201E834");
            Assert.IsNotNull(part, "a 16-bit reference header is refused");
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
            string[] emoji = new string[] { "😀", "🚨", "👍🏽", "𝔸" };
            TestRandom random = new TestRandom(424242);

            for (int n = 0; n < 400; n++)
            {
                bool gsmOnly = n % 2 == 0;
                // Sizes that always fit in 6 parts: each GSM part holds at least 152 septets, each UCS-2 part at
                // least 66 units. `used` counts septets for GSM-only texts and UTF-16 units otherwise (an upper
                // bound on septets too, should the text happen to be all GSM).
                int budget = random.Next(0, gsmOnly ? 900 : 390);
                StringBuilder sb = new StringBuilder();
                int used = 0;
                while (used < budget)
                {
                    int pick = random.Next(gsmOnly ? 10 : 12);
                    string piece;
                    if (pick < 6) piece = plain.Substring(random.Next(plain.Length), 1);
                    else if (pick < 8) piece = gsmSpecial.Substring(random.Next(gsmSpecial.Length), 1);
                    else if (pick < 10) piece = extension.Substring(random.Next(extension.Length), 1);
                    else if (pick < 11) piece = foreign.Substring(random.Next(foreign.Length), 1);
                    else piece = emoji[random.Next(emoji.Length)];
                    sb.Append(piece);
                    used += gsmOnly ? Gsm7Alphabet.SeptetCount(piece) : piece.Length;
                }
                string text = sb.ToString();
                int reference = random.Next(0, 100000);

                SmsPdu[] parts = SmsPduEncoder.Encode(Number, text, reference);
                bool gsm7 = Gsm7Alphabet.CanEncode(text);
                SmsSubmit[] decoded = SentPdu.DecodeAll(parts);
                Assert.AreEqual(text, SmsPduDecoder.Join(decoded), "text " + n.ToString());
                for (int i = 0; i < parts.Length; i++)
                {
                    Assert.AreEqual(parts[i].Hex.Length / 2 - 1, parts[i].TpduLength);
                    for (int h = 0; h < parts[i].Hex.Length; h++)
                    {
                        Assert.IsTrue("0123456789ABCDEF".IndexOf(parts[i].Hex[h]) >= 0, "upper-case hex: " + parts[i].Hex);
                    }
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
                    Assert.IsTrue(parts[i].TpduLength - UdlAt / 2 <= 140, "user data (TPDU less its 14 header octets and UDL) never over 140 octets");
                }
                int single = gsm7 ? Gsm7Alphabet.SeptetCount(text) : text.Length;
                Assert.AreEqual(single <= (gsm7 ? 160 : 70), parts.Length == 1, "text " + n.ToString() + " single-part rule");
            }
        }
    }
}
