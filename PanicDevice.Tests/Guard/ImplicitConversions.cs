namespace PanicDevice.Tests.Guard;

/// <summary>
/// The C# implicit conversions that decide whether an argument of a host parameter's type can be passed to a
/// device parameter: identity, implicit numeric widening, boxing/reference conversion to object, and the
/// host's implicit reference conversions (derived to base class or interface, array covariance).
/// </summary>
public sealed class ImplicitConversions
{
    public const int None = -1;

    // C# spec §10.2.3 implicit numeric conversions, in full names.
    private static readonly Dictionary<string, string[]> NumericWidening = new(StringComparer.Ordinal)
    {
        ["System.SByte"] = new[] { "Int16", "Int32", "Int64", "Single", "Double" },
        ["System.Byte"] = new[] { "Int16", "UInt16", "Int32", "UInt32", "Int64", "UInt64", "Single", "Double" },
        ["System.Int16"] = new[] { "Int32", "Int64", "Single", "Double" },
        ["System.UInt16"] = new[] { "Int32", "UInt32", "Int64", "UInt64", "Single", "Double" },
        ["System.Int32"] = new[] { "Int64", "Single", "Double" },
        ["System.UInt32"] = new[] { "Int64", "UInt64", "Single", "Double" },
        ["System.Int64"] = new[] { "Single", "Double" },
        ["System.UInt64"] = new[] { "Single", "Double" },
        ["System.Char"] = new[] { "UInt16", "Int32", "UInt32", "Int64", "UInt64", "Single", "Double" },
        ["System.Single"] = new[] { "Double" },
    };

    private readonly HostTypes _host;

    public ImplicitConversions(HostTypes host) => _host = host;

    /// <summary>0 for identity, a positive cost for an implicit conversion (lower is closer), or <see cref="None"/>.</summary>
    public int Cost(string from, string to)
    {
        if (from == to)
            return 0;
        var fromRef = from.StartsWith("ref ", StringComparison.Ordinal);
        var toRef = to.StartsWith("ref ", StringComparison.Ordinal);
        if (fromRef || toRef)
            return None; // ref/out arguments must match exactly
        if (from.StartsWith("!", StringComparison.Ordinal) || from.Contains('<'))
            return None; // generic arguments have no device counterpart
        if (NumericWidening.TryGetValue(from, out var targets) && targets.Any(t => "System." + t == to))
            return 1;
        if (to == TypeNames.Object)
            return 3;
        return _host.HasImplicitReferenceConversion(from, to) ? 2 : None;
    }

    public string Describe(string from, string to) => $"{TypeNames.ToShort(from)} → {TypeNames.ToShort(to)}";
}
