namespace PanicDevice.Bench.Fuzz;

/// <summary>
/// "fuzz --inputs N [--seed S]": N inputs in all, shared round-robin between the parsers, then the
/// retained-memory checks of the stateful readers. Ends with one line "inputs=… exceptions=… rejected=…".
/// </summary>
public static class FuzzCommand
{
    public static int Run(long inputs, int seed)
    {
        List<FuzzTarget> targets = FuzzTargets.All();
        long perTarget = Math.Max(1, (inputs + targets.Count - 1) / targets.Count);
        var engine = new FuzzEngine(seed);
        Console.WriteLine($"fuzz: seed={seed}, {perTarget} inputs for each of {targets.Count} parsers ({string.Join(", ", targets.Select(t => t.Name))})");
        using var watchdog = new Timer(_ =>
        {
            byte[]? input = engine.CurrentInput;
            if (input != null && ReferenceEquals(input, lastSeen))
            {
                Console.WriteLine($"HANG? {engine.CurrentTarget} has been on one input for 10 s: {Convert.ToHexString(input).ToLowerInvariant()}");
            }
            lastSeen = input;
        }, null, 10_000, 10_000);
        FuzzReport report;
        try
        {
            report = engine.Run(targets, perTarget);
        }
        finally
        {
            foreach (FuzzTarget t in targets) (t as IDisposable)?.Dispose();
        }
        foreach (FuzzCounts c in report.Targets)
        {
            string top = string.Join("; ", c.Reasons.OrderByDescending(kv => kv.Value).Take(4).Select(kv => kv.Key + " ×" + kv.Value));
            Console.WriteLine($"  {c.Name,-14} inputs={c.Inputs} accepted={c.Accepted} rejected={c.Rejected} pending={c.Pending} exceptions={c.Exceptions} no-reason={c.NoReason} over-alloc={c.OverAllocations} max-alloc={c.MaxAllocated}B (input {c.MaxAllocatedInputLength}B) reasons={c.Reasons.Count} [{top}]");
        }
        foreach (Sim800SessionTarget s in targets.OfType<Sim800SessionTarget>())
        {
            Console.WriteLine("  sim800-session phases reached: " + string.Join(", ", Enumerable.Range(0, s.PhasesReached.Length).Select(p => (PanicDevice.Core.Modem.Sim800Phase)p + "=" + s.PhasesReached[p])) + ", TCP opened=" + s.OpenedTcp);
        }
        foreach (FuzzFailure f in report.Failures)
        {
            Console.WriteLine($"  FAIL {f.Target} #{f.Index}: {f.Problem} input={f.InputHex}");
        }
        foreach (string p in report.TargetProblems)
        {
            Console.WriteLine("  FAIL " + p);
        }
        List<string> retained = RetentionChecks.RunAll(seed, 16 * 1024 * 1024);
        foreach (string line in retained)
        {
            Console.WriteLine("  " + line);
        }
        bool retainedOk = retained.All(l => !l.StartsWith("FAIL"));
        Console.WriteLine(report.Summary);
        return report.Clean && retainedOk ? 0 : 1;
    }

    private static byte[]? lastSeen;
}
