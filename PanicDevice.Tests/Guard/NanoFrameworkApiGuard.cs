using System.Collections.Immutable;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace PanicDevice.Tests.Guard;

/// <summary>
/// Checks a compiled host assembly against the nanoFramework allow-list: every type and member it references
/// outside itself must exist on the device, or be something the device compiler would bind to another device
/// member (<see cref="DeviceBinder"/>) or not emit at all (<see cref="CompilerLowerings"/>); generic
/// instantiations and features nanoFramework 1.x lacks are rejected (<see cref="UnsupportedFeatures"/>).
/// A reference that the device build would not contain drags in nothing: the types only it mentions are not
/// required (HashAlgorithm, behind HMACSHA256.ComputeHash, is fine; a List`1 field is not).
/// </summary>
public static class NanoFrameworkApiGuard
{
    // Messages for the usual host habits, keyed by the type the host build references.
    private static readonly Dictionary<string, string> Hints = new(StringComparer.Ordinal)
    {
        ["System.Collections.Generic.List`1"] = "nanoFramework 1.x has no generics; use System.Collections.ArrayList",
        ["System.Collections.Generic.Dictionary`2"] = "nanoFramework 1.x has no generics; use System.Collections.Hashtable",
        ["System.Collections.Generic.IEnumerable`1"] = "nanoFramework 1.x has no generics; use System.Collections.IEnumerable",
        ["System.Nullable`1"] = "no Nullable<T> on nanoFramework 1.x; use a flag or a sentinel value",
        ["System.Span`1"] = "no Span<T> on nanoFramework 1.x; use arrays with offsets (System.SpanByte exists for bytes only)",
        ["System.ReadOnlySpan`1"] = "no ReadOnlySpan<T> on nanoFramework 1.x; use arrays with offsets",
        ["System.Threading.Tasks.Task"] = "no Task/async on nanoFramework 1.x; use a Thread or Timer",
        ["System.Decimal"] = "no decimal on nanoFramework; use integers in fixed units",
        ["System.Linq.Enumerable"] = "no LINQ on nanoFramework; write the loop",
    };

    public static GuardReport Check(string assemblyPath, DeviceApi api) => Check(File.ReadAllBytes(assemblyPath), api);

    public static GuardReport Check(byte[] image, DeviceApi api)
    {
        using var pe = new PEReader(ImmutableArray.Create(image));
        var graph = new ReferenceGraph(pe, HostOnlyAssemblyAttributes.Contains);
        var binder = new DeviceBinder(api, new HostTypes(graph.AssemblyReferenceNames), graph.ReferencedTypeNames);
        var lowerings = new CompilerLowerings(api);
        var verdicts = new ReferenceVerdicts();

        JudgeMemberReferences(graph, binder, lowerings, verdicts);
        JudgeMethodSpecifications(graph, binder, verdicts);
        JudgeTypeSpecifications(graph, verdicts);
        JudgeTypeReferences(graph, api, verdicts);

        var required = Required(graph, lowerings, verdicts);
        var violations = UnsupportedFeatures.Find(graph)
            .Concat(verdicts.ViolationsAmong(required).OrderBy(v => v.Subject, StringComparer.Ordinal))
            .ToList();
        var mappings = verdicts.MappingsAmong(required).Distinct().OrderBy(m => m.HostReference, StringComparer.Ordinal).ToList();
        var packages = required.Where(h => h.Kind == HandleKind.TypeReference)
            .Select(h => api.Find(graph.Names.ReferenceName((TypeReferenceHandle)h))?.Package)
            .Concat(verdicts.TargetsAmong(required).Select(m => m.DeclaringType.Package))
            .Where(p => p != null)
            .Distinct(StringComparer.Ordinal)
            .OrderBy(p => p, StringComparer.Ordinal)
            .ToList();
        return new GuardReport(violations, mappings, graph.IgnoredAssemblyAttributes, packages);
    }

    private static void JudgeMemberReferences(ReferenceGraph graph, DeviceBinder binder, CompilerLowerings lowerings, ReferenceVerdicts verdicts)
    {
        foreach (var reference in graph.MemberReferences)
        {
            var handle = (EntityHandle)reference.Handle;
            if (reference.Parent.Kind is HandleKind.TypeDefinition or HandleKind.MethodDefinition or HandleKind.ModuleReference)
                continue; // the checked assembly's own members: nothing to find on the device

            // A generic method is used through its instantiations, so their sites count as its sites.
            var sites = graph.SitesOf(handle)
                .Concat(graph.UsersOf(handle).Where(u => u.Kind == HandleKind.MethodSpecification).SelectMany(graph.SitesOf))
                .ToList();
            var lowering = lowerings.TryLower(reference, sites, s => graph.EventAccessors.Contains(s.Method));
            if (lowering != null)
            {
                var device = lowering.DeviceMembers.Count == 0 ? "(nothing)" : string.Join(" + ", lowering.DeviceMembers);
                verdicts.Replaced(handle, new DeviceMapping(reference.Display, device, "compiler lowering: " + lowering.Description), lowering.DeviceMembers);
                continue;
            }

            var binding = binder.Bind(reference, sites.Any(s => s.IsStore), out var whyNot);
            if (binding == null)
                verdicts.Rejected(handle, new GuardViolation($"member {reference.Display}", whyNot, graph.WhereUsed(handle)));
            else if (binding.IsExact)
                verdicts.Bound(handle, binding.Target);
            else
                verdicts.Replaced(handle, new DeviceMapping(reference.Display, binding.Target.ToString(), binding.Rule), new[] { binding.Target });
        }
    }

    private static void JudgeMethodSpecifications(ReferenceGraph graph, DeviceBinder binder, ReferenceVerdicts verdicts)
    {
        var count = graph.Reader.GetTableRowCount(TableIndex.MethodSpec);
        for (var row = 1; row <= count; row++)
        {
            var handle = MetadataTokens.MethodSpecificationHandle(row);
            var spec = graph.Reader.GetMethodSpecification(handle);
            if (verdicts.IsAbsentOnDevice(spec.Method))
            {
                // Instantiations of a lowered generic method go with it; the device build has neither.
                verdicts.Replaced(handle, verdicts.MappingOf(spec.Method), verdicts.TargetsOf(spec.Method));
                continue;
            }
            var arguments = spec.DecodeSignature(graph.Names, null);
            var generic = spec.Method.Kind == HandleKind.MemberReference ? graph.Member((MemberReferenceHandle)spec.Method) : null;

            // The host library often has a generic overload the host compiler prefers (Array.IndexOf<T>(T[], T));
            // the device compiler, with no generics, binds the same call to a non-generic overload
            // (Array.IndexOf(Array, Object)). Judge the concrete call with the usual binding rules.
            if (generic != null)
            {
                var concrete = generic.Instantiate(arguments);
                var binding = binder.Bind(concrete, graph.SitesOf(handle).Any(s => s.IsStore), out _);
                if (binding != null)
                {
                    verdicts.Replaced(handle, new DeviceMapping($"{concrete.Display} (generic {generic.Display})", binding.Target.ToString(),
                        "the device has no generics and binds the non-generic overload" + (binding.IsExact ? "" : "; " + binding.Rule)),
                        new[] { binding.Target });
                    continue;
                }
            }

            var method = generic?.Display ?? graph.DescribeMethod((MethodDefinitionHandle)spec.Method);
            verdicts.Rejected(handle, new GuardViolation($"generic method instantiation {method} with <{string.Join(", ", arguments.Select(TypeNames.ToShort))}>",
                "nanoFramework 1.x has no generics", graph.WhereUsed(handle)));
        }
    }

    private static void JudgeTypeSpecifications(ReferenceGraph graph, ReferenceVerdicts verdicts)
    {
        var count = graph.Reader.GetTableRowCount(TableIndex.TypeSpec);
        for (var row = 1; row <= count; row++)
        {
            var handle = MetadataTokens.TypeSpecificationHandle(row);
            var name = graph.Names.SpecificationName(handle);
            if (name.Contains("[,", StringComparison.Ordinal))
                verdicts.Rejected(handle, new GuardViolation($"multi-dimensional array {TypeNames.ToShort(name)}",
                    "not in the nanoFramework API; use a jagged array (T[][]) or index a T[] by hand", graph.WhereUsed(handle)));
            else if (name.Contains('<'))
            {
                var generic = name.Substring(0, name.IndexOf('<'));
                verdicts.Rejected(handle, new GuardViolation($"generic instantiation {TypeNames.ToShort(name)}",
                    Hints.TryGetValue(generic, out var hint) ? hint : "nanoFramework 1.x has no generics", graph.WhereUsed(handle)));
            }
        }
    }

    private static void JudgeTypeReferences(ReferenceGraph graph, DeviceApi api, ReferenceVerdicts verdicts)
    {
        foreach (var handle in graph.Reader.TypeReferences)
        {
            var name = graph.Names.ReferenceName(handle);
            if (api.Find(name) != null)
                continue;
            verdicts.Rejected(handle, new GuardViolation($"type {name}",
                api.WhyAbsent(name) + (Hints.TryGetValue(name, out var hint) ? "; " + hint : ""), graph.WhereUsed(handle)));
        }
    }

    /// <summary>
    /// The references the device build would also contain: those the assembly's own definitions use, and what
    /// those depend on, except through references the device compiler binds or lowers differently.
    /// </summary>
    private static HashSet<EntityHandle> Required(ReferenceGraph graph, CompilerLowerings lowerings, ReferenceVerdicts verdicts)
    {
        var required = new HashSet<EntityHandle>();
        var queue = new Queue<EntityHandle>();
        foreach (var handle in graph.DirectlyUsed)
        {
            var onlyLoweringLocals = handle.Kind == HandleKind.TypeReference && graph.SitesOf(handle).All(s => s.IsLocals)
                && lowerings.IsLoweringOnlyLocalType(graph.Names.ReferenceName((TypeReferenceHandle)handle));
            if (!onlyLoweringLocals)
                queue.Enqueue(handle);
        }
        while (queue.Count > 0)
        {
            var handle = queue.Dequeue();
            if (!required.Add(handle) || verdicts.IsAbsentOnDevice(handle))
                continue;
            foreach (var dependency in graph.DependenciesOf(handle))
                queue.Enqueue(dependency);
        }
        return required;
    }
}
