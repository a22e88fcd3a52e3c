using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using PanicDevice.Receiver.Dispatch.Dc09;

namespace PanicDevice.Bench;

/// <summary>One message an ARC acknowledged: its account, Contact ID data and extended blocks, in arrival order.</summary>
public sealed record ArcMessage(string Id, int Sequence, string Account, string Data, IReadOnlyList<string> Extended);

/// <summary>
/// An alarm receiving centre's DC-09 receiver on loopback for the benches: checks each message's CRC and length,
/// decrypts an encrypted account's messages with its key, records and acknowledges them (an encrypted ACK to an
/// encrypted account). Link tests (NULL) are acknowledged and counted apart.
/// </summary>
public sealed partial class ArcRecorder : IAsyncDisposable
{
    private readonly IReadOnlyDictionary<string, byte[]?> keys;
    private readonly List<ArcMessage> messages = new();
    private readonly Dc09Listener socket;
    private long linkTests, rejected;

    /// <summary><paramref name="keys"/>: account → its AES key, or null for an account in the clear.</summary>
    public ArcRecorder(int port, IReadOnlyDictionary<string, byte[]?> keys)
    {
        this.keys = keys;
        socket = new Dc09Listener(frame => Answer(Encoding.ASCII.GetString(frame)), port);
    }

    public long LinkTests => Interlocked.Read(ref linkTests);

    /// <summary>Messages that failed a check (CRC, length, account, decryption): never acknowledged.</summary>
    public long Rejected => Interlocked.Read(ref rejected);

    public IReadOnlyList<ArcMessage> Messages()
    {
        lock (messages) return messages.ToList();
    }

    [GeneratedRegex("^\"(\\*?)([A-Z-]+)\"(\\d{4})(?:R([0-9A-F]+))?L([0-9A-F]+)#([0-9A-F]+)\\[(.*)$")]
    private static partial Regex Header();

    [GeneratedRegex("^([^\\]]*)\\]((?:\\[[^\\]]*\\])*)_\\d\\d:\\d\\d:\\d\\d,\\d\\d-\\d\\d-\\d{4}$")]
    private static partial Regex Payload();

    private byte[]? Answer(string text)
    {
        string body = text.Length > 10 ? text[9..^1] : "";
        Match h = Header().Match(body);
        if (!h.Success || Dc09Frame.Crc(Encoding.ASCII.GetBytes(body)).ToString("X4", CultureInfo.InvariantCulture) != text.Substring(1, 4)
            || int.Parse(text.AsSpan(5, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture) != body.Length
            || !keys.TryGetValue(h.Groups[6].Value, out byte[]? key) || (key != null) != (h.Groups[1].Value == "*"))
        {
            Interlocked.Increment(ref rejected);
            return null;
        }
        var account = new Dc09Account(h.Groups[6].Value, h.Groups[5].Value, h.Groups[4].Success ? h.Groups[4].Value : null, key);
        Match p;
        try
        {
            p = Payload().Match(key != null ? Dc09Frame.Decrypt(account, h.Groups[7].Value) : h.Groups[7].Value);
        }
        catch (FormatException)
        {
            p = Match.Empty;
        }
        if (!p.Success)
        {
            Interlocked.Increment(ref rejected);
            return null;
        }
        int sequence = int.Parse(h.Groups[3].Value, CultureInfo.InvariantCulture);
        if (h.Groups[2].Value == Dc09Frame.Null)
        {
            Interlocked.Increment(ref linkTests);
        }
        else
        {
            string[] extended = Regex.Matches(p.Groups[2].Value, "\\[([^\\]]*)\\]").Select(m => m.Groups[1].Value).ToArray();
            lock (messages) messages.Add(new ArcMessage(h.Groups[2].Value, sequence, account.Account, p.Groups[1].Value, extended));
        }
        return Dc09Frame.Build("ACK", sequence, account, "", Array.Empty<string>(), DateTime.UtcNow);
    }

    public ValueTask DisposeAsync() => socket.DisposeAsync();
}
