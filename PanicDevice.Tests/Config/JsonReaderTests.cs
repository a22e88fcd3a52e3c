using System.Collections;
using PanicDevice.Core.Config;

namespace PanicDevice.Tests.Config;

[TestClass]
public class JsonReaderTests
{
    private static object Parse(string json)
    {
        object v = JsonReader.Parse(json, out string error);
        Assert.IsNull(error, error);
        return v;
    }

    [TestMethod]
    public void ReadsObjectsArraysStringsNumbersAndLiterals()
    {
        var doc = (Hashtable)Parse("{\"id\":\"fob-1\",\"n\":[1,-2.5,true,false,null],\"o\":{},\"s\":\"a\\\"b\\\\c\\u00e9\\n\"}");
        Assert.AreEqual("fob-1", doc["id"]);
        var n = (ArrayList)doc["n"];
        Assert.AreEqual("1", ((JsonNumber)n[0]).Text);
        Assert.AreEqual("-2.5", ((JsonNumber)n[1]).Text);
        Assert.AreEqual(true, n[2]);
        Assert.AreEqual(false, n[3]);
        Assert.AreSame(JsonReader.Null, n[4]);
        Assert.IsEmpty((Hashtable)doc["o"]);
        Assert.AreEqual("a\"b\\c\u00e9\n", doc["s"]);
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
        Assert.IsNull(JsonReader.Parse(json, out string error));
        StringAssert.Contains(error, expected);
    }

    [TestMethod]
    public void DepthAndSizeAreBounded()
    {
        Assert.IsNotNull(JsonReader.Parse(new string('[', JsonReader.MaxDepth) + new string(']', JsonReader.MaxDepth), out _));
        Assert.IsNull(JsonReader.Parse(new string('[', JsonReader.MaxDepth + 1) + new string(']', JsonReader.MaxDepth + 1), out string deep));
        StringAssert.Contains(deep, "nested too deeply");
        Assert.IsNull(JsonReader.Parse(new string(' ', JsonReader.MaxLength + 1), out string big));
        StringAssert.Contains(big, "longer than");
        Assert.IsNull(JsonReader.Parse(null, out string none));
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
        Assert.IsTrue(new JsonNumber(text).TryScaled(digits, out long v));
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
        Assert.IsFalse(new JsonNumber(text).TryScaled(digits, out _));
    }

    [TestMethod]
    public void RandomAndMutatedDocumentsNeverThrow()
    {
        var rng = new Random(99);
        string seed = "{\"deviceId\":\"fob-0001\",\"guardians\":[\"+628\",\"+629\"],\"lat\":-6.1753924,\"silent\":true,\"x\":null,\"s\":\"\\u00e9\\n\"}";
        const string alphabet = "{}[]\":,\\-0123456789.eE+truefalsn \n\tabc\u00e9\u0001";
        int parsed = 0;
        for (int i = 0; i < 60_000; i++)
        {
            char[] doc;
            if (i % 2 == 0)
            {
                doc = seed.ToCharArray();
                for (int e = rng.Next(1, 4); e > 0; e--) doc[rng.Next(doc.Length)] = alphabet[rng.Next(alphabet.Length)];
                if (rng.Next(4) == 0) doc = doc[..rng.Next(doc.Length)];
            }
            else
            {
                doc = new char[rng.Next(0, 60)];
                for (int k = 0; k < doc.Length; k++) doc[k] = alphabet[rng.Next(alphabet.Length)];
            }
            object v = JsonReader.Parse(new string(doc), out string error);
            Assert.AreEqual(v == null, error != null, "a result is either a value or an error");
            if (v != null) parsed++;
        }
        Assert.IsGreaterThan(100, parsed, "the generator also produces valid documents");
    }
}
