using System;
using System.Text;
using PanicDevice.Core.Config;
using PanicDevice.Core.Sms;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.OnDevice
{
    /// <summary>
    /// Where host .NET and nanoFramework differ under code that compiles on both (docs/nanoframework-runtime.md).
    /// The Core tests expect one result on both runtimes; the platform-fact tests pin, per runtime, the behaviour
    /// Core is written around, so a library update that changes it fails here first.
    /// </summary>
    [TestClass]
    public class RuntimeDifferenceTests
    {
        private const string Key = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
        private const string Emoji = "\uD83D\uDE00";

        // ---- Core behaviour: the same on both runtimes ----

        [TestMethod]
        public void TextChecksSeePastACharacterOutsideTheBmp()
        {
            // string.IndexOf stops at an emoji on the device, so Expect searches UTF-16 units itself.
            string text = "Siti \uD83D\uDEA8 -6.175392,106.827153";
            Expect.Contains("106.827153", text);
            Expect.StartsWith("Siti \uD83D\uDEA8 -6", text);
            bool failed = false;
            try
            {
                Expect.DoesNotContain("-6.175392", text);
            }
            catch (Exception)
            {
                failed = true;
            }
            Assert.IsTrue(failed, "DoesNotContain sees text after the emoji too");
        }

        [TestMethod]
        public void ConfigKeepsACharacterOutsideTheBmpInTheOwnerName()
        {
            DeviceConfigResult r = DeviceConfigReader.Read(Config("\"owner\": { \"name\": \"Siti " + Emoji + "\", \"phone\": \"\" },"));
            Assert.IsNull(r.Error, r.Error);
            Assert.AreEqual("0053 0069 0074 0069 0020 D83D DE00", Units(r.Config.OwnerName), "the emoji must survive reading device.json");
        }

        [TestMethod]
        public void ConfigRefusesTheNulEscape()
        {
            // The device would keep "+62812" of "+62812\u00003", a different number from the one configured.
            DeviceConfigResult r = DeviceConfigReader.Read(Config("\"owner\": { \"name\": \"Siti\", \"phone\": \"+62812\\u00003\" },"));
            Assert.IsNull(r.Config, "a NUL in a setting must be refused");
            Expect.Contains("\\u0000 is not allowed", r.Error);
        }

        [TestMethod]
        public void ConfigRefusesAQuoteAfterACharacterOutsideTheBmp()
        {
            DeviceConfigResult r = DeviceConfigReader.Read(Config("\"cellular\": { \"apn\": \"net" + Emoji + "\\\"x\", \"user\": \"\", \"password\": \"\" },"));
            Assert.IsNull(r.Config, "a quote would end the AT+CSTT argument early");
            Expect.Contains("without '\"'", r.Error);
        }

        [TestMethod]
        public void ConfigBytesWithACharacterAcrossByte512ReadLikeTheText()
        {
            // A name long enough to put "é" (C3 A9) on bytes 511 and 512: nanoFramework's StreamReader garbled that.
            string before = "{ \"deviceId\": \"fob-0001\", \"key\": \"" + Key + "\", \"owner\": { \"name\": \"";
            int pad = 511 - Encoding.UTF8.GetBytes(before).Length;
            StringBuilder name = new StringBuilder();
            for (int i = 0; i < pad; i++)
            {
                name.Append('a');
            }
            name.Append('\u00E9');
            string json = Config("\"owner\": { \"name\": \"" + name.ToString() + "\", \"phone\": \"\" },");
            byte[] file = Encoding.UTF8.GetBytes(json);
            Assert.AreEqual(0xC3, (int)file[511], "the test must straddle byte 512");

            DeviceConfigResult r = DeviceConfigReader.ReadUtf8(file);
            Assert.IsNull(r.Error, r.Error);
            Assert.AreEqual(name.ToString(), r.Config.OwnerName);
        }

        [TestMethod]
        public void ConfigBytesMayStartWithAByteOrderMark()
        {
            byte[] text = Encoding.UTF8.GetBytes(Config(""));
            byte[] file = new byte[text.Length + 3];
            file[0] = 0xEF;
            file[1] = 0xBB;
            file[2] = 0xBF;
            Array.Copy(text, 0, file, 3, text.Length);
            DeviceConfigResult r = DeviceConfigReader.ReadUtf8(file);
            Assert.IsNull(r.Error, r.Error);
            Assert.AreEqual("fob-0001", r.Config.DeviceId);
        }

        [TestMethod]
        [DataRow("C080", 0)]
        [DataRow("EDA080", 1)]
        [DataRow("41FF42", 1)]
        [DataRow("41C3", 1)]
        [DataRow("F4908080", 1)]
        [DataRow("E282", 0)]
        [DataRow("410042", 1)]
        public void ConfigBytesThatAreNotUtf8AreAClearErrorOnBoth(string hex, int badByte)
        {
            // Encoding.UTF8 would give U+FFFD in different numbers on the two runtimes, and stop at a NUL on nanoFramework.
            DeviceConfigResult r = DeviceConfigReader.ReadUtf8(Hex.Bytes(hex));
            Assert.IsNull(r.Config, hex);
            Expect.StartsWith("device.json is not UTF-8 text (byte " + badByte.ToString(), r.Error, hex);
        }

        [TestMethod]
        public void StrictUtf8DecodesEveryEncodingLength()
        {
            string error;
            string s = StrictUtf8.Decode(Hex.Bytes("41C3A9E282ACF09F9880"), 0, 10, out error);
            Assert.IsNull(error, error);
            Assert.AreEqual("0041 00E9 20AC D83D DE00", Units(s));
        }

        [TestMethod]
        public void SmsWithAnEmojiIsEncodedAsItsSurrogatePair()
        {
            SmsPdu[] parts = SmsPduEncoder.Encode("+6281234567890", "Hi " + Emoji, 1);
            Assert.AreEqual(1, parts.Length);
            // UCS-2 user data: H i space, then the pair itself (not two U+FFFD, which nanoFramework's string[i] gave).
            Expect.Contains("0A004800690020D83DDE00", parts[0].Hex);
        }

        [TestMethod]
        public void SmsSplitNeverCutsASurrogatePair()
        {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < 66; i++)
            {
                text.Append('x');
            }
            for (int i = 0; i < 3; i++)
            {
                text.Append(Emoji);
            }
            SmsPdu[] parts = SmsPduEncoder.Encode("+6281234567890", text.ToString(), 7);
            Assert.AreEqual(2, parts.Length);
            // 66 x and a pair would need 68 units, more than the 67 of a part: the pair starts part 2.
            Expect.Contains("D83DDE00D83DDE00D83DDE00", parts[1].Hex);
            Expect.DoesNotContain("D83D", parts[0].Hex);
        }

        [TestMethod]
        public void Gsm7TableFindsEveryCharacterAtItsOwnCode()
        {
            // The table is a string literal; nanoFramework keeps it as UTF-8 and IndexOf must still count UTF-16 units.
            for (int septet = 0; septet < 128; septet++)
            {
                if (septet == Gsm7Alphabet.Escape)
                {
                    continue;
                }
                Assert.AreEqual(septet, Gsm7Alphabet.CodeOf(Gsm7Alphabet.CharOf(septet)), "septet " + septet.ToString());
            }
        }

        // ---- Platform facts Core is written around (expected per runtime) ----

        [TestMethod]
        public void FactStringIndexerReadsASurrogatePairWrongOnNanoFramework()
        {
            string s = "A" + Emoji;
            Assert.AreEqual("0041 D83D DE00", Units(s), "ToCharArray converts the pair correctly on both");
            Assert.AreEqual(3, s.Length);
            // nf-interpreter corlib_native_System_String.cpp get_Chars: moving to index 2 stops at the pair's start.
            Assert.AreEqual(TestRuntime.IsNanoFramework ? 0xD83D : 0xDE00, (int)s[2], "why Core indexes ToCharArray() results");
        }

        [TestMethod]
        public void FactIndexOfCharStopsAtACharacterOutsideTheBmpOnNanoFramework()
        {
            string s = "a" + Emoji + "\"";
            Assert.AreEqual(TestRuntime.IsNanoFramework ? -1 : 3, s.IndexOf('"'), "why DeviceConfigReader.HasQuote scans the chars");
        }

        [TestMethod]
        public void FactStringsEndAtNulOnNanoFramework()
        {
            string built = new string(new char[] { 'a', '\0', 'b' });
            Assert.AreEqual(TestRuntime.IsNanoFramework ? 1 : 3, built.Length, "new string(char[])");
            string decoded = Encoding.UTF8.GetString(new byte[] { 0x41, 0x00, 0x42 }, 0, 3);
            Assert.AreEqual(TestRuntime.IsNanoFramework ? 1 : 3, decoded.Length, "Encoding.UTF8.GetString");
        }

        [TestMethod]
        public void FactInvalidUtf8BecomesADifferentNumberOfReplacementCharacters()
        {
            string s = Encoding.UTF8.GetString(new byte[] { 0xC0, 0x80, 0x41 }, 0, 3);
            Assert.AreEqual(TestRuntime.IsNanoFramework ? "FFFD 0041" : "FFFD FFFD 0041", Units(s), "why StrictUtf8 refuses instead");
        }

        [TestMethod]
        public void FactTryParseLeavesMinValueOnNanoFramework()
        {
            int value;
            Assert.IsFalse(int.TryParse("12x", out value));
            // CoreLibrary Int32.cs TryParse: the failed native parse's result is assigned; Core reads it only on success.
            Assert.AreEqual(TestRuntime.IsNanoFramework ? int.MinValue : 0, value);
        }

        [TestMethod]
        public void FactTrimRemovesDifferentWhiteSpace()
        {
            // nf-interpreter corlib_native_System_String.cpp c_WhiteSpaces: adds U+200B and U+FEFF, lacks U+0085,
            // U+1680, U+2028, U+2029, U+202F, U+205F. FrameText.ToBytes trims SMS text; only the receiver calls it.
            Assert.AreEqual(TestRuntime.IsNanoFramework ? 1 : 2, ("\uFEFFx").Trim().Length, "U+FEFF");
            Assert.AreEqual(TestRuntime.IsNanoFramework ? 2 : 1, ("x\u2028").Trim().Length, "U+2028");
        }

        [TestMethod]
        public void FactIntegerDivisionByZeroThrowsSystemExceptionOnNanoFramework()
        {
            // nanoFramework has no DivideByZeroException type (nf-interpreter corlib_native_System_Exception.cpp maps
            // no exception to CLR_E_DIVIDE_BY_ZERO): a catch of it could not even be written in Core.
            string thrown = "nothing";
            try
            {
                Divide(1, Zero());
            }
            catch (Exception e)
            {
                thrown = e.GetType().FullName;
            }
            Assert.AreEqual(TestRuntime.IsNanoFramework ? "System.Exception" : "System.DivideByZeroException", thrown);
        }

        private static int Zero()
        {
            return 0;
        }

        private static int Divide(int a, int b)
        {
            return a / b;
        }

        private static string Config(string extra)
        {
            return "{ \"deviceId\": \"fob-0001\", \"key\": \"" + Key + "\", " + extra
                + " \"broker\": { \"host\": \"alerts.example.org\", \"port\": 1883 } }";
        }

        /// <summary>The string's UTF-16 code units as upper-case hex, read through ToCharArray (right on both runtimes).</summary>
        private static string Units(string s)
        {
            char[] chars = s.ToCharArray();
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < chars.Length; i++)
            {
                if (i > 0)
                {
                    sb.Append(' ');
                }
                sb.Append(((int)chars[i]).ToString("X4"));
            }
            return sb.ToString();
        }
    }
}
