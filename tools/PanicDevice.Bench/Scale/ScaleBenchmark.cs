using PanicDevice.Receiver;

namespace PanicDevice.Bench.Scale;

/// <summary>The <c>scale</c> command: runs <see cref="ScaleHarness"/> with the receiver DLL next to this one and prints the counts, the summary line last.</summary>
public static class ScaleBenchmark
{
    public static async Task<int> RunAsync(int receivers, int devices, int alerts, bool kill, string? store)
    {
        string dll = typeof(ReceiverApp).Assembly.Location;
        Console.WriteLine($"scale: receivers={receivers} devices={devices} alerts={alerts} kill={(kill ? "receiver 0, SIGKILL, not restarted" : "none")} store={store ?? "a SQLite file per receiver"}; {Environment.ProcessorCount} cores; mosquitto {Engines.LocalMosquitto.Binary() ?? "missing"}");
        ScaleResult r;
        try
        {
            r = await ScaleHarness.RunAsync(new ScaleOptions(receivers, devices, alerts, kill, dll) { StoreUrl = store, Log = Console.Out, DispatchDrainTimeout = TimeSpan.FromSeconds(90) });
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
}
