namespace PanicDevice.Receiver.Logging;

/// <summary>
/// Log lines about refused input, throttled so that a flood of it cannot flood the log: for each (reason,
/// source) — a device and why its frame was rejected, a user name and a refused login — the first line is
/// written at once, later ones are counted, and at most one line per <see cref="Interval"/> then says how
/// many there were. A reason logs at most <see cref="SourcesPerInterval"/> new sources per interval (a
/// client that makes up user names cannot make up log lines); the rest are counted in one line. The
/// counters in /metrics are kept elsewhere and are exact; this is only what a person reads.
/// </summary>
internal sealed class RejectionLog : IDisposable
{
    /// <summary>One line per source and reason at most this often.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(60);

    /// <summary>New sources a reason may log by name in one interval.</summary>
    public const int SourcesPerInterval = 20;

    private readonly ILogger logger;
    private readonly TimeProvider time;
    private readonly ITimer timer;
    private readonly Dictionary<(string Reason, string Source), Held> sources = new();
    private readonly Dictionary<string, Held> others = new(StringComparer.Ordinal);
    private long nextSweep;

    public RejectionLog(ILogger logger, TimeProvider time)
    {
        this.logger = logger;
        this.time = time;
        nextSweep = time.GetTimestamp() + (long)(Interval.TotalSeconds * time.TimestampFrequency);
        // Summaries of sources that went quiet; Write also sweeps when it is due, whatever the timer does.
        timer = time.CreateTimer(_ => Flush(), null, Interval, Interval);
    }

    /// <summary>Sources remembered now (quiet ones are forgotten at the next sweep).</summary>
    public int TrackedSources
    {
        get
        {
            lock (sources)
            {
                return sources.Count;
            }
        }
    }

    /// <summary>A warning about refused input from <paramref name="source"/> (already escaped, see <see cref="LogText"/>).</summary>
    public void Warn(string reason, string source, string message, params object?[] args) => Write(LogLevel.Warning, reason, source, message, args);

    /// <summary>The same at Information, for refusals that are routine (a human SMS, a login that timed out).</summary>
    public void Info(string reason, string source, string message, params object?[] args) => Write(LogLevel.Information, reason, source, message, args);

    private void Write(LogLevel level, string reason, string source, string message, object?[] args)
    {
        if (!logger.IsEnabled(level))
        {
            return;
        }
        long now = time.GetTimestamp();
        long held = 0;
        double seconds = 0;
        bool sweep;
        lock (sources)
        {
            if (sources.TryGetValue((reason, source), out Held? h))
            {
                if (time.GetElapsedTime(h.Since, now) < Interval)
                {
                    h.Hold(level, message, args);
                    return;
                }
                (held, seconds) = (h.Count, time.GetElapsedTime(h.Since, now).TotalSeconds);
                h.Restart(now);
            }
            else
            {
                if (!others.TryGetValue(reason, out Held? o))
                {
                    o = new Held(now);
                    others[reason] = o;
                }
                if (o.NewSources >= SourcesPerInterval)
                {
                    o.Hold(level, message, args);
                    return;
                }
                o.NewSources++;
                sources[(reason, source)] = new Held(now);
            }
            sweep = now >= nextSweep;
        }
        if (held > 0)
        {
            // This line stands for itself and the ones held back since the last.
            logger.Log(level, message + " ({Repeats} in the last {Seconds:0} s)", [.. args, held + 1, seconds]);
        }
        else
        {
            logger.Log(level, message, args);
        }
        if (sweep)
        {
            Flush();
        }
    }

    /// <summary>Writes the summaries that are due (held lines, sources not logged by name) and forgets quiet sources.</summary>
    public void Flush()
    {
        var due = new List<(LogLevel Level, string Message, object?[] Args)>();
        long now = time.GetTimestamp();
        lock (sources)
        {
            nextSweep = now + (long)(Interval.TotalSeconds * time.TimestampFrequency);
            foreach (var (key, h) in sources.ToList())
            {
                if (time.GetElapsedTime(h.Since, now) < Interval)
                {
                    continue;
                }
                if (h.Count == 0)
                {
                    sources.Remove(key);
                    continue;
                }
                due.Add((h.Level, h.Message! + " ({Repeats} in the last {Seconds:0} s)", [.. h.Args!, h.Count, time.GetElapsedTime(h.Since, now).TotalSeconds]));
                h.Restart(now);
            }
            foreach (var (reason, o) in others.ToList())
            {
                if (time.GetElapsedTime(o.Since, now) < Interval)
                {
                    continue;
                }
                if (o.Count > 0)
                {
                    due.Add((o.Level, "{Count} more {Reason} from sources not logged separately in the last {Seconds:0} s", [o.Count, reason, time.GetElapsedTime(o.Since, now).TotalSeconds]));
                }
                others.Remove(reason);
            }
        }
        foreach (var (level, message, args) in due)
        {
            logger.Log(level, message, args);
        }
    }

    public void Dispose() => timer.Dispose();

    /// <summary>What was held back for one source (or for a reason's unnamed sources) since <see cref="Since"/>.</summary>
    private sealed class Held(long since)
    {
        public long Since = since;
        public long Count;
        public int NewSources;
        public LogLevel Level;
        public string? Message;
        public object?[]? Args;

        public void Hold(LogLevel level, string message, object?[] args)
        {
            Count++;
            (Level, Message, Args) = (level, message, args);
        }

        public void Restart(long now)
        {
            Since = now;
            Count = 0;
        }
    }
}
