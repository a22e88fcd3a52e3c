using PanicDevice.Core.Protocol;

namespace PanicDevice.Receiver.Pipeline;

/// <summary>Receiver:DeviceRateLimit: sustained frames per second and burst, per device. PerSecond 0 turns the limit off.</summary>
internal sealed class DeviceRateLimitOptions
{
    public double PerSecond { get; set; } = 5;
    public int Burst { get; set; } = 20;
}

/// <summary>
/// A token bucket per device id for routine traffic (heartbeats, updates, anything not an alert or a
/// cancel), so a stuck or hostile device cannot flood the store and starve the others. It is consulted
/// only after the frame's tag verified (forged frames never spend a real device's budget) and a frame
/// that turns out to be a duplicate or a replay gets its token back (<see cref="Refund"/>). Alerts and
/// cancels are never limited (they are rare by nature and a person's safety may depend on them; see
/// docs/security.md). How often a device was limited is counted by the pipeline (/metrics) and told in the
/// log by <see cref="Logging.RejectionLog"/>.
/// </summary>
internal sealed class DeviceRateLimiter
{
    private readonly double perSecond;
    private readonly double burst;
    private readonly TimeProvider time;
    private readonly Dictionary<string, Bucket> buckets = new(StringComparer.Ordinal);

    public DeviceRateLimiter(DeviceRateLimitOptions options, TimeProvider time)
    {
        perSecond = options.PerSecond;
        burst = Math.Max(1, options.Burst);
        this.time = time;
    }

    public bool Enabled => perSecond > 0;

    /// <summary>Alerts and cancels are exempt; every other kind must take a token.</summary>
    public static bool IsExempt(MessageKind kind) => kind is MessageKind.Alert or MessageKind.Cancel;

    /// <summary>True when the device may send this frame now (and takes a token for it).</summary>
    public bool TryAcquire(string deviceId, MessageKind kind)
    {
        if (!Enabled || IsExempt(kind))
        {
            return true;
        }
        long now = time.GetTimestamp();
        lock (buckets)
        {
            if (!buckets.TryGetValue(deviceId, out Bucket? b))
            {
                b = new Bucket { Tokens = burst, Stamp = now };
                buckets[deviceId] = b;
            }
            double elapsed = time.GetElapsedTime(b.Stamp, now).TotalSeconds;
            b.Tokens = Math.Min(burst, b.Tokens + elapsed * perSecond);
            b.Stamp = now;
            if (b.Tokens >= 1)
            {
                b.Tokens -= 1;
                return true;
            }
            return false;
        }
    }

    /// <summary>
    /// Gives back the token a frame took when it turned out not to be new (a duplicate or a replay): a
    /// frame captured off the air or from an SMS and sent again must not spend the real device's budget.
    /// </summary>
    public void Refund(string deviceId, MessageKind kind)
    {
        if (!Enabled || IsExempt(kind))
        {
            return;
        }
        lock (buckets)
        {
            if (buckets.TryGetValue(deviceId, out Bucket? b))
            {
                b.Tokens = Math.Min(burst, b.Tokens + 1);
            }
        }
    }

    private sealed class Bucket
    {
        public double Tokens;
        public long Stamp;
    }
}
