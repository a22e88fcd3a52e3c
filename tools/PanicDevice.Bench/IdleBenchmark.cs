using PanicDevice.Bench.Engines;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using PanicDevice.Receiver;
using PanicDevice.Receiver.Registry;

namespace PanicDevice.Bench;

/// <summary>
/// Memory of the receiver with N connected idle devices. The receiver runs in a child process (this
/// program's <c>receiver-host</c> command) so its working set holds the broker's sessions and nothing of
/// the N client connections, which live in this process.
/// </summary>
public static class IdleBenchmark
{
    public static async Task<int> RunAsync(int devices, int settleS)
    {
        string data = Path.Combine(Path.GetTempPath(), "pd-bench-idle-" + Environment.ProcessId);
        int port = LoopbackPorts.Free();
        using var host = ReceiverHostProcess.Start(devices, port, data);
        List<BenchDevice> clients = new();
        try
        {
            string? ready = await host.ReadyAsync();
            if (ready == null)
            {
                return 1;
            }
            Console.WriteLine("receiver " + ready);
            string before = await host.StatsAsync();
            var sw = Stopwatch.StartNew();
            clients = await IngestBenchmark.ConnectAsync(devices, port, parallel: 64);
            double connectS = sw.Elapsed.TotalSeconds;
            await Task.Delay(TimeSpan.FromSeconds(settleS));
            string after = await host.StatsAsync();
            Console.WriteLine("before connecting: " + before);
            Console.WriteLine(FormattableString.Invariant($"connected {clients.Count} devices (login + subscribe) in {connectS:F1} s, idle {settleS} s"));
            Console.WriteLine(FormattableString.Invariant($"devices={clients.Count} ") + after);
            return 0;
        }
        finally
        {
            await IngestBenchmark.DisposeAllAsync(clients);
        }
    }

    /// <summary>
    /// The child: a receiver with N registered bench devices, answering "stats" on stdin with its memory figures;
    /// <paramref name="extra"/> are more receiver options (the surge bench's HTTP port, token and webhook).
    /// </summary>
    public static async Task<int> HostAsync(int devices, int port, string data, IReadOnlyList<string>? extra = null)
    {
        var args = new List<string> { "--mqtt-port", port.ToString(), "--data", data, "--Logging:LogLevel:Default", "Warning" };
        if (extra == null || !extra.Contains("--urls"))
        {
            args.AddRange(new[] { "--urls", "http://127.0.0.1:" + LoopbackPorts.Free() });
        }
        args.AddRange(extra ?? Array.Empty<string>());
        var receiver = ReceiverApp.Build(args.ToArray());
        var registry = receiver.Services.GetRequiredService<DeviceRegistry>();
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < devices; i++)
        {
            string id = BenchDevice.IdFor(i);
            registry.Upsert(new DeviceRecord { Id = id, Key = new DeviceKey(BenchDevice.KeyFor(id)) });
        }
        await receiver.StartAsync();
        // The thread pool's backlog, sampled: work (acks, broker sessions) waiting for a thread shows here first.
        using var sampler = new Timer(_ =>
        {
            long queued = ThreadPool.PendingWorkItemCount;
            if (queued > Interlocked.Read(ref maxPoolQueue)) Interlocked.Exchange(ref maxPoolQueue, queued);
            int threads = ThreadPool.ThreadCount;
            if (threads > maxPoolThreads) maxPoolThreads = threads;
        }, null, 100, 100);
        Console.WriteLine(FormattableString.Invariant($"ready: {devices} devices registered in {sw.Elapsed.TotalSeconds:F1} s"));
        string? line;
        while ((line = Console.ReadLine()) != null && line != "stop")
        {
            if (line == "stats")
            {
                Console.WriteLine(Stats());
            }
        }
        await receiver.StopAsync();
        return 0;
    }

    private static long maxPoolQueue;
    private static int maxPoolThreads;

    private static string Stats()
    {
        using var p = Process.GetCurrentProcess();
        long ws = p.WorkingSet64;
        long heap = GC.GetGCMemoryInfo().HeapSizeBytes;
        long live = GC.GetTotalMemory(forceFullCollection: true);
        p.Refresh();
        const double MiB = 1024 * 1024;
        return string.Create(CultureInfo.InvariantCulture,
            $"working_set_mib={ws / MiB:F0} gc_heap_mib={heap / MiB:F0} live_managed_mib={live / MiB:F0} working_set_after_gc_mib={p.WorkingSet64 / MiB:F0} threadpool_queue_max={Interlocked.Read(ref maxPoolQueue)} threadpool_threads_max={maxPoolThreads} gc_pause_ms={GC.GetTotalPauseDuration().TotalMilliseconds:F0} gen2_collections={GC.CollectionCount(2)}");
    }
}
