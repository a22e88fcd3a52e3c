using System.Globalization;
using PanicDevice.Core.Config;
using PanicDevice.Core.Protocol;

namespace PanicDevice.Receiver.Dispatch.Routing;

/// <summary>Whether an event goes to a target, and why (the route's name goes into the incident's timeline).</summary>
internal readonly record struct RouteDecision(bool Routed, string Why);

/// <summary>
/// Which targets receive which events. Without rules every target receives every event (an ARC still only the events
/// of devices it holds an account for). With rules, an event goes to the targets of every rule it matches, or to the
/// default route when it matches none, so no alert goes nowhere. A cancel, duress or follow-up also matches the rules
/// of the alert it belongs to: whoever was sent the panic hears that it was cancelled or coerced. An event an operator
/// forwarded goes to that one target. Checked whole at start-up (<see cref="Load"/>): a typo stops the receiver with
/// a line that names it, not an alert routed nowhere at 3 a.m.
/// </summary>
internal sealed class AlertRouter
{
    /// <summary>The kinds a rule may name, in the order docs/routing.md lists them.</summary>
    public static readonly IReadOnlyList<string> KindNames = new[] { "panic", "holdup", "duress", "test", "fault", "cancel", "heartbeat", "follow-up", "silent" };

    public static readonly AlertRouter Everywhere = new(new List<Rule>(), new HashSet<string>(), new Dictionary<string, DeviceGroup>());

    private readonly List<Rule> rules;
    private readonly HashSet<string> defaultRoute;
    private readonly Dictionary<string, DeviceGroup> groups;

    private AlertRouter(List<Rule> rules, HashSet<string> defaultRoute, Dictionary<string, DeviceGroup> groups)
    {
        this.rules = rules;
        this.defaultRoute = defaultRoute;
        this.groups = groups;
    }

    public bool HasRules => rules.Count > 0;

    public RouteDecision Decide(QueuedEvent e, string target)
    {
        if (e.ForwardedTo is { } forwarded)
        {
            return forwarded == target ? new RouteDecision(true, "forwarded by an operator") : new RouteDecision(false, "forwarded to " + forwarded);
        }
        if (rules.Count == 0)
        {
            return new RouteDecision(true, "every target");
        }
        string? matchedOther = null;
        foreach (Rule r in rules)
        {
            if (!r.Matches(e, groups))
            {
                continue;
            }
            if (r.Targets.Contains(target))
            {
                return new RouteDecision(true, "route " + r.Name);
            }
            matchedOther ??= r.Name;
        }
        if (matchedOther != null)
        {
            return new RouteDecision(false, "route " + matchedOther);
        }
        return new RouteDecision(defaultRoute.Contains(target), "default route");
    }

    /// <summary>The kind a rule names this event by (<see cref="KindNames"/>): "silent" for the receiver's supervision (gone silent or back).</summary>
    public static string KindOf(QueuedEvent e) => e.IsSupervision ? "silent" : KindOf(e.Kind, e.Code);

    /// <summary>The kind a rule names a frame of this kind and code by.</summary>
    public static string KindOf(MessageKind kind, byte code) => (kind, (AlertCode)code) switch
    {
        (MessageKind.Alert, AlertCode.HoldUp) => "holdup",
        (MessageKind.Alert, AlertCode.Test) => "test",
        (MessageKind.Alert, AlertCode.ButtonFault) => "fault",
        (MessageKind.Alert, _) => "panic",
        (MessageKind.Cancel, AlertCode.DuressCancel) => "duress",
        (MessageKind.Cancel, _) => "cancel",
        (MessageKind.Heartbeat, _) => "heartbeat",
        _ => "follow-up",
    };

    /// <summary>
    /// Builds the router from configuration; every problem goes into <paramref name="problems"/> (and null comes back).
    /// <paramref name="targets"/> are the route names of the configured targets; <paramref name="readFile"/> reads an area file.
    /// </summary>
    public static AlertRouter? Load(IReadOnlyList<RouteOptions> routes, IReadOnlyList<string> defaultRoute, IReadOnlyDictionary<string, List<string>> groupPatterns,
        IReadOnlyDictionary<string, string> areaFiles, IReadOnlyCollection<string> targets, Func<string, string> readFile, List<string> problems)
    {
        int before = problems.Count;
        var groups = new Dictionary<string, DeviceGroup>(StringComparer.Ordinal)
        {
            ["fob"] = new DeviceGroup(DeviceKind.Fob, Array.Empty<string>()),
            ["wall"] = new DeviceGroup(DeviceKind.Wall, Array.Empty<string>()),
        };
        foreach (var (name, patterns) in groupPatterns)
        {
            if (groups.ContainsKey(name))
            {
                problems.Add("Receiver:Groups:" + name + ": \"fob\" and \"wall\" are built in (every device of that kind); choose another name");
            }
            else if (patterns.Count == 0 || patterns.Any(p => string.IsNullOrWhiteSpace(p) || p.Count(ch => ch == '*') > 1))
            {
                problems.Add("Receiver:Groups:" + name + " needs device ids or patterns with one '*' at most (\"shop-*\")");
            }
            else
            {
                groups[name] = new DeviceGroup(null, patterns.ToArray());
            }
        }
        var areas = new Dictionary<string, GeoJsonArea>(StringComparer.Ordinal);
        foreach (var (name, file) in areaFiles)
        {
            try
            {
                areas[name] = GeoJsonArea.Parse(readFile(file));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or System.Text.Json.JsonException)
            {
                problems.Add("Receiver:Areas:" + name + ": " + file + " is not a GeoJSON area: " + e.Message);
            }
        }
        var rules = new List<Rule>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < routes.Count; i++)
        {
            RouteOptions o = routes[i];
            string at = "Receiver:Routes:" + i.ToString(CultureInfo.InvariantCulture);
            if (string.IsNullOrWhiteSpace(o.Name) || !names.Add(o.Name))
            {
                problems.Add(at + ":Name is missing or used twice (the timeline names the route)");
            }
            foreach (string k in o.Kinds.Where(k => !KindNames.Contains(k)))
            {
                problems.Add(at + ":Kinds: \"" + k + "\" is not a kind; kinds are " + string.Join(", ", KindNames));
            }
            foreach (string g in o.Groups.Where(g => !groups.ContainsKey(g) && !groupPatterns.ContainsKey(g)))
            {
                problems.Add(at + ":Groups: no group \"" + g + "\" (fob, wall, or one of Receiver:Groups)");
            }
            foreach (string a in o.Areas.Where(a => !areaFiles.ContainsKey(a)))
            {
                problems.Add(at + ":Areas: no area \"" + a + "\" in Receiver:Areas");
            }
            if (o.Targets.Count == 0)
            {
                problems.Add(at + ":Targets is empty: a rule sends its alerts somewhere");
            }
            foreach (string t in o.Targets.Where(t => !targets.Contains(t)))
            {
                problems.Add(at + ":Targets: no target \"" + t + "\" (configured: " + string.Join(", ", targets) + ")");
            }
            DailyHours? hours = null;
            if (o.Hours != null || o.TimeZone != null)
            {
                try
                {
                    hours = DailyHours.Parse(o.Hours ?? "00:00-24:00", o.TimeZone);
                }
                catch (FormatException e)
                {
                    problems.Add(at + ": " + e.Message);
                }
            }
            rules.Add(new Rule(o.Name, o.Kinds.ToHashSet(StringComparer.Ordinal), o.Groups.ToArray(),
                o.Areas.Where(areas.ContainsKey).Select(a => areas[a]).ToArray(), o.Areas.Count > 0, hours, o.Targets.ToHashSet(StringComparer.Ordinal)));
        }
        foreach (string t in defaultRoute.Where(t => !targets.Contains(t)))
        {
            problems.Add("Receiver:DefaultRoute: no target \"" + t + "\" (configured: " + string.Join(", ", targets) + ")");
        }
        if (routes.Count > 0 && defaultRoute.Count == 0)
        {
            problems.Add("Receiver:DefaultRoute is needed with routing rules: an alert that matches no rule must still go somewhere");
        }
        if (routes.Count == 0 && defaultRoute.Count > 0)
        {
            problems.Add("Receiver:DefaultRoute without Receiver:Routes: without rules every target receives every alert; add a rule or drop the default route");
        }
        return problems.Count > before ? null : new AlertRouter(rules, defaultRoute.ToHashSet(StringComparer.Ordinal), groups);
    }

    private sealed record DeviceGroup(DeviceKind? Kind, string[] Patterns)
    {
        public bool Holds(QueuedEvent e) => Kind is { } k ? e.DeviceKind == k : Patterns.Any(p => Like(e.DeviceId, p));

        private static bool Like(string id, string pattern)
        {
            int star = pattern.IndexOf('*');
            return star < 0
                ? string.Equals(id, pattern, StringComparison.Ordinal)
                : id.Length >= pattern.Length - 1 && id.StartsWith(pattern[..star], StringComparison.Ordinal) && id.EndsWith(pattern[(star + 1)..], StringComparison.Ordinal);
        }
    }

    private sealed record Rule(string Name, HashSet<string> Kinds, string[] Groups, GeoJsonArea[] Areas, bool HasAreas, DailyHours? Hours, HashSet<string> Targets)
    {
        public bool Matches(QueuedEvent e, Dictionary<string, DeviceGroup> groups)
        {
            if (Kinds.Count > 0)
            {
                string kind = KindOf(e);
                // A cancel, duress or follow-up belongs to the alert before it: it goes where that alert went.
                bool belongs = !e.IsSupervision && e.Kind is MessageKind.Cancel or MessageKind.Update && e.IncidentCode is { } code && Kinds.Contains(KindOf(MessageKind.Alert, code));
                if (!Kinds.Contains(kind) && !belongs)
                {
                    return false;
                }
            }
            if (Groups.Length > 0 && !Groups.Any(g => groups[g].Holds(e)))
            {
                return false;
            }
            if (HasAreas)
            {
                (double Lat, double Lon)? at = e.PositionKnown ? (e.LatE7 / 1e7, e.LonE7 / 1e7)
                    : e.SiteLatE7 is { } lat && e.SiteLonE7 is { } lon ? (lat / 1e7, lon / 1e7) : null;
                if (at == null || !Areas.Any(a => a.Contains(at.Value.Lat, at.Value.Lon)))
                {
                    return false; // no position: no area rule; the default route or a rule without an area takes it
                }
            }
            return Hours == null || Hours.Contains(DateTime.Parse(e.ReceivedUtc, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal));
        }
    }
}

/// <summary>A daily window "HH:MM-HH:MM" in a time zone; it may wrap midnight ("22:00-06:00"); "24:00" ends a day.</summary>
internal sealed class DailyHours
{
    private readonly int from, to; // minutes of the day
    private readonly TimeZoneInfo zone;

    private DailyHours(int from, int to, TimeZoneInfo zone)
    {
        this.from = from;
        this.to = to;
        this.zone = zone;
    }

    public static DailyHours Parse(string hours, string? timeZone)
    {
        string[] parts = hours.Split('-');
        if (parts.Length != 2 || Minutes(parts[0]) is not { } from || Minutes(parts[1]) is not { } to || from == to || from == 24 * 60)
        {
            throw new FormatException("Hours is \"HH:MM-HH:MM\" (e.g. \"22:00-06:00\"), not \"" + hours + "\"");
        }
        return new DailyHours(from, to, Zone(timeZone));
    }

    public bool Contains(DateTime utc)
    {
        DateTime local = TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), zone);
        int m = local.Hour * 60 + local.Minute;
        return from < to ? m >= from && m < to : m >= from || m < to;
    }

    private static int? Minutes(string hhmm)
    {
        string[] p = hhmm.Trim().Split(':');
        return p.Length == 2 && p[0].Length == 2 && p[1].Length == 2 && int.TryParse(p[0], NumberStyles.None, CultureInfo.InvariantCulture, out int h)
            && int.TryParse(p[1], NumberStyles.None, CultureInfo.InvariantCulture, out int m) && m < 60 && (h < 24 || (h == 24 && m == 0))
            ? h * 60 + m : null;
    }

    private static TimeZoneInfo Zone(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return TimeZoneInfo.Utc;
        }
        if (UtcOffset.TryParse(name, out TimeSpan offset))
        {
            return TimeZoneInfo.CreateCustomTimeZone(name, offset, name, name);
        }
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(name);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new FormatException("TimeZone \"" + name + "\" is neither a time zone (\"Asia/Jakarta\") nor an offset (\"+07:00\")");
        }
    }
}
