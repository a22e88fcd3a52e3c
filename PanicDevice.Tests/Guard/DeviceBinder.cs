namespace PanicDevice.Tests.Guard;

/// <summary>A host member reference and the device member the device compiler would bind the same source to.</summary>
public sealed record DeviceBinding(DeviceMember Target, string Rule)
{
    public const string Exact = "exact";

    public bool IsExact => Rule == Exact;
}

/// <summary>
/// Decides which device member the nanoFramework compiler would bind a host reference's source to. The host and
/// the device compile the same C#, but overload resolution runs against different libraries, so a host reference
/// is acceptable when the device has a member the same call binds to:
/// <list type="bullet">
/// <item>exact: same declaring type (or a device base class), name, static-ness, parameter and return types;</item>
/// <item>(a) params expansion: host M(a1..an), device M(a1..ak-1, params T[]) and every extra argument converts to T
///   (host String.Format(String, Object) → device String.Format(String, params Object[]));</item>
/// <item>(b) implicit conversions: same name, each host parameter type converts implicitly to the device one
///   (numeric widening, boxing, derived → base), same return type; device parameters with defaults may be left out;</item>
/// <item>(c) base-class members: the host declares the member on a base class B the device lacks or leaves empty,
///   the checked code references a type D deriving from B on the host, and the device lists the member on D
///   (HashAlgorithm.ComputeHash(Byte[]) → HMACSHA256.ComputeHash(Byte[]));</item>
/// <item>(d) System.Object/ValueType/Enum members resolve through the device base classes, so ValueType::ToString()
///   binds to Object.ToString() on the device;</item>
/// <item>host default arguments: trailing host parameters with defaults may have been filled in by the host compiler
///   (host String.Split(Char, StringSplitOptions = None) for s.Split(',')), so the call is retried without them.
///   The metadata cannot tell a default from an argument written out, so this trusts the source to omit them;</item>
/// <item>fields and properties are interchangeable in source: a host field read binds to a device property getter
///   (BitConverter.IsLittleEndian) and a host accessor to a device field (DictionaryEntry.Key).</item>
/// </list>
/// </summary>
public sealed class DeviceBinder
{
    private readonly DeviceApi _api;
    private readonly HostTypes _host;
    private readonly ImplicitConversions _conversions;
    private readonly string[] _referencedTypes;

    public DeviceBinder(DeviceApi api, HostTypes host, IEnumerable<string> referencedTypes)
    {
        _api = api;
        _host = host;
        _conversions = new ImplicitConversions(host);
        _referencedTypes = referencedTypes.ToArray();
    }

    public DeviceBinding Bind(HostMemberReference reference, bool isWritten, out string whyNot)
    {
        whyNot = null;
        var declaring = _api.Find(reference.DeclaringType);
        if (declaring != null)
        {
            var direct = BindOn(declaring, reference, isWritten);
            if (direct != null)
                return direct;
        }

        foreach (var derived in _referencedTypes)
        {
            var derivedType = _api.Find(derived);
            if (derivedType == null || !_host.DerivesFrom(derived, reference.DeclaringType))
                continue;
            var viaDerived = BindOn(derivedType, reference, isWritten);
            if (viaDerived != null)
                return viaDerived with
                {
                    Rule = $"host declares it on base class {TypeNames.ToShort(reference.DeclaringType)}, the device on {TypeNames.ToShort(derived)}"
                        + (viaDerived.IsExact ? "" : "; " + viaDerived.Rule),
                };
        }

        whyNot = declaring == null
            ? $"type {TypeNames.ToShort(reference.DeclaringType)} is " + _api.WhyAbsent(reference.DeclaringType)
            : NoMatchReason(declaring, reference);
        return null;
    }

    private DeviceBinding BindOn(DeviceType type, HostMemberReference reference, bool isWritten)
    {
        if (reference.IsField)
            return BindField(type, reference, isWritten);
        if (reference.GenericArity > 0)
            return null; // nanoFramework 1.x has no generic methods

        var chain = reference.Name == ".ctor" ? new[] { type } : _api.SelfAndBases(type).ToArray();
        var parameterTypes = reference.ParameterTypes;
        var optional = _host.TrailingOptionalParameters(reference);
        for (var dropped = 0; dropped <= optional; dropped++)
        {
            var written = parameterTypes.Take(parameterTypes.Count - dropped).ToList();
            foreach (var owner in chain)
            {
                var match = BestOverload(owner.Callables(reference.Name), reference, written);
                if (match == null)
                    continue;
                var rules = new List<string>();
                if (owner != type)
                    rules.Add($"inherited on the device from {TypeNames.ToShort(owner.FullName)}");
                if (dropped > 0)
                    rules.Add($"host default argument{(dropped > 1 ? "s" : "")} for the last {dropped} parameter{(dropped > 1 ? "s" : "")} not written in source");
                if (!match.Value.Exact)
                    rules.Add(match.Value.Rule);
                return new DeviceBinding(match.Value.Callable.Member, rules.Count == 0 ? DeviceBinding.Exact : string.Join("; ", rules));
            }
        }
        return BindAccessorToField(chain, reference);
    }

    private (DeviceCallable Callable, bool Exact, string Rule)? BestOverload(
        IReadOnlyList<DeviceCallable> candidates, HostMemberReference reference, IReadOnlyList<string> arguments)
    {
        (DeviceCallable, bool, string)? best = null;
        var bestScore = int.MaxValue;
        foreach (var candidate in candidates)
        {
            if (candidate.IsStatic != reference.IsStatic || candidate.ReturnType != reference.ReturnType)
                continue;
            var (score, rule) = Applicability(arguments, candidate.Parameters);
            if (score >= 0 && score < bestScore)
            {
                bestScore = score;
                best = (candidate, score == 0 && arguments.Count == reference.ParameterTypes.Count, rule);
            }
        }
        return best;
    }

    /// <summary>C#-style applicability of the host's parameter types as arguments: (score, rule), score -1 if not applicable.</summary>
    private (int Score, string Rule) Applicability(IReadOnlyList<string> arguments, IReadOnlyList<DeviceParameter> parameters)
    {
        var normal = NormalForm(arguments, parameters);
        var expanded = ExpandedForm(arguments, parameters);
        if (normal.Score < 0)
            return expanded;
        if (expanded.Score < 0 || normal.Score <= expanded.Score)
            return normal;
        return expanded;
    }

    private (int Score, string Rule) NormalForm(IReadOnlyList<string> arguments, IReadOnlyList<DeviceParameter> parameters)
    {
        if (arguments.Count > parameters.Count)
            return (-1, null);
        var score = 0;
        var rules = new List<string>();
        for (var i = 0; i < arguments.Count; i++)
        {
            var cost = _conversions.Cost(arguments[i], parameters[i].Type);
            if (cost == ImplicitConversions.None)
                return (-1, null);
            if (cost > 0)
                rules.Add("implicit conversion " + _conversions.Describe(arguments[i], parameters[i].Type));
            score += cost;
        }
        for (var i = arguments.Count; i < parameters.Count; i++)
        {
            var omittedParams = parameters[i].IsParams && i == parameters.Count - 1;
            if (!parameters[i].IsOptional && !omittedParams)
                return (-1, null);
        }
        if (arguments.Count < parameters.Count)
        {
            score += 1;
            rules.Add("device default value for the omitted trailing parameter(s)");
        }
        return (score, string.Join("; ", rules));
    }

    private (int Score, string Rule) ExpandedForm(IReadOnlyList<string> arguments, IReadOnlyList<DeviceParameter> parameters)
    {
        if (parameters.Count == 0 || !parameters[^1].IsParams || arguments.Count < parameters.Count - 1)
            return (-1, null);
        var element = TypeNames.ElementOfArray(parameters[^1].Type);
        if (element == null)
            return (-1, null);
        var score = 1;
        var rules = new List<string> { $"params expansion into {TypeNames.ToShort(parameters[^1].Type)}" };
        for (var i = 0; i < arguments.Count; i++)
        {
            var target = i < parameters.Count - 1 ? parameters[i].Type : element;
            var cost = _conversions.Cost(arguments[i], target);
            if (cost == ImplicitConversions.None)
                return (-1, null);
            if (cost > 0 && i < parameters.Count - 1)
                rules.Add("implicit conversion " + _conversions.Describe(arguments[i], target));
            score += cost;
        }
        return (score, string.Join("; ", rules));
    }

    private DeviceBinding BindField(DeviceType type, HostMemberReference reference, bool isWritten)
    {
        foreach (var owner in _api.SelfAndBases(type))
        {
            var field = owner.Field(reference.Name);
            if (field != null && field.Type == reference.ReturnType)
                return new DeviceBinding(field, owner == type ? DeviceBinding.Exact : $"inherited on the device from {TypeNames.ToShort(owner.FullName)}");
            var property = owner.Property(reference.Name);
            if (property != null && property.Type == reference.ReturnType && property.HasGetter && (!isWritten || property.HasSetter))
                return new DeviceBinding(property, "host field, device property (same source syntax)");
        }
        return null;
    }

    private static DeviceBinding BindAccessorToField(IEnumerable<DeviceType> chain, HostMemberReference reference)
    {
        var isGetter = reference.Name.StartsWith("get_", StringComparison.Ordinal) && reference.ParameterTypes.Count == 0;
        var isSetter = reference.Name.StartsWith("set_", StringComparison.Ordinal) && reference.ParameterTypes.Count == 1;
        if (!isGetter && !isSetter)
            return null;
        var valueType = isGetter ? reference.ReturnType : reference.ParameterTypes[0];
        foreach (var owner in chain)
        {
            var field = owner.Field(reference.Name.Substring(4));
            if (field != null && field.Type == valueType && field.IsStatic == reference.IsStatic)
                return new DeviceBinding(field, "host property, device field (same source syntax)");
        }
        return null;
    }

    private string NoMatchReason(DeviceType type, HostMemberReference reference)
    {
        var name = reference.Name;
        var sameName = _api.SelfAndBases(type)
            .SelectMany(t => t.Members.Where(m => m.Name == name || "get_" + m.Name == name || "set_" + m.Name == name))
            .Select(m => m.ToString())
            .Distinct()
            .ToList();
        if (reference.GenericArity > 0)
            return "generic method; nanoFramework 1.x has no generics";
        return sameName.Count == 0
            ? $"{TypeNames.ToShort(type.FullName)} has no member '{name}' on the device"
            : $"no device overload the same call binds to (same return type, implicitly convertible arguments); device has: {string.Join(" | ", sameName)}";
    }
}
