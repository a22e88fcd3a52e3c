using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace PanicDevice.Tests.Guard;

/// <summary>
/// The allow-list against the assemblies the device build compiles with. The guard is the device check on machines
/// without the nanoFramework toolchain; here, where the toolchain is present, every type and member the list allows
/// Core must exist, public or protected, in the package's real assembly, so the guard never accepts what the device
/// compiler would reject.
/// </summary>
[TestClass]
public class AllowListAssemblyTests
{
    public TestContext TestContext { get; set; }

    [TestMethod]
    public void EveryAllowedMemberExistsInTheDeviceAssemblies()
    {
        NanoFrameworkToolchain.Require("the guard's snippet tests and the device build in .ci/run cover the list");
        var api = AllowListFile.Api;
        var assemblies = new Dictionary<string, RealAssembly>(StringComparer.Ordinal);
        RealAssembly Load(string name)
        {
            if (!assemblies.TryGetValue(name, out var a))
                assemblies[name] = a = new RealAssembly(System.IO.Path.Combine(NanoFrameworkToolchain.Assemblies, name + ".dll"));
            return a;
        }

        var missing = new List<string>();
        int checkedMembers = 0;
        foreach (var type in api.Types.OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            var real = Load(type.Assembly);
            if (!real.Types.ContainsKey(type.FullName))
            {
                missing.Add($"{type.Assembly}: type {type.FullName}");
                continue;
            }
            foreach (var member in type.Members)
            {
                if (member.Kind == DeviceMemberKind.EnumValues)
                    continue;
                checkedMembers++;
                if (!real.Has(type.FullName, member, Load))
                    missing.Add($"{type.Assembly}: {member}");
            }
        }
        TestContext.WriteLine($"{api.Types.Count} types, {checkedMembers} members checked against {string.Join(", ", assemblies.Keys)}");
        Assert.AreEqual(0, missing.Count, "the allow-list allows what the device assemblies do not have:\n" + string.Join("\n", missing));
    }

    /// <summary>One real assembly's public and protected surface, by type full name.</summary>
    private sealed class RealAssembly
    {
        private readonly MetadataReader _reader;
        private readonly SignatureTypeNames _names;
        public readonly Dictionary<string, TypeDefinition> Types = new(StringComparer.Ordinal);

        public RealAssembly(string path)
        {
            var pe = new PEReader(File.OpenRead(path));
            _reader = pe.GetMetadataReader();
            _names = new SignatureTypeNames(_reader);
            foreach (var handle in _reader.TypeDefinitions)
            {
                var definition = _reader.GetTypeDefinition(handle);
                var visibility = definition.Attributes & TypeAttributes.VisibilityMask;
                if (visibility is TypeAttributes.Public or TypeAttributes.NestedPublic or TypeAttributes.NestedFamily or TypeAttributes.NestedFamORAssem)
                    Types[_names.DefinitionName(handle)] = definition;
            }
        }

        public bool Has(string typeName, DeviceMember member, Func<string, RealAssembly> load)
        {
            // A member the list puts on a type may be declared on a base class of it in the real library.
            for (RealAssembly assembly = this; typeName != null;)
            {
                if (!assembly.Types.TryGetValue(typeName, out var type))
                    return false;
                if (assembly.Declares(type, member))
                    return true;
                if (member.Kind == DeviceMemberKind.Constructor)
                    return false;
                (typeName, assembly) = assembly.BaseOf(type, load);
            }
            return false;
        }

        private (string, RealAssembly) BaseOf(TypeDefinition type, Func<string, RealAssembly> load)
        {
            if (type.BaseType.IsNil)
                return (null, null);
            if (type.BaseType.Kind == HandleKind.TypeDefinition)
                return (_names.DefinitionName((TypeDefinitionHandle)type.BaseType), this);
            if (type.BaseType.Kind != HandleKind.TypeReference)
                return (null, null);
            var reference = _reader.GetTypeReference((TypeReferenceHandle)type.BaseType);
            string scope = reference.ResolutionScope.Kind == HandleKind.AssemblyReference
                ? _reader.GetString(_reader.GetAssemblyReference((AssemblyReferenceHandle)reference.ResolutionScope).Name)
                : null;
            return scope == null ? (null, null) : (_names.ReferenceName((TypeReferenceHandle)type.BaseType), load(scope));
        }

        private bool Declares(TypeDefinition type, DeviceMember member)
        {
            switch (member.Kind)
            {
                case DeviceMemberKind.Constructor:
                case DeviceMemberKind.Method:
                    string name = member.Kind == DeviceMemberKind.Constructor ? ".ctor" : member.Name;
                    return type.GetMethods().Select(_reader.GetMethodDefinition)
                        .Any(m => Visible(m.Attributes) && _reader.GetString(m.Name) == name && SameParameters(m, member.Parameters));
                case DeviceMemberKind.Property:
                    return type.GetProperties().Select(_reader.GetPropertyDefinition).Any(p =>
                    {
                        if (_reader.GetString(p.Name) != member.Name)
                            return false;
                        var accessors = p.GetAccessors();
                        bool getter = !accessors.Getter.IsNil && Visible(_reader.GetMethodDefinition(accessors.Getter).Attributes);
                        bool setter = !accessors.Setter.IsNil && Visible(_reader.GetMethodDefinition(accessors.Setter).Attributes);
                        return (!member.HasGetter || getter) && (!member.HasSetter || setter)
                            && (accessors.Getter.IsNil || SameParameters(_reader.GetMethodDefinition(accessors.Getter), member.Parameters));
                    });
                case DeviceMemberKind.Field:
                    return type.GetFields().Select(_reader.GetFieldDefinition)
                        .Any(f => _reader.GetString(f.Name) == member.Name
                            && (f.Attributes & FieldAttributes.FieldAccessMask) is FieldAttributes.Public or FieldAttributes.Family or FieldAttributes.FamORAssem);
                case DeviceMemberKind.Event:
                    return type.GetEvents().Select(_reader.GetEventDefinition).Any(e => _reader.GetString(e.Name) == member.Name);
                default:
                    return true;
            }
        }

        private static bool Visible(MethodAttributes attributes) =>
            (attributes & MethodAttributes.MemberAccessMask) is MethodAttributes.Public or MethodAttributes.Family or MethodAttributes.FamORAssem;

        private bool SameParameters(MethodDefinition method, IReadOnlyList<DeviceParameter> expected)
        {
            var signature = method.DecodeSignature(_names, null);
            if (signature.ParameterTypes.Length != expected.Count)
                return false;
            for (int i = 0; i < expected.Count; i++)
            {
                string real = signature.ParameterTypes[i];
                string listed = expected[i].Type;
                // Generic parameters are "!0" in metadata and a name (T, T1) in the list.
                if (real.Contains('!'))
                    continue;
                if (!string.Equals(real, listed, StringComparison.Ordinal))
                    return false;
            }
            return true;
        }
    }
}
