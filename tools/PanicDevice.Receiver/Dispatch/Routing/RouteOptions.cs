namespace PanicDevice.Receiver.Dispatch.Routing;

/// <summary>
/// One routing rule as configured (Receiver:Routes:N): the alerts it takes, by every criterion given (an empty one takes
/// all), and the targets they go to. docs/routing.md has examples.
/// </summary>
internal sealed class RouteOptions
{
    /// <summary>Shown in the incident's timeline next to every delivery it made.</summary>
    public string Name { get; set; } = "";

    /// <summary>panic, holdup, duress, test, fault, cancel, heartbeat, follow-up.</summary>
    public List<string> Kinds { get; set; } = new();

    /// <summary>Device groups: fob, wall (the device's kind) or a name of Receiver:Groups.</summary>
    public List<string> Groups { get; set; } = new();

    /// <summary>Names of Receiver:Areas; the alert's position (or a wall unit's address position) must lie in one.</summary>
    public List<string> Areas { get; set; } = new();

    /// <summary>When it applies, "HH:MM-HH:MM" (may wrap midnight: "22:00-06:00"), in <see cref="TimeZone"/>.</summary>
    public string? Hours { get; set; }

    /// <summary>An IANA time zone ("Asia/Jakarta") or a UTC offset ("+07:00"); UTC when unset.</summary>
    public string? TimeZone { get; set; }

    /// <summary>webhook:NAME (or webhook:N, its position) and arc:NAME.</summary>
    public List<string> Targets { get; set; } = new();
}
