using PanicDevice.Core.Config;
using PanicDevice.Core.Protocol;

namespace PanicDevice.Receiver.Dispatch;

/// <summary>
/// One event of the dispatch queue with the frame it is about, and what routing needs: the device's kind and fixed
/// position, the code of the alert it belongs to, and the flags of the device's frame before it (for the edges an ARC
/// is told of: mains lost, battery low, enclosure opened).
/// </summary>
internal sealed record QueuedEvent(
    long Id, string Type, string DeviceId, long Counter, MessageKind Kind, byte Code,
    int LatE7, int LonE7, int AccuracyM, LocationSource Source, byte Flags, byte? PreviousFlags,
    string Path, string ReceivedUtc, DeviceKind DeviceKind, byte? IncidentCode, int? SiteLatE7, int? SiteLonE7)
{
    public const string FramePrefix = "frame";
    public const string ForwardPrefix = "forward:";

    /// <summary>The receiver's supervision found the device silent, or hearing from it again (queued against its last frame).</summary>
    public const string SilentRaised = "supervision:device-silent";
    public const string SilentCleared = "supervision:device-silent-cleared";

    /// <summary>Nobody acknowledged the alert (this frame opened) in time (<see cref="Supervision.AlertEscalator"/>).</summary>
    public const string Escalation = "escalation";

    public bool PositionKnown => Source != LocationSource.None;

    /// <summary>A supervision event (the frame is only the device's last one), not a frame of its own.</summary>
    public bool IsSupervision => Type is SilentRaised or SilentCleared;

    /// <summary>The frame's own event (as stored, or forwarded by an operator): its delivery goes on the alert's timeline.</summary>
    public bool IsFrame => Type == FramePrefix || ForwardedTo != null;

    /// <summary>The target an operator forwarded this alert to (its route name), or null for a stored frame's own event.</summary>
    public string? ForwardedTo => Type.StartsWith(ForwardPrefix, StringComparison.Ordinal) ? Type[ForwardPrefix.Length..] : null;
}

/// <summary>How one event ended at one channel.</summary>
internal enum DispatchResult
{
    /// <summary>Taken by the target (a 2xx, an ACK).</summary>
    Delivered,
    /// <summary>Not for this target (routing, or nothing of it maps to the target's format): recorded, never retried.</summary>
    NothingToSend,
    /// <summary>Not taken: tried again after a backoff, and nothing after it goes to this target before it does.</summary>
    Failed,
}

/// <summary>A link test: whether one ran, and why it failed (null: it passed).</summary>
internal readonly record struct LinkTest(bool Tested, string? Error)
{
    public static readonly LinkTest NotDue = new(false, null);
}

/// <summary>The result with what operators read about it (never a key or secret).</summary>
internal readonly record struct DispatchAttempt(DispatchResult Result, string Detail);

/// <summary>
/// Somewhere the queue's events go: a webhook, an alarm receiving centre. <see cref="QueueDispatcher"/> walks the queue
/// for each channel in order, with a lease, batching and backoff; a channel only sends one event.
/// </summary>
internal interface IDispatchChannel
{
    /// <summary>Names the channel in webhook_deliveries and webhook_leases; never changes for a configured target.</summary>
    string Key { get; }

    /// <summary>How routing rules and operators name it: <c>webhook:NAME</c> or <c>arc:NAME</c>.</summary>
    string RouteName { get; }

    /// <summary>What operators read: no URL path or query (a secret may ride in them), no key.</summary>
    string Label { get; }

    /// <summary>
    /// Deliveries recorded per write at most. A webhook's receiver drops repeats by event id, so many are recorded at
    /// once; an ARC has no such id, and each ACK is recorded before the next message goes.
    /// </summary>
    int RecordEvery { get; }

    /// <summary>The timeline event written when an alert's or cancel's event is delivered (dashboard texts name it).</summary>
    string TimelineEvent { get; }

    /// <summary>Whether this target can take a device's events at all (an ARC: the device has an account there).</summary>
    bool Takes(string deviceId);

    Task<DispatchAttempt> SendAsync(QueuedEvent e, CancellationToken cancel);

    /// <summary>Called while nothing is due: a link test when one is due.</summary>
    Task<LinkTest> SuperviseAsync(CancellationToken cancel);
}

/// <summary>How rules and operators name the configured targets (one place, so validation and the channels agree).</summary>
internal static class RouteNames
{
    public static string Webhook(WebhookTarget t, int index) => "webhook:" + (t.Name ?? index.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static string Arc(string name) => "arc:" + name;

    public static IReadOnlyList<string> All(ReceiverOptions o) =>
        o.Webhooks.Select(Webhook).Concat(o.Arcs.Select(a => Arc(a.Name))).ToList();
}
