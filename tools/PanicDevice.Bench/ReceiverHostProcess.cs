using System.Diagnostics;
using System.Globalization;

namespace PanicDevice.Bench;

/// <summary>
/// A receiver in a child process (this program's <c>receiver-host</c> command) with N registered bench devices, so
/// its memory and threads are its own and not the N clients' that live in the bench. "stats" on its standard input
/// answers one line of figures; disposing stops it and removes its data folder.
/// </summary>
internal sealed class ReceiverHostProcess : IDisposable
{
    private readonly Process child;
    private readonly string data;

    private ReceiverHostProcess(Process child, string data)
    {
        this.child = child;
        this.data = data;
    }

    /// <summary>Starts the child; <paramref name="receiverOptions"/> go to the receiver as its command line.</summary>
    public static ReceiverHostProcess Start(int devices, int mqttPort, string data, params string[] receiverOptions)
    {
        var psi = new ProcessStartInfo { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false, FileName = Environment.ProcessPath! };
        if (Path.GetFileNameWithoutExtension(psi.FileName) == "dotnet")
        {
            psi.ArgumentList.Add(typeof(ReceiverHostProcess).Assembly.Location);
        }
        foreach (string a in new[] { "receiver-host", "--devices", devices.ToString(CultureInfo.InvariantCulture), "--mqtt-port", mqttPort.ToString(CultureInfo.InvariantCulture), "--data", data })
        {
            psi.ArgumentList.Add(a);
        }
        if (receiverOptions.Length > 0)
        {
            psi.ArgumentList.Add("--");
            foreach (string a in receiverOptions) psi.ArgumentList.Add(a);
        }
        return new ReceiverHostProcess(Process.Start(psi)!, data);
    }

    /// <summary>The child's first line ("ready: …"), or null with the reason on standard error when it did not start.</summary>
    public async Task<string?> ReadyAsync()
    {
        string? ready = await child.StandardOutput.ReadLineAsync();
        if (ready == null || !ready.StartsWith("ready", StringComparison.Ordinal))
        {
            Console.Error.WriteLine("the receiver did not start: " + ready);
            return null;
        }
        return ready;
    }

    /// <summary>The receiver's memory, thread-pool and GC figures, as one line of key=value pairs.</summary>
    public async Task<string> StatsAsync()
    {
        await child.StandardInput.WriteLineAsync("stats");
        await child.StandardInput.FlushAsync();
        return await child.StandardOutput.ReadLineAsync() ?? "";
    }

    public void Dispose()
    {
        try
        {
            child.StandardInput.WriteLine("stop");
            child.StandardInput.Close();
            if (!child.WaitForExit(30000)) child.Kill();
        }
        catch (InvalidOperationException) { }
        child.Dispose();
        try { Directory.Delete(data, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
