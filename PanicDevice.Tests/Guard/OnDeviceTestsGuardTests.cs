using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace PanicDevice.Tests.Guard;

/// <summary>
/// The shared tests (the files the projects PanicDevice.Tests/OnDevice/*/*.nfproj list) also build for
/// nanoFramework.TestFramework and run on nanoCLR. CI does that with the nanoFramework toolchain; on a machine without
/// it these checks stand in: the listed files compile for the device's side (NANOFRAMEWORK_1_0, C# 10) together with
/// Core's sources and a stand-in for nanoFramework.TestFramework 3.0.77 that declares only the members the real one
/// has, the result uses nothing outside Core's device API, and the files keep to what the device's launcher needs.
/// </summary>
[TestClass]
public class OnDeviceTestsGuardTests
{
    // The real framework's shapes (source/TestFramework*/ at tag v3.0.77): typed AreEqual/AreNotEqual overloads (no
    // generic one, no delta for double), IsTrue/IsFalse/IsNull/IsNotNull/AreSame/AreNotSame with an optional message,
    // and the attributes. Nothing MSTest-only, so a shared test that uses such a member fails to compile here.
    private const string TestFrameworkStandIn = """
        namespace nanoFramework.TestFramework
        {
            [System.AttributeUsage(System.AttributeTargets.Class)] public class TestClassAttribute : System.Attribute { }
            [System.AttributeUsage(System.AttributeTargets.Method)] public class TestMethodAttribute : System.Attribute { }
            [System.AttributeUsage(System.AttributeTargets.Method)] public class SetupAttribute : System.Attribute { }
            [System.AttributeUsage(System.AttributeTargets.Method)] public class CleanupAttribute : System.Attribute { }
            [System.AttributeUsage(System.AttributeTargets.Method, AllowMultiple = true)]
            public class DataRowAttribute : System.Attribute { public DataRowAttribute(params object[] methodParameters) { } }
            public static class Assert
            {
                public static void AreEqual(bool expected, bool actual, string message = "") { }
                public static void AreEqual(byte expected, byte actual, string message = "") { }
                public static void AreEqual(char expected, char actual, string message = "") { }
                public static void AreEqual(System.DateTime expected, System.DateTime actual, string message = "") { }
                public static void AreEqual(double expected, double actual, string message = "") { }
                public static void AreEqual(float expected, float actual, string message = "") { }
                public static void AreEqual(int expected, int actual, string message = "") { }
                public static void AreEqual(long expected, long actual, string message = "") { }
                public static void AreEqual(object expected, object actual, string message = "") { }
                public static void AreEqual(sbyte expected, sbyte actual, string message = "") { }
                public static void AreEqual(short expected, short actual, string message = "") { }
                public static void AreEqual(string expected, string actual, string message = "") { }
                public static void AreEqual(uint expected, uint actual, string message = "") { }
                public static void AreEqual(ulong expected, ulong actual, string message = "") { }
                public static void AreEqual(ushort expected, ushort actual, string message = "") { }
                public static void AreNotEqual(bool notExpected, bool actual, string message = "") { }
                public static void AreNotEqual(byte notExpected, byte actual, string message = "") { }
                public static void AreNotEqual(char notExpected, char actual, string message = "") { }
                public static void AreNotEqual(double notExpected, double actual, string message = "") { }
                public static void AreNotEqual(int notExpected, int actual, string message = "") { }
                public static void AreNotEqual(long notExpected, long actual, string message = "") { }
                public static void AreNotEqual(object notExpected, object actual, string message = "") { }
                public static void AreNotEqual(string notExpected, string actual, string message = "") { }
                public static void AreNotEqual(uint notExpected, uint actual, string message = "") { }
                public static void AreNotEqual(ulong notExpected, ulong actual, string message = "") { }
                public static void AreSame(object expected, object actual, string message = "") { }
                public static void AreNotSame(object notExpected, object actual, string message = "") { }
                public static void IsTrue(bool condition, string message = "") { }
                public static void IsFalse(bool condition, string message = "") { }
                public static void IsNull(object value, string message = "") { }
                public static void IsNotNull(object value, string message = "") { }
            }
        }
        """;

    private static IReadOnlyList<NanoFrameworkProject> Projects => NanoFrameworkProject.DeviceTestProjects;

    private static List<string> FilesOf(NanoFrameworkProject project) => project.CompileItems
        .Select(i => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(project.ProjectPath)!, i.Replace('\\', Path.DirectorySeparatorChar))))
        .ToList();

    private static List<string> SharedFiles => Projects.SelectMany(FilesOf).Distinct().ToList();

    private static IEnumerable<string> CoreSources => Directory.EnumerateFiles(RepositoryRoot.CoreDirectory, "*.cs", SearchOption.AllDirectories)
        .Where(f => !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar) && !f.Contains(Path.DirectorySeparatorChar + "bin" + Path.DirectorySeparatorChar));

    [TestMethod]
    public void SharedTestsCompileForTheDeviceWithinItsApi()
    {
        Assert.IsTrue(Projects.Count >= 1, "no device test project under PanicDevice.Tests/OnDevice");
        foreach (var project in Projects)
        {
            // Each project is one device assembly, so each list must compile on its own.
            var sources = CoreSources.Concat(FilesOf(project)).Select(File.ReadAllText).Append(TestFrameworkStandIn).ToList();
            byte[] image = SnippetCompiler.Compile(sources, LanguageVersion.CSharp10, new[] { "NANOFRAMEWORK_1_0" });
            var report = NanoFrameworkApiGuard.Check(image, AllowListFile.Api);
            Assert.IsTrue(report.Passed, Path.GetFileName(project.ProjectPath) + ": " + report.DescribeViolations());
        }
    }

    [TestMethod]
    public void TheStandInRejectsMsTestOnlyAsserts()
    {
        string source = """
            using nanoFramework.TestFramework;
            public class T { public void M() { Assert.Fail("no such member on the device"); } }
            """;
        Assert.ThrowsExactly<InvalidOperationException>(() =>
            SnippetCompiler.Compile(new[] { source, TestFrameworkStandIn }, LanguageVersion.CSharp10, new[] { "NANOFRAMEWORK_1_0" }));
    }

    [TestMethod]
    public void TheListsNameExistingFilesInOrderAndEachTestOnce()
    {
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var project in Projects)
        {
            string name = Path.GetFileName(project.ProjectPath);
            var items = project.CompileItems.ToList();
            var missing = FilesOf(project).Where(f => !File.Exists(f)).ToList();
            Assert.AreEqual(0, missing.Count, name + " lists files that are not on disk: " + string.Join(", ", missing));
            var sorted = items.OrderBy(i => i, StringComparer.OrdinalIgnoreCase).ToList();
            CollectionAssert.AreEqual(sorted, items, name + ": keep the Compile list sorted by path, one line per file");
            Assert.IsTrue(items.Any(i => i.EndsWith("TestFrameworkCompat.cs", StringComparison.Ordinal)), name + " builds without the compat file");
            foreach (var file in FilesOf(project).Where(f => File.Exists(f) && System.Text.RegularExpressions.Regex.IsMatch(File.ReadAllText(f), @"^\s*\[TestClass\]", System.Text.RegularExpressions.RegexOptions.Multiline)))
            {
                // A test class in two device assemblies would run twice on the device and count twice in CI.
                Assert.IsFalse(owners.TryGetValue(file, out var other), $"{Path.GetRelativePath(RepositoryRoot.Path, file)} is in {other} and {name}");
                owners[file] = name;
            }
        }
    }

    /// <summary>
    /// nanoFramework's UnitTestLauncher calls every test method with a null instance and runs [Setup] once per class
    /// (source/UnitTestLauncher/Program.cs, v3.0.77), while MSTest makes an instance per test and needs instance
    /// methods. So a shared test class keeps no instance state, has no per-test setup, and its test methods are
    /// public instance void methods; and the only #if is in the compat file.
    /// </summary>
    [TestMethod]
    public void SharedFilesKeepToWhatBothLaunchersNeed()
    {
        var problems = new List<string>();
        foreach (var file in SharedFiles.Where(File.Exists))
        {
            string name = Path.GetRelativePath(RepositoryRoot.Path, file);
            var root = CSharpSyntaxTree.ParseText(File.ReadAllText(file), new CSharpParseOptions(LanguageVersion.CSharp10)).GetRoot();
            if (!file.EndsWith("TestFrameworkCompat.cs", StringComparison.Ordinal)
                && root.DescendantTrivia().Any(t => t.IsKind(SyntaxKind.IfDirectiveTrivia)))
                problems.Add($"{name}: #if outside Support/TestFrameworkCompat.cs");
            foreach (var type in root.DescendantNodes().OfType<ClassDeclarationSyntax>().Where(c => HasAttribute(c.AttributeLists, "TestClass")))
            {
                string where = $"{name}: {type.Identifier.Text}";
                foreach (var field in type.Members.OfType<FieldDeclarationSyntax>().Where(f => !IsStaticOrConst(f.Modifiers)))
                    problems.Add($"{where}: instance field {field.Declaration.Variables.First().Identifier.Text} (the device launcher has no instance)");
                foreach (var property in type.Members.OfType<PropertyDeclarationSyntax>().Where(p => !IsStaticOrConst(p.Modifiers)))
                    problems.Add($"{where}: instance property {property.Identifier.Text}");
                foreach (var method in type.Members.OfType<MethodDeclarationSyntax>())
                {
                    foreach (var setup in new[] { "TestInitialize", "TestCleanup", "ClassInitialize", "ClassCleanup", "Setup", "Cleanup" })
                        if (HasAttribute(method.AttributeLists, setup))
                            problems.Add($"{where}.{method.Identifier.Text}: [{setup}] runs per test on the host and once per class on the device");
                    if (HasAttribute(method.AttributeLists, "TestMethod") || HasAttribute(method.AttributeLists, "DataRow"))
                    {
                        bool isPublic = method.Modifiers.Any(m => m.IsKind(SyntaxKind.PublicKeyword));
                        bool isStatic = method.Modifiers.Any(m => m.IsKind(SyntaxKind.StaticKeyword));
                        bool isVoid = method.ReturnType is PredefinedTypeSyntax p && p.Keyword.IsKind(SyntaxKind.VoidKeyword);
                        if (!isPublic || isStatic || !isVoid)
                            problems.Add($"{where}.{method.Identifier.Text}: a test method is public, not static, and returns void");
                    }
                }
            }
        }
        Assert.AreEqual(0, problems.Count, string.Join("\n", problems));
    }

    private static bool HasAttribute(SyntaxList<AttributeListSyntax> lists, string name) =>
        lists.SelectMany(l => l.Attributes).Any(a => a.Name.ToString() == name || a.Name.ToString() == name + "Attribute");

    private static bool IsStaticOrConst(SyntaxTokenList modifiers) =>
        modifiers.Any(m => m.IsKind(SyntaxKind.StaticKeyword) || m.IsKind(SyntaxKind.ConstKeyword));
}
