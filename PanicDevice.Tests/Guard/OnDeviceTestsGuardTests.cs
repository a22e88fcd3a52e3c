using Microsoft.CodeAnalysis.CSharp;

namespace PanicDevice.Tests.Guard;

/// <summary>
/// PanicDevice.Tests/OnDevice also builds as a nanoFramework.TestFramework project, which no machine here
/// can build. So its sources are compiled here for the device's side of their #if (NANOFRAMEWORK_1_0),
/// together with Core's sources and a stand-in for nanoFramework.TestFramework 3.0.77 that declares only
/// the members the real one has (source/TestFramework/Assert*.cs), and the result must use nothing outside
/// the device API allow-list.
/// </summary>
[TestClass]
public class OnDeviceTestsGuardTests
{
    // The real framework's shapes: typed AreEqual overloads (no generic one, no delta for double), IsTrue/IsFalse,
    // IsNull/IsNotNull with an optional message; attributes TestClass/TestMethod. Nothing more, so a test that
    // uses an MSTest-only member fails to compile here.
    private const string TestFrameworkStandIn = """
        namespace nanoFramework.TestFramework
        {
            [System.AttributeUsage(System.AttributeTargets.Class)] public class TestClassAttribute : System.Attribute { }
            [System.AttributeUsage(System.AttributeTargets.Method)] public class TestMethodAttribute : System.Attribute { }
            public static class Assert
            {
                public static void AreEqual(bool expected, bool actual, string message = "") { }
                public static void AreEqual(byte expected, byte actual, string message = "") { }
                public static void AreEqual(char expected, char actual, string message = "") { }
                public static void AreEqual(int expected, int actual, string message = "") { }
                public static void AreEqual(uint expected, uint actual, string message = "") { }
                public static void AreEqual(long expected, long actual, string message = "") { }
                public static void AreEqual(ulong expected, ulong actual, string message = "") { }
                public static void AreEqual(short expected, short actual, string message = "") { }
                public static void AreEqual(ushort expected, ushort actual, string message = "") { }
                public static void AreEqual(double expected, double actual, string message = "") { }
                public static void AreEqual(float expected, float actual, string message = "") { }
                public static void AreEqual(string expected, string actual, string message = "") { }
                public static void AreEqual(object expected, object actual, string message = "") { }
                public static void IsTrue(bool condition, string message = "") { }
                public static void IsFalse(bool condition, string message = "") { }
                public static void IsNull(object value, string message = "") { }
                public static void IsNotNull(object value, string message = "") { }
            }
        }
        """;

    [TestMethod]
    public void SharedTestsCompileForTheDeviceWithinItsApi()
    {
        string root = RepositoryRoot.Path;
        var sources = Directory.EnumerateFiles(RepositoryRoot.CoreDirectory, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar) && !f.Contains(Path.DirectorySeparatorChar + "bin" + Path.DirectorySeparatorChar))
            .Concat(Directory.EnumerateFiles(Path.Combine(root, "PanicDevice.Tests", "OnDevice"), "*.cs"))
            .Select(File.ReadAllText)
            .Append(TestFrameworkStandIn)
            .ToList();
        byte[] image = SnippetCompiler.Compile(sources, LanguageVersion.CSharp7_3, new[] { "NANOFRAMEWORK_1_0" });
        var report = NanoFrameworkApiGuard.Check(image, AllowListFile.Api);
        Assert.IsTrue(report.Passed, report.DescribeViolations());
    }

    [TestMethod]
    public void TheStandInRejectsMsTestOnlyAsserts()
    {
        string source = """
            using nanoFramework.TestFramework;
            public class T { public void M() { Assert.Fail("no such member on the device"); } }
            """;
        Assert.ThrowsExactly<InvalidOperationException>(() =>
            SnippetCompiler.Compile(new[] { source, TestFrameworkStandIn }, LanguageVersion.CSharp7_3, new[] { "NANOFRAMEWORK_1_0" }));
    }
}
