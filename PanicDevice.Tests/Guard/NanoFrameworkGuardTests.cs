using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Guard;

/// <summary>PanicDevice.Core stays inside nanoFramework 1.x; the guard is proven able to fail.</summary>
[TestClass]
public class NanoFrameworkGuardTests
{
    private static readonly Lazy<NanoApiAllowList> Allow = new(() => NanoApiAllowList.Parse(File.ReadAllText(RepoFiles.DataFile("nanoframework-api.txt"))));

    public TestContext TestContext { get; set; } = null!;

    private static string CorePath => typeof(PanicDevice.Core.Time.IClock).Assembly.Location;

    [TestMethod]
    public void AllowListIsParsedAndNamesTheDeviceApisCoreRelieson()
    {
        NanoApiAllowList a = Allow.Value;
        Assert.IsGreaterThan(200, a.Types.Count);
        Assert.IsGreaterThan(1000, a.MemberCount);
        Assert.IsTrue(a.Types["System.Security.Cryptography.HMACSHA256"].Members.Any(m => m.Name == "ComputeHash"));
        Assert.IsTrue(a.Types["System.String"].Members.Any(m => m.Name == "op_Equality"), "operators read from the CoreLibrary source");
        Assert.IsFalse(a.Types.ContainsKey("System.Collections.Generic.List`1"));
        Assert.IsFalse(a.Types["System.String"].Members.Any(m => m.Name == "Join" || m.Name == "Replace"), "missing on the device");
    }

    [TestMethod]
    public void CoreUsesOnlyNanoFrameworkApis()
    {
        GuardReport report = NanoFrameworkApiGuard.Check(CorePath, Allow.Value);
        foreach (string m in report.Mappings)
        {
            TestContext.WriteLine("binding: " + m);
        }
        TestContext.WriteLine("references checked: " + report.ReferencesChecked + "; packages: " + string.Join(", ", report.SectionsUsed));
        Assert.IsGreaterThan(50, report.ReferencesChecked, "the guard really read Core's references");
        Assert.IsEmpty(report.Violations, "PanicDevice.Core uses APIs nanoFramework 1.x lacks:\n" + string.Join("\n", report.Violations));
    }

    [TestMethod]
    public void GuardRejectsAPlantedListOfInt() =>
        AssertRejected("var l = new System.Collections.Generic.List<int>(); l.Add(1); return l.Count;", "List`1");

    [TestMethod]
    public void GuardRejectsStringJoin() =>
        AssertRejected("return string.Join(\",\", new[] { \"a\", \"b\" }).Length;", "Join");

    [TestMethod]
    public void GuardRejectsStringReplaceAndLinq() =>
        AssertRejected("return \"ab\".Replace(\"a\", \"b\").Length + System.Linq.Enumerable.Count(new int[3]);", "Replace");

    [TestMethod]
    public void GuardRejectsAsync() =>
        AssertRejected("return 0; } public static async System.Threading.Tasks.Task<int> Later() { await System.Threading.Tasks.Task.Yield(); return 1;", "async");

    [TestMethod]
    public void GuardRejectsNullableValueTypes() =>
        AssertRejected("int? x = null; return x ?? 3;", "Nullable");

    [TestMethod]
    public void GuardAcceptsWhatTheDeviceBuildBindsToDifferently()
    {
        const string body = """
            var sb = new System.Text.StringBuilder();
            sb.Append("n=");
            sb.Append(7);
            var list = new System.Collections.ArrayList();
            list.Add(sb.ToString());
            string s = string.Format("{0}", 1);                 // host: Format(String, Object); device: Format(String, Object[])
            string t = string.Concat("a", "b", "c", "d", "e");  // host: Concat(ReadOnlySpan) or 5 strings; device: Concat(String[])
            string u = $"v{list.Count}" + s.Length.ToString() + t; // host: Concat(ReadOnlySpan<Char>...); device: Concat(String...)
            var h = new System.Security.Cryptography.HMACSHA256(new byte[32]);
            byte[] tag = h.ComputeHash(new byte[3]);            // host: HashAlgorithm::ComputeHash; device: HMACSHA256::ComputeHash
            h.Dispose();
            return s.Length + t.Length + u.Length + tag.Length + (s == t ? 1 : 0);
            """;
        GuardReport r = NanoFrameworkApiGuard.Check(Compile(body), Allow.Value);
        foreach (string m in r.Mappings) TestContext.WriteLine("binding: " + m);
        Assert.IsEmpty(r.Violations, string.Join("\n", r.Violations));
        Assert.IsTrue(r.Mappings.Any(m => m.Contains("HMACSHA256::ComputeHash")), "base-class member mapped to the device type");
        Assert.IsTrue(r.Mappings.Any(m => m.Contains("Format(String, Object[])")), "params expansion mapped");
    }

    [TestMethod]
    public void InterpolationLoweredToAHandlerOnTheHostIsJudgedAsTheDeviceFormatCall()
    {
        byte[] image = Compile("var list = new System.Collections.ArrayList(); return $\"v{list.Count} of {list.Capacity}\".Length;", LanguageVersion.Latest);
        GuardReport r = NanoFrameworkApiGuard.Check(image, Allow.Value);
        Assert.IsEmpty(r.Violations, string.Join("\n", r.Violations));
        Assert.IsTrue(r.Mappings.Any(m => m.Contains("DefaultInterpolatedStringHandler")));
    }

    [TestMethod]
    public void SpansUsedForAnythingButConcatenationAreRejected() =>
        AssertRejected("System.ReadOnlySpan<char> s = \"abc\"; return s.Length + (\"a\" + 1.ToString() + \"b\").Length;", "Span");

    [TestMethod]
    public void PackagesConfigReferencesEveryPackageCoreUses()
    {
        GuardReport report = NanoFrameworkApiGuard.Check(CorePath, Allow.Value);
        string packages = File.ReadAllText(Path.Combine(RepoRoot(), "firmware", "PanicDevice.Core", "packages.config"));
        var packageOfSection = new Dictionary<string, string>
        {
            ["mscorlib"] = "nanoFramework.CoreLibrary",
            ["nanoFramework.System.Text"] = "nanoFramework.System.Text",
            ["nanoFramework.System.Collections"] = "nanoFramework.System.Collections",
            ["System.Math"] = "nanoFramework.System.Math",
            ["System.Threading"] = "nanoFramework.System.Threading",
            ["nanoFramework.System.Security.Cryptography"] = "nanoFramework.System.Security.Cryptography",
            ["nanoFramework.Runtime.Native"] = "nanoFramework.Runtime.Native",
            ["System.Diagnostics.Stopwatch"] = "nanoFramework.System.Diagnostics.Stopwatch",
            ["System.Buffers.Binary.BinaryPrimitives"] = "nanoFramework.System.Buffers.Binary.BinaryPrimitives",
            ["System.IO.Streams"] = "nanoFramework.System.IO.Streams",
        };
        foreach (string section in report.SectionsUsed)
        {
            StringAssert.Contains(packages, "id=\"" + packageOfSection[section] + "\"", "Core uses " + section + " so packages.config must reference it");
        }
    }

    [TestMethod]
    public void NanoProjectCompilesExactlyTheCoreSources()
    {
        string core = Path.Combine(RepoRoot(), "firmware", "PanicDevice.Core");
        var onDisk = Directory.GetFiles(core, "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(core, f).Replace('/', '\\'))
            .Where(f => !f.StartsWith("bin\\") && !f.StartsWith("obj\\"))
            .OrderBy(f => f, StringComparer.Ordinal).ToArray();
        string nfproj = File.ReadAllText(Path.Combine(core, "PanicDevice.Core.nfproj"));
        var listed = System.Text.RegularExpressions.Regex.Matches(nfproj, "<Compile Include=\"([^\"]+)\"")
            .Select(m => m.Groups[1].Value).OrderBy(f => f, StringComparer.Ordinal).ToArray();
        CollectionAssert.AreEqual(onDisk, listed, "PanicDevice.Core.nfproj must list every Core source file (and no other)");
        string packages = File.ReadAllText(Path.Combine(core, "packages.config"));
        foreach (System.Text.RegularExpressions.Match hint in System.Text.RegularExpressions.Regex.Matches(nfproj, @"packages\\([A-Za-z.]+?)\.(\d+\.\d+\.\d+)\\"))
        {
            StringAssert.Contains(packages, "id=\"" + hint.Groups[1].Value + "\" version=\"" + hint.Groups[2].Value + "\"", "HintPath and packages.config disagree");
        }
    }

    public static string RepoRoot()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d != null && !File.Exists(Path.Combine(d.FullName, "PanicDevice.sln")))
        {
            d = d.Parent;
        }
        return d?.FullName ?? throw new DirectoryNotFoundException("PanicDevice.sln not found above " + AppContext.BaseDirectory);
    }

    private void AssertRejected(string body, string expectedInViolation)
    {
        GuardReport r = NanoFrameworkApiGuard.Check(Compile(body), Allow.Value);
        foreach (string v in r.Violations) TestContext.WriteLine("violation: " + v);
        Assert.IsTrue(r.Violations.Any(v => v.Contains(expectedInViolation, StringComparison.OrdinalIgnoreCase)),
            "the guard did not reject " + expectedInViolation + "; it reported:\n" + string.Join("\n", r.Violations));
    }

    /// <summary>Compiles a snippet the way Core is compiled (a net10.0 library, C# 7.3) and returns its image.</summary>
    private static byte[] Compile(string body, LanguageVersion language = LanguageVersion.CSharp7_3)
    {
        string source = "public static class Planted { public static int Run() { " + body + " } }";
        var refs = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.") || Path.GetFileName(p) == "netstandard.dll" || Path.GetFileName(p) == "mscorlib.dll")
            .Select(p => MetadataReference.CreateFromFile(p));
        var compilation = CSharpCompilation.Create("Planted", new[] { CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(language)) }, refs,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Release));
        using var ms = new MemoryStream();
        var result = compilation.Emit(ms);
        Assert.IsTrue(result.Success, string.Join("\n", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        return ms.ToArray();
    }
}
