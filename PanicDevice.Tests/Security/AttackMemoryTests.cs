using System.Net;
using System.Net.Sockets;
using MQTTnet;
using MQTTnet.Protocol;
using PanicDevice.Core.Protocol;
using PanicDevice.Receiver;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Security;

/// <summary>
/// Anonymous clients against the whole receiver (in this process, so its managed heap can be measured):
/// MQTT CONNECTs declaring 100 MB and more, sent concurrently and slowly, and 25 MB HTTP posts without
/// a token, while a device sends alerts. The bounds are generous (the attack costs well under them once
/// fixed, and gigabytes without the fix); the long form with the receiver's RSS is the bench's `attack`.
/// </summary>
[TestClass]
public class AttackMemoryTests
{
    private const int MqttAttackers = 4;
    private const int DeclaredBytes = 100_000_000;
    private const int HttpAttackers = 8;
    private const long PostBytes = 25L * 1024 * 1024;

    /// <summary>Managed bytes allocated in the whole process while the attack runs (the device's alerts and the test's own clients included).</summary>
    public const long AllocationBound = 96L * 1024 * 1024;

    /// <summary>Growth of the live managed heap (after a full collection) in the middle of the attack.</summary>
    public const long RetainedBound = 48L * 1024 * 1024;

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [DoNotParallelize] // allocations are counted process-wide
    public async Task OversizedAnonymousConnectsAndHugeUnauthenticatedPostsCostBoundedMemoryWhileADeviceIsServed()
    {
        await using var rx = await LoopbackReceiver.StartAsync();
        await rx.ProvisionAsync("fob-0001");
        int port = rx.Service<ReceiverOptions>().MqttPort;
        using IMqttClient device = await MqttConnect.DeviceAsync(port, "fob-0001", LoopbackReceiver.Key);
        var acks = new MqttConnect.AckCollector(device, LoopbackReceiver.Key);
        await device.SubscribeAsync(Topics.Downlink("fob-0001"), MqttQualityOfServiceLevel.AtLeastOnce);
        await AlertAcked(device, acks, 1); // warm: JIT, pools, the store's statements

        long heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        using var stop = new CancellationTokenSource();
        var headersSent = Enumerable.Range(0, MqttAttackers).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        Task<bool>[] mqtt = Enumerable.Range(0, MqttAttackers).Select(i => SlowOversizedConnect(port, DeclaredBytes + i * 50_000_000, headersSent[i], stop.Token)).ToArray();
        using var attacker = new HttpClient { BaseAddress = rx.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        string[] paths = { "/api/devices", "/api/alerts/1/acknowledge", "/api/responders/unit-7", "/api/sms/inbound" };
        Task<string>[] http = Enumerable.Range(0, HttpAttackers).Select(i => HugePost(attacker, paths[i % paths.Length], i % paths.Length == 2 ? HttpMethod.Put : HttpMethod.Post)).ToArray();

        await Task.WhenAll(headersSent.Select(t => t.Task)).WaitAsync(TimeSpan.FromSeconds(10));
        await AlertAcked(device, acks, 2); // during the attack
        string[] answers = await Task.WhenAll(http).WaitAsync(TimeSpan.FromSeconds(120));
        long heapDuring = GC.GetTotalMemory(forceFullCollection: true); // the slow MQTT attackers are still trickling, unless closed
        stop.Cancel();
        bool[] closedByServer = await Task.WhenAll(mqtt);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        await AlertAcked(device, acks, 3); // after

        TestContext.WriteLine($"allocated during the attack: {allocated / 1048576.0:F1} MB (bound {AllocationBound / 1048576} MB); " +
            $"live heap growth mid-attack: {(heapDuring - heapBefore) / 1048576.0:F1} MB (bound {RetainedBound / 1048576} MB); HTTP answers: {string.Join(", ", answers)}");
        foreach (string answer in answers)
        {
            Assert.IsTrue(answer is "401" or "closed", "an unauthenticated post is refused, never read and judged: " + answer);
        }
        Assert.IsTrue(closedByServer.All(c => c), "every oversized CONNECT was closed by the receiver");
        Assert.IsLessThan(AllocationBound, allocated, $"allocated {allocated / 1048576.0:F1} MB during the attack");
        Assert.IsLessThan(RetainedBound, heapDuring - heapBefore, $"live heap grew {(heapDuring - heapBefore) / 1048576.0:F1} MB");
    }

    private static async Task AlertAcked(IMqttClient device, MqttConnect.AckCollector acks, uint counter)
    {
        await device.PublishBinaryAsync(Topics.Uplink("fob-0001"), FrameCodec.Encode(SampleFrames.Alert("fob-0001", counter), LoopbackReceiver.Key), MqttQualityOfServiceLevel.AtLeastOnce);
        await acks.WaitForAsync(counter, TimeSpan.FromSeconds(15));
    }

    /// <summary>A CONNECT header declaring <paramref name="declared"/> bytes, then one byte every 100 ms; true when the receiver closed the connection.</summary>
    private static async Task<bool> SlowOversizedConnect(int port, int declared, TaskCompletionSource headerSent, CancellationToken stop)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        NetworkStream s = tcp.GetStream();
        byte[] header = [0x10, .. RawMqtt.RemainingLength(declared)];
        await s.WriteAsync(header);
        headerSent.TrySetResult();
        var closed = RawMqtt.ClosedAsync(s, TimeSpan.FromMinutes(5));
        byte[] one = { 0x00 };
        try
        {
            while (!stop.IsCancellationRequested && !closed.IsCompleted)
            {
                await s.WriteAsync(one);
                await Task.WhenAny(closed, Task.Delay(100, stop));
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // the receiver closed it while a byte was on its way: the read says so at once
            await Task.WhenAny(closed, Task.Delay(TimeSpan.FromSeconds(5)));
        }
        bool clean = closed.IsCompleted && closed.Result.Closed && closed.Result.Received.Length == 0;
        tcp.Close();
        try
        {
            await closed;
        }
        catch (ObjectDisposedException)
        {
            // our own close ended the read: the receiver had not closed it
        }
        return clean;
    }

    /// <summary>A 25 MB JSON body (one huge string) without a token: "401", "closed" (cut off while sending), or another status.</summary>
    private static async Task<string> HugePost(HttpClient client, string path, HttpMethod method)
    {
        var request = new HttpRequestMessage(method, path) { Content = new RepeatingJsonContent(PostBytes) };
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            return ((int)response.StatusCode).ToString();
        }
        catch (HttpRequestException)
        {
            return "closed";
        }
    }

    /// <summary>{"id":"aaaa…"} of the given length, written from one reused buffer (the attacker allocates nothing per byte).</summary>
    private sealed class RepeatingJsonContent : HttpContent
    {
        private static readonly byte[] Chunk = Enumerable.Repeat((byte)'a', 64 * 1024).ToArray();
        private readonly long length;

        public RepeatingJsonContent(long length)
        {
            this.length = length;
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            byte[] head = "{\"id\":\""u8.ToArray();
            await stream.WriteAsync(head);
            long left = length - head.Length - 2;
            while (left > 0)
            {
                int n = (int)Math.Min(left, Chunk.Length);
                await stream.WriteAsync(Chunk.AsMemory(0, n));
                left -= n;
            }
            await stream.WriteAsync("\"}"u8.ToArray());
        }

        protected override bool TryComputeLength(out long length)
        {
            length = this.length;
            return true;
        }
    }
}
