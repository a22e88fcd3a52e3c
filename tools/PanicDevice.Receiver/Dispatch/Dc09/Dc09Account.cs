using System.Globalization;

namespace PanicDevice.Receiver.Dispatch.Dc09;

/// <summary>
/// Who a DC-09 message is from, as an alarm receiving centre (ARC) has it on file: the account (3–16 hex digits), the
/// line prefix (1–6 hex) and, where the ARC wants one, the receiver number (1–6 hex); and the account's AES key
/// (128, 192 or 256 bits) when the ARC takes encrypted messages. A bad field is refused here, at configuration, never
/// in the middle of an emergency; the key is never printed.
/// </summary>
internal sealed class Dc09Account
{
    private readonly byte[]? key;

    public Dc09Account(string account, string linePrefix, string? receiver = null, byte[]? key = null)
    {
        Account = Hex(account, 3, 16, "account");
        LinePrefix = Hex(linePrefix, 1, 6, "line prefix");
        Receiver = receiver == null ? null : Hex(receiver, 1, 6, "receiver number");
        if (key != null && key.Length is not (16 or 24 or 32))
        {
            throw new ArgumentException($"a DC-09 key is 128, 192 or 256 bits (32, 48 or 64 hex digits), not {key.Length * 8} bits");
        }
        this.key = key == null ? null : (byte[])key.Clone();
    }

    public string Account { get; }

    public string LinePrefix { get; }

    public string? Receiver { get; }

    public bool Encrypted => key != null;

    /// <summary>A copy of the key (AES keeps its own copy; callers must not hold on to this one).</summary>
    internal byte[] Key() => key == null ? throw new InvalidOperationException("this account sends in the clear") : (byte[])key.Clone();

    public override string ToString() => "#" + Account + " L" + LinePrefix + (Receiver == null ? "" : " R" + Receiver) + (Encrypted ? " (encrypted)" : "");

    private static string Hex(string value, int min, int max, string what)
    {
        if (value.Length < min || value.Length > max || !value.All(Uri.IsHexDigit))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"a DC-09 {what} is {min} to {max} hexadecimal digits, not \"{value}\""));
        }
        return value.ToUpperInvariant();
    }
}
