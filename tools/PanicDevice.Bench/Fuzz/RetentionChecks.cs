using PanicDevice.Core.Modem;
using PanicDevice.Core.Mqtt;

namespace PanicDevice.Bench.Fuzz;

/// <summary>
/// Stateful readers fed a long garbage stream keep a bounded amount of memory: the heap after a full
/// collection, with the reader still alive, grows by less than <see cref="RetainedBound"/>.
/// </summary>
public static class RetentionChecks
{
    public const long RetainedBound = 256 * 1024;

    /// <summary>Bytes retained after feeding <paramref name="bytes"/> of garbage to a MQTT reader (reset after each error, as on reconnect).</summary>
    public static long MqttRetained(int seed, long bytes)
    {
        var rng = new Random(seed);
        byte[] chunk = new byte[4096];
        long before = GC.GetTotalMemory(true);
        var reader = new MqttPacketReader(new MqttSessionOptions().MaxPacketBytes);
        for (long fed = 0; fed < bytes; fed += chunk.Length)
        {
            rng.NextBytes(chunk);
            foreach (byte b in chunk)
            {
                if (reader.Push(b) == MqttReadStatus.Error) reader.Reset();
            }
        }
        long after = GC.GetTotalMemory(true);
        GC.KeepAlive(reader);
        return after - before;
    }

    private sealed class Sink : IAtLineListener
    {
        public long Lines;
        public void OnLine(AtLineKind kind, string text) => Lines++;
    }

    /// <summary>Bytes retained after feeding garbage (with and without line ends) to an AT line reader.</summary>
    public static long AtRetained(int seed, long bytes, bool withLineEnds)
    {
        var rng = new Random(seed);
        byte[] chunk = new byte[4096];
        long before = GC.GetTotalMemory(true);
        var sink = new Sink();
        var reader = new AtLineReader(sink, 1024);
        for (long fed = 0; fed < bytes; fed += chunk.Length)
        {
            rng.NextBytes(chunk);
            if (!withLineEnds)
            {
                for (int i = 0; i < chunk.Length; i++) if (chunk[i] == '\r' || chunk[i] == '\n') chunk[i] = (byte)'x';
            }
            reader.Push(chunk, 0, chunk.Length);
        }
        long after = GC.GetTotalMemory(true);
        GC.KeepAlive(reader);
        return after - before;
    }

    public static List<string> RunAll(int seed, long bytes)
    {
        var lines = new List<string>();
        void Check(string name, long retained) =>
            lines.Add((retained < RetainedBound ? "ok   " : "FAIL ") + $"retained {name}: {retained} bytes after {bytes / (1024 * 1024)} MiB of garbage (bound {RetainedBound})");
        Check("mqtt reader", MqttRetained(seed, bytes));
        Check("at reader (lines)", AtRetained(seed, bytes, true));
        Check("at reader (no line end)", AtRetained(seed, bytes, false));
        return lines;
    }
}
