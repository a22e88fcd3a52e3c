using System.Text;

namespace PanicDevice.Receiver.Registry;

/// <summary>
/// Text people type for a device (owner name, phone, address, guardians) or for an alert (the responder an
/// operator names) is one line of printable text. Provisioning refuses control characters; every output that
/// prints such text passes it through <see cref="OneLine"/> as well, so a record stored before the check, or
/// written another way, can never break a document (XML 1.0 cannot carry most control characters at all).
/// </summary>
internal static class PlainText
{
    /// <summary>
    /// True when <paramref name="s"/> holds a control character (C0, DEL, C1, so also tab and line breaks), an
    /// unpaired surrogate or U+FFFE/U+FFFF: characters no one-line text has and XML cannot always carry.
    /// </summary>
    public static bool HasControlCharacters(string? s)
    {
        if (s == null)
        {
            return false;
        }
        for (int i = 0; i < s.Length; i++)
        {
            if (IsPair(s, i))
            {
                i++;
                continue;
            }
            if (IsUnprintable(s[i]))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// <paramref name="s"/> as one clean line: line breaks, tabs and other white space become one space,
    /// other control characters and unpaired surrogates are dropped, the ends trimmed.
    /// </summary>
    public static string OneLine(string? s)
    {
        if (string.IsNullOrEmpty(s))
        {
            return "";
        }
        var sb = new StringBuilder(s.Length);
        bool space = false;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (IsPair(s, i))
            {
                Append(sb, ref space, c);
                Append(sb, ref space, s[++i]);
            }
            else if (char.IsWhiteSpace(c))
            {
                space = sb.Length > 0;
            }
            else if (!IsUnprintable(c))
            {
                Append(sb, ref space, c);
            }
        }
        return sb.ToString();
    }

    /// <summary><paramref name="s"/> cut to at most <paramref name="max"/> characters, ending in "…" when cut, never inside a surrogate pair.</summary>
    public static string Shorten(string s, int max)
    {
        if (s.Length <= max)
        {
            return s;
        }
        if (max <= 1)
        {
            return max == 1 ? "…" : "";
        }
        int keep = max - 1;
        if (char.IsHighSurrogate(s[keep - 1]))
        {
            keep--;
        }
        return s[..keep].TrimEnd() + "…";
    }

    private static void Append(StringBuilder sb, ref bool space, char c)
    {
        if (space)
        {
            sb.Append(' ');
            space = false;
        }
        sb.Append(c);
    }

    private static bool IsPair(string s, int i) => char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]);

    private static bool IsUnprintable(char c) => char.IsControl(c) || char.IsSurrogate(c) || c == '\uFFFE' || c == '\uFFFF';
}
