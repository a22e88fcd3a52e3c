using System.Text;

namespace PanicDevice.Receiver.Logging;

/// <summary>
/// Text a client or device chose (SMS sender, MQTT client id, user name, topic), made safe for one log
/// line: line breaks, other control characters, Unicode line separators and bidirectional overrides are
/// written as escapes (so a value cannot start a forged line or hide part of one), a backslash is doubled
/// (so an escape in the output always means an escape), and long values are cut short.
/// </summary>
internal static class LogText
{
    /// <summary>Characters kept from one value; the rest is counted, not written.</summary>
    public const int MaxChars = 120;

    public static string Escape(string? value)
    {
        if (value == null)
        {
            return "(none)";
        }
        int shown = Math.Min(value.Length, MaxChars);
        var sb = new StringBuilder(shown + 16);
        for (int i = 0; i < shown; i++)
        {
            char c = value[i];
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < shown && char.IsLowSurrogate(value[i + 1]))
                    {
                        sb.Append(c).Append(value[++i]); // a whole pair (an emoji in a name) stays as it is
                    }
                    else if (NeedsEscape(c))
                    {
                        sb.Append("\\u").Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }
                    break;
            }
        }
        if (value.Length > shown)
        {
            sb.Append("…(+").Append(value.Length - shown).Append(')');
        }
        return sb.ToString();
    }

    private static bool NeedsEscape(char c) =>
        char.IsControl(c) // C0, DEL, C1 (NEL U+0085 included)
        || c is '\u2028' or '\u2029' // line and paragraph separators
        || c is '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069') // bidirectional controls
        || char.IsSurrogate(c); // half of a pair
}
