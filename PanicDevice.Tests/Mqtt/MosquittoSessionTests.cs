using PanicDevice.Bench.Engines;
using System.Buffers;
using System.Diagnostics;
using MQTTnet;
using MQTTnet.Protocol;
using PanicDevice.Core.App;
using PanicDevice.Core.Config;
using PanicDevice.Core.Delivery;
using PanicDevice.Core.Mqtt;
using PanicDevice.Core.Protocol;
using PanicDevice.Host;
using PanicDevice.Tests.Delivery;
using PanicDevice.Tests.Receiver;
using PanicDevice.Tests.Support;
using PanicDevice.Core.Feedback;

namespace PanicDevice.Tests.Mqtt;

/// <summary>
/// The device's MQTT session against Debian's mosquitto (a broker it did not grow up with): the frame
/// arrives byte-exact at a subscriber, whose signed ack travels back and empties the outbox. .ci/run
/// installs mosquitto; on a machine without it these tests report Inconclusive, never Passed.
/// </summary>
[TestClass]
public class MosquittoSessionTests
{
    private static readonly byte[] Key = SampleFrames.Key(0x44);
    private const string Id = "fob-0200";

    /// <summary>
    /// Starts Debian's mosquitto on 127.0.0.1:<paramref name="port"/> (null when it is not installed). Ready when mosquitto
    /// itself logs that it runs and the port answers: a TCP probe alone could reach another process that took the port
    /// between LoopbackPorts.Free and mosquitto's bind, which is what made a loaded machine fail here. A port taken meanwhile is
    /// replaced by a new free one (<paramref name="port"/> says which) unless <paramref name="keepPort"/> (a broker
    /// restarted where its clients expect it); any other failure throws with mosquitto's own output.
    /// </summary>
    internal static Process? StartMosquitto(ref int port, string dir, string settings = "allow_anonymous true\npersistence false\n", bool keepPort = false)
    {
        string? binary = new[] { "/usr/sbin/mosquitto", "/usr/bin/mosquitto" }.FirstOrDefault(File.Exists);
        if (binary == null)
        {
            return null;
        }
        for (int attempt = 1; ; attempt++)
        {
            string conf = Path.Combine(dir, "mosquitto.conf");
            File.WriteAllText(conf, "listener " + port + " 127.0.0.1\n" + settings);
            var psi = new ProcessStartInfo(binary) { RedirectStandardError = true, RedirectStandardOutput = true };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add(conf);
            var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
            var p = Process.Start(psi)!;
            // Read both pipes all along: mosquitto logs every connection, and a full pipe would stall the broker.
            p.OutputDataReceived += (_, e) => { if (e.Data != null) output.Enqueue(e.Data); };
            p.ErrorDataReceived += (_, e) => { if (e.Data != null) output.Enqueue(e.Data); };
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(30) && !p.HasExited)
            {
                if (output.Any(l => l.EndsWith(" running", StringComparison.Ordinal)) && Answers(port))
                {
                    return p;
                }
                Thread.Sleep(20);
            }
            if (!p.HasExited)
            {
                p.Kill();
            }
            p.WaitForExit();
            if (output.Any(l => l.Contains("Address already in use")) && !keepPort && attempt < 5)
            {
                port = LoopbackPorts.Free();
                continue;
            }
            throw new InvalidOperationException("mosquitto did not start listening on " + port + " (" + (p.HasExited ? "exit code " + p.ExitCode : "no \"running\" line in 30 s") +
                ", attempt " + attempt + "); its output:\n" + string.Join("\n", output));
        }
    }

    private static bool Answers(int port)
    {
        try
        {
            using var probe = new System.Net.Sockets.TcpClient("127.0.0.1", port);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    /// <summary>
    /// A stand-in receiver on a broker: records every uplink frame and answers a verified one with a signed
    /// ack on the device's ack topic, as the real receiver does.
    /// </summary>
    internal static async Task<IMqttClient> StartAckingReceiverAsync(int port, byte[] key, List<byte[]> received)
    {
        var subscriber = new MqttClientFactory().CreateMqttClient();
        subscriber.ApplicationMessageReceivedAsync += async e =>
        {
            byte[] frame = e.ApplicationMessage.Payload.ToArray();
            lock (received) received.Add(frame);
            DecodeResult r = FrameCodec.DecodeAndVerify(frame, key);
            if (r.IsOk)
            {
                await subscriber.PublishBinaryAsync(Topics.Downlink(r.Frame.DeviceId), FrameCodec.Encode(Frame.AckFor(r.Frame, 1795000000), key), MqttQualityOfServiceLevel.AtLeastOnce);
            }
        };
        await subscriber.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId("receiver-test").Build());
        await subscriber.SubscribeAsync(Topics.AllUplinks, MqttQualityOfServiceLevel.AtLeastOnce);
        return subscriber;
    }

    [TestMethod]
    public async Task PressTravelsThroughMosquittoAndTheSignedAckComesBack()
    {
        string dir = Path.Combine(Path.GetTempPath(), "pd-mosq-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        int port = LoopbackPorts.Free();
        using Process? broker = StartMosquitto(ref port, dir);
        if (broker == null)
        {
            Assert.Inconclusive("mosquitto is not installed (.ci/run installs it)");
        }
        try
        {
            var received = new List<byte[]>();
            var subscriber = await StartAckingReceiverAsync(port, Key, received);

            var device = new SimulatedDevice(new DeviceConfig { DeviceId = Id, Key = Key, BrokerHost = "127.0.0.1", BrokerPort = port }, _ => { });
            Assert.IsTrue(device.RunUntil(() => device.Session.IsConnected, TimeSpan.FromSeconds(10)), "connected to mosquitto: " + device.Session.LastError);
            device.App.OnRawButtonEdge(true, device.Now);
            Assert.IsTrue(device.RunUntil(() => device.Feedback.Contains(FeedbackEvent.Acknowledged), TimeSpan.FromSeconds(10)), "held 3 s, alert acknowledged through mosquitto");
            device.App.OnRawButtonEdge(false, device.Now);
            Assert.AreEqual(0, device.App.Engine.PendingCount);
            lock (received)
            {
                Assert.AreEqual(MessageKind.Alert, FrameCodec.Decode(received[0]).Frame.Kind);
                Assert.AreEqual(DecodeStatus.Ok, FrameCodec.DecodeAndVerify(received[0], Key).Status, "byte-exact through the broker");
            }
            await subscriber.DisconnectAsync();
        }
        finally
        {
            broker!.Kill();
            Directory.Delete(dir, true);
        }
    }
}
