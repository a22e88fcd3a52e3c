using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PanicDevice.Bench.Engines;
using PanicDevice.Receiver.Mqtt;
using PanicDevice.Receiver.Pipeline;
using PanicDevice.Receiver.Registry;
using PanicDevice.Receiver.Storage;

namespace PanicDevice.Tests.Support;

/// <summary>
/// The receiver's device side without its HTTP host: a SQLite store in a temp folder with the given devices, the
/// ingest pipeline over it and the embedded broker on a free loopback port. Broker tests start one per test.
/// </summary>
internal sealed class BrokerFixture : IAsyncDisposable
{
    private readonly string dir;

    private BrokerFixture(string dir, DeviceRegistry registry, FrameStore store, IngestPipeline pipeline, EmbeddedBroker broker, int port)
    {
        this.dir = dir;
        Registry = registry;
        Store = store;
        Pipeline = pipeline;
        Broker = broker;
        Port = port;
    }

    public DeviceRegistry Registry { get; }
    public FrameStore Store { get; }
    public IngestPipeline Pipeline { get; }
    public EmbeddedBroker Broker { get; }
    public int Port { get; }

    /// <summary>Starts the broker with <paramref name="devices"/> registered; <paramref name="rateLimit"/> null: no per-device limit.</summary>
    public static async Task<BrokerFixture> StartAsync((string Id, byte[] Key)[] devices, DeviceRateLimitOptions? rateLimit = null, ILogger? log = null)
    {
        string dir = Directory.CreateTempSubdirectory("pd-broker-").FullName;
        var db = new ReceiverDatabase(Path.Combine(dir, "r.db"));
        var registry = new DeviceRegistry(db);
        foreach (var (id, key) in devices)
        {
            registry.Upsert(new DeviceRecord { Id = id, Key = new DeviceKey(key) });
        }
        var store = new FrameStore(db);
        var pipeline = new IngestPipeline(registry, store, TimeProvider.System, rateLimit);
        int port = LoopbackPorts.Free();
        var broker = new EmbeddedBroker(port, registry, pipeline, log ?? NullLogger.Instance);
        await broker.StartAsync();
        return new BrokerFixture(dir, registry, store, pipeline, broker, port);
    }

    public async ValueTask DisposeAsync()
    {
        await Broker.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        TempDirectory.Delete(dir);
    }
}
