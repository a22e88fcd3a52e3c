namespace PanicDevice.Core.Time
{
    /// <summary>
    /// The only way time enters Core: a monotonic millisecond clock supplied by the host
    /// (Environment.TickCount64 on the device, a fake in tests). Core never reads a clock itself,
    /// so every timeout, pattern and retry can be driven deterministically.
    /// </summary>
    public interface IClock
    {
        /// <summary>Milliseconds since an arbitrary origin; never goes backwards.</summary>
        long NowMs { get; }
    }
}
