using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace PanicDevice.Bench.Engines;

/// <summary>
/// A throwaway mosquitto (the Debian package) for benchmarks and tests: a free loopback port, a config
/// generated in its own temp folder, started and waited for until it accepts TCP; killed and its folder
/// removed on dispose. <see cref="TryStart"/> answers null when mosquitto is not installed, so a caller
/// can say so (a test reports Inconclusive) instead of passing silently.
/// </summary>
public sealed class LocalMosquitto : IDisposable
{
    /// <summary>Anonymous clients, nothing kept on disk: what a benchmark broker needs.</summary>
    public const string DefaultSettings = "allow_anonymous true\npersistence false\n";

    private readonly Process process;
    private readonly string? ownedFolder;

    private LocalMosquitto(Process process, int port, string folder, string? ownedFolder)
    {
        this.process = process;
        Port = port;
        Folder = folder;
        this.ownedFolder = ownedFolder;
    }

    public int Port { get; }

    /// <summary>Where the generated mosquitto.conf is.</summary>
    public string Folder { get; }

    /// <summary>mqtt://127.0.0.1:PORT, as a receiver's --broker takes it.</summary>
    public string BrokerUrl => "mqtt://127.0.0.1:" + Port;

    public bool HasExited => process.HasExited;

    /// <summary>The installed mosquitto binary, or null.</summary>
    public static string? Binary() => new[] { "/usr/sbin/mosquitto", "/usr/bin/mosquitto" }.FirstOrDefault(File.Exists);

    /// <summary>
    /// Starts mosquitto listening on 127.0.0.1 with <paramref name="settings"/> after the listener line;
    /// null if mosquitto is not installed. <paramref name="port"/> 0 picks a free one; <paramref name="folder"/>
    /// null makes a temp folder that dispose removes. Throws if it does not accept connections within 10 s.
    /// </summary>
    public static LocalMosquitto? TryStart(string settings = DefaultSettings, int port = 0, string? folder = null)
    {
        string? binary = Binary();
        if (binary == null)
        {
            return null;
        }
        if (port == 0)
        {
            port = LoopbackPorts.Free();
        }
        string? owned = null;
        if (folder == null)
        {
            folder = owned = Path.Combine(Path.GetTempPath(), "pd-mosquitto-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(folder);
        }
        string conf = Path.Combine(folder, "mosquitto.conf");
        File.WriteAllText(conf, "listener " + port + " 127.0.0.1\n" + settings);
        var psi = new ProcessStartInfo(binary) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(conf);
        var p = Process.Start(psi)!;
        // mosquitto logs to stderr; read it so a full pipe never blocks the broker
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        var broker = new LocalMosquitto(p, port, folder, owned);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10) && !p.HasExited)
        {
            try
            {
                using var probe = new TcpClient();
                probe.Connect(IPAddress.Loopback, port);
                return broker;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }
        string why = p.HasExited ? "exited with code " + p.ExitCode : "did not accept connections within 10 s";
        broker.Dispose();
        throw new InvalidOperationException("mosquitto on port " + port + " " + why + " (config " + conf + ")");
    }

    /// <summary>SIGKILL (a broker crash); waits until it is gone.</summary>
    public void Kill()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
            process.WaitForExit();
        }
        catch (InvalidOperationException)
        {
        }
    }

    public void Dispose()
    {
        Kill();
        process.Dispose();
        if (ownedFolder != null)
        {
            try { Directory.Delete(ownedFolder, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
