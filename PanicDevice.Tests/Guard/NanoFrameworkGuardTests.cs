namespace PanicDevice.Tests.Guard;

/// <summary>Runs the guard on the compiled PanicDevice.Core: whatever Core contains must run on nanoFramework 1.x.</summary>
[TestClass]
public class NanoFrameworkGuardTests
{
    public TestContext TestContext { get; set; }

    private static string CoreAssemblyPath => typeof(PanicDevice.Core.Time.IClock).Assembly.Location;

    [TestMethod]
    public void CoreUsesOnlyNanoFrameworkApi()
    {
        var report = NanoFrameworkApiGuard.Check(CoreAssemblyPath, AllowListFile.Api);
        if (!report.Passed)
            Assert.Fail(report.DescribeViolations());
    }

    [TestMethod]
    public void PrintsTheHostToDeviceMappingTable()
    {
        var report = NanoFrameworkApiGuard.Check(CoreAssemblyPath, AllowListFile.Api);
        TestContext.WriteLine(report.DescribeMappings());
        Console.WriteLine(report.DescribeMappings());
    }
}
