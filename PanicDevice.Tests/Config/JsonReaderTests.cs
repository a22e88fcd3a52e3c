using System;
using System.Collections;
using System.Text;
using PanicDevice.Core.Config;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Config
{
    [TestClass]
    public class JsonReaderTests
    {
        private static object Parse(string json)
        {
            string error;
            object v = JsonReader.Parse(json, out error);
            Assert.IsNull(error, error);
            return v;
        }

        [TestMethod]
        public void ReadsObjectsArraysStringsNumbersAndLiterals()
        {
            Hashtable doc = (Hashtable)Parse("{\"id\":\"fob-1\",\"n\":[1,-2.5,true,false,null],\"o\":{},\"s\":\"a\\\"b\\\\c\\u00e9\\n\"}");
            Assert.AreEqual("fob-1", (string)doc["id"]);
            ArrayList n = (ArrayList)doc["n"];
            Assert.AreEqual("1", ((JsonNumber)n[0]).Text);
            Assert.AreEqual("-2.5", ((JsonNumber)n[1]).Text);
            Assert.AreEqual(true, (bool)n[2]);
            Assert.AreEqual(false, (bool)n[3]);
            Assert.AreSame(JsonReader.Null, n[4]);
            Assert.AreEqual(0, ((Hashtable)doc["o"]).Count);
            Assert.AreEqual("a\"b\\c\u00e9\n", (string)doc["s"]);
        }

        [TestMethod]
        [DataRow("", "line 1, column 1: unexpected end")]
        [DataRow("{\"a\":1,}", "line 1, column 8: expected a quoted member name")]
        [DataRow("{\"a\" 1}", "expected ':'")]
        [DataRow("{\n  \"a\": tru\n}", "line 2, column 8: expected a value")]
        [DataRow("[1 2]", "expected ',' or ']'")]
        [DataRow("{\"a\":1,\"a\":2}", "\"a\" appears twice")]
        [DataRow("\"abc", "string is not closed")]
        [DataRow("\"a\u0001\"", "control character")]
        [DataRow("01", "unexpected text after the end")]
        [DataRow("-", "bad number")]
        [DataRow("1.", "bad number")]
        [DataRow("\"\\x\"", "unknown escape")]
        [DataRow("\"\\u12g4\"", "bad \\u escape")]
        [DataRow("{} {}", "unexpected text after the end")]
        public void BrokenDocumentsGiveAPositionedReason(string json, string expected)
        {
            string error;
            Assert.IsNull(JsonReader.Parse(json, out error));
            Expect.Contains(expected, error);
        }

        [TestMethod]
        public void DepthAndSizeAreBounded()
        {
            string ignored;
            Assert.IsNotNull(JsonReader.Parse(new string('[', JsonReader.MaxDepth) + new string(']', JsonReader.MaxDepth), out ignored));
            string deep;
            Assert.IsNull(JsonReader.Parse(new string('[', JsonReader.MaxDepth + 1) + new string(']', JsonReader.MaxDepth + 1), out deep));
            Expect.Contains("nested too deeply", deep);
            string big;
            Assert.IsNull(JsonReader.Parse(new string(' ', JsonReader.MaxLength + 1), out big));
            Expect.Contains("longer than", big);
            string none;
            Assert.IsNull(JsonReader.Parse(null, out none));
            Assert.IsNotNull(none);
        }

        [TestMethod]
        [DataRow("-6.1753924", 7, -61753924L)]
        [DataRow("106.8271528", 7, 1068271528L)]
        [DataRow("106.82715", 7, 1068271500L)]
        [DataRow("-0.0000001", 7, -1L)]
        [DataRow("180", 7, 1800000000L)]
        [DataRow("1.50000000", 7, 15000000L)]
        [DataRow("20000", 0, 20000L)]
        public void NumbersConvertExactly(string text, int digits, long expected)
        {
            long v;
            Assert.IsTrue(new JsonNumber(text).TryScaled(digits, out v), text + " was refused");
            Assert.AreEqual(expected, v);
        }

        [TestMethod]
        [DataRow("1.5", 0)]
        [DataRow("1e3", 0)]
        [DataRow("0.12345678", 7)]
        [DataRow("99999999999999999999", 0)]
        [DataRow("922337203685.4775807", 7)]
        public void NumbersThatDoNotFitAreRefused(string text, int digits)
        {
            long ignored;
            Assert.IsFalse(new JsonNumber(text).TryScaled(digits, out ignored), text + " was accepted");
        }

        [TestMethod]
        [DataRow("+1", "line 1, column 1: expected a value")]
        [DataRow(".5", "line 1, column 1: expected a value")]
        [DataRow("NaN", "line 1, column 1: expected a value")]
        [DataRow("Infinity", "line 1, column 1: expected a value")]
        [DataRow("-Infinity", "line 1, column 2: bad number")]
        [DataRow("--1", "line 1, column 2: bad number")]
        [DataRow("1e", "line 1, column 3: bad number")]
        [DataRow("1e+", "line 1, column 4: bad number")]
        [DataRow("1.e3", "line 1, column 3: bad number")]
        [DataRow("-01", "line 1, column 3: unexpected text after the end")]
        [DataRow("0x10", "line 1, column 2: unexpected text after the end")]
        [DataRow("1.5.2", "line 1, column 4: unexpected text after the end")]
        [DataRow("1e5e5", "line 1, column 4: unexpected text after the end")]
        [DataRow("{\"lat\":-6,9147}", "line 1, column 11: expected a quoted member name")]
        [DataRow("[12345678901234567890123456789012345678901]", "number too long")]
        public void MalformedNumbersAreRefusedWithTheirPosition(string json, string expected)
        {
            // A decimal comma, a leading '+' or '.', hex, NaN and Infinity are how numbers go wrong in a hand-edited
            // file; none may be read as some other number.
            string error;
            Assert.IsNull(JsonReader.Parse(json, out error), json + " was accepted");
            Expect.Contains(expected, error);
        }

        [TestMethod]
        public void EveryValidNumberSpellingKeepsItsExactText()
        {
            // Numbers stay text (no double in between), so a value far outside double's range or precision reads
            // the same on both runtimes and is refused, never rounded, when it does not fit.
            string[] texts = { "0", "-0", "0.5", "-0.0000001", "2.5e+3", "1E-2", "1e400", "-1e-400", "123456789012345678901234567890", "-6.1753924" };
            string json = "[";
            for (int i = 0; i < texts.Length; i++)
            {
                json += (i > 0 ? ", " : "") + texts[i];
            }
            ArrayList list = (ArrayList)Parse(json + "]");
            Assert.AreEqual(texts.Length, list.Count);
            for (int i = 0; i < texts.Length; i++)
            {
                Assert.AreEqual(texts[i], ((JsonNumber)list[i]).Text);
            }
            long v;
            Assert.IsTrue(((JsonNumber)list[1]).TryGetInt64(out v), "-0 is zero");
            Assert.AreEqual(0L, v);
            Assert.IsFalse(((JsonNumber)list[4]).TryScaled(0, out v), "exponents are refused, not evaluated");
            Assert.IsFalse(((JsonNumber)list[6]).TryScaled(7, out v), "1e400 is refused, not infinity");
            Assert.IsFalse(((JsonNumber)list[8]).TryGetInt64(out v), "30 digits do not fit");
        }

        [TestMethod]
        [DataRow("9223372036854775808")]
        [DataRow("9223372036854775807")]
        [DataRow("-9223372036854775808")]
        [DataRow("-9223372036854775809")]
        [DataRow("18446744073709551617")]
        [DataRow("18446744073709551616")]
        [DataRow("-18446744073709551617")]
        [DataRow("92233720368547758070")]
        public void NumbersAtTheLimitsOfALongNeverWrapAround(string text)
        {
            // 2^64 + 1 wrapped would read as 1, a valid port or time: a number is either exact or refused.
            long v;
            if (new JsonNumber(text).TryGetInt64(out v))
            {
                Assert.AreEqual(text, v.ToString(), "accepted, so it must be exact");
            }
            Assert.IsFalse(new JsonNumber(text).TryScaled(1, out v) && v.ToString() != text + "0", text + " scaled by 10 wrapped to " + v.ToString());
        }

        [TestMethod]
        [DataRow("0.0000001", 7, 1L)]
        [DataRow("-0.00000010", 7, -1L)]
        [DataRow("0.00000000", 7, 0L)]
        [DataRow("-0", 7, 0L)]
        [DataRow("-180", 7, -1800000000L)]
        [DataRow("214.7483647", 7, 2147483647L)]
        [DataRow("-214.7483648", 7, -2147483648L)]
        [DataRow("429.4967297", 7, 4294967297L)]
        [DataRow("65535", 0, 65535L)]
        [DataRow("8883.000", 0, 8883L)]
        public void NumbersAtTheEdgesOfTheirScaleConvertExactly(string text, int digits, long expected)
        {
            long v;
            Assert.IsTrue(new JsonNumber(text).TryScaled(digits, out v), text + " was refused");
            Assert.AreEqual(expected, v, text);
        }

        [TestMethod]
        [DataRow("0.00000001", 7)]
        [DataRow("-6.17539241", 7)]
        [DataRow("65535.5", 0)]
        [DataRow("1E3", 0)]
        [DataRow("2.5e+3", 7)]
        public void NumbersMorePreciseThanTheirScaleAreRefusedNotRounded(string text, int digits)
        {
            long v;
            Assert.IsFalse(new JsonNumber(text).TryScaled(digits, out v), text + " read as " + v.ToString());
        }

        [TestMethod]
        public void NonAsciiTextIsReadTheSameOnBothRuntimes()
        {
            // nanoFramework keeps strings as UTF-8; names in device.json can hold any script and emoji, raw or escaped.
            string raw = "{\"name\":\"Ra\u1e25mah \ud83d\udea8 \u0623\u062d\u0645\u062f\"}";
            Hashtable doc = (Hashtable)Parse(raw);
            Assert.AreEqual("Ra\u1e25mah \ud83d\udea8 \u0623\u062d\u0645\u062f", (string)doc["name"]);
            Hashtable escaped = (Hashtable)Parse("{\"name\":\"\\ud83d\\udea8\\u00e9\"}");
            Assert.AreEqual("\ud83d\udea8\u00e9", (string)escaped["name"]);
            string error;
            Assert.IsNull(JsonReader.Parse("{\"n\":\"\u00e9\u00e9\", x}", out error));
            Expect.Contains("line 1, column 12: expected a quoted member name", error, "columns count characters, not UTF-8 bytes");
        }

        [TestMethod]
        public void ADocumentOfTheLongestAcceptedLengthIsRead()
        {
            // The whole budget in numbers and strings: on nanoFramework each string[i] and Substring walked the whole
            // UTF-8 text, so this took seconds and allocated twice the document per number.
            StringBuilder sb = new StringBuilder(JsonReader.MaxLength);
            sb.Append("[");
            int items = 0;
            while (sb.Length < JsonReader.MaxLength - 40)
            {
                sb.Append(items % 2 == 0 ? "\"abcdefgh\"," : "-6.1753924,");
                items++;
            }
            sb.Append("106.8271528");
            items++;
            sb.Append(new string(' ', JsonReader.MaxLength - 1 - sb.Length)).Append("]");
            Assert.AreEqual(JsonReader.MaxLength, sb.Length);
            ArrayList list = (ArrayList)Parse(sb.ToString());
            Assert.AreEqual(items, list.Count);
            Assert.AreEqual("abcdefgh", (string)list[0]);
            Assert.AreEqual("-6.1753924", ((JsonNumber)list[1]).Text);
            Assert.AreEqual("106.8271528", ((JsonNumber)list[items - 1]).Text);
        }

        [TestMethod]
        public void RandomAndMutatedDocumentsNeverThrow()
        {
            TestRandom rng = new TestRandom(99);
            string seed = "{\"deviceId\":\"fob-0001\",\"guardians\":[\"+628\",\"+629\"],\"lat\":-6.1753924,\"silent\":true,\"x\":null,\"s\":\"\\u00e9\\n\"}";
            const string alphabet = "{}[]\":,\\-0123456789.eE+truefalsn \n\tabc\u00e9\u0001";
            int parsed = 0;
            for (int i = 0; i < 60000; i++)
            {
                char[] doc;
                if (i % 2 == 0)
                {
                    doc = seed.ToCharArray();
                    for (int e = rng.Next(1, 4); e > 0; e--)
                    {
                        doc[rng.Next(doc.Length)] = alphabet[rng.Next(alphabet.Length)];
                    }
                    if (rng.Next(4) == 0)
                    {
                        char[] cut = new char[rng.Next(doc.Length)];
                        Array.Copy(doc, cut, cut.Length);
                        doc = cut;
                    }
                }
                else
                {
                    doc = new char[rng.Next(0, 60)];
                    for (int k = 0; k < doc.Length; k++)
                    {
                        doc[k] = alphabet[rng.Next(alphabet.Length)];
                    }
                }
                string error;
                object v = JsonReader.Parse(new string(doc), out error);
                Assert.AreEqual(v == null, error != null, "a result is either a value or an error");
                if (v != null)
                {
                    parsed++;
                }
            }
            Assert.IsTrue(parsed > 100, "the generator also produces valid documents (" + parsed.ToString() + ")");
        }
    }
}
