using System.Globalization;

namespace PanicDevice.Receiver;

/// <summary>A UTC offset as people write it in settings and queries, "+07:00" or "-03:30": one rule for routing hours and the quality report.</summary>
internal static class UtcOffset
{
    public static bool TryParse(string? text, out TimeSpan offset)
    {
        offset = TimeSpan.Zero;
        if (text is not { Length: 6 } || text[0] is not ('+' or '-')
            || !TimeSpan.TryParseExact(text[1..], "hh\\:mm", CultureInfo.InvariantCulture, out TimeSpan magnitude) || magnitude > TimeSpan.FromHours(14))
        {
            return false;
        }
        offset = text[0] == '-' ? -magnitude : magnitude;
        return true;
    }

    public static string Format(TimeSpan offset) => (offset < TimeSpan.Zero ? "-" : "+") + offset.Duration().ToString("hh\\:mm", CultureInfo.InvariantCulture);
}
