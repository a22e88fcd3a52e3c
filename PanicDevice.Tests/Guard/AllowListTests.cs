namespace PanicDevice.Tests.Guard;

/// <summary>
/// The allow-list parses, and keeps the corrections made when it was checked against the nanoFramework sources
/// (the surface notes it started from had these wrong, and each one changes what the guard accepts).
/// </summary>
[TestClass]
public class AllowListTests
{
    public TestContext TestContext { get; set; }

    [TestMethod]
    public void ParsesEveryLineIntoTypesAndMembers()
    {
        var api = AllowListFile.Full;
        TestContext.WriteLine($"allow-list: {api.Types.Count} types, {api.MemberCount} members");
        Assert.IsTrue(api.Types.Count > 200, $"only {api.Types.Count} types parsed");
        Assert.IsTrue(api.Types.All(t => t.Package != null), "a section has no '# package:' line");
        var duplicates = File.ReadLines(AllowListFile.Path)
            .Where(l => l.Length > 0 && !l.StartsWith(" ", StringComparison.Ordinal) && !l.StartsWith("#", StringComparison.Ordinal))
            .GroupBy(l => l.Split(' ')[1]).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.AreEqual(0, duplicates.Count, "types listed twice: " + string.Join(", ", duplicates));
    }

    [TestMethod]
    public void KeepsOperatorsTheCompilerCalls()
    {
        // s == t, DateTime - DateTime and TimeSpan comparisons compile to these calls.
        Assert.IsNotNull(AllowListFile.Full.FindCallable("System.String", "op_Equality", "System.String", "System.String"));
        Assert.IsNotNull(AllowListFile.Full.FindCallable("System.DateTime", "op_Subtraction", "System.DateTime", "System.DateTime"));
        Assert.IsNotNull(AllowListFile.Full.FindCallable("System.TimeSpan", "op_GreaterThan", "System.TimeSpan", "System.TimeSpan"));
    }

    [TestMethod]
    public void KeepsRefAndParamsParameters()
    {
        var api = AllowListFile.Full;
        Assert.IsNotNull(api.FindCallable("System.Threading.Interlocked", "Increment", "ref System.Int32"));
        Assert.IsTrue(api.FindCallable("System.String", "Format", "System.String", "System.Object[]").Parameters[1].IsParams);
        Assert.IsTrue(api.FindCallable("System.String", "PadLeft", "System.Int32", "System.Char").Parameters[1].IsOptional);
    }

    [TestMethod]
    public void KeepsIndexerParametersAndBaseClasses()
    {
        var api = AllowListFile.Full;
        Assert.IsNotNull(api.FindCallable("System.String", "get_Chars", "System.Int32"));
        Assert.IsNotNull(api.FindCallable("System.Collections.Hashtable", "set_Item", "System.Object", "System.Object"));
        Assert.AreEqual("System.Text.Encoding", api.Find("System.Text.UTF8Encoding").BaseType);
        Assert.IsTrue(api.Find("nanoFramework.Runtime.Native.Power").Members.Single(m => m.Name == "OnRebootEvent").IsStatic);
    }
}
