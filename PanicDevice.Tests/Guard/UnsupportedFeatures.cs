using System.Reflection;
using System.Reflection.Metadata;

namespace PanicDevice.Tests.Guard;

/// <summary>
/// Language features nanoFramework 1.x cannot run whatever API they call, found in the checked assembly's own
/// definitions: generic types and methods, async and iterator state machines, dynamic, P/Invoke. Each gets a
/// message saying what to write instead; the API references they drag in are reported separately.
/// </summary>
public static class UnsupportedFeatures
{
    public static IEnumerable<GuardViolation> Find(ReferenceGraph graph)
    {
        var reader = graph.Reader;
        foreach (var typeHandle in reader.TypeDefinitions)
        {
            var type = reader.GetTypeDefinition(typeHandle);
            var typeName = graph.Names.DefinitionName(typeHandle);
            if (type.GetGenericParameters().Count > 0)
                yield return new GuardViolation($"generic type {typeName}",
                    "nanoFramework 1.x has no generics (also produced by anonymous types and some lambdas); use object/ArrayList and casts",
                    Array.Empty<string>());

            foreach (var methodHandle in type.GetMethods())
            {
                var method = reader.GetMethodDefinition(methodHandle);
                var description = graph.DescribeMethod(methodHandle);
                if (method.GetGenericParameters().Count > 0)
                    yield return new GuardViolation($"generic method {description}",
                        "nanoFramework 1.x has no generics; use object parameters", Array.Empty<string>());
                foreach (var attribute in AttributeTypes(graph, method.GetCustomAttributes()))
                {
                    if (attribute == "System.Runtime.CompilerServices.AsyncStateMachineAttribute")
                        yield return new GuardViolation($"async method {description}",
                            "nanoFramework 1.x has no async/await or Task; use a Thread, a Timer or a polled state machine", Array.Empty<string>());
                    if (attribute == "System.Runtime.CompilerServices.IteratorStateMachineAttribute")
                        yield return new GuardViolation($"iterator method {description}",
                            "yield return needs IEnumerable<T>/IEnumerator<T>, which nanoFramework 1.x lacks (it has only the non-generic interfaces); write an IEnumerator class by hand",
                            Array.Empty<string>());
                }
                if ((method.Attributes & MethodAttributes.PinvokeImpl) != 0)
                    yield return new GuardViolation($"P/Invoke method {description}",
                        "nanoFramework cannot call native libraries through DllImport", Array.Empty<string>());
            }
        }

        if (graph.AssemblyReferenceNames.Contains("Microsoft.CSharp"))
            yield return new GuardViolation("dynamic", "references Microsoft.CSharp (the dynamic binder); nanoFramework has no dynamic",
                Array.Empty<string>());
    }

    private static IEnumerable<string> AttributeTypes(ReferenceGraph graph, CustomAttributeHandleCollection attributes)
    {
        foreach (var handle in attributes)
        {
            var constructor = graph.Reader.GetCustomAttribute(handle).Constructor;
            if (constructor.Kind == HandleKind.MemberReference)
                yield return graph.Member((MemberReferenceHandle)constructor).DeclaringType;
        }
    }
}
