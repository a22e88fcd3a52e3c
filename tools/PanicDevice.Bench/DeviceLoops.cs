namespace PanicDevice.Bench;

/// <summary>
/// The bench devices' send loops, one task each. A loop that ends with an exception leaves that device's alerts
/// unsent for good, and a harness waiting for every ack would sit out its whole drain timeout and report a stall
/// (it did: docs/benchmarks.md, crash); <see cref="ThrowIfAnyFailed"/> makes it the error it is, with the device
/// and the exception, the moment it is seen.
/// </summary>
public sealed class DeviceLoops
{
    private readonly List<(string Device, Task Loop)> loops = new();

    public void Start(IEnumerable<OutboxDevice> devices, CancellationToken stop)
    {
        foreach (OutboxDevice d in devices)
        {
            loops.Add((d.Id, Task.Run(() => d.RunAsync(stop))));
        }
    }

    /// <summary>Adds a loop already running (a test's own).</summary>
    public void Add(string device, Task loop) => loops.Add((device, loop));

    /// <summary>Throws when a loop has failed; a loop that ended because the run stopped is not a failure.</summary>
    public void ThrowIfAnyFailed()
    {
        foreach ((string device, Task loop) in loops)
        {
            if (loop.IsFaulted)
            {
                Exception e = loop.Exception!.GetBaseException();
                throw new InvalidOperationException($"device {device}'s send loop failed, so its alerts would never be acked: {e.GetType().Name}: {e.Message}", e);
            }
        }
    }

    /// <summary>Polls until <paramref name="done"/> holds (true) or the timeout passes (false); a failed loop throws at once.</summary>
    public async Task<bool> UntilAsync(Func<bool> done, TimeSpan timeout, int pollMs = 20)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (!done())
        {
            ThrowIfAnyFailed();
            if (sw.Elapsed > timeout) return false;
            await Task.Delay(pollMs);
        }
        return true;
    }

    /// <summary>Waits for every loop to end (after the run's stop token was cancelled), rethrowing a failure.</summary>
    public Task WhenAll() => Task.WhenAll(loops.Select(l => l.Loop));
}
