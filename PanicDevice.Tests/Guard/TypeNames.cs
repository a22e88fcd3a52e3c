namespace PanicDevice.Tests.Guard;

/// <summary>
/// Converts between the two spellings of a type name the guard meets: full names ("System.Text.StringBuilder",
/// used internally and read from metadata) and the allow-list's short names, which drop "System."
/// ("Text.StringBuilder", "Int32[]"). By-reference types are written "ref T" in both (out and in are refs in IL).
/// </summary>
public static class TypeNames
{
    public const string Object = "System.Object";

    public static string ToFull(string shortName)
    {
        var name = shortName.Trim();
        if (name.StartsWith("ref ", StringComparison.Ordinal))
            return "ref " + ToFull(name.Substring(4));
        if (name.EndsWith("]", StringComparison.Ordinal))
        {
            var open = name.LastIndexOf('[');
            return ToFull(name.Substring(0, open)) + name.Substring(open);
        }
        if (name.EndsWith("*", StringComparison.Ordinal))
            return ToFull(name.Substring(0, name.Length - 1)) + "*";
        var lt = name.IndexOf('<');
        if (lt > 0 && name.EndsWith(">", StringComparison.Ordinal))
        {
            var args = SplitTopLevel(name.Substring(lt + 1, name.Length - lt - 2), ',');
            return ToFull(name.Substring(0, lt)) + "<" + string.Join(",", args.Select(ToFull)) + ">";
        }
        if (name.StartsWith("System.", StringComparison.Ordinal) || name.StartsWith("nanoFramework.", StringComparison.Ordinal))
            return name;
        return "System." + name;
    }

    public static string ToShort(string fullName)
    {
        if (fullName.StartsWith("ref ", StringComparison.Ordinal))
            return "ref " + ToShort(fullName.Substring(4));
        var lt = fullName.IndexOf('<');
        if (lt > 0 && fullName.EndsWith(">", StringComparison.Ordinal))
        {
            var args = SplitTopLevel(fullName.Substring(lt + 1, fullName.Length - lt - 2), ',');
            return ToShort(fullName.Substring(0, lt)) + "<" + string.Join(", ", args.Select(ToShort)) + ">";
        }
        return fullName.StartsWith("System.", StringComparison.Ordinal) ? fullName.Substring(7) : fullName;
    }

    public static string ElementOfArray(string fullName) =>
        fullName.EndsWith("[]", StringComparison.Ordinal) ? fullName.Substring(0, fullName.Length - 2) : null;

    /// <summary>Splits on a separator that is not inside &lt;&gt;, [], () or quotes.</summary>
    public static List<string> SplitTopLevel(string text, char separator)
    {
        var parts = new List<string>();
        var depth = 0;
        var quote = '\0';
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quote != '\0')
            {
                if (c == '\\') i++;
                else if (c == quote) quote = '\0';
                continue;
            }
            switch (c)
            {
                case '\'':
                case '"':
                    quote = c;
                    break;
                case '<':
                case '[':
                case '(':
                    depth++;
                    break;
                case '>':
                case ']':
                case ')':
                    depth--;
                    break;
                default:
                    if (c == separator && depth == 0)
                    {
                        parts.Add(text.Substring(start, i - start).Trim());
                        start = i + 1;
                    }
                    break;
            }
        }
        var last = text.Substring(start).Trim();
        if (last.Length > 0 || parts.Count > 0)
            parts.Add(last);
        return parts;
    }
}
