using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;
using PanicDevice.Bench.Engines;
using PanicDevice.Receiver.Storage;

namespace PanicDevice.Tests.Support;

/// <summary>The engines the receiver's store tests run on: each shared test class has one subclass per engine.</summary>
public enum StoreEngine
{
    Sqlite,
    Postgres,
}

/// <summary>
/// A fresh, empty receiver store on one engine: a SQLite file in a temp folder, or a new database on the
/// test run's PostgreSQL server (<see cref="TestPostgres"/>). Where PostgreSQL is not installed, making
/// one reports the test Inconclusive with the reason, never Passed.
/// </summary>
internal sealed class TestStore : IDisposable
{
    private static int databases;
    private readonly string? folder;
    private readonly string? postgresDatabase;

    private TestStore(StoreEngine engine, string url, string? folder, string? postgresDatabase)
    {
        Engine = engine;
        Url = url;
        this.folder = folder;
        this.postgresDatabase = postgresDatabase;
        Target = StoreLocation.Parse(url, folder ?? Path.GetTempPath()).Target!;
        Db = ReceiverDatabase.Connect(Target);
    }

    public StoreEngine Engine { get; }

    /// <summary>The --store URL of this store (a PostgreSQL one holds the test server's password).</summary>
    public string Url { get; }

    public StoreTarget Target { get; }

    /// <summary>The store, opened once; open more with <see cref="OpenAnother"/> to act as another receiver.</summary>
    public ReceiverDatabase Db { get; }

    public static TestStore Create(StoreEngine engine)
    {
        if (engine == StoreEngine.Sqlite)
        {
            string dir = Path.Combine(Path.GetTempPath(), "pd-store-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            return new TestStore(engine, "sqlite://" + Path.Combine(dir, "receiver.db"), dir, null);
        }
        LocalPostgres server = TestPostgres.Server();
        string name = "t" + Environment.ProcessId + "_" + Interlocked.Increment(ref databases);
        return new TestStore(engine, server.CreateDatabase(name), null, name);
    }

    /// <summary>The same store opened again, as a second receiver process would (its own connection pool).</summary>
    public ReceiverDatabase OpenAnother() => ReceiverDatabase.Connect(Target);

    /// <summary>A connection outside the receiver's pools, seeing only committed rows; the caller disposes it.</summary>
    public DbConnection OpenOutside()
    {
        DbConnection c = Engine == StoreEngine.Sqlite
            ? new SqliteConnection("Data Source=" + Target.Path + ";Pooling=False")
            : new NpgsqlConnection(TestPostgres.Server().ConnectionStringFor(postgresDatabase!));
        c.Open();
        return c;
    }

    /// <summary>A number from a query run outside the receiver (parameters by name: @d, @c...).</summary>
    public long Count(string sql, params (string Name, object Value)[] parameters)
    {
        using DbConnection c = OpenOutside();
        using DbCommand cmd = ReceiverDatabase.Command(c, null, sql);
        foreach (var (name, value) in parameters)
        {
            cmd.With(name, value);
        }
        return Convert.ToInt64(cmd.ExecuteScalar());
    }

    /// <summary>Makes inserting the alert of <paramref name="counter"/> fail with a real engine error ("disk on fire").</summary>
    public void FailAlertInserts(uint counter)
    {
        using DbConnection c = OpenOutside();
        ReceiverDatabase.Execute(c, Engine == StoreEngine.Sqlite
            ? $"CREATE TRIGGER fail_alert BEFORE INSERT ON alerts WHEN NEW.counter = {counter} BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
            : $"CREATE FUNCTION fail_alert() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN IF NEW.counter = {counter} THEN RAISE EXCEPTION ''disk on fire''; END IF; RETURN NEW; END';"
              + " CREATE TRIGGER fail_alert BEFORE INSERT ON alerts FOR EACH ROW EXECUTE FUNCTION fail_alert();");
    }

    public void StopFailingAlertInserts()
    {
        using DbConnection c = OpenOutside();
        ReceiverDatabase.Execute(c, Engine == StoreEngine.Sqlite ? "DROP TRIGGER fail_alert" : "DROP TRIGGER fail_alert ON alerts; DROP FUNCTION fail_alert();");
    }

    public void Dispose()
    {
        Db.Dispose();
        if (folder != null)
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, true);
        }
        else
        {
            NpgsqlConnection.ClearAllPools();
            using DbConnection c = new NpgsqlConnection(TestPostgres.Server().ConnectionString);
            c.Open();
            ReceiverDatabase.Execute(c, "DROP DATABASE IF EXISTS " + postgresDatabase + " WITH (FORCE)");
        }
    }
}

/// <summary>One throwaway PostgreSQL server for the whole test run, started on first use and stopped at the end.</summary>
[TestClass]
public static class TestPostgres
{
    private static readonly Lock Gate = new();
    private static LocalPostgres? server;
    private static string? whyNot;

    /// <summary>The running server; Inconclusive (with the reason) when PostgreSQL cannot be started here.</summary>
    public static LocalPostgres Server()
    {
        lock (Gate)
        {
            if (server == null && whyNot == null)
            {
                server = LocalPostgres.TryStart(out string reason);
                if (server == null)
                {
                    whyNot = reason;
                }
            }
            if (server == null)
            {
                Assert.Inconclusive("PostgreSQL store tests need a local PostgreSQL (.ci/run installs it): " + whyNot);
            }
            return server!;
        }
    }

    [AssemblyCleanup]
    public static async Task StopServer()
    {
        LocalPostgres? s;
        lock (Gate)
        {
            s = server;
            server = null;
        }
        if (s != null)
        {
            await s.DisposeAsync();
        }
    }
}
