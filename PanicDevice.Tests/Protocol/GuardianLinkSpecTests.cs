using System.Security.Cryptography;
using System.Text;
using PanicDevice.Core.Protocol;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Protocol;

/// <summary>The token as docs/protocol.md defines it, computed here with .NET's HMAC and a base32 of this test's own.</summary>
[TestClass]
public class GuardianLinkSpecTests
{
    private static string Base32(byte[] data)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        var bits = string.Concat(data.Select(b => Convert.ToString(b, 2).PadLeft(8, '0')));
        return string.Concat(Enumerable.Range(0, bits.Length / 5).Select(i => alphabet[Convert.ToInt32(bits.Substring(i * 5, 5), 2)]));
    }

    [TestMethod]
    [DataRow("fob-0042", 1234u)]
    [DataRow("wall-shop.7", 4227858430u)]
    public void TheTokenIsTheDocumentedHmac(string device, uint counter)
    {
        byte[] key = SampleFrames.RandomKey(0x44);
        byte[] mac = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes("pd-guardian-link/v1\n" + device + "\n" + counter));
        Assert.AreEqual(Base32(mac[..10]), GuardianLink.Token(key, device, counter));
    }

    [TestMethod]
    public void TheDocumentedVectorHolds()
    {
        // docs/protocol.md, Guardian links: key 00 01 … 1f, fob-0042, press 1234.
        byte[] key = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        string doc = File.ReadAllText(RepoFiles.DataFile("protocol.md"));
        StringAssert.Contains(doc, "https://help.example.org/g/fob-0042/1234#" + GuardianLink.Token(key, "fob-0042", 1234));
    }
}
