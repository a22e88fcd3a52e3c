using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace PanicDevice.Tests.Guard;

/// <summary>A place in the checked assembly's own code that uses a referenced type or member.</summary>
public sealed record UseSite(string Description, MethodDefinitionHandle Method = default, bool IsLocals = false, bool IsStore = false)
{
    public override string ToString() => Description;
}

/// <summary>A MemberRef row: a method, constructor, accessor or field of another assembly.</summary>
public sealed record HostMemberReference(
    MemberReferenceHandle Handle,
    EntityHandle Parent,
    string DeclaringType,
    string Name,
    bool IsField,
    bool IsStatic,
    int GenericArity,
    string ReturnType,
    IReadOnlyList<string> ParameterTypes)
{
    /// <summary>
    /// The same reference with a generic method's type parameters replaced by an instantiation's arguments, as
    /// the concrete call the source made.
    /// </summary>
    public HostMemberReference Instantiate(IReadOnlyList<string> typeArguments)
    {
        string Substitute(string type) => System.Text.RegularExpressions.Regex.Replace(type, @"!!(\d+)", m => typeArguments[int.Parse(m.Groups[1].Value)]);
        return this with
        {
            GenericArity = 0,
            ReturnType = Substitute(ReturnType),
            ParameterTypes = ParameterTypes.Select(Substitute).ToList(),
        };
    }

    public string Display => IsField
        ? $"{TypeNames.ToShort(DeclaringType)}::{Name} (field of type {TypeNames.ToShort(ReturnType)})"
        : $"{TypeNames.ToShort(DeclaringType)}::{Name}{(GenericArity > 0 ? "<" + new string(',', GenericArity - 1) + ">" : "")}({string.Join(", ", ParameterTypes.Select(TypeNames.ToShort))})";
}

/// <summary>
/// Everything the checked assembly references outside itself (TypeRef, TypeSpec, MemberRef, MethodSpec rows),
/// what each of those rows depends on, and which of the assembly's own definitions use them.
/// </summary>
public sealed class ReferenceGraph
{
    private readonly Dictionary<EntityHandle, List<EntityHandle>> _dependencies = new();
    private readonly Dictionary<EntityHandle, List<EntityHandle>> _users = new();
    private readonly Dictionary<EntityHandle, List<UseSite>> _sites = new();
    private readonly Dictionary<MemberReferenceHandle, HostMemberReference> _members = new();
    private readonly List<string> _ignoredAssemblyAttributes = new();

    public ReferenceGraph(PEReader pe, Func<string, bool> isHostOnlyAssemblyAttribute)
    {
        Reader = pe.GetMetadataReader();
        Names = new SignatureTypeNames(Reader);
        ReadTypeSpecifications();
        ReadMemberReferences();
        ReadMethodSpecifications();
        ReadDefinitions(pe);
        ReadAssemblyAttributes(isHostOnlyAssemblyAttribute);
    }

    public MetadataReader Reader { get; }
    public SignatureTypeNames Names { get; }
    public IReadOnlyCollection<HostMemberReference> MemberReferences => _members.Values;
    public IReadOnlyList<string> IgnoredAssemblyAttributes => _ignoredAssemblyAttributes;
    public HashSet<MethodDefinitionHandle> EventAccessors { get; } = new();

    public HostMemberReference Member(MemberReferenceHandle handle) => _members.TryGetValue(handle, out var m) ? m : null;

    public IReadOnlyList<EntityHandle> DependenciesOf(EntityHandle handle) =>
        _dependencies.TryGetValue(handle, out var list) ? list : (IReadOnlyList<EntityHandle>)Array.Empty<EntityHandle>();

    public IReadOnlyList<EntityHandle> UsersOf(EntityHandle handle) =>
        _users.TryGetValue(handle, out var list) ? list : (IReadOnlyList<EntityHandle>)Array.Empty<EntityHandle>();

    public IReadOnlyList<UseSite> SitesOf(EntityHandle handle) =>
        _sites.TryGetValue(handle, out var list) ? list : (IReadOnlyList<UseSite>)Array.Empty<UseSite>();

    /// <summary>Referenced rows used directly by the assembly's own definitions.</summary>
    public IEnumerable<EntityHandle> DirectlyUsed => _sites.Keys;

    public IEnumerable<string> ReferencedTypeNames =>
        Reader.TypeReferences.Select(h => Names.ReferenceName(h)).Distinct(StringComparer.Ordinal);

    public IEnumerable<string> AssemblyReferenceNames =>
        Reader.AssemblyReferences.Select(h => Reader.GetString(Reader.GetAssemblyReference(h).Name));

    /// <summary>Names of the own definitions that use a row, following rows that use it (for messages).</summary>
    public IReadOnlyList<string> WhereUsed(EntityHandle handle, int max = 4)
    {
        var result = new List<string>();
        var seen = new HashSet<EntityHandle>();
        var queue = new Queue<EntityHandle>();
        queue.Enqueue(handle);
        while (queue.Count > 0 && result.Count < max)
        {
            var h = queue.Dequeue();
            if (!seen.Add(h))
                continue;
            foreach (var site in SitesOf(h))
                if (result.Count < max && !result.Contains(site.Description))
                    result.Add(site.Description);
            foreach (var user in UsersOf(h))
                queue.Enqueue(user);
        }
        return result;
    }

    public string DescribeMethod(MethodDefinitionHandle handle)
    {
        var method = Reader.GetMethodDefinition(handle);
        var owner = Names.DefinitionName(method.GetDeclaringType());
        string parameters;
        try
        {
            var signature = method.DecodeSignature(Names, null);
            parameters = string.Join(", ", signature.ParameterTypes.Select(TypeNames.ToShort));
        }
        catch (BadImageFormatException)
        {
            parameters = "?";
        }
        return $"{owner}.{Reader.GetString(method.Name)}({parameters})";
    }

    private void Depend(EntityHandle user, EntityHandle used)
    {
        if (!IsReference(used))
            return;
        if (!_dependencies.TryGetValue(user, out var deps))
            _dependencies[user] = deps = new List<EntityHandle>();
        deps.Add(used);
        if (!_users.TryGetValue(used, out var users))
            _users[used] = users = new List<EntityHandle>();
        users.Add(user);
    }

    private void Use(EntityHandle used, UseSite site)
    {
        if (!IsReference(used))
            return;
        if (!_sites.TryGetValue(used, out var list))
            _sites[used] = list = new List<UseSite>();
        list.Add(site);
    }

    private static bool IsReference(EntityHandle handle) => handle.Kind is HandleKind.TypeReference
        or HandleKind.TypeSpecification or HandleKind.MemberReference or HandleKind.MethodSpecification;

    private void ReadTypeSpecifications()
    {
        var count = Reader.GetTableRowCount(TableIndex.TypeSpec);
        for (var row = 1; row <= count; row++)
        {
            var handle = MetadataTokens.TypeSpecificationHandle(row);
            Names.Decode(n => Reader.GetTypeSpecification(handle).DecodeSignature(n, null), out var touched);
            foreach (var t in touched)
                Depend(handle, t);
        }
    }

    private void ReadMemberReferences()
    {
        foreach (var handle in Reader.MemberReferences)
        {
            var reference = Reader.GetMemberReference(handle);
            var name = Reader.GetString(reference.Name);
            var parent = reference.Parent;
            Depend(handle, parent);
            var declaringType = parent.Kind switch
            {
                HandleKind.TypeReference or HandleKind.TypeDefinition or HandleKind.TypeSpecification => Names.TypeName(parent),
                HandleKind.MethodDefinition => Names.DefinitionName(Reader.GetMethodDefinition((MethodDefinitionHandle)parent).GetDeclaringType()),
                _ => "<module>",
            };
            IReadOnlyList<EntityHandle> touched;
            if (reference.GetKind() == MemberReferenceKind.Field)
            {
                var fieldType = Names.Decode(n => reference.DecodeFieldSignature(n, null), out touched);
                _members[handle] = new HostMemberReference(handle, parent, declaringType, name, true, false, 0, fieldType, Array.Empty<string>());
            }
            else
            {
                var signature = Names.Decode(n => reference.DecodeMethodSignature(n, null), out touched);
                _members[handle] = new HostMemberReference(handle, parent, declaringType, name, false,
                    !signature.Header.IsInstance, signature.GenericParameterCount, signature.ReturnType, signature.ParameterTypes);
            }
            foreach (var t in touched)
                Depend(handle, t);
        }
    }

    private void ReadMethodSpecifications()
    {
        var count = Reader.GetTableRowCount(TableIndex.MethodSpec);
        for (var row = 1; row <= count; row++)
        {
            var handle = MetadataTokens.MethodSpecificationHandle(row);
            var spec = Reader.GetMethodSpecification(handle);
            Depend(handle, spec.Method);
            Names.Decode(n => spec.DecodeSignature(n, null), out var touched);
            foreach (var t in touched)
                Depend(handle, t);
        }
    }

    private void ReadDefinitions(PEReader pe)
    {
        foreach (var typeHandle in Reader.TypeDefinitions)
        {
            var type = Reader.GetTypeDefinition(typeHandle);
            var typeName = Names.DefinitionName(typeHandle);
            if (!type.BaseType.IsNil)
                Use(type.BaseType, new UseSite($"{typeName} (base type)"));
            foreach (var i in type.GetInterfaceImplementations())
                Use(Reader.GetInterfaceImplementation(i).Interface, new UseSite($"{typeName} (implemented interface)"));
            UseAttributes(type.GetCustomAttributes(), $"attribute on {typeName}");

            foreach (var fieldHandle in type.GetFields())
            {
                var field = Reader.GetFieldDefinition(fieldHandle);
                var description = $"{typeName}.{Reader.GetString(field.Name)} (field)";
                Names.Decode(n => field.DecodeSignature(n, null), out var touched);
                foreach (var t in touched)
                    Use(t, new UseSite(description));
                UseAttributes(field.GetCustomAttributes(), $"attribute on {description}");
            }

            foreach (var methodHandle in type.GetMethods())
                ReadMethod(pe, methodHandle);

            foreach (var propertyHandle in type.GetProperties())
            {
                var property = Reader.GetPropertyDefinition(propertyHandle);
                var description = $"{typeName}.{Reader.GetString(property.Name)} (property)";
                Names.Decode(n => property.DecodeSignature(n, null), out var touched);
                foreach (var t in touched)
                    Use(t, new UseSite(description));
                UseAttributes(property.GetCustomAttributes(), $"attribute on {description}");
            }

            foreach (var eventHandle in type.GetEvents())
            {
                var ev = Reader.GetEventDefinition(eventHandle);
                var description = $"{typeName}.{Reader.GetString(ev.Name)} (event)";
                Use(ev.Type, new UseSite(description));
                UseAttributes(ev.GetCustomAttributes(), $"attribute on {description}");
                var accessors = ev.GetAccessors();
                if (!accessors.Adder.IsNil) EventAccessors.Add(accessors.Adder);
                if (!accessors.Remover.IsNil) EventAccessors.Add(accessors.Remover);
            }

            foreach (var implHandle in type.GetMethodImplementations())
            {
                var impl = Reader.GetMethodImplementation(implHandle);
                Use(impl.MethodDeclaration, new UseSite($"{typeName} (explicit implementation of an inherited member)"));
            }
        }
    }

    private void ReadMethod(PEReader pe, MethodDefinitionHandle methodHandle)
    {
        var method = Reader.GetMethodDefinition(methodHandle);
        var description = DescribeMethod(methodHandle);
        Names.Decode(n => method.DecodeSignature(n, null), out var touched);
        foreach (var t in touched)
            Use(t, new UseSite($"{description} (signature)", methodHandle));
        UseAttributes(method.GetCustomAttributes(), $"attribute on {description}");
        foreach (var p in method.GetParameters())
            UseAttributes(Reader.GetParameter(p).GetCustomAttributes(), $"attribute on a parameter of {description}");
        if (method.RelativeVirtualAddress == 0)
            return;

        var body = pe.GetMethodBody(method.RelativeVirtualAddress);
        if (!body.LocalSignature.IsNil)
        {
            var locals = Reader.GetStandaloneSignature(body.LocalSignature);
            Names.Decode(n => locals.DecodeLocalSignature(n, null), out var localTypes);
            foreach (var t in localTypes)
                Use(t, new UseSite($"{description} (local variable)", methodHandle, IsLocals: true));
        }
        foreach (var (token, isStore) in ILTokens.Read(body.GetILBytes()))
        {
            var handle = MetadataTokens.EntityHandle(token);
            if (handle.Kind == HandleKind.StandaloneSignature)
            {
                var signature = Reader.GetStandaloneSignature((StandaloneSignatureHandle)handle);
                Names.Decode(n => signature.DecodeMethodSignature(n, null), out var calliTypes);
                foreach (var t in calliTypes)
                    Use(t, new UseSite(description, methodHandle));
                continue;
            }
            Use(handle, new UseSite(description, methodHandle, IsStore: isStore));
        }
    }

    private void UseAttributes(CustomAttributeHandleCollection attributes, string description)
    {
        foreach (var handle in attributes)
            Use(Reader.GetCustomAttribute(handle).Constructor, new UseSite(description));
    }

    private void ReadAssemblyAttributes(Func<string, bool> isHostOnly)
    {
        var attributes = Reader.GetAssemblyDefinition().GetCustomAttributes()
            .Concat(Reader.GetModuleDefinition().GetCustomAttributes());
        foreach (var handle in attributes)
        {
            var constructor = Reader.GetCustomAttribute(handle).Constructor;
            var typeName = constructor.Kind == HandleKind.MemberReference
                ? Member((MemberReferenceHandle)constructor).DeclaringType
                : Names.DefinitionName(Reader.GetMethodDefinition((MethodDefinitionHandle)constructor).GetDeclaringType());
            if (isHostOnly(typeName))
                _ignoredAssemblyAttributes.Add(typeName);
            else
                Use(constructor, new UseSite($"assembly attribute {TypeNames.ToShort(typeName)}"));
        }
    }
}
