namespace PanicDevice.Tests.Guard;

public enum DeviceMemberKind { Constructor, Method, Property, Field, Event, EnumValues }

public sealed record DeviceParameter(string Type, bool IsParams, bool IsOptional)
{
    public override string ToString() =>
        (IsParams ? "params " : "") + TypeNames.ToShort(Type) + (IsOptional ? " = default" : "");
}

/// <summary>One member line of the allow-list.</summary>
public sealed class DeviceMember
{
    public DeviceType DeclaringType { get; init; }
    public DeviceMemberKind Kind { get; init; }
    public string Name { get; init; }
    public bool IsStatic { get; init; }
    /// <summary>Return type of a method, type of a field, property or event (full name).</summary>
    public string Type { get; init; }
    public IReadOnlyList<DeviceParameter> Parameters { get; init; } = Array.Empty<DeviceParameter>();
    public bool HasGetter { get; init; }
    public bool HasSetter { get; init; }
    /// <summary>The line as written in the allow-list, for messages.</summary>
    public string Line { get; init; }

    public override string ToString() => TypeNames.ToShort(DeclaringType.FullName) + ": " + Line;
}

/// <summary>
/// A method-shaped way to reach a member, as IL names it: constructors, methods, and the get_/set_/add_/remove_
/// accessors the compiler emits for properties, indexers and events.
/// </summary>
public sealed record DeviceCallable(string Name, bool IsStatic, string ReturnType, IReadOnlyList<DeviceParameter> Parameters, DeviceMember Member);

public sealed class DeviceType
{
    private readonly List<DeviceMember> _members = new();
    private readonly Dictionary<string, List<DeviceCallable>> _callables = new(StringComparer.Ordinal);

    public DeviceType(string fullName, string kind, string baseType, string assembly, string package)
    {
        FullName = fullName;
        Kind = kind;
        BaseType = baseType;
        Assembly = assembly;
        Package = package;
    }

    public string FullName { get; }
    public string Kind { get; }
    /// <summary>Full name of the device base class, implied by the kind when the list does not name one.</summary>
    public string BaseType { get; }
    public string Assembly { get; }
    /// <summary>NuGet id of the package that ships the assembly.</summary>
    public string Package { get; }
    public IReadOnlyList<DeviceMember> Members => _members;

    public IReadOnlyList<DeviceCallable> Callables(string name) =>
        _callables.TryGetValue(name, out var list) ? list : (IReadOnlyList<DeviceCallable>)Array.Empty<DeviceCallable>();

    public DeviceMember Field(string name) =>
        _members.FirstOrDefault(m => m.Kind == DeviceMemberKind.Field && m.Name == name);

    public DeviceMember Property(string name) =>
        _members.FirstOrDefault(m => m.Kind == DeviceMemberKind.Property && m.Name == name && m.Parameters.Count == 0);

    internal void Add(DeviceMember member)
    {
        _members.Add(member);
        switch (member.Kind)
        {
            case DeviceMemberKind.Constructor:
                AddCallable(".ctor", member, "System.Void", member.Parameters);
                break;
            case DeviceMemberKind.Method:
                AddCallable(member.Name, member, member.Type, member.Parameters);
                break;
            case DeviceMemberKind.Property:
                if (member.HasGetter)
                    AddCallable("get_" + member.Name, member, member.Type, member.Parameters);
                if (member.HasSetter)
                    AddCallable("set_" + member.Name, member, "System.Void",
                        member.Parameters.Append(new DeviceParameter(member.Type, false, false)).ToList());
                break;
            case DeviceMemberKind.Event:
                var handler = new[] { new DeviceParameter(member.Type, false, false) };
                AddCallable("add_" + member.Name, member, "System.Void", handler);
                AddCallable("remove_" + member.Name, member, "System.Void", handler);
                break;
        }
    }

    private void AddCallable(string name, DeviceMember member, string returnType, IReadOnlyList<DeviceParameter> parameters)
    {
        if (!_callables.TryGetValue(name, out var list))
            _callables[name] = list = new List<DeviceCallable>();
        list.Add(new DeviceCallable(name, member.IsStatic, returnType, parameters, member));
    }
}

/// <summary>The allow-list: the nanoFramework API Core may bind to on the device.</summary>
public sealed class DeviceApi
{
    private readonly Dictionary<string, DeviceType> _types;

    private readonly Dictionary<string, DeviceType> _unreferenced = new(StringComparer.Ordinal);

    public DeviceApi(IEnumerable<DeviceType> types)
    {
        _types = new Dictionary<string, DeviceType>(StringComparer.Ordinal);
        foreach (var type in types)
            _types[type.FullName] = type;
    }

    public IReadOnlyCollection<DeviceType> Types => _types.Values;

    /// <summary>
    /// The API of the given packages only: what a project that references exactly those packages can compile
    /// against. A type of another package is absent, as it is for the device compiler, but stays known so that a
    /// rejection can name the package the project would have to reference.
    /// </summary>
    public DeviceApi OnlyPackages(IEnumerable<string> packageIds)
    {
        var referenced = new HashSet<string>(packageIds, StringComparer.Ordinal);
        var restricted = new DeviceApi(_types.Values.Where(t => referenced.Contains(t.Package)));
        foreach (var type in _types.Values.Where(t => !referenced.Contains(t.Package)))
            restricted._unreferenced[type.FullName] = type;
        return restricted;
    }

    /// <summary>A device type this API leaves out because its package is not referenced; null otherwise.</summary>
    public DeviceType FindUnreferenced(string fullName) =>
        fullName != null && _unreferenced.TryGetValue(fullName, out var type) ? type : null;

    /// <summary>Why a type is not available: absent from nanoFramework, or in a package the project does not reference.</summary>
    public string WhyAbsent(string fullName)
    {
        var type = FindUnreferenced(fullName);
        return type == null
            ? "not in the nanoFramework API"
            : $"in {type.Package} ({type.Assembly}), which the project does not reference, so the device build cannot see it";
    }

    public int MemberCount => _types.Values.Sum(t => t.Members.Count);

    public static DeviceApi Load(string path) => DeviceApiParser.Parse(File.ReadAllText(path));

    public DeviceType Find(string fullName) =>
        fullName != null && _types.TryGetValue(fullName, out var type) ? type : null;

    /// <summary>The type and its device base classes, most derived first.</summary>
    public IEnumerable<DeviceType> SelfAndBases(DeviceType type)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var t = type; t != null && seen.Add(t.FullName); t = Find(t.BaseType))
            yield return t;
    }

    /// <summary>Finds a callable by exact signature, for rules that need a specific device member.</summary>
    public DeviceCallable FindCallable(string typeFullName, string name, params string[] parameterTypes)
    {
        var type = Find(typeFullName);
        if (type == null)
            return null;
        return SelfAndBases(type)
            .SelectMany(t => t.Callables(name))
            .FirstOrDefault(c => c.Parameters.Select(p => p.Type).SequenceEqual(parameterTypes));
    }
}
