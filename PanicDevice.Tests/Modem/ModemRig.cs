using PanicDevice.Bench.Engines;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using PanicDevice.Core.Config;
using PanicDevice.Core.Modem;
using PanicDevice.Core.Mqtt;
using PanicDevice.Host;
using PanicDevice.ModemEmulator;
using PanicDevice.Receiver;
using PanicDevice.Receiver.Registry;
using PanicDevice.Receiver.Storage;
using PanicDevice.Tests.Receiver;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Modem;

/// <summary>
/// A device on the real SIM800 driver, talking AT to the modem emulator, whose TCP goes to a real broker.
/// Device time is virtual (10 ms a loop turn) so deadlines of tens of seconds pass in a few real ones.
/// </summary>
public sealed class ModemRig : IAsyncDisposable
{
    public static readonly byte[] Key = SampleFrames.Key(0x55);
    public const string Id = "fob-0300";
    public const string Guardian = "+6281200000001";
    public const string Gateway = "+6281299999999";

    public Sim800Emulator Modem { get; }
    public SimulatedDevice Device { get; }
    public int BrokerPort { get; }
    public WebApplication? Receiver { get; private set; }
    private readonly string dir = Path.Combine(Path.GetTempPath(), "pd-modem-" + Guid.NewGuid().ToString("N"));

    public ModemRig(EmulatorFaults? faults = null, bool modemAlreadyOn = true, int smsDeadlineS = 20, int? brokerPort = null, string language = "en",
        IMqttClientPort? wifi = null, int failoverMs = PanicDevice.Core.Delivery.DualUplink.DefaultFailoverMs,
        PanicDevice.Core.Calls.CallOptions? calls = null, string[]? guardians = null, Action<string>? log = null)
    {
        BrokerPort = brokerPort ?? LoopbackPorts.Free();
        Modem = new Sim800Emulator(faults ?? new EmulatorFaults());
        if (modemAlreadyOn)
        {
            Modem.StartOn(0);
        }
        Device = new SimulatedDevice(new DeviceConfig
        {
            DeviceId = Id, Key = Key, BrokerHost = "127.0.0.1", BrokerPort = BrokerPort, OwnerName = "Siti Rahma", Language = language,
            GuardianNumbers = guardians ?? new[] { Guardian }, GatewayNumber = Gateway, SmsDeadlineS = smsDeadlineS,
            Calls = calls ?? new PanicDevice.Core.Calls.CallOptions(),
            // With a Wi-Fi path the rig is a wall unit (one press raises the alert), as only wall units have Wi-Fi.
            Kind = wifi != null ? DeviceKind.Wall : DeviceKind.Fob,
        }, log ?? (_ => { }), new SimulatedDeviceOptions
        {
            Wifi = wifi, FailoverMs = failoverMs,
            Modem = Modem, VirtualStepMs = 10, ReconnectMinMs = 1000, ConnectTimeoutMs = 90000,
            ModemSettings = new Sim800Settings { Apn = "internet", ApnUser = "wap", ApnPassword = "s3cret-apn" },
        });
    }

    public Sim800Modem Driver => Device.Driver!;

    public async Task StartReceiverAsync()
    {
        Receiver = ReceiverApp.Build(new[] { "--urls", "http://127.0.0.1:0", "--mqtt-port", BrokerPort.ToString(), "--data", dir, "--Logging:LogLevel:Default", "Warning" });
        Receiver.Services.GetRequiredService<DeviceRegistry>().Upsert(new DeviceRecord { Id = Id, Key = new DeviceKey(Key) });
        await Receiver.StartAsync();
    }

    /// <summary>Alert frames the receiver stored (follow-up location updates are frames too, and are not counted).</summary>
    public long FramesStored => Receiver!.Services.GetRequiredService<FrameStore>().CountFrames(Id, PanicDevice.Core.Protocol.MessageKind.Alert);

    public void TripleTap()
    {
        for (int i = 0; i < 3; i++) Device.Tap(120, 120);
    }

    public bool RunUntil(Func<bool> done, int deviceSeconds) => Device.RunUntil(done, TimeSpan.FromSeconds(deviceSeconds));

    public string Why => "modem phase " + Driver.Phase + ", last error: " + Driver.LastError + ", session: " + Device.Session.LastError
        + ", commands: " + string.Join(" | ", Modem.Commands.TakeLast(12));

    public async ValueTask DisposeAsync()
    {
        Modem.Dispose();
        if (Receiver != null)
        {
            await Receiver.StopAsync();
            await Receiver.DisposeAsync();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(dir, true); } catch (IOException) { }
    }
}
