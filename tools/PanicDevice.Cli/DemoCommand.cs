using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using PanicDevice.Core.Config;
using PanicDevice.Core.Delivery;
using PanicDevice.Core.Location;
using PanicDevice.Core.Protocol;
using PanicDevice.Host;
using PanicDevice.ModemEmulator;
using PanicDevice.Receiver;
using PanicDevice.Receiver.Mqtt;
using PanicDevice.Receiver.Registry;
using PanicDevice.Receiver.Storage;
using PanicDevice.Core.Feedback;

namespace PanicDevice.Cli;

/// <summary>
/// `panicctl demo [--once]`: the receiver (embedded broker, SQLite in a temporary folder, HTTP API) and a
/// provisioned simulated fob; the fob is triple-tapped and the alert is followed until the fob reports
/// "Acknowledged". With --once it exits 0 then, or 1 with the reason.
/// </summary>
public static class DemoCommand
{
    // Monas, Jakarta: the demo fob's position.
    private const int DemoLatitudeE7 = -61753924;
    private const int DemoLongitudeE7 = 1068271528;

    public static async Task<int> RunAsync(bool once, TextWriter output)
    {
        string data = Path.Combine(Path.GetTempPath(), "panicdevice-demo-" + Environment.ProcessId + "-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant());
        string operatorToken = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        void Say(string line) => output.WriteLine(DateTime.Now.ToString("HH:mm:ss.fff") + "  " + line);

        WebApplication? receiver = null;
        int mqttPort = 0, httpPort = 0;
        for (int attempt = 0; receiver == null; attempt++)
        {
            // The usual ports when free; another program can take a port between the check and the bind, so a lost race
            // is tried again on ports the system picks.
            mqttPort = Free(attempt == 0 ? 1883 : 0);
            httpPort = Free(attempt == 0 ? 8080 : 0);
            WebApplication candidate = ReceiverApp.Build(new[]
            {
                "--urls", "http://127.0.0.1:" + httpPort, "--mqtt-port", mqttPort.ToString(), "--data", data,
                "--operator-token", operatorToken, "--Logging:LogLevel:Default", "Warning",
            });
            try
            {
                await candidate.StartAsync();
                receiver = candidate;
            }
            catch (Exception x) when (attempt < 4 && (x is PortInUseException || x is IOException { InnerException: Microsoft.AspNetCore.Connections.AddressInUseException }))
            {
                await candidate.DisposeAsync();
            }
        }
        Say("receiver started: HTTP http://127.0.0.1:" + httpPort + ", MQTT 127.0.0.1:" + mqttPort + ", data " + data);
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

            if (!once)
            {
                // With --once the receiver stops a moment after the acknowledgement: a URL printed then would be dead.
                Say("dashboard: http://127.0.0.1:" + httpPort + "/  (log in with the operator token " + operatorToken + ")");
            }
            // The fob runs the real Core and the real SIM800 driver, talking AT to the modem emulator, whose TCP reaches the broker.
            var modem = new Sim800Emulator();
            modem.StartOn(0);
            var fob = new SimulatedDevice(config, Say, new SimulatedDeviceOptions { Modem = modem, ConnectTimeoutMs = 90000 });
            Say("fob's SIM800 (emulated) registering and bringing up GPRS ...");
            if (!fob.RunUntil(() => fob.Session.IsConnected, TimeSpan.FromSeconds(30)))
            {
                return Fail(output, "the simulated fob could not connect to the broker: " + (fob.Session.LastError ?? fob.Driver?.LastError));
            }
            Say("fob connected over MQTT through the modem (" + modem.Commands.Count + " AT commands so far)");
            // A GNSS fix before the press, as a fob outdoors has, so the alert carries a position and appears on the map.
            fob.App.Location.Update(new LocationFix
            {
                LatitudeE7 = DemoLatitudeE7, LongitudeE7 = DemoLongitudeE7, AccuracyM = 6, FixAtMs = fob.Now, Source = LocationSource.Gnss,
            });
            Say("fob's GNSS fix: " + (DemoLatitudeE7 / 1e7).ToString("0.000000", System.Globalization.CultureInfo.InvariantCulture) + ","
                + (DemoLongitudeE7 / 1e7).ToString("0.000000", System.Globalization.CultureInfo.InvariantCulture) + " ±6 m (Monas, Jakarta); triple-tapping the button");
            for (int i = 1; i <= 3; i++)
            {
                // Said before the tap: the device runs during it, and its feedback must follow the tap that caused it.
                Say("  tap " + i + "/3");
                fob.Tap(120, 200);
            }
            if (!fob.RunUntil(() => fob.Feedback.Contains(FeedbackEvent.Acknowledged), TimeSpan.FromSeconds(20)))
            {
                return Fail(output, "no acknowledgement from the receiver within 20 s (last MQTT error: " + (fob.Session.LastError ?? "none") + ")");
            }
            var api = new ReceiverApi("http://127.0.0.1:" + httpPort, operatorToken);
            var listed = (await api.GetAsync("api/alerts?limit=1")).EnumerateArray().FirstOrDefault();
            if (listed.ValueKind != System.Text.Json.JsonValueKind.Object)
            {
                return Fail(output, "the fob was acknowledged but the alert is not listed by the receiver's API");
            }
            Say("alert #" + listed.GetProperty("id").GetInt64() + " stored and listed by the API: " + AlertsTailCommand.Describe(listed, true).Trim());
            Say("acknowledged; the fob's outbox is empty: " + (fob.App.Engine.PendingCount == 0));
            if (once)
            {
                Say("demo complete; the receiver stops now (run `panicctl demo` without --once to keep it and its dashboard up)");
                return 0;
            }
            Say("see it on the dashboard above, or: curl -H 'Authorization: Bearer " + operatorToken + "' http://127.0.0.1:" + httpPort + "/api/alerts/" + listed.GetProperty("id").GetInt64());
            Say("acknowledge it there and the fob shows \"an operator has it\" (device feedback: OperatorHasIt)");
            // Listening before saying so: a Ctrl-C right after the line would otherwise reach only the host's own
            // handler, which stops the receiver while the demo waits on. Either way (ours or the host's) ends it.
            var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.TrySetResult(); };
            receiver.Lifetime.ApplicationStopping.Register(() => stop.TrySetResult());
            Say("running; press Ctrl-C to stop");
            await Task.WhenAny(stop.Task, Task.Run(() => fob.RunUntil(() => stop.Task.IsCompleted, TimeSpan.FromDays(1))));
            Say("stopping");
            return 0;
        }
        finally
        {
            // Bounded: a Ctrl-C must end the demo even if a part of the receiver is slow to let go (a loaded machine).
            using (var patience = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
            {
                await receiver.StopAsync(patience.Token);
            }
            Say("stopped");
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
