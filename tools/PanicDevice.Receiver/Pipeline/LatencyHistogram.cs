using System.Globalization;
using System.Text;

namespace PanicDevice.Receiver.Pipeline;

/// <summary>A Prometheus histogram of seconds with fixed buckets, safe to observe from many threads.</summary>
internal sealed class LatencyHistogram
{
    /// <summary>Upper bounds in seconds: from 1 ms (a frame alone) to 5 s (a commit stuck behind a slow disk).</summary>
    public static readonly double[] Bounds = { 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5 };

    private readonly long[] counts = new long[Bounds.Length + 1];
    private long sumMicroseconds;

    public void Observe(TimeSpan elapsed)
    {
        double s = elapsed.TotalSeconds;
        int i = 0;
        while (i < Bounds.Length && s > Bounds[i]) i++;
        Interlocked.Increment(ref counts[i]);
        Interlocked.Add(ref sumMicroseconds, (long)(elapsed.Ticks / 10));
    }

    public long Count
    {
        get
        {
            long n = 0;
            for (int i = 0; i < counts.Length; i++) n += Interlocked.Read(ref counts[i]);
            return n;
        }
    }

    /// <summary>Writes the histogram's bucket, sum and count lines.</summary>
    public void WriteTo(StringBuilder sb, string name, string help)
    {
        sb.Append("# HELP ").Append(name).Append(' ').Append(help).Append("\n# TYPE ").Append(name).Append(" histogram\n");
        long cumulative = 0;
        for (int i = 0; i < Bounds.Length; i++)
        {
            cumulative += Interlocked.Read(ref counts[i]);
            sb.Append(name).Append("_bucket{le=\"").Append(Bounds[i].ToString(CultureInfo.InvariantCulture)).Append("\"} ").Append(cumulative).Append('\n');
        }
        cumulative += Interlocked.Read(ref counts[Bounds.Length]);
        sb.Append(name).Append("_bucket{le=\"+Inf\"} ").Append(cumulative).Append('\n');
        sb.Append(name).Append("_sum ").Append((Interlocked.Read(ref sumMicroseconds) / 1e6).ToString("0.######", CultureInfo.InvariantCulture)).Append('\n');
        sb.Append(name).Append("_count ").Append(cumulative).Append('\n');
    }
}
