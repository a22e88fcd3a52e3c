using System.Diagnostics;

namespace PanicDevice.Bench.Fuzz;

/// <summary>What one parser made of one input.</summary>
public enum FuzzVerdict
{
    /// <summary>Parsed as valid.</summary>
    Accepted,
    /// <summary>Refused; the reason must be non-empty.</summary>
    Rejected,
    /// <summary>A stateful parser that wants more bytes (neither accepted nor refused yet).</summary>
    Pending,
}

/// <summary>One parser of untrusted bytes under test, with valid inputs to mutate.</summary>
public abstract class FuzzTarget
{
    public abstract string Name { get; }

    /// <summary>Valid (or realistic) inputs that mutations start from.</summary>
    public abstract IReadOnlyList<byte[]> Seeds { get; }

    /// <summary>Feeds the input to the parser; returns the verdict and, for a rejection, the parser's reason.</summary>
    public abstract FuzzVerdict Run(byte[] input, out string reason);

    /// <summary>Whether an input may not be fed at all (e.g. an exact copy of a correctly signed seed for a "nothing stored" check).</summary>
    public virtual bool Skip(byte[] input) => false;

    /// <summary>
    /// Fixed allocation of one run that does not depend on the input (a whole driver session), added to
    /// <see cref="FuzzEngine.AllocationBound"/>; zero for parsers.
    /// </summary>
    public virtual long AllocationBaseline => 0;

    /// <summary>Checks after the run (e.g. nothing was stored); returns a problem or null.</summary>
    public virtual string? Finish() => null;
}

/// <summary>Per-target tallies.</summary>
public sealed class FuzzCounts
{
    public string Name = "";
    public long Inputs, Accepted, Rejected, Pending, Exceptions, NoReason, OverAllocations;
    public long MaxAllocated, MaxAllocatedInputLength;
    public Dictionary<string, long> Reasons = new();
}

/// <summary>A failing input: what went wrong, and the input in hex so it can be replayed.</summary>
public sealed record FuzzFailure(string Target, long Index, string Problem, string InputHex);

public sealed class FuzzReport
{
    public long Inputs, Exceptions, Rejected, Accepted, Pending, NoReason, OverAllocations;
    public double Seconds;
    public int Seed;
    public List<FuzzCounts> Targets = new();
    public List<FuzzFailure> Failures = new();
    public List<string> TargetProblems = new();

    public bool Clean => Exceptions == 0 && NoReason == 0 && OverAllocations == 0 && TargetProblems.Count == 0;

    public string Summary => $"inputs={Inputs} exceptions={Exceptions} rejected={Rejected} accepted={Accepted} pending={Pending} no-reason={NoReason} over-allocations={OverAllocations} seconds={Seconds:F1} seed={Seed}";
}

/// <summary>
/// Seeded, reproducible generator of hostile inputs (random bytes; bit flips, truncation, extension, byte
/// insert/delete, length-field tweaks and splices of valid inputs), fed round-robin to each target. Every
/// input is checked for: no exception, a reason on every rejection, and allocation within
/// <see cref="AllocationBound"/> of its length.
/// </summary>
public sealed class FuzzEngine
{
    /// <summary>Bytes an input may make the parser allocate: 64 KiB + 64 × its length.</summary>
    public static long AllocationBound(int length) => 65536 + 64L * length;

    private readonly Random rng;
    private readonly int seed;

    public FuzzEngine(int seed)
    {
        this.seed = seed;
        rng = new Random(seed);
    }

    /// <summary>The input currently being fed (for a watchdog to print on a hang).</summary>
    public volatile string CurrentTarget = "";
    public volatile byte[]? CurrentInput;

    /// <summary>Feeds <paramref name="inputsPerTarget"/> inputs to each target.</summary>
    public FuzzReport Run(IReadOnlyList<FuzzTarget> targets, long inputsPerTarget, int maxFailuresKept = 20)
    {
        var report = new FuzzReport { Seed = seed };
        var counts = targets.Select(t => new FuzzCounts { Name = t.Name }).ToArray();
        var watch = Stopwatch.StartNew();
        for (long i = 0; i < inputsPerTarget; i++)
        {
            for (int t = 0; t < targets.Count; t++)
            {
                FuzzTarget target = targets[t];
                byte[] input = Generate(target.Seeds);
                while (target.Skip(input))
                {
                    input = Generate(target.Seeds);
                }
                FuzzCounts c = counts[t];
                c.Inputs++;
                CurrentTarget = target.Name;
                CurrentInput = input;
                long before = GC.GetAllocatedBytesForCurrentThread();
                FuzzVerdict verdict;
                string reason;
                try
                {
                    verdict = target.Run(input, out reason);
                }
                catch (Exception e)
                {
                    c.Exceptions++;
                    if (report.Failures.Count < maxFailuresKept)
                    {
                        report.Failures.Add(new FuzzFailure(target.Name, c.Inputs - 1, e.GetType().Name + ": " + e.Message, Convert.ToHexString(input).ToLowerInvariant()));
                    }
                    continue;
                }
                long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                if (allocated > c.MaxAllocated)
                {
                    c.MaxAllocated = allocated;
                    c.MaxAllocatedInputLength = input.Length;
                }
                if (allocated > target.AllocationBaseline + AllocationBound(input.Length))
                {
                    c.OverAllocations++;
                    if (report.Failures.Count < maxFailuresKept)
                    {
                        report.Failures.Add(new FuzzFailure(target.Name, c.Inputs - 1, "allocated " + allocated + " bytes for " + input.Length + " input bytes", Convert.ToHexString(input).ToLowerInvariant()));
                    }
                }
                switch (verdict)
                {
                    case FuzzVerdict.Accepted:
                        c.Accepted++;
                        break;
                    case FuzzVerdict.Pending:
                        c.Pending++;
                        break;
                    default:
                        c.Rejected++;
                        if (string.IsNullOrWhiteSpace(reason))
                        {
                            c.NoReason++;
                            if (report.Failures.Count < maxFailuresKept)
                            {
                                report.Failures.Add(new FuzzFailure(target.Name, c.Inputs - 1, "rejected without a reason", Convert.ToHexString(input).ToLowerInvariant()));
                            }
                        }
                        else
                        {
                            string key = reason.Length > 48 ? reason.Substring(0, 48) : reason;
                            if (c.Reasons.Count < 200 || c.Reasons.ContainsKey(key))
                            {
                                c.Reasons[key] = c.Reasons.GetValueOrDefault(key) + 1;
                            }
                        }
                        break;
                }
            }
        }
        CurrentInput = null;
        foreach (FuzzTarget target in targets)
        {
            string? problem = target.Finish();
            if (problem != null)
            {
                report.TargetProblems.Add(target.Name + ": " + problem);
            }
        }
        report.Seconds = watch.Elapsed.TotalSeconds;
        report.Targets.AddRange(counts);
        foreach (FuzzCounts c in counts)
        {
            report.Inputs += c.Inputs;
            report.Exceptions += c.Exceptions;
            report.Rejected += c.Rejected;
            report.Accepted += c.Accepted;
            report.Pending += c.Pending;
            report.NoReason += c.NoReason;
            report.OverAllocations += c.OverAllocations;
        }
        return report;
    }

    /// <summary>One input: a third random bytes, the rest mutations or splices of seeds.</summary>
    public byte[] Generate(IReadOnlyList<byte[]> seeds)
    {
        int mode = rng.Next(10);
        if (mode < 2 || seeds.Count == 0)
        {
            return RandomBytes(rng.Next(10) == 0 ? 2048 : 200);
        }
        byte[] s = seeds[rng.Next(seeds.Count)];
        if (mode < 3)
        {
            return s.Length == 0 ? s : (byte[])s.Clone();
        }
        if (mode < 5)
        {
            return Mutate(Splice(s, seeds[rng.Next(seeds.Count)]));
        }
        return Mutate(s);
    }

    private byte[] RandomBytes(int max)
    {
        byte[] b = new byte[rng.Next(0, max + 1)];
        rng.NextBytes(b);
        if (rng.Next(2) == 0)
        {
            // printable text reaches further into text parsers
            for (int i = 0; i < b.Length; i++)
            {
                b[i] = (byte)(0x20 + b[i] % 0x5F);
            }
        }
        return b;
    }

    private byte[] Splice(byte[] a, byte[] b)
    {
        int cutA = rng.Next(a.Length + 1);
        int cutB = rng.Next(b.Length + 1);
        var r = new byte[cutA + b.Length - cutB];
        Array.Copy(a, r, cutA);
        Array.Copy(b, cutB, r, cutA, b.Length - cutB);
        return r;
    }

    private static readonly byte[] Interesting = { 0x00, 0x01, 0x7F, 0x80, 0xFF, 0xFE, (byte)'"', (byte)',', (byte)':', (byte)'\r', (byte)'\n', (byte)'{', (byte)'[', (byte)'\\', (byte)'0', (byte)'9', (byte)'-', (byte)'e', (byte)'=' };

    /// <summary>One to four edits: bit flip, byte set, insert, delete, truncate, extend, length-field tweak, duplicate a run.</summary>
    public byte[] Mutate(byte[] input)
    {
        var b = new List<byte>(input);
        int edits = rng.Next(1, 5);
        for (int e = 0; e < edits; e++)
        {
            int op = rng.Next(9);
            int at = b.Count == 0 ? 0 : rng.Next(b.Count);
            switch (op)
            {
                case 0 when b.Count > 0:
                    b[at] ^= (byte)(1 << rng.Next(8));
                    break;
                case 1 when b.Count > 0:
                    b[at] = rng.Next(2) == 0 ? Interesting[rng.Next(Interesting.Length)] : (byte)rng.Next(256);
                    break;
                case 2:
                    b.Insert(rng.Next(b.Count + 1), rng.Next(2) == 0 ? Interesting[rng.Next(Interesting.Length)] : (byte)rng.Next(256));
                    break;
                case 3 when b.Count > 0:
                    b.RemoveAt(at);
                    break;
                case 4:
                    int keep = rng.Next(b.Count + 1);
                    b.RemoveRange(keep, b.Count - keep);
                    break;
                case 5:
                    int more = rng.Next(1, rng.Next(10) == 0 ? 4096 : 32);
                    for (int i = 0; i < more; i++) b.Add((byte)rng.Next(256));
                    break;
                case 6 when b.Count > 0:
                    // length-field tweak: small arithmetic on a byte (lengths, counts, remaining-length bytes)
                    b[at] = (byte)(b[at] + rng.Next(-4, 5));
                    break;
                case 7 when b.Count > 0:
                    b[at] = rng.Next(3) switch { 0 => 0x00, 1 => 0xFF, _ => 0x80 };
                    break;
                case 8 when b.Count > 1:
                    int start = rng.Next(b.Count);
                    int len = rng.Next(1, Math.Min(64, b.Count - start) + 1);
                    b.InsertRange(rng.Next(b.Count + 1), b.GetRange(start, len));
                    break;
            }
        }
        return b.ToArray();
    }
}
