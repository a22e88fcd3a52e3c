using System.Text.RegularExpressions;

namespace PanicDevice.Tests.Guard;

/// <summary>One allowed member: its name and, for methods and constructors, its parameter types (simple names).</summary>
public sealed record AllowedMember(string Name, string[]? Parameters, bool IsProperty, bool IsEvent, string Text);

/// <summary>One allowed type and the package section it comes from.</summary>
public sealed class AllowedType
{
    public required string FullName { get; init; }
    public required string Section { get; init; }
    public List<AllowedMember> Members { get; } = new();
}

/// <summary>The parsed firmware/PanicDevice.Core/nanoframework-api.txt.</summary>
public sealed class NanoApiAllowList
{
    public Dictionary<string, AllowedType> Types { get; } = new(StringComparer.Ordinal);

    public int MemberCount => Types.Values.Sum(t => t.Members.Count);

    private static readonly Regex TypeLine = new(@"^(class|struct|enum|interface|delegate) ([\w.`+]+)(?:\s+@(\S+))?\s*$");
    private static readonly Regex MethodLine = new(@"^(?:static )?(?:const )?(?:[\w.`\[\]+]+ )?([\w.]+|\.ctor)\(([^)]*)\)$");
    private static readonly Regex PropertyLine = new(@"^(?:static )?[\w.`\[\]+]+ (\w+) \{ ");
    private static readonly Regex EventLine = new(@"^(?:static )?event [\w.`\[\]+]+ (\w+)$");
    private static readonly Regex FieldLine = new(@"^(?:static )?(?:const )?[\w.`\[\]+]+ (\w+)$");

    public static NanoApiAllowList Parse(string text)
    {
        var list = new NanoApiAllowList();
        string section = "";
        AllowedType? current = null;
        int lineNo = 0;
        foreach (string raw in text.Split('\n'))
        {
            lineNo++;
            string line = raw.TrimEnd('\r');
            if (line.Length == 0 || (line.StartsWith('#') && !line.StartsWith("## ")))
            {
                continue;
            }
            if (line.StartsWith("## "))
            {
                section = line[3..].Trim();
                current = null;
                continue;
            }
            Match t = TypeLine.Match(line);
            if (t.Success)
            {
                string name = t.Groups[2].Value;
                if (!list.Types.TryGetValue(name, out current))
                {
                    current = new AllowedType { FullName = name, Section = t.Groups[3].Success ? t.Groups[3].Value : section };
                    list.Types.Add(name, current);
                }
                continue;
            }
            if (current == null || !line.StartsWith("  "))
            {
                throw new FormatException("allow-list line " + lineNo + " is neither a type nor a member: " + line);
            }
            string m = line.Trim();
            if (m.StartsWith("values:"))
            {
                foreach (string v in m["values:".Length..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                {
                    current.Members.Add(new AllowedMember(v, null, false, false, m));
                }
                continue;
            }
            Match e = EventLine.Match(m);
            if (e.Success)
            {
                current.Members.Add(new AllowedMember(e.Groups[1].Value, null, false, true, m));
                continue;
            }
            Match p = PropertyLine.Match(m);
            if (p.Success)
            {
                current.Members.Add(new AllowedMember(p.Groups[1].Value, null, true, false, m));
                continue;
            }
            Match me = MethodLine.Match(m);
            if (me.Success)
            {
                string[] parameters = me.Groups[2].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                    .Select(SimpleName).ToArray();
                current.Members.Add(new AllowedMember(me.Groups[1].Value, parameters, false, false, m));
                continue;
            }
            Match f = FieldLine.Match(m);
            if (f.Success)
            {
                current.Members.Add(new AllowedMember(f.Groups[1].Value, null, false, false, m));
                continue;
            }
            throw new FormatException("allow-list line " + lineNo + " is not a member this parser understands: " + line);
        }
        return list;
    }

    /// <summary>"out Collections.IEnumerator" → "IEnumerator"; "System.Byte[]" → "Byte[]".</summary>
    public static string SimpleName(string type)
    {
        string t = type.Trim();
        foreach (string prefix in new[] { "out ", "ref ", "params ", "in " })
        {
            if (t.StartsWith(prefix, StringComparison.Ordinal)) t = t[prefix.Length..];
        }
        string suffix = "";
        while (t.EndsWith("[]", StringComparison.Ordinal))
        {
            suffix += "[]";
            t = t[..^2];
        }
        int dot = t.LastIndexOf('.');
        return (dot >= 0 ? t[(dot + 1)..] : t) + suffix;
    }
}
