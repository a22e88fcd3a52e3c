using System.Text;

namespace PanicDevice.Tests.Guard;

/// <summary>Something the device build would not have or not support, with where the checked code uses it.</summary>
public sealed record GuardViolation(string Subject, string Reason, IReadOnlyList<string> UsedBy)
{
    public override string ToString() =>
        $"{Subject}: {Reason}" + (UsedBy.Count > 0 ? $" [used by {string.Join("; ", UsedBy)}]" : "");
}

/// <summary>A host reference the device compiler would bind (or lower) differently, and to what.</summary>
public sealed record DeviceMapping(string HostReference, string Device, string Rule)
{
    public override string ToString() => $"{HostReference}  →  {Device}  ({Rule})";
}

public sealed class GuardReport
{
    public GuardReport(IReadOnlyList<GuardViolation> violations, IReadOnlyList<DeviceMapping> mappings,
        IReadOnlyList<string> ignoredAssemblyAttributes, IReadOnlyList<string> devicePackages)
    {
        DevicePackages = devicePackages;
        Violations = violations;
        Mappings = mappings;
        IgnoredAssemblyAttributes = ignoredAssemblyAttributes;
    }

    public IReadOnlyList<GuardViolation> Violations { get; }
    public IReadOnlyList<DeviceMapping> Mappings { get; }
    public IReadOnlyList<string> IgnoredAssemblyAttributes { get; }
    /// <summary>NuGet ids of the device packages whose API the checked code binds to.</summary>
    public IReadOnlyList<string> DevicePackages { get; }
    public bool Passed => Violations.Count == 0;

    public string DescribeViolations()
    {
        var text = new StringBuilder();
        text.AppendLine($"{Violations.Count} use(s) of API or features that nanoFramework 1.x does not have:");
        foreach (var v in Violations)
            text.AppendLine("  - " + v);
        return text.ToString();
    }

    public string DescribeMappings()
    {
        var text = new StringBuilder();
        text.AppendLine($"{Mappings.Count} host reference(s) the device compiler binds differently:");
        foreach (var m in Mappings)
            text.AppendLine("  " + m);
        text.AppendLine("device packages used: " + string.Join(", ", DevicePackages));
        if (IgnoredAssemblyAttributes.Count > 0)
            text.AppendLine("ignored host-only assembly/module attributes: " + string.Join(", ", IgnoredAssemblyAttributes.Select(TypeNames.ToShort)));
        return text.ToString();
    }
}
