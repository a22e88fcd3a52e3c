namespace PanicDevice.Tests.Guard;

/// <summary>A host reference the device compiler would not emit at all, and what it emits instead.</summary>
public sealed record Lowering(string Description, IReadOnlyList<DeviceMember> DeviceMembers);

/// <summary>
/// Members the C# compiler uses only when the target library has them, falling back to another lowering when it
/// does not. The host library has them, nanoFramework's does not, so these references appear in the host build of
/// the same source but not in the device build. Each entry names the device members its fallback needs and is
/// accepted only if the allow-list has them. (These are Roslyn's optional well-known members; a list is the only
/// honest way to know them.)
/// </summary>
public sealed class CompilerLowerings
{
    private const string InterpolatedStringHandler = "System.Runtime.CompilerServices.DefaultInterpolatedStringHandler";
    private const string CharSpan = "System.ReadOnlySpan`1<System.Char>";

    private readonly DeviceApi _api;

    public CompilerLowerings(DeviceApi api) => _api = api;

    /// <summary>
    /// Local variable types that exist only because of a lowering: Debug builds keep the interpolation handler
    /// in a named local, which the device build never declares.
    /// </summary>
    public bool IsLoweringOnlyLocalType(string fullName) => fullName == InterpolatedStringHandler;

    /// <param name="sites">where the reference (or a generic instantiation of it) is used</param>
    /// <param name="isEventAccessor">whether a site is a field-like event's add/remove accessor</param>
    public Lowering TryLower(HostMemberReference r, IReadOnlyList<UseSite> sites, Func<UseSite, bool> isEventAccessor)
    {
        // Interpolated strings. Decision: accept. The device library has no handler type, so its compiler lowers
        // $"..." to String.Format(String, params Object[]) (String.Concat when every hole is a string), which
        // the device has; rejecting would push everyone to hand-written concatenation for no device benefit.
        // Caveat carried in the message: format specifiers and alignment ({x:F2}, {x,5}) run through reflection
        // on the device and fail on a NoReflection firmware.
        if (r.DeclaringType == InterpolatedStringHandler)
            return Needs("interpolated string: the device has no DefaultInterpolatedStringHandler, its compiler lowers $\"...\" "
                + "to String.Format(String, params Object[]) (format specifiers/alignment need reflection on the device)",
                ("System.String", "Format", new[] { "System.String", "System.Object[]" }));

        // string + char: the host concatenates ReadOnlySpan<char> views of the string and the char; without spans
        // the device compiler calls Char.ToString() and String.Concat(String, ...).
        if (r.DeclaringType == "System.String" && r.Name == "op_Implicit" && r.ReturnType == CharSpan
            || r.DeclaringType == CharSpan && r.Name == ".ctor" && r.ParameterTypes.SequenceEqual(new[] { "ref !0" }))
            return Needs("string + char: the device compiler converts the char with Char.ToString() instead of a span",
                ("System.Char", "ToString", Array.Empty<string>()));
        if (r.DeclaringType == "System.String" && r.Name == "Concat" && r.ParameterTypes.Count is >= 2 and <= 4
            && r.ParameterTypes.All(p => p == CharSpan))
            return Needs($"string + char: the device compiler calls String.Concat with {r.ParameterTypes.Count} strings instead of spans",
                ("System.String", "Concat", Enumerable.Repeat("System.String", r.ParameterTypes.Count).ToArray()));

        // lock: Roslyn prefers Monitor.Enter(Object, ref Boolean) and falls back to Monitor.Enter(Object).
        if (r.DeclaringType == "System.Threading.Monitor" && r.Name == "Enter"
            && r.ParameterTypes.SequenceEqual(new[] { "System.Object", "ref System.Boolean" }))
            return Needs("lock: without Monitor.Enter(Object, ref Boolean) the device compiler emits Monitor.Enter(Object)",
                ("System.Threading.Monitor", "Enter", new[] { "System.Object" }));

        // Field-like events: Roslyn makes add/remove lock-free with Interlocked.CompareExchange<T> when it exists,
        // otherwise it emits plain Delegate.Combine/Remove. Only the accessors get this treatment.
        if (r.DeclaringType == "System.Threading.Interlocked" && r.Name == "CompareExchange" && r.GenericArity == 1
            && sites.Count > 0 && sites.All(isEventAccessor))
            return Needs("field-like event accessor: without Interlocked.CompareExchange<T> the device compiler emits Delegate.Combine/Remove",
                ("System.Delegate", "Combine", new[] { "System.Delegate", "System.Delegate" }),
                ("System.Delegate", "Remove", new[] { "System.Delegate", "System.Delegate" }));

        // Empty params arrays: Roslyn uses Array.Empty<T>() when it exists, otherwise new T[0].
        if (r.DeclaringType == "System.Array" && r.Name == "Empty" && r.GenericArity == 1 && r.ParameterTypes.Count == 0)
            return new Lowering("empty params array: without Array.Empty<T>() the device compiler emits new T[0]", Array.Empty<DeviceMember>());

        // Non-exhaustive switch expressions (C# 8+) throw through a <PrivateImplementationDetails> helper that uses
        // SwitchExpressionException when it exists and InvalidOperationException otherwise.
        if (r.DeclaringType == "System.Runtime.CompilerServices.SwitchExpressionException" && r.Name == ".ctor")
            return Needs("switch expression without a match: the device compiler throws InvalidOperationException instead",
                ("System.InvalidOperationException", ".ctor", Array.Empty<string>()));

        // Type == Type: the host's System.Type declares op_Equality/op_Inequality (they compare the underlying runtime
        // types, which are unique per type); nanoFramework's Type declares none (CoreLibrary v1.17.11 System/Type.cs),
        // so its compiler compares the references with ceq, which means the same for runtime type objects.
        if (r.DeclaringType == "System.Type" && (r.Name == "op_Equality" || r.Name == "op_Inequality")
            && r.ParameterTypes.SequenceEqual(new[] { "System.Type", "System.Type" }) && _api.Find("System.Type") != null)
            return new Lowering("Type == Type: the device's Type has no operator, its compiler compares the references", Array.Empty<DeviceMember>());

        // Attributes the compiler adds to its own generated code only if the type exists.
        if (r.DeclaringType == "System.Runtime.CompilerServices.CompilerGeneratedAttribute" && r.Name == ".ctor")
            return new Lowering("compiler-generated marker: the device compiler omits [CompilerGenerated] (not in its library)", Array.Empty<DeviceMember>());

        // readonly structs and `in` parameters: Roslyn embeds its own IsReadOnlyAttribute when the library lacks it.
        if (r.DeclaringType == "System.Runtime.CompilerServices.IsReadOnlyAttribute" && r.Name == ".ctor")
            return new Lowering("readonly/in marker: the device compiler embeds its own IsReadOnlyAttribute", Array.Empty<DeviceMember>());

        return null;
    }

    private Lowering Needs(string description, params (string Type, string Name, string[] Parameters)[] members)
    {
        var found = new List<DeviceMember>();
        foreach (var (type, name, parameters) in members)
        {
            var callable = _api.FindCallable(type, name, parameters);
            if (callable == null)
                return null; // the fallback itself is missing on the device: report the host reference as it is
            found.Add(callable.Member);
        }
        return new Lowering(description, found);
    }
}
