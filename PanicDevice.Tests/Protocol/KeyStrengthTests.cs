using System;
using PanicDevice.Core.Protocol;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Protocol
{
    /// <summary>Keys no random generator made are refused at provisioning, with a reason that never shows the key.</summary>
    [TestClass]
    public class KeyStrengthTests
    {
        private static byte[] Repeat(byte[] pattern)
        {
            byte[] k = new byte[FrameCodec.KeyLength];
            for (int i = 0; i < k.Length; i++)
            {
                k[i] = pattern[i % pattern.Length];
            }
            return k;
        }

        private static void AssertRefused(byte[] key, string what)
        {
            string problem = KeyStrength.Problem(key);
            Assert.IsNotNull(problem, what + " was accepted");
            Expect.StartsWith("key is not random", problem, what);
            Expect.DoesNotContain(Hex.Of(key).Substring(0, 8), problem.ToLower(), what + ": the reason shows key bytes");
        }

        [TestMethod]
        public void AllZeroAndAnyRepeatedByteAreRefused()
        {
            AssertRefused(new byte[32], "all zeros");
            AssertRefused(Repeat(new byte[] { 0xFF }), "all 0xFF");
            AssertRefused(Repeat(new byte[] { 0x41 }), "all 'A'");
        }

        [TestMethod]
        public void CountingSequencesAreRefusedTheDocumentedTestKeysAmongThem()
        {
            AssertRefused(SampleFrames.Key(0x00), "000102…1f (docs/protocol.md)");
            AssertRefused(SampleFrames.Key(0x20), "202122…3f (docs/protocol.md)");
            AssertRefused(SampleFrames.Key(0xF0), "f0f1…ff0001… (wrapping)");
            byte[] down = new byte[32];
            for (int i = 0; i < down.Length; i++)
            {
                down[i] = (byte)(0xFF - 3 * i);
            }
            AssertRefused(down, "counting down in steps of 3");
        }

        [TestMethod]
        public void RepeatedPatternsAndTextAreRefused()
        {
            AssertRefused(Repeat(new byte[] { 0xDE, 0xAD, 0xBE, 0xEF }), "deadbeef × 8");
            AssertRefused(Repeat(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 }), "15 values repeated");
            byte[] text = new byte[32];
            string pass = "password1234password1234password";
            for (int i = 0; i < text.Length; i++)
            {
                text[i] = (byte)pass[i];
            }
            AssertRefused(text, "a password as the key");
        }

        [TestMethod]
        public void RandomKeysPass()
        {
            for (int seed = 1; seed <= 200; seed++)
            {
                Assert.IsNull(KeyStrength.Problem(SampleFrames.RandomKey(seed)), "random key with seed " + seed.ToString());
            }
            byte[] sixteen = Repeat(new byte[] { 9, 200, 31, 77, 4, 150, 66, 12, 250, 1, 99, 180, 45, 23, 121, 88 });
            Assert.IsNull(KeyStrength.Problem(sixteen), "16 different values is the least allowed");
        }

        [TestMethod]
        public void AKeyOfTheWrongLengthIsRefused()
        {
            Assert.IsNotNull(KeyStrength.Problem(null), "null");
            Assert.IsNotNull(KeyStrength.Problem(new byte[31]), "31 bytes");
        }
    }
}
