using PanicDevice.Receiver;

namespace PanicDevice.Bench.Scale;

/// <summary>The <c>scale</c> command: runs <see cref="ScaleHarness"/> with the receiver DLL next to this one and prints the counts, the summary line last.</summary>
public static class ScaleBenchmark
{
    public static async Task<int> RunAsync(int receivers, int devices, int alerts, bool kill, string? store, double? restartAfterS = null)
    {
        string dll = typeof(ReceiverApp).Assembly.Location;
        // "local-postgres": a throwaway PostgreSQL (Debian's binaries, fsync on) that every receiver shares.
        await using Engines.LocalPostgres? postgres = store == "local-postgres" ? Engines.LocalPostgres.TryStart(out string whyNot) ?? throw new InvalidOperationException("local-postgres: " + whyNot) : null;
        if (postgres != null)
        {
            store = postgres.CreateDatabase("bench_scale_" + Environment.ProcessId);
        }
        Console.WriteLine($"scale: receivers={receivers} devices={devices} alerts={alerts} kill={(kill ? "receiver 0, SIGKILL, " + (restartAfterS is { } after ? FormattableString.Invariant($"restarted {after:0.#} s later") : "not restarted") : "none")} store={Describe(store)}; {Environment.ProcessorCount} cores; mosquitto {Engines.LocalMosquitto.Binary() ?? "missing"}");
        ScaleResult r;
        try
        {
            r = await ScaleHarness.RunAsync(new ScaleOptions(receivers, devices, alerts, kill, dll) { StoreUrl = store, Log = Console.Out, DispatchDrainTimeout = TimeSpan.FromSeconds(90), RestartAfter = restartAfterS is { } s ? TimeSpan.FromSeconds(s) : null });
        }
        catch (Exception e) when (e is MosquittoMissingException or NotSupportedException or InvalidOperationException)
        {
            // a run that could not start or could not be counted (mosquitto missing, a store it cannot read or that is not empty, a receiver that did not come up)
            Console.Error.WriteLine("scale: " + e.Message);
            return 2;
        }
        Console.WriteLine($"store: queue_duplicates={r.QueueDuplicates} alert_duplicates={r.AlertRowDuplicates}; webhook: deliveries={r.Deliveries} distinct_events={r.DistinctEvents} bad_signatures={r.BadSignatures}; stray_acks={r.Strays}");
        Console.WriteLine(r.Line());
        return r.Lost == 0 && r.NotStored == 0 && r.DuplicatedDispatch == 0 && r.Drained ? 0 : 1;
    }

    /// <summary>The store as the first line names it: never a password.</summary>
    private static string Describe(string? store) =>
        store == null ? "a SQLite file per receiver" : PanicDevice.Receiver.Storage.StoreLocation.Parse(store, ".").Target?.Description ?? "unreadable --store";
}
