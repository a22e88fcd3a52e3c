using PanicDevice.Core.Protocol;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Protocol;

[TestClass]
public class FrameTextTests
{
    private static readonly byte[] Key = SampleFrames.Key(0);

    [TestMethod]
    public void GatewayLineWrappingAndUrlSafeAlphabetStillDecode()
    {
        var rng = new TestRandom(7);
        for (int i = 0; i < 500; i++)
        {
            byte[] bytes = FrameCodec.Encode(SampleFrames.Random(rng), Key);
            string sms = FrameText.Encode(bytes);
            string wrapped = "  " + sms[..20] + "\r\n" + sms[20..40] + " " + sms[40..] + "\n";
            CollectionAssert.AreEqual(bytes, FrameText.ToBytes(wrapped));
            string urlSafe = sms.Replace('+', '-').Replace('/', '_');
            CollectionAssert.AreEqual(bytes, FrameText.ToBytes(urlSafe));
        }
    }

    [TestMethod]
    [DataRow(null)]
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
        Assert.AreNotEqual(DecodeStatus.Ok, r.Status);
        Assert.IsNull(r.Frame);
        if (!FrameText.HasPrefix(text ?? ""))
        {
            Assert.AreEqual(DecodeStatus.BadText, r.Status);
        }
    }

    [TestMethod]
    public void StrictBase64MatchesTheRuntimeOnValidInput()
    {
        var rng = new TestRandom(11);
        for (int n = 0; n < 200; n++)
        {
            byte[] data = new byte[n];
            rng.NextBytes(data);
            string text = Convert.ToBase64String(data);
            CollectionAssert.AreEqual(data, Base64Strict.Decode(text, 0), "length " + n);
        }
    }

    [TestMethod]
    public void HugeTextIsRefusedWithoutWork()
    {
        Assert.IsNull(FrameText.ToBytes("PD1:" + new string('A', 1_000_000)));
    }
}
