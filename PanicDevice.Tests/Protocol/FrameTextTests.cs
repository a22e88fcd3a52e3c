using System;
using System.Text;
using PanicDevice.Core.Protocol;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Protocol;

[TestClass]
public class FrameTextTests
{
    [TestMethod]
    public void GatewayLineWrappingAndUrlSafeAlphabetStillDecode()
    {
        byte[] key = SampleFrames.Key(0);
        TestRandom rng = new TestRandom(7);
        for (int i = 0; i < 500; i++)
        {
            byte[] bytes = FrameCodec.Encode(SampleFrames.Random(rng), key);
            string sms = FrameText.Encode(bytes);
            string wrapped = "  " + sms.Substring(0, 20) + "\r\n" + sms.Substring(20, 20) + " " + sms.Substring(40) + "\n";
            Expect.SameBytes(bytes, FrameText.ToBytes(wrapped), "wrapped: " + wrapped);
            string urlSafe = Swap(Swap(sms, '+', '-'), '/', '_');
            Expect.SameBytes(bytes, FrameText.ToBytes(urlSafe), "URL-safe: " + urlSafe);
        }
    }

    [TestMethod]
    [DataRow("")]
    [DataRow("HELP me at the station")]
    [DataRow("PD2:AQEIZm9i")]
    [DataRow("pd1:AQEIZm9i")]
    [DataRow("PD1:")]
    [DataRow("PD1:AQE*Zm9i")]
    [DataRow("PD1:A")]
    [DataRow("PD1:AQ=E")]
    [DataRow("PD1:AQ===")]
    [DataRow("PD1:AR==")]
    public void MalformedTextIsBadTextOrAFrameErrorNeverAnException(string text)
    {
        DecodeResult r = FrameText.Decode(text);
        Assert.AreNotEqual((int)DecodeStatus.Ok, (int)r.Status, text);
        Assert.IsNull(r.Frame, text);
        if (!FrameText.HasPrefix(text ?? ""))
        {
            Assert.AreEqual((int)DecodeStatus.BadText, (int)r.Status, text);
        }
    }

    // The null row of the test above, on its own: [DataRow(null)] binds null to DataRow's params object[] itself,
    // which MSTest turns into one null argument, while nanoFramework.TestFramework 3.0.77's DataRowAttribute
    // constructor throws ArgumentNullException for it (source/TestFrameworkShared/DataRowAttribute.cs).
    [TestMethod]
    public void NullTextIsBadTextNeverAnException()
    {
        DecodeResult r = FrameText.Decode(null);
        Assert.AreEqual((int)DecodeStatus.BadText, (int)r.Status);
        Assert.IsNull(r.Frame);
        Assert.IsNull(FrameText.ToBytes(null));
        Assert.IsFalse(FrameText.HasPrefix(null), "null has no prefix");
    }

    [TestMethod]
    public void StrictBase64MatchesTheRuntimeOnValidInput()
    {
        TestRandom rng = new TestRandom(11);
        for (int n = 0; n < 200; n++)
        {
            byte[] data = new byte[n];
            rng.NextBytes(data);
            // nanoCLR's Convert.ToBase64String(new byte[0]) returns garbage (native code leaves the buffer
            // unterminated); the base64 of nothing is the empty text on every correct runtime.
            string text = n == 0 ? "" : Convert.ToBase64String(data);
            Expect.SameBytes(data, Base64Strict.Decode(text, 0), "length " + n.ToString());
        }
    }

    [TestMethod]
    public void HugeTextIsRefusedWithoutWork()
    {
        // 300,000 characters, over a thousand times the limit. Not a million: nanoFramework's new string(c, n)
        // builds a char[n] first, and no array may exceed 0xFFFF heap blocks (nf-interpreter
        // src/CLR/Core/Execution.cpp:1499, ExtractHeapBlocksForArray): 1.5 MB on this 64-bit interpreter,
        // 786 KB on a 32-bit device, so the 2 MB char[] of a million-character string is OutOfMemory there.
        Assert.IsNull(FrameText.ToBytes("PD1:" + new string('A', 300_000)));
    }

    [TestMethod]
    public void AcceptedTextIsExactlyTheBase64OfTheBytesItGives()
    {
        // Random text over the base64 alphabets, padding, white space and a few strangers: whatever
        // Base64Strict accepts must be the canonical encoding of what it returns (so one frame has one text
        // form up to white space, the URL-safe swap and optional padding), and it must never throw.
        const string symbols = "AQgwEZaz09+/-_====    \r\n\t*.é";
        TestRandom rng = new TestRandom(4648);
        int accepted = 0;
        for (int i = 0; i < 20000; i++)
        {
            char[] chars = new char[rng.Next(0, 13)];
            for (int c = 0; c < chars.Length; c++)
            {
                chars[c] = symbols[rng.Next(symbols.Length)];
            }
            string text = new string(chars);
            byte[] bytes;
            try
            {
                bytes = Base64Strict.Decode(text, 0);
            }
            catch (Exception e)
            {
                Expect.Fail("Base64Strict threw " + e.GetType().Name + " on \"" + text + "\"");
                return;
            }
            if (bytes == null)
            {
                continue;
            }
            accepted++;
            string expected = bytes.Length == 0 ? "" : Convert.ToBase64String(bytes);
            Assert.AreEqual(WithoutPadding(expected), Canonical(text), "\"" + text + "\" decoded to " + Hex.Of(bytes));
        }
        Assert.IsTrue(accepted > 1000, "only " + accepted.ToString() + " texts accepted: the generator misses the valid cases");
    }

    /// <summary>The text without white space or padding, with the URL-safe alphabet mapped to the standard one.</summary>
    private static string Canonical(string text)
    {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == ' ' || c == '\r' || c == '\n' || c == '\t' || c == '=')
            {
                continue;
            }
            sb.Append(c == '-' ? '+' : c == '_' ? '/' : c);
        }
        return sb.ToString();
    }

    private static string WithoutPadding(string base64)
    {
        int end = base64.Length;
        while (end > 0 && base64[end - 1] == '=')
        {
            end--;
        }
        return base64.Substring(0, end);
    }

    private static string Swap(string text, char from, char to)
    {
        char[] chars = text.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
        {
            if (chars[i] == from)
            {
                chars[i] = to;
            }
        }
        return new string(chars);
    }
}
