namespace PanicDevice.Tests.Support
{
    /// <summary>
    /// A seeded generator that gives the same sequence on the host and on nanoFramework (System.Random(seed) does
    /// not: the two runtimes use different algorithms), so a randomised test checks the same cases on both and a
    /// failure found on one reproduces on the other. xorshift64* (Vigna 2014): statistically fine for test data,
    /// not for anything secret.
    /// </summary>
    public sealed class TestRandom
    {
        private ulong state;

        public TestRandom(int seed)
        {
            state = 0x9E3779B97F4A7C15UL ^ (ulong)(uint)seed;
            if (state == 0)
            {
                state = 1;
            }
            NextUInt64();
        }

        /// <summary>64 random bits.</summary>
        public ulong NextUInt64()
        {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            return state * 0x2545F4914F6CDD1DUL;
        }

        /// <summary>32 random bits.</summary>
        public uint NextUInt32()
        {
            return (uint)(NextUInt64() >> 32);
        }

        /// <summary>A value in [0, maxExclusive).</summary>
        public int Next(int maxExclusive)
        {
            if (maxExclusive <= 0)
            {
                return 0;
            }
            return (int)(NextUInt32() % (uint)maxExclusive);
        }

        /// <summary>A value in [minInclusive, maxExclusive).</summary>
        public int Next(int minInclusive, int maxExclusive)
        {
            long range = (long)maxExclusive - minInclusive;
            if (range <= 0)
            {
                return minInclusive;
            }
            return (int)(minInclusive + (long)(NextUInt64() % (ulong)range));
        }

        /// <summary>A value in [minInclusive, maxExclusive) for 64-bit ranges.</summary>
        public long NextLong(long minInclusive, long maxExclusive)
        {
            ulong range = (ulong)(maxExclusive - minInclusive);
            if (range == 0)
            {
                return minInclusive;
            }
            return minInclusive + (long)(NextUInt64() % range);
        }

        /// <summary>True with probability 1/2.</summary>
        public bool NextBool()
        {
            return (NextUInt64() & 1) == 1;
        }

        /// <summary>Fills the array with random bytes.</summary>
        public void NextBytes(byte[] buffer)
        {
            for (int i = 0; i < buffer.Length; i++)
            {
                buffer[i] = (byte)(NextUInt64() >> 56);
            }
        }
    }
}
