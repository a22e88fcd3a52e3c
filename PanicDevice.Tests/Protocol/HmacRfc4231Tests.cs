using System;
using PanicDevice.Core.Protocol;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Protocol;

/// <summary>RFC 4231 §4 HMAC-SHA-256 test cases through the signing path frames use.</summary>
[TestClass]
public class HmacRfc4231Tests
{
    private static byte[] Repeat(byte b, int n)
    {
        byte[] bytes = new byte[n];
        for (int i = 0; i < n; i++)
        {
            bytes[i] = b;
        }
        return bytes;
    }

    /// <summary>The key and data of RFC 4231 test case <paramref name="testCase"/>.</summary>
    private static void Case(int testCase, out byte[] key, out byte[] data)
    {
        switch (testCase)
        {
            case 1:
                key = Repeat(0x0b, 20);
                data = Hex.Ascii("Hi There");
                return;
            case 2:
                key = Hex.Ascii("Jefe");
                data = Hex.Ascii("what do ya want for nothing?");
                return;
            case 3:
                key = Repeat(0xaa, 20);
                data = Repeat(0xdd, 50);
                return;
            case 4:
                key = new byte[25];
                for (int i = 0; i < key.Length; i++)
                {
                    key[i] = (byte)(i + 1);
                }
                data = Repeat(0xcd, 50);
                return;
            case 5:
                key = Repeat(0x0c, 20);
                data = Hex.Ascii("Test With Truncation");
                return;
            case 6:
                key = Repeat(0xaa, 131);
                data = Hex.Ascii("Test Using Larger Than Block-Size Key - Hash Key First");
                return;
            default:
                key = Repeat(0xaa, 131);
                data = Hex.Ascii("This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.");
                return;
        }
    }

    [TestMethod]
    [DataRow(1, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")]
    [DataRow(2, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")]
    [DataRow(3, "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe")]
    [DataRow(4, "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b")]
    [DataRow(5, "a3b6167473100ee06e0c796c2955552b")]
    [DataRow(6, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")]
    [DataRow(7, "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2")]
    public void Rfc4231TestCase(int testCase, string expectedHex)
    {
        byte[] key;
        byte[] data;
        Case(testCase, out key, out data);
        string tag = Hex.Of(FrameSigner.ComputeTag(key, data, data.Length));
        // Test case 5 specifies only the first 128 bits of the output.
        Assert.AreEqual(expectedHex, tag.Substring(0, expectedHex.Length), "RFC 4231 test case " + testCase.ToString());
    }

    [TestMethod]
    public void SigningAPrefixSignsOnlyThatPrefix()
    {
        byte[] key = Repeat(0x0b, 20);
        byte[] data = Hex.Ascii("Hi There, and more bytes that are not signed");
        Assert.AreEqual("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7", Hex.Of(FrameSigner.ComputeTag(key, data, 8)));
    }
}
