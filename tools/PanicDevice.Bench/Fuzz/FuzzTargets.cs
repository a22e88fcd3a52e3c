using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using PanicDevice.Core.Config;
using PanicDevice.Core.Io;
using PanicDevice.Core.Modem;
using PanicDevice.Core.Mqtt;
using PanicDevice.Core.Protocol;
using PanicDevice.Core.Sms;
using PanicDevice.Receiver.Api;
using PanicDevice.Receiver.Pipeline;
using PanicDevice.Receiver.Registry;
using PanicDevice.Receiver.Storage;

namespace PanicDevice.Bench.Fuzz;

/// <summary>Valid inputs for the targets: signed frames, broker packets, SIM800 transcripts, device.json.</summary>
public static class FuzzSeeds
{
    public static byte[] Key(byte start)
    {
        byte[] k = new byte[FrameCodec.KeyLength];
        for (int i = 0; i < k.Length; i++) k[i] = (byte)(start + i);
        return k;
    }

    public static Frame RandomFrame(Random rng, string? id = null)
    {
        (MessageKind kind, byte code)[] kinds =
        {
            (MessageKind.Alert, (byte)AlertCode.Panic), (MessageKind.Alert, (byte)AlertCode.HoldUp), (MessageKind.Update, (byte)AlertCode.Panic),
            (MessageKind.Cancel, (byte)AlertCode.Cancel), (MessageKind.Heartbeat, 0), (MessageKind.Ack, (byte)AlertStatus.Received),
        };
        var (k, c) = kinds[rng.Next(kinds.Length)];
        const string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.";
        if (id == null)
        {
            char[] chars = new char[rng.Next(1, FrameCodec.MaxDeviceIdLength + 1)];
            for (int i = 0; i < chars.Length; i++) chars[i] = alphabet[rng.Next(alphabet.Length)];
            id = new string(chars);
        }
        Frame f = Frame.Create(k, id, (uint)rng.NextInt64(0, uint.MaxValue + 1L), c);
        f.TimeUtcSeconds = (uint)rng.NextInt64(1_700_000_000, 1_900_000_000);
        f.Source = rng.Next(2) == 0 ? LocationSource.Gnss : LocationSource.None;
        if (f.Source != LocationSource.None)
        {
            f.LatitudeE7 = rng.Next(-900000000, 900000001);
            f.LongitudeE7 = rng.Next(-1800000000, 1800000001);
            f.AccuracyM = (ushort)rng.Next(0, 5000);
            f.FixAgeS = (ushort)rng.Next(0, 600);
        }
        f.BatteryPercent = (byte)rng.Next(0, 101);
        f.SignalDbm = (sbyte)rng.Next(-113, -50);
        return f;
    }

    public static List<byte[]> Frames(byte[] key, int count, int seed, string? id = null)
    {
        var rng = new Random(seed);
        var list = new List<byte[]>();
        for (int i = 0; i < count; i++) list.Add(FrameCodec.Encode(RandomFrame(rng, id), key));
        return list;
    }

    /// <summary>Packets a broker sends a client, including PUBLISH and PUBACK as the device's own writer makes them.</summary>
    public static List<byte[]> BrokerPackets()
    {
        var list = new List<byte[]>
        {
            new byte[] { 0x20, 0x02, 0x00, 0x00 }, new byte[] { 0x20, 0x02, 0x01, 0x00 }, new byte[] { 0x20, 0x02, 0x00, 0x05 },
            new byte[] { 0x90, 0x03, 0x00, 0x01, 0x01 }, new byte[] { 0x90, 0x04, 0x00, 0x02, 0x00, 0x80 },
            new byte[] { 0xB0, 0x02, 0x00, 0x07 }, new byte[] { 0xD0, 0x00 },
            new byte[] { 0x30, 0xFF, 0xFF, 0xFF, 0x7F }, new byte[] { 0x32, 0x80, 0x80, 0x80, 0x80, 0x01 }, new byte[] { 0x30, 0x80, 0x01, 0x00, 0x00 },
            MqttPacketWriter.PubAck(1), MqttPacketWriter.PubAck(65535),
            MqttPacketWriter.Publish("pd/fob-0001/ack", new byte[] { 1, 2, 3 }, 1, 9, false, false),
            MqttPacketWriter.Publish("pd/fob-0001/ack", Frames(Key(0), 1, 5)[0], 0, 0, false, false),
            MqttPacketWriter.Publish("t", new byte[300], 1, 2, true, false),
            MqttPacketWriter.PingReq(), MqttPacketWriter.Subscribe(3, "pd/+/ack", 1),
            MqttPacketWriter.Connect("fob-0001", "fob-0001", "secret", true, 60, null, null, 0, false),
        };
        // a stream of several packets
        var stream = new List<byte>();
        foreach (byte[] p in list.Take(8)) stream.AddRange(p);
        list.Add(stream.ToArray());
        return list;
    }

    /// <summary>SIM800 output as captured in the driver's tests and the AT command manual.</summary>
    public static readonly string[] AtTranscripts =
    {
        "\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n\r\nCall Ready\r\n\r\nSMS Ready\r\n",
        "AT\r\r\nOK\r\n", "ATE0\r\r\nOK\r\n",
        "\r\n+CREG: 0,1\r\n\r\nOK\r\n", "\r\n+CREG: 5\r\n", "\r\n+CGREG: 2,1,\"1A2B\",\"00C3\"\r\n\r\nOK\r\n",
        "\r\n+CSQ: 17,0\r\n\r\nOK\r\n", "\r\n+CSQ: 99,99\r\n\r\nOK\r\n",
        "\r\n+CCLK: \"26/11/29,03:18:36+28\"\r\n\r\nOK\r\n",
        "\r\n+CIPGSMLOC: 0,106.827153,-6.175392,2026/11/29,03:18:36\r\n\r\nOK\r\n",
        "\r\n+CIPGSMLOC: 601\r\n\r\nOK\r\n",
        "\r\nOK\r\n\r\nCONNECT OK\r\n", "\r\nSHUT OK\r\n", "\r\n> ", "\r\nSEND OK\r\n", "\r\nDATA ACCEPT:42\r\n",
        "\r\n+CIPRXGET: 1\r\n", "\r\n+CIPRXGET: 3,8,0\r\n2002000020020000\r\nOK\r\n", "\r\n+CIPRXGET: 3,0,0\r\nOK\r\n",
        "\r\n+CME ERROR: 10\r\n", "\r\n+CMS ERROR: 500\r\n", "\r\nERROR\r\n", "\r\nCLOSED\r\n", "\r\n+PDP: DEACT\r\n",
        "\r\n+CMGS: 12\r\n\r\nOK\r\n", "\r\n+CMTI: \"SM\",3\r\n", "\r\nUNDER-VOLTAGE WARNNING\r\n", "\r\nNORMAL POWER DOWN\r\n",
        "\r\n*PSUTT: 0,0,\"26/11/29,03:18:36\",\"+28\",0,0\r\n", "\r\n+CTZV: +28,0\r\n", "\r\nALREADY CONNECT\r\n", "\r\nCONNECT FAIL\r\n",
        "\r\n+CIFSR: 10.1.2.3\r\n10.1.2.3\r\n", "\r\nSTATE: IP STATUS\r\n\r\nOK\r\n",
    };

    public static List<byte[]> AtSeeds()
    {
        var list = AtTranscripts.Select(t => Encoding.ASCII.GetBytes(t)).ToList();
        list.Add(Encoding.ASCII.GetBytes(string.Concat(AtTranscripts)));
        return list;
    }

    public const string DeviceJson = """
        {
          "deviceId": "fob-0001",
          "key": "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
          "kind": "fob",
          "owner": { "name": "Siti Rahma", "phone": "+6281234567890" },
          "language": "id",
          "emergencyNumber": "112",
          "guardians": ["+6281200000001", "+6281200000002"],
          "gatewayNumber": "+6281299999999",
          "broker": { "host": "alerts.example.org", "port": 8883 },
          "cellular": { "apn": "internet", "user": "", "password": "" },
          "timing": { "smsDeadlineS": 25, "followUpIntervalS": 30, "heartbeatIntervalS": 1800 },
          "feedback": { "silent": true }
        }
        """;

    public static List<byte[]> JsonSeeds() => new[]
    {
        DeviceJson,
        "{\"deviceId\":\"fob-2\",\"key\":\"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\",\"broker\":{\"host\":\"10.0.0.1\"}}",
        "{\"deviceId\":\"wall-1\",\"key\":\"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\",\"kind\":\"wall\",\"broker\":{\"host\":\"h\"},\"fixedLocation\":{\"lat\":-6.1753924,\"lon\":106.8271528,\"accuracyM\":10}}",
        "[1, -2.5e3, true, false, null, \"a\\u00e9\\n\\\"\", {\"x\": [[[]]]}]",
        "{\"a\":1.0E+2,\"b\":-0,\"c\":\"\\ud83d\\ude00\"}",
        new string('[', 20) + new string(']', 20),
        "{\"n\":[1e999999999, -1E-999999999, 123456789012345678901234567890, 0.000000000000000000001]}",
        "{\"s\":\"\\u12\", \"t\":\"\\ud800\"}",
    }.Select(s => Encoding.UTF8.GetBytes(s)).ToList();
}

/// <summary>FrameCodec.Decode and DecodeAndVerify on raw bytes.</summary>
public sealed class FrameTarget : FuzzTarget
{
    private readonly byte[] key = FuzzSeeds.Key(0);
    private readonly List<byte[]> seeds;
    private readonly HashSet<string> exact;
    public FrameTarget()
    {
        seeds = FuzzSeeds.Frames(key, 64, 1);
        exact = seeds.Select(s => Convert.ToHexString(s)).ToHashSet();
    }
    public override string Name => "frame";
    public override IReadOnlyList<byte[]> Seeds => seeds;

    public override FuzzVerdict Run(byte[] input, out string reason)
    {
        DecodeResult plain = FrameCodec.Decode(input);
        DecodeResult r = FrameCodec.DecodeAndVerify(input, key);
        if (plain == null || r == null || string.IsNullOrEmpty(plain.Detail) || (r.Status == DecodeStatus.Ok) != (r.Frame != null))
        {
            reason = "";
            return FuzzVerdict.Rejected;
        }
        reason = r.Status + ": " + r.Detail;
        if (r.IsOk && !exact.Contains(Convert.ToHexString(input)))
        {
            throw new InvalidOperationException("a mutated frame verified under the key");
        }
        return r.IsOk ? FuzzVerdict.Accepted : FuzzVerdict.Rejected;
    }
}

/// <summary>FrameText.Decode ("PD1:&lt;base64&gt;" SMS text) and Base64Strict on the same text.</summary>
public sealed class FrameTextTarget : FuzzTarget
{
    private readonly List<byte[]> seeds;
    public FrameTextTarget()
    {
        seeds = FuzzSeeds.Frames(FuzzSeeds.Key(0), 32, 2).Select(f => Encoding.ASCII.GetBytes(FrameText.Encode(f))).ToList();
        seeds.Add(Encoding.ASCII.GetBytes("PD1:"));
        seeds.Add(Encoding.ASCII.GetBytes("PD1:AAAA===="));
    }
    public override string Name => "frame-text";
    public override IReadOnlyList<byte[]> Seeds => seeds;

    public override FuzzVerdict Run(byte[] input, out string reason)
    {
        string text = Encoding.Latin1.GetString(input);
        Base64Strict.Decode(text, Math.Min(4, text.Length));
        FrameText.ToBytes(text);
        DecodeResult r = FrameText.Decode(text);
        reason = r == null ? "" : r.Status + ": " + r.Detail;
        return r != null && r.IsOk ? FuzzVerdict.Accepted : FuzzVerdict.Rejected;
    }
}

/// <summary>MqttPacketReader fed the input in one go, as the session feeds it (Error ends the stream).</summary>
public sealed class MqttTarget : FuzzTarget
{
    private readonly List<byte[]> seeds = FuzzSeeds.BrokerPackets();
    public override string Name => "mqtt";
    public override IReadOnlyList<byte[]> Seeds => seeds;

    public override FuzzVerdict Run(byte[] input, out string reason)
    {
        var reader = new MqttPacketReader(new MqttSessionOptions().MaxPacketBytes);
        bool any = false;
        foreach (byte b in input)
        {
            MqttReadStatus s = reader.Push(b);
            if (s == MqttReadStatus.Error)
            {
                reason = reader.Error;
                return FuzzVerdict.Rejected;
            }
            if (s == MqttReadStatus.Packet)
            {
                any = true;
                if (reader.Packet == null)
                {
                    throw new InvalidOperationException("Packet status without a packet");
                }
            }
        }
        reason = "";
        return any ? FuzzVerdict.Accepted : FuzzVerdict.Pending;
    }
}

/// <summary>AtLineReader (classified lines) with every Sim800Replies parser run on every line.</summary>
internal sealed class AtTarget : FuzzTarget, IAtLineListener
{
    private readonly List<byte[]> seeds = FuzzSeeds.AtSeeds();
    private readonly byte[] hexBuffer = new byte[Sim800Modem.BufferBytes];
    private int lines;
    public override string Name => "at";
    public override IReadOnlyList<byte[]> Seeds => seeds;

    public void OnLine(AtLineKind kind, string text)
    {
        lines++;
        if (text == null) throw new InvalidOperationException("null line");
        Sim800Replies.RegistrationStatus(text);
        Sim800Replies.SignalDbm(text);
        Sim800Replies.ClockUtcSeconds(text);
        Sim800Replies.CellLocation(text, 1000);
        Sim800Replies.ReceiveHeader(text, out _, out _);
        Sim800Replies.Hex(text, hexBuffer, 0);
        Sim800Replies.IsQuotable(text);
    }

    public override FuzzVerdict Run(byte[] input, out string reason)
    {
        lines = 0;
        var reader = new AtLineReader(this, 1024);
        reader.Push(input, 0, input.Length);
        reader.Push((byte)'\r');
        reason = "";
        // the line reader refuses nothing: it classifies (overlong lines are marked, not thrown)
        return lines > 0 ? FuzzVerdict.Accepted : FuzzVerdict.Pending;
    }
}

/// <summary>
/// The whole SIM800 driver: the input is everything the modem says, in random chunks, while the driver
/// polls with advancing time (opening a connection and sending an SMS). Poll must return every time.
/// </summary>
public sealed class Sim800Target : FuzzTarget
{
    private sealed class Port : IByteStream
    {
        public byte[] Data = Array.Empty<byte>();
        public int Pos;
        public int Chunk;
        public int Read(byte[] buffer, int offset, int count)
        {
            int n = Math.Min(Math.Min(count, Chunk), Data.Length - Pos);
            Array.Copy(Data, Pos, buffer, offset, n);
            Pos += n;
            return n;
        }
        public void Write(byte[] buffer, int offset, int count) { }
    }

    private sealed class Power : IModemPower
    {
        public void SetPowerKey(bool asserted) { }
        public void SetSupply(bool on) { }
    }

    private readonly List<byte[]> seeds = FuzzSeeds.AtSeeds();
    private readonly Random rng = new(7);
    public override string Name => "sim800";
    public override IReadOnlyList<byte[]> Seeds => seeds;

    public override FuzzVerdict Run(byte[] input, out string reason)
    {
        var port = new Port { Data = input, Chunk = rng.Next(1, 64) };
        var modem = new Sim800Modem(port, new Power(), new Sim800Settings { CellLocation = true });
        long now = 0;
        modem.Open("broker.example.org", 8883, now);
        modem.Send("+6281200000001", "help", now);
        byte[] rx = new byte[256];
        for (int turn = 0; turn < 512 && (port.Pos < port.Data.Length || turn < 8); turn++)
        {
            modem.Poll(now);
            modem.Receive(rx, 0, rx.Length);
            now += 500 + rng.Next(5000);
        }
        reason = modem.LastError ?? "";
        return FuzzVerdict.Accepted;
    }
}

/// <summary>JsonReader.Parse on the input as UTF-8 text.</summary>
public sealed class JsonTarget : FuzzTarget
{
    private readonly List<byte[]> seeds = FuzzSeeds.JsonSeeds();
    public override string Name => "json";
    public override IReadOnlyList<byte[]> Seeds => seeds;

    public override FuzzVerdict Run(byte[] input, out string reason)
    {
        object value = JsonReader.Parse(Encoding.UTF8.GetString(input), out string error);
        reason = error;
        return value == null ? FuzzVerdict.Rejected : FuzzVerdict.Accepted;
    }
}

/// <summary>DeviceConfigReader.Read (device.json).</summary>
public sealed class DeviceConfigTarget : FuzzTarget
{
    private readonly List<byte[]> seeds = FuzzSeeds.JsonSeeds();
    public override string Name => "device-config";
    public override IReadOnlyList<byte[]> Seeds => seeds;

    public override FuzzVerdict Run(byte[] input, out string reason)
    {
        DeviceConfigResult r = DeviceConfigReader.Read(Encoding.UTF8.GetString(input));
        reason = r.Error;
        if (r.Error == null && r.Config == null) throw new InvalidOperationException("neither a configuration nor an error");
        return r.Error == null ? FuzzVerdict.Accepted : FuzzVerdict.Rejected;
    }
}

/// <summary>
/// SmsPduDecoder.Decode on hex text: a refusal must carry the decoder's reason, a decoded PDU must have
/// no reason, a number and a text (part numbers are Join's to check).
/// </summary>
public sealed class SmsPduTarget : FuzzTarget
{
    private readonly List<byte[]> seeds = new();
    public SmsPduTarget()
    {
        foreach (string text in new[] { "help", "PANIC Siti Rahma https://maps.example/?q=-6.1,106.8 [€]", new string('x', 400), "Tolong! Ĉu vi?" })
        {
            foreach (SmsPdu p in SmsPduEncoder.Encode("+6281200000001", text, 7))
            {
                seeds.Add(Convert.FromHexString(p.Hex));
            }
        }
    }
    public override string Name => "sms-pdu";
    public override IReadOnlyList<byte[]> Seeds => seeds;

    public override FuzzVerdict Run(byte[] input, out string reason)
    {
        // mostly well-formed hex of mutated PDUs; sometimes the raw bytes as text (odd length, non-hex)
        string hex = input.Length % 8 == 5 ? Encoding.Latin1.GetString(input) : Convert.ToHexString(input);
        SmsSubmit s = SmsPduDecoder.Decode(hex, out string error);
        if (s == null)
        {
            reason = error; // the engine counts a null or empty reason as a failure
            return FuzzVerdict.Rejected;
        }
        if (error != null || s.Number == null || s.Text == null)
        {
            throw new InvalidOperationException("a decoded PDU with a reason or missing parts");
        }
        reason = "";
        return FuzzVerdict.Accepted;
    }
}

/// <summary>
/// The receiver's IngestPipeline against a real SQLite store in a temp directory, and the SMS gateway
/// endpoint in front of it. Seeds are frames correctly signed for a registered device; exact copies of
/// them are skipped, so every result must be Rejected with a reason and nothing may be stored.
/// </summary>
public sealed class IngestTarget : FuzzTarget, IDisposable
{
    public const string DeviceId = "fob-fuzz";
    private readonly string dir = Path.Combine(Path.GetTempPath(), "pd-fuzz-" + Guid.NewGuid().ToString("N"));
    private readonly FrameStore store;
    private readonly IngestPipeline pipeline;
    private readonly List<byte[]> seeds;
    private readonly HashSet<string> exact;
    private readonly bool viaSmsGateway;
    private readonly PanicDevice.Receiver.Logging.RejectionLog smsLog = new(NullLogger.Instance, TimeProvider.System);

    public IngestTarget(bool viaSmsGateway)
    {
        this.viaSmsGateway = viaSmsGateway;
        Directory.CreateDirectory(dir);
        var db = new ReceiverDatabase(Path.Combine(dir, "receiver.db"));
        var registry = new DeviceRegistry(db);
        byte[] key = FuzzSeeds.Key(0x40);
        registry.Upsert(new DeviceRecord { Id = DeviceId, Key = new DeviceKey(key) });
        registry.Upsert(new DeviceRecord { Id = "fob-other", Key = new DeviceKey(FuzzSeeds.Key(0x41)) });
        store = new FrameStore(db);
        pipeline = new IngestPipeline(registry, store, TimeProvider.System);
        seeds = FuzzSeeds.Frames(key, 48, 3, DeviceId);
        seeds.AddRange(FuzzSeeds.Frames(FuzzSeeds.Key(0x41), 8, 4, "fob-other"));
        exact = seeds.Select(s => Convert.ToHexString(s)).ToHashSet();
        if (viaSmsGateway)
        {
            seeds = seeds.Select(s => Encoding.ASCII.GetBytes(FrameText.Encode(s))).ToList();
            exact = seeds.Select(s => Convert.ToHexString(s)).ToHashSet();
        }
    }

    public override string Name => viaSmsGateway ? "sms-gateway" : "ingest";
    public override IReadOnlyList<byte[]> Seeds => seeds;
    public override bool Skip(byte[] input) => exact.Contains(Convert.ToHexString(input))
        || (viaSmsGateway && FrameText.ToBytes(Encoding.Latin1.GetString(input)) is byte[] b && seedFrame(b));

    private bool seedFrame(byte[] b)
    {
        // a different base64 spelling of a seed frame would be stored: the gateway is right to take it
        string hex = Convert.ToHexString(b);
        foreach (byte[] s in seeds)
        {
            if (FrameText.ToBytes(Encoding.ASCII.GetString(s)) is byte[] f && Convert.ToHexString(f) == hex) return true;
        }
        return false;
    }

    public override FuzzVerdict Run(byte[] input, out string reason)
    {
        if (!viaSmsGateway)
        {
            IngestResult r = pipeline.Process(input, input.Length % 5 == 0 ? DeviceId : null, input.Length % 2 == 0 ? IngestPath.Mqtt : IngestPath.Sms);
            reason = r.Reason;
            return r.Status == IngestStatus.Rejected ? FuzzVerdict.Rejected : FuzzVerdict.Accepted;
        }
        IResult http = SmsGatewayEndpoint.Handle(new InboundSms("+6281200000001", Encoding.Latin1.GetString(input)), pipeline, null, smsLog).GetAwaiter().GetResult();
        int status = http is IStatusCodeHttpResult sc ? sc.StatusCode ?? 0 : 0;
        object? value = http is IValueHttpResult v ? v.Value : null;
        reason = status + " " + (value?.ToString() ?? "");
        // 202 "not-a-frame" (a human message) and 400/422 are refusals; 200 would mean stored
        return status == 200 ? FuzzVerdict.Accepted : FuzzVerdict.Rejected;
    }

    public override string? Finish()
    {
        long stored = store.CountFrames(DeviceId) + store.CountFrames("fob-other");
        return stored == 0 ? null : stored + " fuzzed frames were stored";
    }

    public void Dispose()
    {
        smsLog.Dispose();
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(dir, true); } catch (IOException) { }
    }
}

/// <summary>Every target, in a fixed order.</summary>
public static class FuzzTargets
{
    public static List<FuzzTarget> All() => new()
    {
        new FrameTarget(), new FrameTextTarget(), new MqttTarget(), new AtTarget(), new Sim800Target(), new Sim800SessionTarget(),
        new JsonTarget(), new DeviceConfigTarget(), new SmsPduTarget(), new IngestTarget(false), new IngestTarget(true),
    };
}
