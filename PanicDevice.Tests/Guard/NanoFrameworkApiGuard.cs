using System.Collections.Immutable;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace PanicDevice.Tests.Guard;

/// <summary>What the guard found: offending references, host→device binding notes, and the packages used.</summary>
public sealed class GuardReport
{
    public List<string> Violations { get; } = new();
    public List<string> Mappings { get; } = new();
    public SortedSet<string> SectionsUsed { get; } = new(StringComparer.Ordinal);
    public int ReferencesChecked { get; set; }
}

/// <summary>
/// Reads a compiled assembly's metadata and checks every type and member it references against the
/// nanoFramework allow-list, judging what the *device* build of the same source would bind to:
/// <list type="bullet">
/// <item>params expansion: the host's Format(String, Object) is the device's Format(String, Object[]);</item>
/// <item>implicit conversions: a host overload whose arguments convert implicitly to a device overload's
/// parameters (numeric widening, anything to Object);</item>
/// <item>base-class members: the host's HashAlgorithm::ComputeHash is the device's HMACSHA256::ComputeHash
/// when the assembly uses HMACSHA256 and the device lists the member there;</item>
/// <item>interpolated strings: the host lowers $"…" to DefaultInterpolatedStringHandler, which nanoFramework
/// lacks; its compiler then binds to String.Format(String, Object[]) (or Concat), so the handler is
/// accepted when Format is on the allow-list;</item>
/// <item>span concatenation: today's host compiler lowers a + b.ToString() + c to
/// String.Concat(ReadOnlySpan&lt;Char&gt;, …) with string→span conversions; nanoFramework has no spans, so its
/// compiler binds the same source to String.Concat(String, …) of the same arity. Those span helpers are
/// accepted only when every span member the assembly references belongs to that lowering.</item>
/// </list>
/// Rejected outright: any generic type or method (definition or instantiation), async and iterator state
/// machines, and every other type or member nanoFramework does not list.
/// </summary>
public static class NanoFrameworkApiGuard
{
    /// <summary>Attributes only the host SDK puts on the assembly or module; the device build emits its own.</summary>
    private static readonly HashSet<string> HostBuildAttributes = new(StringComparer.Ordinal)
    {
        "System.Runtime.CompilerServices.CompilationRelaxationsAttribute",
        "System.Runtime.CompilerServices.RuntimeCompatibilityAttribute",
        "System.Runtime.CompilerServices.RefSafetyRulesAttribute",
        "System.Diagnostics.DebuggableAttribute",
        "System.Diagnostics.DebuggableAttribute+DebuggingModes",
        "System.Runtime.Versioning.TargetFrameworkAttribute",
    };

    /// <summary>Host-only lowerings and what the device compiler binds the same source to.</summary>
    private static readonly Dictionary<string, string> HostLowerings = new(StringComparer.Ordinal)
    {
        ["System.Runtime.CompilerServices.DefaultInterpolatedStringHandler"] = "System.String::Format(String, Object[])",
    };

    private static readonly Dictionary<string, string> Advice = new(StringComparer.Ordinal)
    {
        ["System.Runtime.CompilerServices.AsyncStateMachineAttribute"] = "async/await does not exist on nanoFramework 1.x: use a state machine driven by Poll(nowMs)",
        ["System.Runtime.CompilerServices.IAsyncStateMachine"] = "async/await does not exist on nanoFramework 1.x",
        ["System.Runtime.CompilerServices.IteratorStateMachineAttribute"] = "iterators (yield) need generic IEnumerator<T>, which nanoFramework 1.x lacks",
        ["System.Collections.Generic.List`1"] = "no generics on nanoFramework 1.x: use ArrayList",
        ["System.Collections.Generic.Dictionary`2"] = "no generics on nanoFramework 1.x: use Hashtable",
        ["System.Nullable`1"] = "no Nullable<T> on nanoFramework 1.x: use a sentinel value",
        ["System.Span`1"] = "no Span<T> on nanoFramework 1.x: use arrays with offsets",
        ["System.ReadOnlySpan`1"] = "no ReadOnlySpan<T> on nanoFramework 1.x: use arrays with offsets",
    };

    private static readonly Dictionary<string, string[]> Widening = new(StringComparer.Ordinal)
    {
        ["SByte"] = new[] { "Int16", "Int32", "Int64", "Single", "Double" },
        ["Byte"] = new[] { "Int16", "UInt16", "Int32", "UInt32", "Int64", "UInt64", "Single", "Double" },
        ["Int16"] = new[] { "Int32", "Int64", "Single", "Double" },
        ["UInt16"] = new[] { "Int32", "UInt32", "Int64", "UInt64", "Single", "Double" },
        ["Char"] = new[] { "UInt16", "Int32", "UInt32", "Int64", "UInt64", "Single", "Double" },
        ["Int32"] = new[] { "Int64", "Single", "Double" },
        ["UInt32"] = new[] { "Int64", "UInt64", "Single", "Double" },
        ["Int64"] = new[] { "Single", "Double" },
        ["UInt64"] = new[] { "Single", "Double" },
        ["Single"] = new[] { "Double" },
    };

    public static GuardReport Check(string assemblyPath, NanoApiAllowList allow) => Check(File.ReadAllBytes(assemblyPath), allow);

    public static GuardReport Check(byte[] image, NanoApiAllowList allow)
    {
        var report = new GuardReport();
        using var pe = new PEReader(ImmutableArray.Create(image));
        MetadataReader md = pe.GetMetadataReader();
        var provider = new SimpleNameProvider();

        foreach (TypeDefinitionHandle h in md.TypeDefinitions)
        {
            TypeDefinition t = md.GetTypeDefinition(h);
            if (t.GetGenericParameters().Count > 0)
            {
                report.Violations.Add("generic type defined: " + md.GetString(t.Name) + " (nanoFramework 1.x has no generics)");
            }
        }
        foreach (MethodDefinitionHandle h in md.MethodDefinitions)
        {
            MethodDefinition m = md.GetMethodDefinition(h);
            if (m.GetGenericParameters().Count > 0)
            {
                report.Violations.Add("generic method defined: " + md.GetString(m.Name) + " (nanoFramework 1.x has no generics)");
            }
        }
        for (int row = 1; row <= md.GetTableRowCount(TableIndex.MethodSpec); row++)
        {
            MethodSpecification spec = md.GetMethodSpecification(MetadataTokens.MethodSpecificationHandle(row));
            string parent = spec.Method.Kind == HandleKind.MemberReference ? ParentName(md, md.GetMemberReference((MemberReferenceHandle)spec.Method).Parent, provider) : "";
            if (!HostLowerings.ContainsKey(parent))
            {
                report.Violations.Add("generic method instantiation on " + (parent.Length > 0 ? parent : "a method of this assembly"));
            }
        }

        // Assembly- and module-level attributes from the host SDK are not part of the device build.
        var excusedCtors = new HashSet<EntityHandle>();
        foreach (CustomAttributeHandle h in md.CustomAttributes)
        {
            CustomAttribute a = md.GetCustomAttribute(h);
            if (a.Constructor.Kind != HandleKind.MemberReference)
            {
                continue;
            }
            string type = ParentName(md, md.GetMemberReference((MemberReferenceHandle)a.Constructor).Parent, provider);
            if (!HostBuildAttributes.Contains(type))
            {
                continue;
            }
            if (a.Parent.Kind == HandleKind.AssemblyDefinition || a.Parent.Kind == HandleKind.ModuleDefinition)
            {
                excusedCtors.Add(a.Constructor);
            }
            else
            {
                report.Violations.Add(type + " used on code: not available on nanoFramework");
            }
        }

        bool spanConcatOnly = SpanUsesAreConcatLowering(md, provider, allow, report);
        for (int row = 1; row <= md.GetTableRowCount(TableIndex.TypeSpec); row++)
        {
            TypeSpecificationHandle h = MetadataTokens.TypeSpecificationHandle(row);
            string spec = md.GetTypeSpecification(h).DecodeSignature(provider, null);
            if (spec.Contains('<') && !(spanConcatOnly && spec == "ReadOnlySpan`1<Char>"))
            {
                report.Violations.Add("generic instantiation: " + spec + Hint(spec));
            }
        }

        var referencedTypes = new List<string>();
        var pendingTypes = new List<string>();
        var typesServedByDerived = new HashSet<string>(StringComparer.Ordinal);
        foreach (TypeReferenceHandle h in md.TypeReferences)
        {
            string name = TypeRefName(md, h);
            referencedTypes.Add(name);
            report.ReferencesChecked++;
            if (HostBuildAttributes.Contains(name) || (spanConcatOnly && name == ReadOnlySpan))
            {
                continue;
            }
            if (HostLowerings.TryGetValue(name, out string? device))
            {
                if (!MemberListed(allow, device))
                {
                    report.Violations.Add(name + " needs " + device + " on the device, which the allow-list lacks");
                }
                report.Mappings.Add(name + " (host lowering of $\"…\") -> " + device);
                continue;
            }
            if (allow.Types.TryGetValue(name, out AllowedType? allowed))
            {
                report.SectionsUsed.Add(allowed.Section);
            }
            else
            {
                pendingTypes.Add(name);
            }
        }

        foreach (MemberReferenceHandle h in md.MemberReferences)
        {
            if (excusedCtors.Contains(h))
            {
                continue;
            }
            MemberReference m = md.GetMemberReference(h);
            if (m.Parent.Kind != HandleKind.TypeReference)
            {
                continue; // members of generic instantiations are reported above; others are this assembly's own
            }
            string type = TypeRefName(md, (TypeReferenceHandle)m.Parent);
            if (HostLowerings.ContainsKey(type) || HostBuildAttributes.Contains(type) || (spanConcatOnly && IsSpanConcatMember(md, m, type, provider)))
            {
                continue;
            }
            report.ReferencesChecked++;
            string name = md.GetString(m.Name);
            string[]? parameters = null;
            if (m.GetKind() == MemberReferenceKind.Method)
            {
                parameters = m.DecodeMethodSignature(provider, null).ParameterTypes.ToArray();
            }
            string shown = type + "::" + name + (parameters == null ? "" : "(" + string.Join(", ", parameters) + ")");
            string? found = Resolve(allow, type, name, parameters, referencedTypes, out string? mapping);
            if (found == null)
            {
                report.Violations.Add("member not on nanoFramework: " + shown + Hint(type));
                continue;
            }
            report.SectionsUsed.Add(allow.Types[found].Section);
            if (found != type)
            {
                typesServedByDerived.Add(type);
            }
            if (mapping != null)
            {
                report.Mappings.Add(shown + " -> " + mapping);
            }
        }
        foreach (string name in pendingTypes)
        {
            // A host base class (HashAlgorithm) is only a parent of members the device lists on a derived type.
            if (typesServedByDerived.Contains(name) && OnlyAMemberParent(md, name))
            {
                report.Mappings.Add(name + " (host base class) -> its members resolve on the derived device types");
                continue;
            }
            report.Violations.Add("type not on nanoFramework: " + name + Hint(name));
        }
        return report;
    }

    /// <summary>The allow-listed type whose member the device build binds to, or null; <paramref name="mapping"/> describes a non-identical binding.</summary>
    private static string? Resolve(NanoApiAllowList allow, string type, string name, string[]? parameters, List<string> referencedTypes, out string? mapping)
    {
        mapping = null;
        if (allow.Types.TryGetValue(type, out AllowedType? t) && Bind(t, name, parameters, out mapping))
        {
            return type;
        }
        // Base-class member: the device lists it on a derived type this assembly uses.
        Type? hostBase = HostType(type);
        if (hostBase == null)
        {
            return null;
        }
        foreach (string derived in referencedTypes)
        {
            if (derived == type || !allow.Types.TryGetValue(derived, out AllowedType? d))
            {
                continue;
            }
            Type? hostDerived = HostType(derived);
            if (hostDerived != null && hostBase.IsAssignableFrom(hostDerived) && Bind(d, name, parameters, out string? inner))
            {
                mapping = derived + "::" + name + (inner != null ? " via " + inner : "") + " (declared on a base class on the host)";
                return derived;
            }
        }
        return null;
    }

    private static bool Bind(AllowedType t, string name, string[]? parameters, out string? mapping)
    {
        mapping = null;
        if (parameters == null)
        {
            return t.Members.Any(m => m.Name == name && m.Parameters == null);
        }
        if ((name.StartsWith("get_", StringComparison.Ordinal) || name.StartsWith("set_", StringComparison.Ordinal))
            && t.Members.Any(m => m.IsProperty && m.Name == name[4..]))
        {
            return true;
        }
        if (name.StartsWith("add_", StringComparison.Ordinal) && t.Members.Any(m => m.IsEvent && m.Name == name[4..])
            || name.StartsWith("remove_", StringComparison.Ordinal) && t.Members.Any(m => m.IsEvent && m.Name == name[7..]))
        {
            return true;
        }
        var overloads = t.Members.Where(m => m.Name == name && m.Parameters != null).ToList();
        if (overloads.Any(m => m.Parameters!.SequenceEqual(parameters)))
        {
            return true;
        }
        foreach (AllowedMember m in overloads)
        {
            string[] p = m.Parameters!;
            if (p.Length == parameters.Length && parameters.Zip(p).All(x => Converts(x.First, x.Second)))
            {
                mapping = t.FullName + "::" + m.Text + " (implicit conversion)";
                return true;
            }
            if (p.Length >= 1 && p[^1].EndsWith("[]", StringComparison.Ordinal) && parameters.Length >= p.Length - 1)
            {
                string element = p[^1][..^2];
                bool fixedOk = parameters.Take(p.Length - 1).Zip(p).All(x => Converts(x.First, x.Second));
                bool restOk = parameters.Skip(p.Length - 1).All(a => Converts(a, element));
                if (fixedOk && restOk && !(parameters.Length == p.Length && parameters[^1] == p[^1]))
                {
                    mapping = t.FullName + "::" + m.Text + " (params expansion)";
                    return true;
                }
            }
        }
        return false;
    }

    private static bool Converts(string from, string to) =>
        from == to || (to == "Object" && !from.Contains("Span`1", StringComparison.Ordinal)) || (Widening.TryGetValue(from, out string[]? wider) && wider.Contains(to));

    private const string ReadOnlySpan = "System.ReadOnlySpan`1";

    /// <summary>True when the only span members referenced are the host's lowering of string concatenation, and the device has the String overloads.</summary>
    private static bool SpanUsesAreConcatLowering(MetadataReader md, SimpleNameProvider provider, NanoApiAllowList allow, GuardReport report)
    {
        bool any = false;
        foreach (MemberReferenceHandle h in md.MemberReferences)
        {
            MemberReference m = md.GetMemberReference(h);
            string type = ParentName(md, m.Parent, provider);
            string sig = m.GetKind() == MemberReferenceKind.Method ? string.Join(",", m.DecodeMethodSignature(provider, null).ParameterTypes) + "->" + m.DecodeMethodSignature(provider, null).ReturnType : "";
            if (!type.StartsWith("ReadOnlySpan`1", StringComparison.Ordinal) && !type.StartsWith("Span`1", StringComparison.Ordinal) && !sig.Contains("Span`1", StringComparison.Ordinal))
            {
                continue;
            }
            if (!IsSpanConcatMember(md, m, type, provider))
            {
                return false;
            }
            if (md.GetString(m.Name) == "Concat")
            {
                int arity = m.DecodeMethodSignature(provider, null).ParameterTypes.Length;
                string device = "Concat(" + string.Join(", ", Enumerable.Repeat("String", arity)) + ")";
                if (!allow.Types["System.String"].Members.Any(x => x.Text.EndsWith(" " + device, StringComparison.Ordinal)))
                {
                    return false;
                }
                report.Mappings.Add("System.String::Concat(" + string.Join(", ", Enumerable.Repeat("ReadOnlySpan<Char>", arity)) + ") -> System.String::" + device + " (span concatenation lowering)");
            }
            any = true;
        }
        return any;
    }

    private static bool IsSpanConcatMember(MetadataReader md, MemberReference m, string type, SimpleNameProvider provider)
    {
        if (m.GetKind() != MemberReferenceKind.Method)
        {
            return false;
        }
        string name = md.GetString(m.Name);
        MethodSignature<string> sig = m.DecodeMethodSignature(provider, null);
        if (type == "System.String" && name == "Concat")
        {
            return sig.ParameterTypes.All(p => p == "ReadOnlySpan`1<Char>");
        }
        if (type == "System.String" && name == "op_Implicit")
        {
            return sig.ReturnType == "ReadOnlySpan`1<Char>";
        }
        // new ReadOnlySpan<char>(ref c) wraps a char operand of the concatenation.
        // (the parameter is "ref T" of ReadOnlySpan<Char>, i.e. ref Char).
        return type == "ReadOnlySpan`1<Char>" && name == ".ctor" && sig.ParameterTypes.Length == 1 && sig.ParameterTypes[0] == "!0";
    }

    private static bool OnlyAMemberParent(MetadataReader md, string typeName)
    {
        // Appearing in a signature, a base type or a local would make it a real dependency; a TypeRef that
        // parents member references only is resolved through those members.
        foreach (TypeDefinitionHandle h in md.TypeDefinitions)
        {
            TypeDefinition t = md.GetTypeDefinition(h);
            if (t.BaseType.Kind == HandleKind.TypeReference && TypeRefName(md, (TypeReferenceHandle)t.BaseType) == typeName)
            {
                return false;
            }
        }
        return true;
    }

    private static bool MemberListed(NanoApiAllowList allow, string typeAndMember)
    {
        int sep = typeAndMember.IndexOf("::", StringComparison.Ordinal);
        string type = typeAndMember[..sep];
        string text = typeAndMember[(sep + 2)..];
        return allow.Types.TryGetValue(type, out AllowedType? t) && t.Members.Any(m => m.Text.EndsWith(" " + text, StringComparison.Ordinal) || m.Text == text);
    }

    private static Type? HostType(string fullName)
    {
        foreach (string asm in new[] { "System.Runtime", "System.Private.CoreLib", "System.Security.Cryptography", "System.Collections", "System.Collections.NonGeneric", "System.Text.Encoding.Extensions" })
        {
            Type? t = Type.GetType(fullName + ", " + asm, throwOnError: false);
            if (t != null)
            {
                return t;
            }
        }
        return null;
    }

    private static string Hint(string name)
    {
        foreach (var (key, advice) in Advice)
        {
            if (name.Contains(key, StringComparison.Ordinal))
            {
                return " — " + advice;
            }
        }
        return "";
    }

    private static string ParentName(MetadataReader md, EntityHandle parent, SimpleNameProvider provider) => parent.Kind switch
    {
        HandleKind.TypeReference => TypeRefName(md, (TypeReferenceHandle)parent),
        HandleKind.TypeSpecification => md.GetTypeSpecification((TypeSpecificationHandle)parent).DecodeSignature(provider, null),
        _ => "",
    };

    public static string TypeRefName(MetadataReader md, TypeReferenceHandle h)
    {
        TypeReference t = md.GetTypeReference(h);
        string name = md.GetString(t.Name);
        if (t.ResolutionScope.Kind == HandleKind.TypeReference)
        {
            return TypeRefName(md, (TypeReferenceHandle)t.ResolutionScope) + "+" + name;
        }
        string ns = md.GetString(t.Namespace);
        return ns.Length == 0 ? name : ns + "." + name;
    }

    /// <summary>Turns signature types into the simple names the allow-list uses ("Int32", "Byte[]", "List`1&lt;Int32&gt;").</summary>
    private sealed class SimpleNameProvider : ISignatureTypeProvider<string, object?>
    {
        public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode switch
        {
            PrimitiveTypeCode.IntPtr => "IntPtr",
            PrimitiveTypeCode.UIntPtr => "UIntPtr",
            PrimitiveTypeCode.TypedReference => "TypedReference",
            _ => typeCode.ToString(),
        };
        public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => reader.GetString(reader.GetTypeDefinition(handle).Name);
        public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => reader.GetString(reader.GetTypeReference(handle).Name);
        public string GetTypeFromSpecification(MetadataReader reader, object? context, TypeSpecificationHandle handle, byte rawTypeKind) => reader.GetTypeSpecification(handle).DecodeSignature(this, context);
        public string GetSZArrayType(string elementType) => elementType + "[]";
        public string GetArrayType(string elementType, ArrayShape shape) => elementType + "[" + new string(',', shape.Rank - 1) + "]";
        public string GetByReferenceType(string elementType) => elementType;
        public string GetPointerType(string elementType) => elementType + "*";
        public string GetPinnedType(string elementType) => elementType;
        public string GetGenericInstantiation(string genericType, ImmutableArray<string> typeArguments) => genericType + "<" + string.Join(",", typeArguments) + ">";
        public string GetGenericMethodParameter(object? context, int index) => "!!" + index;
        public string GetGenericTypeParameter(object? context, int index) => "!" + index;
        public string GetFunctionPointerType(MethodSignature<string> signature) => "fnptr";
        public string GetModifiedType(string modifier, string unmodifiedType, bool isRequired) => unmodifiedType;
    }
}
