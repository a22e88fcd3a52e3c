using System.Reflection;

namespace PanicDevice.Tests.Guard;

/// <summary>
/// Looks up the host (.NET) types behind names from the checked assembly, to answer the questions the binding
/// rules ask of the host: does this type derive from that one, does this conversion exist, which trailing
/// parameters of this host method are optional.
/// </summary>
public sealed class HostTypes
{
    private readonly Assembly[] _assemblies;
    private readonly Dictionary<string, Type> _cache = new(StringComparer.Ordinal);

    public HostTypes(IEnumerable<string> referencedAssemblyNames)
    {
        var assemblies = new List<Assembly> { typeof(object).Assembly };
        foreach (var name in referencedAssemblyNames)
        {
            try
            {
                assemblies.Add(Assembly.Load(new AssemblyName(name)));
            }
            catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
            {
                // A reference the test host cannot load only costs the conversion and base-class rules their answer.
            }
        }
        _assemblies = assemblies.Distinct().ToArray();
    }

    /// <summary>The host type for a full name as the guard spells it, or null.</summary>
    public Type Find(string fullName)
    {
        if (fullName == null)
            return null;
        if (_cache.TryGetValue(fullName, out var cached))
            return cached;
        Type type = null;
        if (fullName.StartsWith("ref ", StringComparison.Ordinal))
            type = Find(fullName.Substring(4))?.MakeByRefType();
        else if (fullName.EndsWith("[]", StringComparison.Ordinal))
            type = Find(fullName.Substring(0, fullName.Length - 2))?.MakeArrayType();
        else if (!fullName.Contains('<') && !fullName.StartsWith("!", StringComparison.Ordinal))
            type = _assemblies.Select(a => a.GetType(fullName, false)).FirstOrDefault(t => t != null);
        _cache[fullName] = type;
        return type;
    }

    public bool DerivesFrom(string derived, string baseType)
    {
        var d = Find(derived);
        var b = Find(baseType);
        return d != null && b != null && d != b && d.IsSubclassOf(b);
    }

    /// <summary>C# implicit reference or boxing conversion between host types (identity excluded).</summary>
    public bool HasImplicitReferenceConversion(string from, string to)
    {
        var f = Find(from);
        var t = Find(to);
        if (f == null || t == null || f == t || f.IsByRef || t.IsByRef || t.IsValueType)
            return false;
        return t.IsAssignableFrom(f);
    }

    /// <summary>
    /// How many trailing parameters of the host method behind a reference have default values, i.e. may have
    /// been filled in by the host compiler rather than written in the source.
    /// </summary>
    public int TrailingOptionalParameters(HostMemberReference reference)
    {
        var type = Find(reference.DeclaringType);
        if (type == null || reference.IsField)
            return 0;
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        IEnumerable<MethodBase> candidates = reference.Name == ".ctor"
            ? type.GetConstructors(all)
            : type.GetMethods(all).Where(m => m.Name == reference.Name);
        var method = candidates.FirstOrDefault(m => m.GetParameters().Select(p => GuardName(p.ParameterType)).SequenceEqual(reference.ParameterTypes));
        if (method == null)
            return 0;
        var parameters = method.GetParameters();
        var count = 0;
        for (var i = parameters.Length - 1; i >= 0 && parameters[i].HasDefaultValue; i--)
            count++;
        return count;
    }

    /// <summary>A reflection type spelled the way <see cref="SignatureTypeNames"/> spells it.</summary>
    public static string GuardName(Type type)
    {
        if (type.IsByRef)
            return "ref " + GuardName(type.GetElementType());
        if (type.IsSZArray)
            return GuardName(type.GetElementType()) + "[]";
        if (type.IsArray)
            return GuardName(type.GetElementType()) + "[" + new string(',', type.GetArrayRank() - 1) + "]";
        if (type.IsPointer)
            return GuardName(type.GetElementType()) + "*";
        if (type.IsGenericParameter)
            return (type.DeclaringMethod != null ? "!!" : "!") + type.GenericParameterPosition;
        if (type.IsConstructedGenericType)
            return GuardName(type.GetGenericTypeDefinition()) + "<" + string.Join(",", type.GenericTypeArguments.Select(GuardName)) + ">";
        return type.FullName ?? type.Name;
    }
}
