using System;
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
        TestRandom rng = new TestRandom(20261122);
        byte[] key = SampleFrames.Key(0);
        byte[][] seeds = new byte[64][];
        for (int i = 0; i < seeds.Length; i++)
        {
            seeds[i] = FrameCodec.Encode(SampleFrames.Random(rng), key);
        }

        int[] seen = new int[(int)DecodeStatus.BadText + 1];
        int acceptedMutants = 0;
        for (int i = 0; i < Inputs; i++)
        {
            byte[] input;
            switch (i % 3)
            {
                case 0:
                    input = RandomBytes(rng);
                    break;
                case 1:
                    input = Mutate(seeds[rng.Next(seeds.Length)], rng);
                    break;
                default:
                    input = Splice(seeds[rng.Next(seeds.Length)], seeds[rng.Next(seeds.Length)], rng);
                    break;
            }
            DecodeResult r;
            try
            {
                r = FrameCodec.DecodeAndVerify(input, key);
                // ToBase64String of no bytes is garbage on nanoCLR; "PD1:" alone is the text an empty input gives.
                FrameText.Decode("PD1:" + (input.Length == 0 ? "" : Convert.ToBase64String(input)));
                FrameText.Decode(Latin1(input));
            }
            catch (Exception e)
            {
                Expect.Fail("decoder threw " + e.GetType().Name + " on " + Hex.Of(input));
                return;
            }
            Assert.IsNotNull(r, "no result for " + Hex.Of(input));
            Assert.IsFalse(r.Detail == null || r.Detail.Length == 0, "every result names its reason");
            Assert.AreEqual(r.Status == DecodeStatus.Ok, r.Frame != null, "a frame comes exactly with Ok");
            seen[(int)r.Status]++;
            if (r.Status == DecodeStatus.Ok && !IsSeed(seeds, input))
            {
                acceptedMutants++;
            }
        }
        Assert.AreEqual(0, acceptedMutants, "a mutated frame verified under the key");
        // The generator must reach deep into the decoder, not stop at the first check.
        DecodeStatus[] deep = { DecodeStatus.Truncated, DecodeStatus.UnknownVersion, DecodeStatus.BadTag, DecodeStatus.BadField, DecodeStatus.BadDeviceId, DecodeStatus.UnknownKind };
        string[] names = { "Truncated", "UnknownVersion", "BadTag", "BadField", "BadDeviceId", "UnknownKind" };
        for (int i = 0; i < deep.Length; i++)
        {
            Assert.IsTrue(seen[(int)deep[i]] > 0, "no input reached " + names[i]);
        }
    }

    /// <summary>Each byte as the character with that code (what Latin-1 decoding gives; nanoFramework has only UTF-8).</summary>
    private static string Latin1(byte[] bytes)
    {
        char[] chars = new char[bytes.Length];
        for (int i = 0; i < bytes.Length; i++)
        {
            chars[i] = (char)bytes[i];
        }
        return new string(chars);
    }

    private static bool IsSeed(byte[][] seeds, byte[] input)
    {
        for (int s = 0; s < seeds.Length; s++)
        {
            if (SameBytes(seeds[s], input))
            {
                return true;
            }
        }
        return false;
    }

    private static bool SameBytes(byte[] a, byte[] b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }
        for (int i = 0; i < a.Length; i++)
        {
            if (a[i] != b[i])
            {
                return false;
            }
        }
        return true;
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
                case 0:
                    b[rng.Next(b.Length)] ^= (byte)(1 << rng.Next(8));
                    break;
                case 1:
                    b[rng.Next(b.Length)] = (byte)rng.Next(256);
                    break;
                case 2:
                    b = Slice(b, 0, rng.Next(b.Length));
                    if (b.Length == 0)
                    {
                        return b;
                    }
                    break;
                default:
                    byte[] longer = new byte[b.Length + 1];
                    Array.Copy(b, longer, b.Length);
                    longer[b.Length] = (byte)rng.Next(256);
                    b = longer;
                    break;
            }
        }
        return b;
    }

    private static byte[] Splice(byte[] a, byte[] b, TestRandom rng)
    {
        int cut = rng.Next(a.Length);
        int from = cut < b.Length ? cut : b.Length;
        byte[] spliced = new byte[cut + b.Length - from];
        Array.Copy(a, 0, spliced, 0, cut);
        Array.Copy(b, from, spliced, cut, b.Length - from);
        return spliced;
    }

    private static byte[] Slice(byte[] bytes, int start, int end)
    {
        byte[] s = new byte[end - start];
        Array.Copy(bytes, start, s, 0, s.Length);
        return s;
    }
}
