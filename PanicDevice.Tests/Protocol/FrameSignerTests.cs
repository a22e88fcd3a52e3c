using System;
using PanicDevice.Core.Protocol;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Protocol;

/// <summary>
/// ComputeTag signs exactly data[0..length) and touches nothing it is given. Core copies the signed bytes
/// before handing them to the platform's HMAC (HMACSHA256.HashData hashes a whole array), so these pin that copy.
/// </summary>
[TestClass]
public class FrameSignerTests
{
    [TestMethod]
    public void ComputeTagLeavesTheDataUnchanged()
    {
        byte[] key = SampleFrames.Key(0);
        byte[] data = new byte[100];
        new TestRandom(17).NextBytes(data);
        byte[] original = (byte[])data.Clone();
        FrameSigner.ComputeTag(key, data, data.Length);
        Expect.SameBytes(original, data, "signing all of the data changed it");
        FrameSigner.ComputeTag(key, data, 37);
        Expect.SameBytes(original, data, "signing a prefix changed the data");
    }

    [TestMethod]
    public void ComputeTagOverAPrefixEqualsComputeTagOverACopyOfThePrefix()
    {
        byte[] key = SampleFrames.Key(0);
        // Longer than two SHA-256 blocks, so prefixes end inside the first, second and third block.
        byte[] data = new byte[150];
        new TestRandom(18).NextBytes(data);
        for (int length = 0; length < data.Length; length++)
        {
            byte[] copy = new byte[length];
            Array.Copy(data, copy, length);
            Assert.AreEqual(Hex.Of(FrameSigner.ComputeTag(key, copy, length)), Hex.Of(FrameSigner.ComputeTag(key, data, length)), "prefix of " + length.ToString() + " bytes");
        }
        // Python: hmac.new(bytes(range(32)), b"", hashlib.sha256).hexdigest(); the empty prefix is a real HMAC too.
        Assert.AreEqual("d38b42096d80f45f826b44a9d5607de72496a415d3f4a1a8c88e3bb9da8dc1cb", Hex.Of(FrameSigner.ComputeTag(key, data, 0)), "HMAC of no bytes");
    }

    [TestMethod]
    public void ComputeTagRefusesMissingArraysAndLengthsOutsideTheData()
    {
        byte[] key = SampleFrames.Key(0);
        byte[] data = new byte[10];
        Expect.Throws(typeof(ArgumentNullException), () => FrameSigner.ComputeTag(null, data, 1), "no key");
        Expect.Throws(typeof(ArgumentNullException), () => FrameSigner.ComputeTag(key, null, 0), "no data");
        Expect.Throws(typeof(ArgumentOutOfRangeException), () => FrameSigner.ComputeTag(key, data, -1), "negative length");
        Expect.Throws(typeof(ArgumentOutOfRangeException), () => FrameSigner.ComputeTag(key, data, 11), "length past the data");
    }
}
