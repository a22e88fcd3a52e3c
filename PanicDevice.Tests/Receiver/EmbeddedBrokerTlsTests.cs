using PanicDevice.Bench.Engines;
using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using PanicDevice.Core.Protocol;
using PanicDevice.Receiver;
using PanicDevice.Receiver.Registry;
using PanicDevice.Receiver.Storage;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Receiver;

/// <summary>The embedded broker's TLS endpoint (--mqtt-cert, --mqtt-tls-port) with a self-signed certificate made here.</summary>
[TestClass]
public class EmbeddedBrokerTlsTests
{
    private const string Id = "fob-tls-1";
    private const string CertPassword = "pfx-password-s3cret";
    private static readonly byte[] Key = SampleFrames.Key(0x21);
    private string dir = "";
    private string pfx = "";
    private string thumbprint = "";

    [TestInitialize]
    public void MakeCertificate()
    {
        dir = Path.Combine(Path.GetTempPath(), "pd-tls-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.1") }, false));
        using X509Certificate2 cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        thumbprint = cert.Thumbprint;
        pfx = Path.Combine(dir, "broker.pfx");
        File.WriteAllBytes(pfx, cert.Export(X509ContentType.Pfx, CertPassword));
    }

    [TestCleanup]
    public void Cleanup()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(dir, true);
    }

    private WebApplication Build(int mqttPort, int tlsPort, string? password = CertPassword, params string[] extra) =>
        ReceiverApp.Build(new[] { "--urls", "http://127.0.0.1:0", "--data", Path.Combine(dir, "data"), "--mqtt-port", mqttPort.ToString(),
            "--mqtt-tls-port", tlsPort.ToString(), "--mqtt-cert", pfx, "--mqtt-cert-password", password ?? "", "--Logging:LogLevel:Default", "Warning" }.Concat(extra).ToArray());

    /// <summary>Logs in as the device, publishes one signed alert and returns the ack it receives (or null).</summary>
    private static async Task<byte[]?> PressAndWaitForAck(int port, Action<MqttClientOptionsBuilder> transport, uint counter)
    {
        var acks = new BlockingCollection<byte[]>();
        using var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            acks.Add(e.ApplicationMessage.Payload.ToArray());
            return Task.CompletedTask;
        };
        var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId(Id)
            .WithCredentials(Id, DeviceCredentials.MqttPassword(Key)).WithProtocolVersion(MqttProtocolVersion.V311).WithTimeout(TimeSpan.FromSeconds(5));
        transport(options);
        await client.ConnectAsync(options.Build());
        await client.SubscribeAsync(Topics.Downlink(Id), MqttQualityOfServiceLevel.AtLeastOnce);
        await client.PublishBinaryAsync(Topics.Uplink(Id), FrameCodec.Encode(SampleFrames.Alert(Id, counter), Key), MqttQualityOfServiceLevel.AtLeastOnce);
        byte[]? ack = acks.TryTake(out byte[]? a, TimeSpan.FromSeconds(10)) ? a : null;
        await client.DisconnectAsync();
        return ack;
    }

    [TestMethod]
    public async Task DeviceIsAcknowledgedOverTlsAndThePlainPortStillWorks()
    {
        int plain = LoopbackPorts.Free(), tls = LoopbackPorts.Free();
        WebApplication app = Build(plain, tls);
        app.Services.GetRequiredService<DeviceRegistry>().Upsert(new DeviceRecord { Id = Id, Key = new DeviceKey(Key) });
        await app.StartAsync();
        try
        {
            string? seen = null;
            byte[]? ack = await PressAndWaitForAck(tls, o => o.WithTlsOptions(t => t.UseTls().WithTargetHost("localhost")
                .WithCertificateValidationHandler(e =>
                {
                    seen = e.Certificate.GetCertHashString();
                    return seen == thumbprint; // trust exactly the certificate this test made
                })), 1);
            Assert.AreEqual(thumbprint, seen, "the TLS port presented the configured certificate");
            Assert.IsNotNull(ack, "acked over TLS");
            DecodeResult r = FrameCodec.DecodeAndVerify(ack, Key);
            Assert.AreEqual(DecodeStatus.Ok, r.Status);
            Assert.AreEqual(MessageKind.Ack, r.Frame.Kind);
            Assert.AreEqual(1u, r.Frame.Counter);

            byte[]? plainAck = await PressAndWaitForAck(plain, _ => { }, 2);
            Assert.IsNotNull(plainAck, "acked on the plain port");
            Assert.AreEqual(2u, FrameCodec.DecodeAndVerify(plainAck, Key).Frame.Counter);
            Assert.AreEqual(2, app.Services.GetRequiredService<FrameStore>().CountFrames(Id));

            await Assert.ThrowsAsync<Exception>(() => PressAndWaitForAck(tls, _ => { }, 3), "plain MQTT on the TLS port is not accepted");
            await Assert.ThrowsAsync<Exception>(() => PressAndWaitForAck(tls, o => o.WithTlsOptions(t => t.UseTls().WithTargetHost("localhost")), 4),
                "a client that does not trust the self-signed certificate cannot connect");
            Assert.AreEqual(2, app.Services.GetRequiredService<FrameStore>().CountFrames(Id));
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    [TestMethod]
    public async Task ATlsHandshakeThatNeverHappensOrNeverEndsIsClosedAfterTheLoginTimeout()
    {
        int plain = LoopbackPorts.Free(), tls = LoopbackPorts.Free();
        WebApplication app = Build(plain, tls, CertPassword, "--mqtt-login-timeout", "1");
        await app.StartAsync();
        try
        {
            using var silent = new System.Net.Sockets.TcpClient();
            await silent.ConnectAsync(IPAddress.Loopback, tls);
            using var partial = new System.Net.Sockets.TcpClient();
            await partial.ConnectAsync(IPAddress.Loopback, tls);
            await partial.GetStream().WriteAsync(new byte[] { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01 }); // a ClientHello's first bytes, then nothing
            Assert.IsTrue((await Security.RawMqtt.ClosedAsync(silent.GetStream(), TimeSpan.FromSeconds(15))).Closed, "no ClientHello at all");
            Assert.IsTrue((await Security.RawMqtt.ClosedAsync(partial.GetStream(), TimeSpan.FromSeconds(15))).Closed, "a ClientHello that never ends");
            // The client can see its socket end a moment before the broker has counted why: wait for the count, name what was counted.
            var counters = app.Services.GetRequiredService<PanicDevice.Receiver.Mqtt.EmbeddedBroker>().Counters;
            await Eventually.WaitFor(() => counters["login_timeout"] >= 2, TimeSpan.FromSeconds(10), "two login timeouts counted (" + counters["login_timeout"] + " so far)");
            Assert.AreEqual(2L, counters["login_timeout"]);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    [TestMethod]
    public void WrongCertificatePasswordIsAClearErrorThatDoesNotRepeatIt()
    {
        var e = Assert.ThrowsExactly<OptionsValidationException>(() => Build(LoopbackPorts.Free(), LoopbackPorts.Free(), "wrong-pfx-password"));
        StringAssert.Contains(e.Message, "--mqtt-cert could not be opened");
        Assert.IsFalse(e.Message.Contains("wrong-pfx-password", StringComparison.Ordinal));
        var missing = Assert.ThrowsExactly<OptionsValidationException>(() => ReceiverApp.Build(new[] { "--data", Path.Combine(dir, "data"), "--mqtt-cert", Path.Combine(dir, "nope.pfx") }));
        StringAssert.Contains(missing.Message, "--mqtt-cert must name an existing PFX file");
        var clash = Assert.ThrowsExactly<OptionsValidationException>(() => ReceiverApp.Build(new[] { "--data", Path.Combine(dir, "data"), "--mqtt-cert", pfx, "--mqtt-port", "8883" }));
        StringAssert.Contains(clash.Message, "--mqtt-tls-port must be");
    }
}
