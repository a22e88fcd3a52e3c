using PanicDevice.Bench.Engines;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using PanicDevice.Core.Protocol;
using PanicDevice.Receiver;
using PanicDevice.Receiver.Pipeline;
using PanicDevice.Receiver.Registry;
using PanicDevice.Receiver.Storage;

namespace PanicDevice.Bench;

/// <summary>
/// The ingest pipeline without MQTT: N concurrent callers each submit signed alerts one after another,
/// either through <see cref="IngestPipeline.Process"/> (one transaction and one fsync per frame, the
/// callers on N threads) or <see cref="IngestPipeline.ProcessAsync"/> (group commit). Isolates the
/// receiver's own cost from the broker's. --store picks the store like the receiver's option;
/// "local-postgres" starts a throwaway PostgreSQL (<see cref="Engines.LocalPostgres"/>, fsync on) for the run.
/// </summary>
public static class PipelineBenchmark
{
    public static async Task<int> RunAsync(int devices, int seconds, bool grouped, string? storeUrl = null)
    {
        await using var rx = InProcessReceiver.Build("pipeline", storeUrl);
        string engine = rx.Engine;
        var registry = rx.Service<DeviceRegistry>();
        var pipeline = rx.Service<IngestPipeline>();
        var store = rx.Service<FrameStore>();
        var latencies = new LatencyRecorder();
        long to = Stopwatch.GetTimestamp() + seconds * Stopwatch.Frequency;
        latencies.Window(0, long.MaxValue);
        var tasks = new List<Task>();
        for (int i = 0; i < devices; i++)
        {
            string id = BenchDevice.IdFor(i);
            byte[] key = BenchDevice.KeyFor(id);
            registry.Upsert(new DeviceRecord { Id = id, Key = new DeviceKey(key) });
            Func<Task> loop = async () =>
            {
                uint counter = 0;
                while (Stopwatch.GetTimestamp() < to)
                {
                    byte[] payload = FrameCodec.Encode(Frame.Create(MessageKind.Alert, id, ++counter, (byte)AlertCode.Test), key);
                    long t0 = Stopwatch.GetTimestamp();
                    IngestResult r = grouped ? await pipeline.ProcessAsync(payload, id, IngestPath.Mqtt) : pipeline.Process(payload, id, IngestPath.Mqtt);
                    if (r.Status == IngestStatus.Stored) latencies.Record(t0, Stopwatch.GetTimestamp());
                    else Interlocked.Increment(ref latencies.Failures);
                }
            };
            tasks.Add(grouped ? Task.Run(loop) : Task.Factory.StartNew(() => loop().GetAwaiter().GetResult(), TaskCreationOptions.LongRunning));
        }
        await Task.WhenAll(tasks);
        var (batches, frames) = store.GroupCommits;
        Console.WriteLine(FormattableString.Invariant(
            $"pipeline store={engine} mode={(grouped ? "group-commit" : "per-frame")} callers={devices} stored_per_s={latencies.Count / (double)seconds:F0} p50_ms={latencies.Percentile(0.5):F2} p99_ms={latencies.Percentile(0.99):F2} failures={latencies.Failures} mean_batch={(batches == 0 ? 1 : frames / (double)batches):F1} set_based={(frames == 0 ? 0 : store.BulkFrames / (double)frames):F2}"));
        return 0;
    }
}
