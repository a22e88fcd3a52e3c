namespace PanicDevice.Receiver.Dispatch.Dc09;

/// <summary>
/// An alarm receiving centre as configured (Receiver:Arcs:N): where its DC-09 receiver listens, the line it gave us,
/// and the accounts (sites) whose devices report to it. docs/arc.md has an example.
/// </summary>
internal sealed class ArcOptions
{
    /// <summary>Routing rules and the timeline name it: arc:NAME.</summary>
    public string Name { get; set; } = "";

    public string Host { get; set; } = "";

    public int Port { get; set; }

    /// <summary>The receiver number the ARC wants in each message (hex), or none.</summary>
    public string? Receiver { get; set; }

    /// <summary>The line prefix the ARC assigned (hex).</summary>
    public string LinePrefix { get; set; } = "0";

    /// <summary>Seconds between link tests while nothing is sent (a NULL message per account); 0: none.</summary>
    public int LinkTestSeconds { get; set; } = 60;

    /// <summary>How long to wait for the ARC's answer to one message.</summary>
    public int ReplyTimeoutSeconds { get; set; } = 10;

    public List<ArcAccountOptions> Accounts { get; set; } = new();
}

/// <summary>One account (a site: a shop, a school) at an ARC, and the zone each of its devices reports as.</summary>
internal sealed class ArcAccountOptions
{
    /// <summary>3–16 hex digits, as the ARC has the site on file.</summary>
    public string Account { get; set; } = "";

    /// <summary>The account's AES key, 32, 48 or 64 hex digits; or <see cref="KeyFile"/>; or neither (messages in the clear).</summary>
    public string? Key { get; set; }

    /// <summary>A file holding the key in hex (keep it owner-only, like the device key file).</summary>
    public string? KeyFile { get; set; }

    /// <summary>Contact ID partition (00–99).</summary>
    public int Partition { get; set; } = 1;

    /// <summary>Device id → Contact ID zone (000–999), e.g. { "wall-0001": 1, "fob-0007": 2 }.</summary>
    public Dictionary<string, int> Zones { get; set; } = new();
}
