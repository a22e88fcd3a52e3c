namespace PanicDevice.Tests;

/// <summary>Placeholder removed once Core has real behaviour under test.</summary>
[TestClass]
public class SkeletonBuildTests
{
    [TestMethod]
    public void CoreAssemblyLoads()
    {
        Assert.AreEqual("PanicDevice.Core", typeof(PanicDevice.Core.Time.IClock).Assembly.GetName().Name);
    }
}
