using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Npgsql;

namespace PanicDevice.Bench.Engines;

/// <summary>
/// A throwaway PostgreSQL server for tests and benchmarks: a fresh cluster in a temp folder (initdb),
/// listening on a free port on 127.0.0.1 with its unix socket inside that folder, a superuser "pd" with a
/// random password (scram-sha-256), and fsync left on: what it measures and what crash tests see is the
/// durability a real deployment has. initdb refuses to run as root, so as root the server runs as the
/// "postgres" OS user. The binaries are found under /usr/lib/postgresql/*/bin (Debian's layout; newest first).
/// Disposing stops the server and deletes the folder.
/// </summary>
public sealed class LocalPostgres : IAsyncDisposable
{
    private const string User = "pd";
    private readonly string bin;
    private readonly string folder;
    private readonly string password;
    private readonly bool asPostgresUser;

    private LocalPostgres(string bin, string folder, string password, int port, bool asPostgresUser)
    {
        this.bin = bin;
        this.folder = folder;
        this.password = password;
        this.asPostgresUser = asPostgresUser;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The store URL of the server's "postgres" database (use <see cref="CreateDatabase"/> for a database of your own).</summary>
    public string StoreUrl => UrlFor("postgres");

    /// <summary>An Npgsql connection string for the "postgres" database, as the superuser.</summary>
    public string ConnectionString => ConnectionStringFor("postgres");

    /// <summary>Where the server's binaries are, or null with the reason (for Assert.Inconclusive).</summary>
    public static string? FindBinaries(out string whyNot)
    {
        string root = "/usr/lib/postgresql";
        string? bin = Directory.Exists(root)
            ? Directory.GetDirectories(root).Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out int v) ? v : 0)
                .FirstOrDefault()
            : null;
        whyNot = bin == null ? "PostgreSQL is not installed: no /usr/lib/postgresql/*/bin/initdb (Debian: apt-get install postgresql)" : "";
        return bin;
    }

    /// <summary>Starts a server, or returns null with the reason it could not.</summary>
    public static LocalPostgres? TryStart(out string whyNot)
    {
        string? bin = FindBinaries(out whyNot);
        if (bin == null)
        {
            return null;
        }
        bool root = Environment.UserName == "root";
        string folder = Path.Combine(Path.GetTempPath(), "pd-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        string password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        string pwFile = Path.Combine(folder, "pw");
        File.WriteAllText(pwFile, password + "\n");
        try
        {
            if (root)
            {
                Run("chown", new[] { "-R", "postgres:postgres", folder }, false, out _);
            }
            if (!Run(Path.Combine(bin, "initdb"), new[] { "-D", Path.Combine(folder, "data"), "-U", User, "--pwfile=" + pwFile, "--auth=scram-sha-256", "-E", "UTF8", "--no-locale" }, root, out string initLog))
            {
                whyNot = "initdb failed: " + Last(initLog);
                Remove(folder);
                return null;
            }
            File.Delete(pwFile);
            for (int attempt = 0; attempt < 3; attempt++)
            {
                int port = LoopbackPorts.Free();
                // max_connections: several receivers' pools plus tests' own connections on one server.
                string options = "-p " + port + " -k " + folder + " -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=on -c synchronous_commit=on";
                if (Run(Path.Combine(bin, "pg_ctl"), new[] { "-D", Path.Combine(folder, "data"), "-l", Path.Combine(folder, "log"), "-w", "-t", "60", "-o", options, "start" }, root, out string startLog))
                {
                    return new LocalPostgres(bin, folder, password, port, root);
                }
                whyNot = "pg_ctl start failed: " + Last(startLog) + " " + Last(SafeRead(Path.Combine(folder, "log")));
            }
        }
        catch (Exception e) when (e is IOException or System.ComponentModel.Win32Exception or UnauthorizedAccessException)
        {
            whyNot = "could not start PostgreSQL: " + e.Message;
        }
        Remove(folder);
        return null;
    }

    /// <summary>Creates an empty database and returns its store URL (name: letters, digits and '_').</summary>
    public string CreateDatabase(string name)
    {
        if (name.Length == 0 || name.Length > 63 || !name.All(ch => char.IsAsciiLetterLower(ch) || char.IsAsciiDigit(ch) || ch == '_'))
        {
            throw new ArgumentException("database names here are 1-63 lower-case letters, digits or '_'", nameof(name));
        }
        using var c = new NpgsqlConnection(ConnectionString);
        c.Open();
        using var cmd = new NpgsqlCommand("CREATE DATABASE " + name, c);
        cmd.ExecuteNonQuery();
        return UrlFor(name);
    }

    /// <summary>The store URL of database <paramref name="database"/> (holds the password: for tests, not for logs).</summary>
    public string UrlFor(string database) => "postgres://" + User + ":" + password + "@127.0.0.1:" + Port + "/" + database;

    public string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = User, Password = password, Database = database }.ConnectionString;

    /// <summary>The server's password (tests check it never shows up where it must not).</summary>
    public string Password => password;

    public ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        Run(Path.Combine(bin, "pg_ctl"), new[] { "-D", Path.Combine(folder, "data"), "-m", "immediate", "-w", "-t", "30", "stop" }, asPostgresUser, out _);
        Remove(folder);
        return ValueTask.CompletedTask;
    }

    private static bool Run(string program, string[] args, bool asPostgres, out string output)
    {
        var psi = new ProcessStartInfo(asPostgres ? "runuser" : program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (asPostgres)
        {
            foreach (string a in new[] { "-u", "postgres", "--", program }) psi.ArgumentList.Add(a);
        }
        foreach (string a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        Task<string> err = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(120_000))
        {
            p.Kill(entireProcessTree: true);
        }
        output = stdout + err.Result;
        return p.HasExited && p.ExitCode == 0;
    }
    private static string SafeRead(string path)
    {
        try { return File.ReadAllText(path); } catch (IOException) { return ""; } catch (UnauthorizedAccessException) { return ""; }
    }

    private static string Last(string log) => log.Trim().Split('\n').LastOrDefault()?.Trim() ?? "";

    private static void Remove(string folder)
    {
        try { Directory.Delete(folder, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
