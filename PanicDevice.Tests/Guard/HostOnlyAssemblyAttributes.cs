namespace PanicDevice.Tests.Guard;

/// <summary>
/// Assembly- and module-level attributes that the host SDK and compiler stamp on every build. The nanoFramework
/// build stamps its own (or none), so on the assembly or module they say nothing about Core's code and the guard
/// skips them there. Anywhere else (on a type, member or parameter) they are Core's own code and checked like
/// any other reference, so a host-only one there is rejected.
/// </summary>
public static class HostOnlyAssemblyAttributes
{
    private static readonly HashSet<string> Names = new(StringComparer.Ordinal)
    {
        // emitted by the C# compiler on every assembly
        "System.Runtime.CompilerServices.CompilationRelaxationsAttribute",
        "System.Runtime.CompilerServices.RuntimeCompatibilityAttribute",
        "System.Diagnostics.DebuggableAttribute",
        // emitted by the C# compiler on the module
        "System.Runtime.CompilerServices.RefSafetyRulesAttribute",
        // emitted by the .NET SDK's generated AssemblyInfo / TargetFramework files (off in Core today, kept in
        // case a project setting turns them back on)
        "System.Runtime.Versioning.TargetFrameworkAttribute",
        "System.Reflection.AssemblyCompanyAttribute",
        "System.Reflection.AssemblyConfigurationAttribute",
        "System.Reflection.AssemblyCopyrightAttribute",
        "System.Reflection.AssemblyDescriptionAttribute",
        "System.Reflection.AssemblyFileVersionAttribute",
        "System.Reflection.AssemblyInformationalVersionAttribute",
        "System.Reflection.AssemblyProductAttribute",
        "System.Reflection.AssemblyTitleAttribute",
        "System.Reflection.AssemblyVersionAttribute",
        "System.Reflection.AssemblyMetadataAttribute",
    };

    public static bool Contains(string fullName) => Names.Contains(fullName);
}
