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
    public void WhiteSpaceIsNotCountedTowardsTheLengthLimit()
    {
        // The longest frame (a 32-character id): its text is exactly the limit, and a gateway may wrap it however it likes.
        byte[] bytes = FrameCodec.Encode(SampleFrames.Alert(new string('w', FrameCodec.MaxDeviceIdLength)), SampleFrames.Key(0));
        string sms = FrameText.Encode(bytes);
        Assert.AreEqual(FrameText.MaxTextLength, sms.Length, "the longest frame's text is the limit");
        StringBuilder everyCharacterOnItsOwnLine = new StringBuilder();
        for (int i = 0; i < sms.Length; i++)
        {
            everyCharacterOnItsOwnLine.Append(sms[i]);
            if (i >= FrameText.Prefix.Length - 1)
            {
                everyCharacterOnItsOwnLine.Append("\r\n");
            }
        }
        Expect.SameBytes(bytes, FrameText.ToBytes(everyCharacterOnItsOwnLine.ToString()), "a CR LF after every character");
        Expect.SameBytes(bytes, FrameText.ToBytes(new string(' ', 1000) + sms + new string('\n', 1000)), "a thousand spaces before and line breaks after");
    }

    [TestMethod]
    public void TextOverTheLimitIsBadTextEvenWhenItIsValidBase64()
    {
        // 128 base64 characters after the prefix (132 in all) decode to 96 bytes: the decoder must not get that far.
        string over = FrameText.Prefix + new string('A', FrameText.MaxTextLength);
        Assert.IsNotNull(Base64Strict.Decode(over, FrameText.Prefix.Length), "the base64 itself is well formed");
        Assert.IsNull(FrameText.ToBytes(over), "over the text limit");
        Assert.AreEqual((int)DecodeStatus.BadText, (int)FrameText.Decode(over).Status);
        // At the limit the text is read, and the frame decoder refuses what it gives.
        string atLimit = FrameText.Prefix + new string('A', FrameText.MaxTextLength - FrameText.Prefix.Length);
        Assert.AreEqual((int)DecodeStatus.TooLong, (int)FrameText.Decode(atLimit).Status);
    }

    [TestMethod]
    public void OnlySpaceTabCrAndLfAreWhiteSpace()
    {
        // string.Trim would take some of these away, and a different set on each runtime (docs/nanoframework-runtime.md).
        string sms = FrameText.Encode(FrameCodec.Encode(SampleFrames.Alert(), SampleFrames.Key(0)));
        string[] strangers = { "\u000B", "\u000C", "\u00A0", "\u0085", "\u200B", "\u2028", "\u3000", "\uFEFF" };
        for (int i = 0; i < strangers.Length; i++)
        {
            string code = "U+" + ((int)strangers[i][0]).ToString("X4");
            Assert.IsFalse(FrameText.HasPrefix(strangers[i] + sms), code + " before the prefix");
            Assert.IsNull(FrameText.ToBytes(strangers[i] + sms), code + " before the prefix");
            Assert.IsNull(FrameText.ToBytes(sms + strangers[i]), code + " after the end");
            Assert.IsNull(FrameText.ToBytes(sms.Substring(0, 30) + strangers[i] + sms.Substring(30)), code + " inside");
        }
        string[] spaces = { " ", "\t", "\r", "\n" };
        for (int i = 0; i < spaces.Length; i++)
        {
            Assert.IsTrue(FrameText.HasPrefix(spaces[i] + sms), "white space " + ((int)spaces[i][0]).ToString() + " before the prefix");
            Assert.IsNotNull(FrameText.ToBytes(spaces[i] + sms + spaces[i]), "white space " + ((int)spaces[i][0]).ToString() + " around the text");
        }
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
