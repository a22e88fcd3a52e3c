using PanicDevice.Receiver;

namespace PanicDevice.Bench;

/// <summary>The <c>crash</c> command: runs <see cref="CrashHarness"/> against the receiver DLL next to this one and prints the counts.</summary>
public static class CrashBenchmark
{
    public static async Task<int> RunAsync(int trials, int devices, int alerts, int seed)
    {
        string dll = typeof(ReceiverApp).Assembly.Location;
        Console.WriteLine($"crash: trials={trials} devices={devices} alerts_per_trial={alerts} seed={seed}; {Environment.ProcessorCount} cores; receiver {Path.GetFileName(dll)} as a child process, SIGKILL once per trial");
        var started = System.Diagnostics.Stopwatch.StartNew();
        CrashResult r = await CrashHarness.RunAsync(new CrashOptions(trials, devices, alerts, seed, dll) { Log = Console.Out, DispatchDrainTimeout = TimeSpan.FromSeconds(90) });
        Console.WriteLine($"store: frames={r.Stored} not_stored={r.NotStored} stored_duplicates={r.StoredDuplicates} dispatch_queue_rows={r.QueueRows} queue_duplicates={r.QueueDuplicates} alert_row_duplicates={r.AlertRowDuplicates}");
        Console.WriteLine($"webhook: deliveries={r.Deliveries} distinct_events={r.DistinctEvents} redelivered_same_event_id={r.Redelivered} undelivered={r.Undelivered} bad_signatures={r.BadSignatures}; stray_acks={r.Strays} drained={r.Drained} elapsed_s={started.Elapsed.TotalSeconds:F0}");
        Console.WriteLine(r.Line());
        return r.Lost == 0 && r.NotStored == 0 && r.DuplicatedDispatch == 0 ? 0 : 1;
    }
}
