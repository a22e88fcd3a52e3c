using System.Collections.Immutable;
using System.Reflection.Metadata;

namespace PanicDevice.Tests.Guard;

/// <summary>
/// Decodes metadata signatures into full type names ("System.Byte[]", "ref System.Int32",
/// "System.Collections.Generic.List`1&lt;System.Int32&gt;", "!0" for generic parameters) and remembers which
/// TypeRef/TypeSpec rows a signature touched, so the guard knows who uses each referenced type.
/// </summary>
public sealed class SignatureTypeNames : ISignatureTypeProvider<string, object>
{
    private readonly MetadataReader _reader;
    private List<EntityHandle> _touched;
    private int _nested;

    public SignatureTypeNames(MetadataReader reader) => _reader = reader;

    /// <summary>Runs a decode and returns its result together with the type rows it referenced directly.</summary>
    public T Decode<T>(Func<SignatureTypeNames, T> decode, out IReadOnlyList<EntityHandle> touched)
    {
        var previous = _touched;
        var list = new List<EntityHandle>();
        _touched = list;
        try
        {
            var result = decode(this);
            touched = list;
            return result;
        }
        finally
        {
            _touched = previous;
        }
    }

    public string TypeName(EntityHandle handle) => handle.Kind switch
    {
        HandleKind.TypeReference => ReferenceName((TypeReferenceHandle)handle),
        HandleKind.TypeDefinition => DefinitionName((TypeDefinitionHandle)handle),
        HandleKind.TypeSpecification => SpecificationName((TypeSpecificationHandle)handle),
        _ => handle.Kind.ToString(),
    };

    public string ReferenceName(TypeReferenceHandle handle)
    {
        var reference = _reader.GetTypeReference(handle);
        var name = _reader.GetString(reference.Name);
        if (reference.ResolutionScope.Kind == HandleKind.TypeReference)
            return ReferenceName((TypeReferenceHandle)reference.ResolutionScope) + "+" + name;
        var ns = _reader.GetString(reference.Namespace);
        return ns.Length == 0 ? name : ns + "." + name;
    }

    public string DefinitionName(TypeDefinitionHandle handle)
    {
        var definition = _reader.GetTypeDefinition(handle);
        var name = _reader.GetString(definition.Name);
        var declaring = definition.GetDeclaringType();
        if (!declaring.IsNil)
            return DefinitionName(declaring) + "+" + name;
        var ns = _reader.GetString(definition.Namespace);
        return ns.Length == 0 ? name : ns + "." + name;
    }

    public string SpecificationName(TypeSpecificationHandle handle)
    {
        _nested++;
        try
        {
            return _reader.GetTypeSpecification(handle).DecodeSignature(this, null);
        }
        finally
        {
            _nested--;
        }
    }

    private void Touch(EntityHandle handle)
    {
        if (_nested == 0)
            _touched?.Add(handle);
    }

    public string GetPrimitiveType(PrimitiveTypeCode typeCode) => "System." + typeCode;

    public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) =>
        DefinitionName(handle);

    public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind)
    {
        Touch(handle);
        return ReferenceName(handle);
    }

    public string GetTypeFromSpecification(MetadataReader reader, object genericContext, TypeSpecificationHandle handle, byte rawTypeKind)
    {
        Touch(handle);
        return SpecificationName(handle);
    }

    public string GetSZArrayType(string elementType) => elementType + "[]";

    public string GetArrayType(string elementType, ArrayShape shape) =>
        elementType + "[" + new string(',', Math.Max(shape.Rank - 1, 0)) + "]";

    public string GetByReferenceType(string elementType) => "ref " + elementType;

    public string GetPointerType(string elementType) => elementType + "*";

    public string GetPinnedType(string elementType) => elementType;

    public string GetModifiedType(string modifier, string unmodifiedType, bool isRequired) => unmodifiedType;

    public string GetGenericInstantiation(string genericType, ImmutableArray<string> typeArguments) =>
        genericType + "<" + string.Join(",", typeArguments) + ">";

    public string GetGenericTypeParameter(object genericContext, int index) => "!" + index;

    public string GetGenericMethodParameter(object genericContext, int index) => "!!" + index;

    public string GetFunctionPointerType(MethodSignature<string> signature) => "method*";
}
