using PanicDevice.Bench.Fuzz;

namespace PanicDevice.Tests.Fuzz;

/// <summary>
/// The short form of "PanicDevice.Bench fuzz": 20,000 seeded inputs per parser of untrusted bytes. No
/// exception escapes, no input allocates more than 64 KiB + 64 × its length, every rejection has a reason,
/// and the stateful readers keep bounded memory over a long garbage stream.
/// </summary>
[TestClass]
public class FuzzShortFormTests
{
    private const int InputsPerParser = 20_000;
    private const int Seed = 20261129;

    /// <summary>A session is hundreds of driver polls, not one parse: fewer of them keep the suite fast.</summary>
    private static int Inputs(string name) => name == "sim800-session" ? 2_000 : InputsPerParser;

    [TestMethod]
    [DataRow("frame")]
    [DataRow("frame-text")]
    [DataRow("mqtt")]
    [DataRow("at")]
    [DataRow("sim800")]
    [DataRow("sim800-session")]
    [DataRow("json")]
    [DataRow("device-config")]
    [DataRow("sms-pdu")]
    [DataRow("ingest")]
    [DataRow("sms-gateway")]
    public void ParserSurvivesTwentyThousandHostileInputs(string name)
    {
        List<FuzzTarget> all = FuzzTargets.All();
        FuzzTarget target = all.Single(t => t.Name == name);
        FuzzReport report;
        try
        {
            report = new FuzzEngine(Seed).Run(new[] { target }, Inputs(name));
        }
        finally
        {
            foreach (FuzzTarget t in all) (t as IDisposable)?.Dispose();
        }
        string failures = string.Join("\n", report.Failures.Select(f => f.Problem + " on input " + f.InputHex).Concat(report.TargetProblems));
        Assert.AreEqual(Inputs(name), report.Inputs);
        Assert.AreEqual(0, report.Exceptions, failures);
        Assert.AreEqual(0, report.OverAllocations, failures);
        Assert.AreEqual(0, report.NoReason, failures);
        Assert.AreEqual(0, report.TargetProblems.Count, failures);
        FuzzCounts c = report.Targets[0];
        if (name is "ingest" or "sms-gateway")
        {
            Assert.AreEqual(Inputs(name), c.Rejected, "every fuzzed payload is refused");
        }
        else if (name is not "at" and not "sim800" and not "sim800-session")
        {
            // the generator reaches past the first check: some inputs pass, many distinct reasons
            Assert.IsTrue(c.Accepted > 0 && c.Rejected > 0, $"accepted {c.Accepted}, rejected {c.Rejected}");
        }
        Assert.IsTrue(c.Reasons.Count >= 3 || name is "at" or "sim800" or "sim800-session", "only " + c.Reasons.Count + " distinct reasons");
    }

    [TestMethod]
    public void SameSeedGivesTheSameInputs()
    {
        var seeds = new List<byte[]> { new byte[] { 1, 2, 3, 4, 5 }, new byte[] { 9, 8, 7 } };
        var a = new FuzzEngine(5);
        var b = new FuzzEngine(5);
        for (int i = 0; i < 1000; i++)
        {
            CollectionAssert.AreEqual(a.Generate(seeds), b.Generate(seeds));
        }
    }

    private sealed class Faulty(Func<byte[], string?> act) : FuzzTarget
    {
        public override string Name => "faulty";
        public override IReadOnlyList<byte[]> Seeds { get; } = new List<byte[]> { new byte[] { 0x10, 0x20, 0x30 } };
        public override FuzzVerdict Run(byte[] input, out string reason)
        {
            reason = act(input) ?? "";
            return FuzzVerdict.Rejected;
        }
    }

    [TestMethod]
    public void EngineFlagsExceptionsMissingReasonsAndLargeAllocationsWithTheInputInHex()
    {
        FuzzReport thrown = new FuzzEngine(1).Run(new[] { new Faulty(i => i.Length > 2 ? throw new IndexOutOfRangeException() : "short") }, 500);
        Assert.IsTrue(thrown.Exceptions > 0);
        FuzzFailure f = thrown.Failures.First(x => x.Problem.StartsWith("IndexOutOfRange"));
        Assert.IsTrue(Convert.FromHexString(f.InputHex).Length > 2);

        FuzzReport silent = new FuzzEngine(1).Run(new[] { new Faulty(_ => null) }, 100);
        Assert.AreEqual(100, silent.NoReason);

        FuzzReport hungry = new FuzzEngine(1).Run(new[] { new Faulty(i => new byte[FuzzEngine.AllocationBound(i.Length) + 1].Length.ToString()) }, 50);
        Assert.AreEqual(50, hungry.OverAllocations);
        Assert.IsFalse(hungry.Clean);
    }

    [TestMethod]
    [DoNotParallelize] // the heap is measured after full collections; the least of three runs filters other threads' noise
    public void StatefulReadersRetainBoundedMemoryOverFourMebibytesOfGarbage()
    {
        const long bytes = 4 * 1024 * 1024;
        long mqtt = Enumerable.Range(0, 3).Min(_ => RetentionChecks.MqttRetained(Seed, bytes));
        long lines = Enumerable.Range(0, 3).Min(_ => RetentionChecks.AtRetained(Seed, bytes, true));
        long noLineEnd = Enumerable.Range(0, 3).Min(_ => RetentionChecks.AtRetained(Seed, bytes, false));
        Assert.IsTrue(mqtt < RetentionChecks.RetainedBound, "mqtt reader kept " + mqtt);
        Assert.IsTrue(lines < RetentionChecks.RetainedBound, "at reader kept " + lines);
        Assert.IsTrue(noLineEnd < RetentionChecks.RetainedBound, "at reader without line ends kept " + noLineEnd);
    }
}
