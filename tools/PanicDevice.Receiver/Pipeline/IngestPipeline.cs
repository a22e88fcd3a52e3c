using System.Collections.Concurrent;
using PanicDevice.Core.Protocol;
using PanicDevice.Receiver.Registry;
using PanicDevice.Receiver.Storage;

namespace PanicDevice.Receiver.Pipeline;

/// <summary>How a frame reached the receiver.</summary>
internal enum IngestPath
{
    Mqtt,
    Sms,
}

/// <summary>What happened to one inbound payload.</summary>
internal enum IngestStatus
{
    /// <summary>Verified and committed for the first time; acknowledge and dispatch.</summary>
    Stored,
    /// <summary>Verified and already stored; acknowledge again, do not dispatch.</summary>
    Duplicate,
    /// <summary>Refused; <see cref="IngestResult.Reason"/> says why. Nothing was stored.</summary>
    Rejected,
    /// <summary>
    /// Verified, but its counter is used by other bytes (<c>CounterReuse</c>) or older than the window with nothing
    /// stored under it (<c>CounterTooOld</c>): not stored, not acknowledged, recorded as a counter event for operators,
    /// and answered with the signed <see cref="IngestResult.Resync"/> that tells the device where to continue.
    /// </summary>
    CounterRefused,
}

/// <summary>
/// The pipeline's answer: status, the reason for a refusal, the frame, and the signed frame to send back: the ack of a
/// stored frame or a duplicate, or the Resync of a refused counter.
/// </summary>
internal sealed record IngestResult(IngestStatus Status, string Reason, Frame? Frame, byte[]? Ack, byte[]? Resync = null)
{
    public static IngestResult Reject(string reason) => new(IngestStatus.Rejected, reason, null, null);
}

/// <summary>
/// decode → authenticate device → verify tag → per-device rate limit (routine frames only) → anti-replay + store (one transaction) → signed
/// acknowledgement, or for a refused counter the signed Resync. Each stage is a method that can be tested alone; the acknowledgement is built only
/// after the commit. Rejections are counted by reason; reasons never contain key material.
/// </summary>
internal sealed class IngestPipeline
{
    private readonly DeviceRegistry registry;
    private readonly FrameStore store;
    private readonly TimeProvider time;

    /// <param name="rateLimit">Per-device limit on routine frames (after the tag verified); null: no limit (the receiver always passes Receiver:DeviceRateLimit).</param>
    public IngestPipeline(DeviceRegistry registry, FrameStore store, TimeProvider time, DeviceRateLimitOptions? rateLimit = null)
    {
        this.registry = registry;
        this.store = store;
        this.time = time;
        RateLimiter = new DeviceRateLimiter(rateLimit ?? new DeviceRateLimitOptions { PerSecond = 0 }, time);
    }

    /// <summary>The per-device token buckets (alerts and cancels are exempt).</summary>
    public DeviceRateLimiter RateLimiter { get; }

    /// <summary>Raised after a frame is committed for the first time (not for duplicates or rejections).</summary>
    public event Action<Frame>? Stored;

    /// <summary>As <see cref="Stored"/>, with the path it came by ("mqtt" or "sms"), for the receiver's log.</summary>
    public event Action<Frame, string>? StoredVia;

    /// <summary>Raised after a refused counter's event is committed, with the frame and its bytes as they arrived.</summary>
    public event Action<Frame, byte[]>? CounterRefused;

    /// <summary>Rejections and outcomes by reason, for /metrics.</summary>
    public ConcurrentDictionary<string, long> Counts { get; } = new();

    /// <summary>Time from a frame's arrival to its result (stored and acknowledged, or refused), for /metrics.</summary>
    public LatencyHistogram Latency { get; } = new();

    /// <summary>Signed acknowledgements handed back to be sent (stored frames and duplicates), for /metrics.</summary>
    public long AcksIssued => Interlocked.Read(ref acksIssued);

    private long acksIssued;

    /// <summary>Signed Resync answers handed back to be sent (refused counters), for /metrics.</summary>
    public long ResyncsIssued => Interlocked.Read(ref resyncsIssued);

    private long resyncsIssued;

    /// <summary>The rejection reason for a routine frame over its device's rate limit.</summary>
    public const string RateLimited = "RateLimited";

    /// <summary>The refusal reason for other bytes under a counter the store already holds.</summary>
    public const string CounterReuse = "CounterReuse";

    /// <summary>The refusal reason for a counter below the anti-replay window with nothing stored under it.</summary>
    public const string CounterTooOld = "CounterTooOld";

    public IngestResult Process(byte[] payload, string? topicDeviceId, IngestPath path)
    {
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        IngestResult? refused = Admit(payload, topicDeviceId, out Frame? frame, out DeviceRecord? device);
        IngestResult result = refused ?? Finish(store.Store(frame!, payload, PathName(path), time.GetUtcNow().UtcDateTime), frame!, payload, device!);
        return Via(Tally(result, payload, started), path);
    }

    /// <summary>
    /// The same stages as <see cref="Process"/>, with the store step group-committed
    /// (<see cref="FrameStore.StoreAsync"/>): concurrent callers share one transaction and one fsync, and
    /// each task completes, with its signed ack, only after its frame is committed. A storage failure
    /// faults the task (no ack, nothing of the frame stored), as it throws from <see cref="Process"/>.
    /// </summary>
    public async Task<IngestResult> ProcessAsync(byte[] payload, string? topicDeviceId, IngestPath path)
    {
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        IngestResult? refused = Admit(payload, topicDeviceId, out Frame? frame, out DeviceRecord? device);
        if (refused != null)
        {
            return Tally(refused, payload, started);
        }
        StoreResult outcome = await store.StoreAsync(frame!, payload, PathName(path), time.GetUtcNow().UtcDateTime);
        return Via(Tally(Finish(outcome, frame!, payload, device!), payload, started), path);
    }

    private IngestResult Via(IngestResult result, IngestPath path)
    {
        if (result.Status == IngestStatus.Stored) StoredVia?.Invoke(result.Frame!, PathName(path));
        return result;
    }

    /// <summary>
    /// Counts a payload refused before it reached the pipeline (SMS text that is not a frame's base64,
    /// <c>BadText</c>), so /metrics counts every refusal in one place.
    /// </summary>
    public IngestResult Refuse(string reason) => Tally(IngestResult.Reject(reason), Array.Empty<byte>(), System.Diagnostics.Stopwatch.GetTimestamp());

    private IngestResult Tally(IngestResult result, byte[] payload, long started)
    {
        Latency.Observe(System.Diagnostics.Stopwatch.GetElapsedTime(started));
        if (result.Ack != null) Interlocked.Increment(ref acksIssued);
        if (result.Resync != null) Interlocked.Increment(ref resyncsIssued);
        bool refused = result.Status is IngestStatus.Rejected or IngestStatus.CounterRefused;
        Counts.AddOrUpdate(refused ? "rejected_" + result.Reason : result.Status.ToString().ToLowerInvariant(), 1, (_, n) => n + 1);
        if (result.Status == IngestStatus.Stored) Stored?.Invoke(result.Frame!);
        if (result.Status == IngestStatus.CounterRefused) CounterRefused?.Invoke(result.Frame!, payload);
        return result;
    }

    /// <summary>Stages 1–3; a rejection, or null with the frame and its device when the frame may be stored.</summary>
    private IngestResult? Admit(byte[] payload, string? topicDeviceId, out Frame? frame, out DeviceRecord? device)
    {
        frame = null;
        device = null;
        DecodeResult decoded = Decode(payload);
        if (!decoded.IsOk)
        {
            return IngestResult.Reject(decoded.Status.ToString());
        }
        frame = decoded.Frame;
        string? refusal = Authenticate(frame, topicDeviceId, out device);
        if (refusal != null)
        {
            return IngestResult.Reject(refusal);
        }
        if (!Verify(payload, device!))
        {
            return IngestResult.Reject(DecodeStatus.BadTag.ToString());
        }
        // Only after the tag verified, so forged frames never spend the real device's budget.
        if (!RateLimiter.TryAcquire(frame.DeviceId, frame.Kind))
        {
            return new IngestResult(IngestStatus.Rejected, RateLimited, frame, null); // the frame says whose limit it was
        }
        return null;
    }

    /// <summary>After stage 4 (anti-replay + store, committed): the result, with the ack (or the Resync) built now.</summary>
    private IngestResult Finish(StoreResult outcome, Frame frame, byte[] payload, DeviceRecord device)
    {
        if (outcome.Outcome != StoreOutcome.Stored)
        {
            RateLimiter.Refund(frame.DeviceId, frame.Kind); // only new frames spend the budget
        }
        if (outcome.IsCounterRefusal)
        {
            // Never an ack: the frame is not stored. The device learns where to continue and sends it again.
            string reason = outcome.Outcome == StoreOutcome.CounterReuse ? CounterReuse : CounterTooOld;
            CounterProblem problem = outcome.Outcome == StoreOutcome.CounterReuse ? CounterProblem.Reused : CounterProblem.TooOld;
            byte[]? resync = outcome.NextCounter > frame.Counter
                ? FrameCodec.Encode(Frame.ResyncFor(frame, payload, problem, outcome.NextCounter, Now()), device.Key.Reveal())
                : null; // the counter space is used up: nothing to continue from (the device needs a new key)
            return new IngestResult(IngestStatus.CounterRefused, reason, frame, null, resync);
        }
        byte[] ack = Acknowledge(frame, device);
        return new IngestResult(outcome.Outcome == StoreOutcome.Stored ? IngestStatus.Stored : IngestStatus.Duplicate, "", frame, ack);
    }

    private uint Now() => (uint)Math.Clamp(time.GetUtcNow().ToUnixTimeSeconds(), 0, uint.MaxValue);

    private static string PathName(IngestPath path) => path == IngestPath.Mqtt ? "mqtt" : "sms";

    /// <summary>Stage 1: bytes → frame, or a decoder reason. Also refuses frames only a receiver may send.</summary>
    public static DecodeResult Decode(byte[] payload)
    {
        DecodeResult r = FrameCodec.Decode(payload);
        if (r.IsOk && r.Frame.IsFromReceiver)
        {
            return new DecodeResult(DecodeStatus.UnknownKind, "receiver frames are not accepted from devices", null);
        }
        return r;
    }

    /// <summary>Stage 2: the device exists, is enabled, and speaks on its own topic. Returns a reason or null.</summary>
    public string? Authenticate(Frame frame, string? topicDeviceId, out DeviceRecord? device)
    {
        device = null;
        if (topicDeviceId != null && topicDeviceId != frame.DeviceId)
        {
            return "TopicMismatch";
        }
        device = registry.Find(frame.DeviceId);
        if (device == null)
        {
            return "UnknownDevice";
        }
        return device.Enabled ? null : "RevokedDevice";
    }

    /// <summary>Stage 3: the tag matches the device's key (constant-time comparison in Core).</summary>
    public static bool Verify(byte[] payload, DeviceRecord device) => FrameCodec.VerifyTag(payload, device.Key.Reveal());

    /// <summary>Stage 5: the signed acknowledgement, built only after the frame is committed.</summary>
    public byte[] Acknowledge(Frame stored, DeviceRecord device)
    {
        return FrameCodec.Encode(Frame.AckFor(stored, Now()), device.Key.Reveal());
    }
}
