using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace PanicDevice.Tests.Guard;

/// <summary>
/// Compiles small C# sources in memory against the host framework, with Core's language settings by default,
/// so the guard can be shown failing on code Core does not contain.
/// </summary>
public static class SnippetCompiler
{
    private static readonly Lazy<MetadataReference[]> FrameworkReferences = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES"))
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToArray());

    /// <summary>Core's csproj uses C# 7.3; pass another version to see what a newer compiler emits.</summary>
    public static byte[] Compile(string source, LanguageVersion languageVersion = LanguageVersion.CSharp7_3) =>
        Compile(new[] { source }, languageVersion, Array.Empty<string>());

    /// <summary>Several sources as one assembly, with preprocessor symbols (NANOFRAMEWORK_1_0 for the device's side of #if).</summary>
    public static byte[] Compile(IEnumerable<string> sources, LanguageVersion languageVersion, string[] symbols)
    {
        var options = new CSharpParseOptions(languageVersion, preprocessorSymbols: symbols);
        var compilation = CSharpCompilation.Create(
            "Snippet",
            sources.Select(s => CSharpSyntaxTree.ParseText(s, options)),
            FrameworkReferences.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Disable));
        using var image = new MemoryStream();
        var result = compilation.Emit(image);
        if (!result.Success)
            throw new InvalidOperationException("snippet does not compile:\n" + string.Join("\n",
                result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        return image.ToArray();
    }
}
