using System.Text.RegularExpressions;

namespace PanicDevice.Tests.Guard;

/// <summary>Reads the allow-list format described at the top of firmware/PanicDevice.Core/nanoframework-api.txt.</summary>
public static class DeviceApiParser
{
    private static readonly Regex TypeLine = new(@"^(class|struct|interface|enum|delegate) (\S+)(?: : (\S+))?$");
    private static readonly Regex PackageLine = new(@"^# package: (\S+)");
    private static readonly Regex PropertyLine = new(@"^(?<type>\S+) (?<name>[^\s\[]+)(?:\[(?<index>[^\]]*)\])? \{ (?<acc>(?:get; )?(?:set; )?)\}$");
    private static readonly Regex MethodLine = new(@"^(?<type>\S+) (?<name>[^\s(<]+)(?:<[^>]*>)?\((?<params>.*)\)$");
    private static readonly Regex FieldLine = new(@"^(?<type>\S+) (?<name>\S+)$");

    public static DeviceApi Parse(string text)
    {
        var types = new List<DeviceType>();
        DeviceType current = null;
        string assembly = null, package = null;
        var lineNumber = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            var line = raw.TrimEnd('\r');
            if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                assembly = line.Substring(3).Trim();
                package = null;
                current = null;
                continue;
            }
            var packageMatch = PackageLine.Match(line);
            if (packageMatch.Success)
            {
                package = packageMatch.Groups[1].Value;
                continue;
            }
            if (line.Length == 0 || line.StartsWith("#", StringComparison.Ordinal))
                continue;
            try
            {
                if (!line.StartsWith(" ", StringComparison.Ordinal))
                {
                    var m = TypeLine.Match(line);
                    if (!m.Success)
                        throw new FormatException("expected a type line");
                    var kind = m.Groups[1].Value;
                    var fullName = m.Groups[2].Value;
                    var baseType = m.Groups[3].Success ? m.Groups[3].Value : ImpliedBase(kind, fullName);
                    current = new DeviceType(fullName, kind, baseType, assembly, package);
                    types.Add(current);
                }
                else
                {
                    if (current == null)
                        throw new FormatException("member line before any type line");
                    var member = ParseMember(current, line.Trim());
                    if (member != null)
                        current.Add(member);
                }
            }
            catch (FormatException e)
            {
                throw new FormatException($"allow-list line {lineNumber}: {e.Message}: '{line}'", e);
            }
        }
        return new DeviceApi(types);
    }

    private static string ImpliedBase(string kind, string fullName) => kind switch
    {
        _ when fullName == TypeNames.Object => null,
        "struct" => "System.ValueType",
        "enum" => "System.Enum",
        "delegate" => "System.MulticastDelegate",
        "interface" => null,
        _ => TypeNames.Object,
    };

    private static DeviceMember ParseMember(DeviceType type, string line)
    {
        var text = line;
        if (text.StartsWith("values:", StringComparison.Ordinal))
            return new DeviceMember { DeclaringType = type, Kind = DeviceMemberKind.EnumValues, Name = "values", Line = line };
        text = StripWord(text, "protected", out _);
        text = StripWord(text, "static", out var isStatic);
        text = StripWord(text, "const", out var isConst);

        if (text.StartsWith(".ctor(", StringComparison.Ordinal) && text.EndsWith(")", StringComparison.Ordinal))
            return new DeviceMember
            {
                DeclaringType = type, Kind = DeviceMemberKind.Constructor, Name = ".ctor", IsStatic = false,
                Type = "System.Void", Parameters = ParseParameters(text.Substring(6, text.Length - 7)), Line = line,
            };

        text = StripWord(text, "event", out var isEvent);
        if (isEvent)
        {
            var e = FieldLine.Match(text);
            if (!e.Success)
                throw new FormatException("malformed event");
            return new DeviceMember
            {
                DeclaringType = type, Kind = DeviceMemberKind.Event, Name = e.Groups["name"].Value, IsStatic = isStatic,
                Type = TypeNames.ToFull(e.Groups["type"].Value), Line = line,
            };
        }

        var p = PropertyLine.Match(text);
        if (p.Success)
        {
            var accessors = p.Groups["acc"].Value;
            return new DeviceMember
            {
                DeclaringType = type, Kind = DeviceMemberKind.Property, Name = p.Groups["name"].Value, IsStatic = isStatic,
                Type = TypeNames.ToFull(p.Groups["type"].Value),
                Parameters = p.Groups["index"].Success ? ParseParameters(p.Groups["index"].Value) : Array.Empty<DeviceParameter>(),
                HasGetter = accessors.Contains("get;"), HasSetter = accessors.Contains("set;"), Line = line,
            };
        }

        var m = MethodLine.Match(text);
        if (m.Success)
            return new DeviceMember
            {
                DeclaringType = type, Kind = DeviceMemberKind.Method, Name = m.Groups["name"].Value, IsStatic = isStatic,
                Type = TypeNames.ToFull(m.Groups["type"].Value), Parameters = ParseParameters(m.Groups["params"].Value), Line = line,
            };

        var f = FieldLine.Match(text);
        if (f.Success)
            return new DeviceMember
            {
                DeclaringType = type, Kind = DeviceMemberKind.Field, Name = f.Groups["name"].Value, IsStatic = isStatic || isConst,
                Type = TypeNames.ToFull(f.Groups["type"].Value), Line = line,
            };

        throw new FormatException("unrecognised member");
    }

    private static IReadOnlyList<DeviceParameter> ParseParameters(string text)
    {
        var result = new List<DeviceParameter>();
        foreach (var part in TypeNames.SplitTopLevel(text, ','))
        {
            if (part.Length == 0)
                continue;
            var p = part;
            var isOptional = false;
            var eq = p.IndexOf(" = ", StringComparison.Ordinal);
            if (eq >= 0)
            {
                isOptional = true;
                p = p.Substring(0, eq);
            }
            p = StripWord(p, "params", out var isParams);
            p = StripWord(p, "ref", out var isRef);
            p = StripWord(p, "out", out var isOut);
            p = StripWord(p, "in", out var isIn);
            var typeName = TypeNames.ToFull(p);
            result.Add(new DeviceParameter(isRef || isOut || isIn ? "ref " + typeName : typeName, isParams, isOptional));
        }
        return result;
    }

    private static string StripWord(string text, string word, out bool found)
    {
        found = text.StartsWith(word + " ", StringComparison.Ordinal);
        return found ? text.Substring(word.Length + 1) : text;
    }
}
