namespace PanicDevice.Tests.Support;

/// <summary>
/// A clock the test moves by hand, timers included: a PeriodicTimer or Task.Delay made through it fires when the test
/// advances the clock past its due time, never on its own. The receiver's background services wait through the
/// TimeProvider they are given, so a test that passes this clock decides when their next round comes.
/// </summary>
public sealed class FakeClock : TimeProvider
{
    private readonly object gate = new();
    private readonly List<FakeTimer> timers = new();
    private DateTimeOffset now;

    public FakeClock(DateTimeOffset start) => now = start;

    public DateTimeOffset Now
    {
        get { lock (gate) return now; }
        set => AdvanceTo(value);
    }

    public override DateTimeOffset GetUtcNow() => Now;

    /// <summary>Moves the clock forward and fires every timer that came due (each once, as a late system timer would).</summary>
    public void Advance(TimeSpan by) => AdvanceTo(Now + by);

    private void AdvanceTo(DateTimeOffset to)
    {
        List<FakeTimer> due;
        lock (gate)
        {
            if (to < now)
            {
                throw new ArgumentOutOfRangeException(nameof(to), "a clock does not go back");
            }
            now = to;
            due = timers.Where(t => t.DueAt is { } at && at <= to).ToList();
            foreach (var t in due)
            {
                t.DueAt = t.Period > TimeSpan.Zero ? to + t.Period : null;
            }
        }
        foreach (var t in due)
        {
            t.Fire();
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var t = new FakeTimer(this, callback, state);
        lock (gate) timers.Add(t);
        t.Change(dueTime, period);
        return t;
    }

    private sealed class FakeTimer(FakeClock clock, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset? DueAt;
        public TimeSpan Period;

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (clock.gate)
            {
                Period = period == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : period;
                DueAt = dueTime == Timeout.InfiniteTimeSpan ? null : clock.now + dueTime;
            }
            return true;
        }

        public void Dispose()
        {
            lock (clock.gate) clock.timers.Remove(this);
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
