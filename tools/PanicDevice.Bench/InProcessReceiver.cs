using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using PanicDevice.Bench.Engines;
using PanicDevice.Receiver;
using PanicDevice.Receiver.Storage;

namespace PanicDevice.Bench;

/// <summary>
/// A receiver built in the bench's own process, not started (the bench drives its pipeline or dispatcher itself), with
/// no MQTT port, a temp data folder of its own and the store <c>--store</c> names: a URL, "local-postgres" (a throwaway
/// PostgreSQL for the run, <see cref="LocalPostgres"/>) or none (SQLite in the data folder). Disposing removes all of it.
/// </summary>
internal sealed class InProcessReceiver : IAsyncDisposable
{
    private readonly LocalPostgres? postgres;
    private readonly string data;

    private InProcessReceiver(WebApplication app, LocalPostgres? postgres, string data)
    {
        App = app;
        this.postgres = postgres;
        this.data = data;
    }

    public WebApplication App { get; }

    /// <summary>"postgresql" or "sqlite", for the bench's summary line.</summary>
    public string Engine => App.Services.GetRequiredService<ReceiverDatabase>().Dialect is PostgresDialect ? "postgresql" : "sqlite";

    public T Service<T>() where T : notnull => App.Services.GetRequiredService<T>();

    public static InProcessReceiver Build(string bench, string? storeUrl, params string[] options)
    {
        string data = Path.Combine(Path.GetTempPath(), "pd-bench-" + bench + "-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8]);
        LocalPostgres? postgres = storeUrl == "local-postgres" ? LocalPostgres.TryStart(out string whyNot) ?? throw new InvalidOperationException(whyNot) : null;
        if (postgres != null)
        {
            storeUrl = postgres.CreateDatabase("bench_" + bench);
        }
        var args = new List<string> { "--urls", "http://127.0.0.1:" + LoopbackPorts.Free(), "--mqtt-port", "0", "--data", data, "--Logging:LogLevel:Default", "Warning" };
        if (storeUrl != null)
        {
            args.AddRange(new[] { "--store", storeUrl });
        }
        args.AddRange(options);
        return new InProcessReceiver(ReceiverApp.Build(args.ToArray()), postgres, data);
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(data, true); } catch (IOException) { }
        if (postgres != null)
        {
            await postgres.DisposeAsync();
        }
    }
}
