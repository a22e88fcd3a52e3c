using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using PanicDevice.Core.Config;
using PanicDevice.Core.Delivery;
using PanicDevice.Host;
using PanicDevice.Receiver;
using PanicDevice.Receiver.Registry;
using PanicDevice.Receiver.Storage;

namespace PanicDevice.Cli;

/// <summary>
/// `panicctl demo [--once]`: the receiver (embedded broker, SQLite in a temporary folder, HTTP API) and a
/// provisioned simulated fob; the fob is triple-tapped and the alert is followed until the fob reports
/// "Acknowledged". With --once it exits 0 then, or 1 with the reason.
/// </summary>
public static class DemoCommand
{
    public static async Task<int> RunAsync(bool once, TextWriter output)
    {
        string data = Path.Combine(Path.GetTempPath(), "panicdevice-demo-" + Environment.ProcessId);
        int mqttPort = Free(1883);
        int httpPort = Free(8080);
        string operatorToken = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        void Say(string line) => output.WriteLine(DateTime.Now.ToString("HH:mm:ss.fff") + "  " + line);

        Say("starting the receiver: HTTP http://127.0.0.1:" + httpPort + ", MQTT 127.0.0.1:" + mqttPort + ", data " + data);
        WebApplication receiver = ReceiverApp.Build(new[]
        {
            "--urls", "http://127.0.0.1:" + httpPort, "--mqtt-port", mqttPort.ToString(), "--data", data,
            "--operator-token", operatorToken, "--Logging:LogLevel:Default", "Warning",
        });
        await receiver.StartAsync();
        try
        {
            byte[] key = RandomNumberGenerator.GetBytes(32);
            var config = new DeviceConfig
            {
                DeviceId = "demo-fob-1", Key = key, Kind = DeviceKind.Fob, OwnerName = "Demo User", Language = "en",
                BrokerHost = "127.0.0.1", BrokerPort = mqttPort, GuardianNumbers = new[] { "+6281200000001" },
            };
            receiver.Services.GetRequiredService<DeviceRegistry>().Upsert(new DeviceRecord { Id = config.DeviceId, Key = new DeviceKey(key), OwnerName = config.OwnerName, Verified = true });
            Say("provisioned " + config.DeviceId + " (fob, owner " + config.OwnerName + ")");

            var fob = new SimulatedDevice(config, Say);
            if (!fob.RunUntil(() => fob.Session.IsConnected, TimeSpan.FromSeconds(15)))
            {
                return Fail(output, "the simulated fob could not connect to the broker: " + fob.Session.LastError);
            }
            Say("fob connected over MQTT; triple-tapping the button");
            for (int i = 1; i <= 3; i++)
            {
                fob.Tap(120, 200);
                Say("  tap " + i + "/3");
            }
            if (!fob.RunUntil(() => fob.Feedback.Contains(FeedbackEvent.Acknowledged), TimeSpan.FromSeconds(20)))
            {
                return Fail(output, "no acknowledgement from the receiver within 20 s (last MQTT error: " + (fob.Session.LastError ?? "none") + ")");
            }
            AlertView alert = receiver.Services.GetRequiredService<AlertBook>().Recent(1).Single();
            Say("alert #" + alert.Id + " stored (" + alert.Kind + ", state " + alert.State + ", " + alert.Timeline[0].Event + ") and acknowledged; the fob's outbox is empty: " + (fob.App.Engine.PendingCount == 0));
            Say("see it: curl -H 'Authorization: Bearer " + operatorToken + "' http://127.0.0.1:" + httpPort + "/api/alerts/" + alert.Id);
            if (once)
            {
                Say("demo complete");
                return 0;
            }
            Say("running; press Ctrl-C to stop");
            var stop = new TaskCompletionSource();
            Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.TrySetResult(); };
            await Task.WhenAny(stop.Task, Task.Run(() => fob.RunUntil(() => stop.Task.IsCompleted, TimeSpan.FromDays(1))));
            return 0;
        }
        finally
        {
            await receiver.StopAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(data, true); } catch (IOException) { }
        }
    }

    private static int Fail(TextWriter output, string reason)
    {
        output.WriteLine("demo failed: " + reason);
        return 1;
    }

    /// <summary>The preferred port when it is free (what a newcomer expects), otherwise any free one.</summary>
    private static int Free(int preferred)
    {
        foreach (int port in new[] { preferred, 0 })
        {
            try
            {
                var l = new TcpListener(IPAddress.Loopback, port);
                l.Start();
                int p = ((IPEndPoint)l.LocalEndpoint).Port;
                l.Stop();
                return p;
            }
            catch (SocketException)
            {
            }
        }
        throw new InvalidOperationException("no free TCP port on 127.0.0.1");
    }
}
