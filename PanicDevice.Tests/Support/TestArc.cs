using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;
using PanicDevice.Bench;
using ArcReceiver = PanicDevice.Tests.Dispatch.Dc09FrameTests.ArcReceiver;

namespace PanicDevice.Tests.Support;

/// <summary>
/// An alarm receiving centre on loopback for the tests, built on the tests' own DC-09 receiver (its own CRC, parser
/// and decryption, not the sender's code) behind the benches' socket (<see cref="Dc09Listener"/>). Each account has its key (null: in the clear); a message it cannot read
/// with its account's key is answered NAK with its time, as is one stamped outside its ±20 s window. It answers by
/// <see cref="Answer"/>, and can go down (<see cref="Down"/>: not listening, connections dropped) and come back on the
/// same port (<see cref="Up"/>).
/// </summary>
internal sealed class TestArc : IAsyncDisposable
{
    private readonly IReadOnlyDictionary<string, byte[]?> keys;
    private readonly Dc09Listener socket;

    public TestArc(IReadOnlyDictionary<string, byte[]?> keys, TimeSpan clockSkew = default)
    {
        this.keys = keys;
        ClockSkew = clockSkew;
        socket = new Dc09Listener(frame =>
        {
            Interlocked.Increment(ref Messages);
            return Reply(frame);
        });
    }

    public int Port => socket.Port;

    public TimeSpan ClockSkew { get; }

    /// <summary>"ack" (within the window, else a NAK with its time), "duh" or "silent".</summary>
    public string Answer { get; set; } = "ack";

    /// <summary>Alarm messages acknowledged, in order (link tests are in <see cref="LinkTests"/>).</summary>
    public ConcurrentQueue<ArcReceiver.Message> Read { get; } = new();

    /// <summary>NULL messages acknowledged, by account.</summary>
    public ConcurrentQueue<string> LinkTests { get; } = new();

    /// <summary>Every message received, answered or not.</summary>
    public int Messages;

    public void Down() => socket.Down();

    public void Up() => socket.Up();

    private byte[]? Reply(byte[] frame)
    {
        DateTime now = DateTime.UtcNow + ClockSkew;
        if (Answer == "silent") return null;
        Match account = Regex.Match(Encoding.ASCII.GetString(frame), "#([0-9A-F]+)\\[");
        if (!account.Success || !keys.TryGetValue(account.Groups[1].Value, out byte[]? key))
        {
            return ArcReceiver.Nak(now); // not an account of ours
        }
        ArcReceiver.Message m;
        try
        {
            m = new ArcReceiver(key ?? new byte[16]).Read(frame);
        }
        catch (FormatException)
        {
            return ArcReceiver.Nak(now); // cannot decrypt: not our key
        }
        if (m.Encrypted != (key != null)) return ArcReceiver.Nak(now);
        if (Answer == "duh") return ArcReceiver.Duh(m.Sequence, m.Receiver ?? "0", m.Line, m.Account);
        if ((m.Time - now).Duration() > TimeSpan.FromSeconds(20)) return ArcReceiver.Nak(now);
        if (m.Id == "NULL") LinkTests.Enqueue(m.Account);
        else Read.Enqueue(m);
        return new ArcReceiver(key ?? new byte[16]).Ack(m.Sequence, m.Receiver ?? "0", m.Line, m.Account, now, m.Encrypted);
    }

    public ValueTask DisposeAsync() => socket.DisposeAsync();
}
