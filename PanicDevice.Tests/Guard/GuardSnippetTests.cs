using Microsoft.CodeAnalysis.CSharp;

namespace PanicDevice.Tests.Guard;

/// <summary>Shows the guard failing on code Core does not contain, and accepting what the device can run.</summary>
[TestClass]
public class GuardSnippetTests
{
    public TestContext TestContext { get; set; }

    private GuardReport Check(string source, LanguageVersion languageVersion = LanguageVersion.CSharp7_3)
    {
        var report = NanoFrameworkApiGuard.Check(SnippetCompiler.Compile(source, languageVersion), AllowListFile.Api);
        TestContext.WriteLine(report.DescribeViolations());
        TestContext.WriteLine(report.DescribeMappings());
        return report;
    }

    private static void AssertRejected(GuardReport report, string expectedInMessage)
    {
        Assert.IsFalse(report.Passed, "the guard accepted code the device cannot run");
        Assert.IsTrue(report.Violations.Any(v => v.ToString().Contains(expectedInMessage, StringComparison.Ordinal)),
            $"no violation mentions '{expectedInMessage}':\n{report.DescribeViolations()}");
    }

    [TestMethod]
    public void GenericListIsRejected()
    {
        var report = Check(@"
using System.Collections.Generic;
public class C
{
    private readonly List<int> _items = new List<int>();
    public int Add(int x) { _items.Add(x); return _items.Count; }
}");
        AssertRejected(report, "List`1");
    }

    [TestMethod]
    public void MembersOfPackagesCoreDoesNotReferenceAreRejected()
    {
        // Both exist on nanoFramework, in packages PanicDevice.Core.nfproj does not reference (Runtime.Native,
        // System.Threading): the device build fails on them, so the guard must too, and say which package it is.
        var tick = Check(@"
public class C
{
    public long Now() { return System.Environment.TickCount64; }
}");
        AssertRejected(tick, "nanoFramework.Runtime.Native");
        var token = Check(@"
public class C
{
    public bool Stop(System.Threading.CancellationToken t) { return t.IsCancellationRequested; }
}");
        AssertRejected(token, "nanoFramework.System.Threading");
    }

    [TestMethod]
    public void StringJoinIsRejected()
    {
        var report = Check(@"
public class C
{
    public string M(string[] parts) { return string.Join("","", parts); }
}");
        AssertRejected(report, "String::Join");
    }

    [TestMethod]
    public void AsyncTaskIsRejected()
    {
        var report = Check(@"
using System.Threading.Tasks;
public class C
{
    public async Task Run() { await Task.Delay(10); }
}");
        AssertRejected(report, "async method C.Run()");
    }

    [TestMethod]
    public void IteratorIsRejected()
    {
        var report = Check(@"
using System.Collections;
public class C
{
    public IEnumerable Items() { yield return 1; }
}");
        AssertRejected(report, "iterator method C.Items()");
    }

    [TestMethod]
    [DataRow(LanguageVersion.CSharp7_3)]
    [DataRow(LanguageVersion.Latest)]
    public void InterpolationIsAcceptedAsTheDeviceStringFormat(LanguageVersion languageVersion)
    {
        var report = Check(@"
public class C
{
    public string M(int x, double y) { return $""x={x} y={y:F2}""; }
}", languageVersion);
        Assert.IsTrue(report.Passed, report.DescribeViolations());
        Assert.IsTrue(report.Mappings.Any(m => m.Device.Contains("Format(String, params Object[])", StringComparison.Ordinal)),
            report.DescribeMappings());
    }

    [TestMethod]
    public void AllowedApisAreAccepted()
    {
        var report = Check(@"
using System.Collections;
using System.Security.Cryptography;
using System.Text;
public class C
{
    public string M(byte[] key, byte[] data)
    {
        var list = new ArrayList();
        list.Add(1);
        var text = new StringBuilder();
        text.Append(string.Format(""{0}"", 1)).Append(list.Count);
        byte[] mac = new HMACSHA256(key).ComputeHash(data);
        return text.ToString() + mac.Length;
    }
}");
        Assert.IsTrue(report.Passed, report.DescribeViolations());
        Assert.IsTrue(report.Mappings.Any(m => m.HostReference.Contains("HashAlgorithm::ComputeHash") && m.Device.Contains("HMACSHA256")),
            report.DescribeMappings());
        Assert.IsTrue(report.Mappings.Any(m => m.HostReference.Contains("String::Format(String, Object)") && m.Device.Contains("params Object[]")),
            report.DescribeMappings());
    }

    [TestMethod]
    public void CompilerFallbacksTheDeviceHasAreAccepted()
    {
        var report = Check(@"
using System.Threading;
public delegate void Changed(object sender);
public class C
{
    private readonly object _gate = new object();
    private int _count;
    public event Changed OnChanged;
    public string M(string s, char c)
    {
        lock (_gate) { Interlocked.Increment(ref _count); }
        OnChanged?.Invoke(this);
        string[] parts = s.Split(',');
        string padded = s.PadLeft(4) + s.Trim();
        return s + c + parts.Length + padded + System.BitConverter.IsLittleEndian + System.Convert.ToInt32(""12"");
    }
}");
        Assert.IsTrue(report.Passed, report.DescribeViolations());
        foreach (var expected in new[] { "Monitor::Enter(Object, ref Boolean)", "Interlocked::CompareExchange<>", "String::Split(Char, StringSplitOptions)",
                     "String::PadLeft(Int32)", "BitConverter::IsLittleEndian", "Convert::ToInt32(String)" })
            Assert.IsTrue(report.Mappings.Any(m => m.HostReference.Contains(expected, StringComparison.Ordinal)),
                $"no mapping for {expected}:\n{report.DescribeMappings()}");
    }

    [TestMethod]
    public void GenericHostOverloadIsAcceptedAsTheDeviceNonGenericOne()
    {
        var report = Check(@"
public class C
{
    public int M(byte[] bytes) { return System.Array.IndexOf(bytes, (byte)3); }
}");
        Assert.IsTrue(report.Passed, report.DescribeViolations());
        Assert.IsTrue(report.Mappings.Any(m => m.Device.Contains("IndexOf(Array, Object)", StringComparison.Ordinal)), report.DescribeMappings());
    }

    [TestMethod]
    public void ObjectMembersReachedThroughValueTypeBindToTheDeviceObject()
    {
        var report = Check(@"
public struct S
{
    public int A;
    public override string ToString() { return base.ToString() + A; }
    public override int GetHashCode() { return base.GetHashCode() ^ A; }
}");
        Assert.IsTrue(report.Passed, report.DescribeViolations());
        Assert.IsTrue(report.Mappings.Any(m => m.HostReference == "ValueType::ToString()" && m.Device.StartsWith("Object:", StringComparison.Ordinal)),
            report.DescribeMappings());
    }

    [TestMethod]
    public void StringPlusCharIsAcceptedAsTheDeviceConcat()
    {
        var report = Check(@"
public class C
{
    public string M(string s, char c) { return s + c; }
}");
        Assert.IsTrue(report.Passed, report.DescribeViolations());
        Assert.IsTrue(report.Mappings.Any(m => m.HostReference.StartsWith("String::Concat(ReadOnlySpan`1<Char>", StringComparison.Ordinal)),
            report.DescribeMappings());
    }

    [TestMethod]
    public void CompilerGeneratedHelpersAreCheckedLikeCoreCode()
    {
        // A string switch with many cases hashes through <PrivateImplementationDetails>.ComputeStringHash, which
        // reads String.Chars; against a device without that indexer the helper itself must be reported.
        const string source = @"
public class C
{
    public int M(string s)
    {
        switch (s) { case ""a"": return 1; case ""b"": return 2; case ""c"": return 3; case ""d"": return 4;
                     case ""e"": return 5; case ""f"": return 6; case ""g"": return 7; default: return 0; }
    }
}";
        var image = SnippetCompiler.Compile(source);
        Assert.IsTrue(NanoFrameworkApiGuard.Check(image, AllowListFile.Api).Passed);

        var withoutIndexer = DeviceApiParser.Parse(File.ReadAllText(AllowListFile.Path).Replace("  Char Chars[Int32] { get; }\n", ""));
        var report = NanoFrameworkApiGuard.Check(image, withoutIndexer);
        AssertRejected(report, "<PrivateImplementationDetails>.ComputeStringHash(String)");
    }

    [TestMethod]
    public void SwitchExpressionIsAcceptedWithTheDeviceException()
    {
        var report = Check(@"
public class C
{
    public int M(int x) => x switch { 1 => 10, 2 => 20 };
}", LanguageVersion.Latest);
        Assert.IsTrue(report.Passed, report.DescribeViolations());
    }

    [TestMethod]
    public void OverloadWithADifferentDeviceReturnTypeIsRejected()
    {
        // Math.Max(long, long) does not exist on the device; the call would bind to Max(Single, Single).
        var report = Check(@"
public class C
{
    public long M(long a, long b) { return System.Math.Max(a, b); }
}");
        AssertRejected(report, "Math::Max(Int64, Int64)");
    }

    [TestMethod]
    public void NullableValueTypeIsRejected()
    {
        var report = Check(@"
public class C
{
    public int M(int? x) { return x ?? 0; }
}");
        AssertRejected(report, "Nullable`1");
    }

    [TestMethod]
    public void HostOnlyAttributeOnCoreCodeIsRejected()
    {
        var report = Check(@"
[System.Runtime.CompilerServices.CompilationRelaxations(8)]
public class C
{
}");
        AssertRejected(report, "CompilationRelaxationsAttribute");
    }

    [TestMethod]
    public void DynamicIsRejected()
    {
        var report = Check(@"
public class C
{
    public object M(dynamic d) { return d.Value; }
}");
        AssertRejected(report, "dynamic");
    }
}
