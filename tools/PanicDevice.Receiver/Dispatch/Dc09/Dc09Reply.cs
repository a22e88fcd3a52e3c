using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace PanicDevice.Receiver.Dispatch.Dc09;

/// <summary>What an ARC's receiver answered: ACK (stored), NAK (refused; with its own time when ours was outside its window), DUH (not understood).</summary>
internal enum Dc09ReplyKind
{
    Ack,
    Nak,
    Duh,
}

/// <summary>
/// An ARC receiver's answer to one message, checked as carefully as a message is: CRC, length, the id, the sequence
/// and account it answers, and for an encrypted account an encrypted ACK that decrypts with the account's key.
/// Anything else is a <see cref="FormatException"/>: not an acknowledgement, so the message is sent again.
/// </summary>
internal sealed partial record Dc09Reply(Dc09ReplyKind Kind, int Sequence, DateTime? ReceiverTimeUtc)
{
    [GeneratedRegex("^\"(?<star>\\*?)(?<id>ACK|NAK|DUH)\"(?<seq>\\d{4})(R(?<r>[0-9A-Fa-f]{1,6}))?(L(?<l>[0-9A-Fa-f]{1,6}))?(#(?<acct>[0-9A-Fa-f]{3,16})|A0)?\\[(?<rest>.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();

    [GeneratedRegex("_(\\d{2}):(\\d{2}):(\\d{2}),(\\d{2})-(\\d{2})-(\\d{4})$", RegexOptions.CultureInvariant)]
    private static partial Regex TimestampShape();

    /// <summary>Parses one reply frame (LF … CR) to the message with <paramref name="sequence"/> from <paramref name="account"/>.</summary>
    public static Dc09Reply Parse(ReadOnlySpan<byte> frame, Dc09Account account, int sequence)
    {
        string text = Encoding.ASCII.GetString(frame).Trim('\n', '\r');
        if (text.Length < 8 + 2)
        {
            throw new FormatException("a DC-09 reply is at least a CRC, a length and an id");
        }
        string body = text[8..];
        if (!ushort.TryParse(text[..4], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ushort crc) || crc != Dc09Frame.Crc(Encoding.ASCII.GetBytes(body)))
        {
            throw new FormatException("the reply's CRC does not match");
        }
        if (text[4] != '0' || !int.TryParse(text[5..8], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int length) || length != body.Length)
        {
            throw new FormatException("the reply's length field does not match");
        }
        Match m = Shape().Match(body);
        if (!m.Success)
        {
            throw new FormatException("not an ACK, NAK or DUH");
        }
        var kind = Enum.Parse<Dc09ReplyKind>(m.Groups["id"].Value, ignoreCase: true);
        int seq = int.Parse(m.Groups["seq"].Value, CultureInfo.InvariantCulture);
        string rest = m.Groups["rest"].Value;
        if (kind == Dc09ReplyKind.Nak)
        {
            // A NAK is not addressed to an account (sequence 0000): it carries the receiver's clock, to resend with.
            return new Dc09Reply(kind, seq, TimeIn(rest));
        }
        if (seq != sequence || !string.Equals(m.Groups["acct"].Value, account.Account, StringComparison.OrdinalIgnoreCase))
        {
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"the reply answers {m.Groups["acct"].Value}/{seq:D4}, not {account.Account}/{sequence:D4}"));
        }
        bool encrypted = m.Groups["star"].Value == "*";
        if (kind == Dc09ReplyKind.Ack && account.Encrypted != encrypted)
        {
            // An encrypted account's ACK proves the ARC holds the key; a clear one could come from anyone on the path.
            throw new FormatException(account.Encrypted ? "an encrypted account's ACK must be encrypted" : "an encrypted ACK to a clear account");
        }
        if (encrypted)
        {
            rest = Dc09Frame.Decrypt(account, rest);
        }
        return new Dc09Reply(kind, seq, TimeIn(rest));
    }

    private static DateTime? TimeIn(string rest)
    {
        Match t = TimestampShape().Match(rest);
        if (!t.Success)
        {
            return null;
        }
        int F(int g) => int.Parse(t.Groups[g].Value, CultureInfo.InvariantCulture);
        try
        {
            return new DateTime(F(6), F(4), F(5), F(1), F(2), F(3), DateTimeKind.Utc);
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new FormatException("the reply's timestamp is not a time");
        }
    }
}
