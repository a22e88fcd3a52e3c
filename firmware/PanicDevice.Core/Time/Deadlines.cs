namespace PanicDevice.Core.Time
{
    /// <summary>Deadlines are milliseconds on the injected clock, with -1 meaning "none".</summary>
    public static class Deadlines
    {
        /// <summary>The earlier of two deadlines, ignoring "none".</summary>
        public static long Earliest(long a, long b)
        {
            if (a < 0)
            {
                return b;
            }
            if (b < 0)
            {
                return a;
            }
            return a < b ? a : b;
        }
    }
}
