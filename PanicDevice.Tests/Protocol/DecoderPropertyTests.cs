using PanicDevice.Core.Protocol;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Protocol;

/// <summary>
/// Untrusted bytes never make the decoder throw and every rejection has a reason. The long fuzz run
/// (millions of inputs) is a benchmark command; this short form keeps the test suite fast.
/// </summary>
[TestClass]
public class DecoderPropertyTests
{
    private const int Inputs = 120_000;

    [TestMethod]
    public void RandomAndMutatedInputsNeverThrowAndAlwaysGiveAReason()
    {
        var rng = new TestRandom(20261122);
        byte[] key = SampleFrames.Key(0);
        var seeds = new List<byte[]>();
        for (int i = 0; i < 64; i++)
        {
            seeds.Add(FrameCodec.Encode(SampleFrames.Random(rng), key));
        }

        var seen = new Dictionary<DecodeStatus, int>();
        int acceptedMutants = 0;
        for (int i = 0; i < Inputs; i++)
        {
            byte[] input = (i % 3) switch
            {
                0 => RandomBytes(rng),
                1 => Mutate(seeds[rng.Next(seeds.Count)], rng),
                _ => Splice(seeds[rng.Next(seeds.Count)], seeds[rng.Next(seeds.Count)], rng),
            };
            DecodeResult r;
            try
            {
                r = FrameCodec.DecodeAndVerify(input, key);
                FrameText.Decode("PD1:" + Convert.ToBase64String(input));
                FrameText.Decode(System.Text.Encoding.Latin1.GetString(input));
            }
            catch (Exception e)
            {
                Assert.Fail("decoder threw " + e.GetType().Name + " on " + RepoFiles.ToHex(input));
                return;
            }
            Assert.IsNotNull(r);
            Assert.IsFalse(string.IsNullOrEmpty(r.Detail), "every result names its reason");
            Assert.AreEqual(r.Status == DecodeStatus.Ok, r.Frame != null);
            seen[r.Status] = seen.GetValueOrDefault(r.Status) + 1;
            if (r.Status == DecodeStatus.Ok && !seeds.Any(s => s.AsSpan().SequenceEqual(input)))
            {
                acceptedMutants++;
            }
        }
        Assert.AreEqual(0, acceptedMutants, "a mutated frame verified under the key");
        // The generator must reach deep into the decoder, not stop at the first check.
        foreach (DecodeStatus s in new[] { DecodeStatus.Truncated, DecodeStatus.UnknownVersion, DecodeStatus.BadTag, DecodeStatus.BadField, DecodeStatus.BadDeviceId, DecodeStatus.UnknownKind })
        {
            Assert.IsTrue(seen.ContainsKey(s), "no input reached " + s);
        }
    }

    private static byte[] RandomBytes(TestRandom rng)
    {
        byte[] b = new byte[rng.Next(0, 140)];
        rng.NextBytes(b);
        if (b.Length > 0 && rng.Next(2) == 0)
        {
            b[0] = FrameCodec.Version;
        }
        return b;
    }

    private static byte[] Mutate(byte[] seed, TestRandom rng)
    {
        byte[] b = (byte[])seed.Clone();
        int edits = rng.Next(1, 4);
        for (int e = 0; e < edits; e++)
        {
            switch (rng.Next(4))
            {
                case 0: b[rng.Next(b.Length)] ^= (byte)(1 << rng.Next(8)); break;
                case 1: b[rng.Next(b.Length)] = (byte)rng.Next(256); break;
                case 2: b = b[..rng.Next(b.Length)]; if (b.Length == 0) return b; break;
                default: b = b.Concat(new[] { (byte)rng.Next(256) }).ToArray(); break;
            }
        }
        return b;
    }

    private static byte[] Splice(byte[] a, byte[] b, TestRandom rng)
    {
        int cut = rng.Next(a.Length);
        return a[..cut].Concat(b[Math.Min(cut, b.Length)..]).ToArray();
    }
}
