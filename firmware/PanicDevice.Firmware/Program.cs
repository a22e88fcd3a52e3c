using System;
using System.Device.Gpio;
using System.IO;
using System.IO.Ports;
using System.Threading;
using nanoFramework.Hardware.Esp32;
using PanicDevice.Core.App;
using PanicDevice.Core.Board;
using PanicDevice.Core.Config;
using PanicDevice.Core.Delivery;
using PanicDevice.Core.Feedback;
using PanicDevice.Core.Location;
using PanicDevice.Core.Modem;
using PanicDevice.Core.Mqtt;
using PanicDevice.Core.Power;
using PanicDevice.Core.Protocol;
using PanicDevice.Core.Sms;
using PanicDevice.Core.Storage;

namespace PanicDevice.Firmware
{
    /// <summary>
    /// Wiring only: the board's pins, UARTs and flash into PanicDevice.Core, then the loop that feeds Core
    /// edges and time. Every decision (patterns, delivery, SMS fallback, sleep, feedback) is Core's.
    /// </summary>
    public static class Program
    {
        private const string Drive = "I:\\";
        private const string ConfigPath = Drive + "device.json";
        /// <summary>115200 baud fills at most ~230 bytes of the 2 KB UART buffer in one turn.</summary>
        private const int LoopMs = 20;
        private const int UartBufferBytes = 2048;

        public static void Main()
        {
            // TickCount64 counts from this boot; a deep-sleep wake is a boot, so the wake press happened at about 0.
            const long bootMs = 0;
            Sleep.WakeupCause wake = Sleep.GetWakeupCause();

            GpioController gpio = new GpioController();
            GpioPin modemSupply = gpio.OpenPin(BoardPins.ModemSupply, PinMode.Output);
            GpioPin gnssSupply = gpio.OpenPin(BoardPins.GnssSupply, PinMode.Output);
            GpioIndicator indicator = new GpioIndicator(gpio.OpenPin(BoardPins.Led, PinMode.Output), gpio.OpenPin(BoardPins.Vibration, PinMode.Output));

            DeviceConfig config = ReadConfig(new IndicatorPlayer(indicator, false));
            IndicatorPlayer player = new IndicatorPlayer(indicator, config.SilentFeedback);

            Configuration.SetPinFunction(BoardPins.ModemRx, DeviceFunction.COM2_RX);
            Configuration.SetPinFunction(BoardPins.ModemTx, DeviceFunction.COM2_TX);
            SerialPort modemPort = new SerialPort(BoardPins.ModemPort, BoardPins.ModemBaud);
            modemPort.ReadBufferSize = UartBufferBytes;
            modemPort.Open();

            Sim800Settings modemSettings = new Sim800Settings();
            modemSettings.Apn = config.Apn;
            modemSettings.ApnUser = config.ApnUser;
            modemSettings.ApnPassword = config.ApnPassword;
            modemSettings.Voice = config.Calls.Enabled;
            modemSettings.MicGain = config.Calls.MicGain;
            modemSettings.SpeakerVolume = config.Calls.SpeakerVolume;
            modemSupply.Write(PinValue.High);
            Sim800Modem modem = new Sim800Modem(new SerialByteStream(modemPort),
                new GpioModemPower(gpio.OpenPin(BoardPins.ModemPowerKey, PinMode.Output), modemSupply), modemSettings);

            MqttSessionOptions mqtt = new MqttSessionOptions();
            mqtt.Host = config.BrokerHost;
            mqtt.Port = config.BrokerPort;
            mqtt.ClientId = config.DeviceId;
            mqtt.Password = DeviceCredentials.MqttPassword(config.Key);
            mqtt.UplinkTopic = Topics.Uplink(config.DeviceId);
            mqtt.DownlinkTopic = Topics.Downlink(config.DeviceId);
            mqtt.WillTopic = Topics.Presence(config.DeviceId);
            MqttClientSession session = new MqttClientSession(mqtt, modem);

            // Wall units with Wi-Fi: M2Mqtt over Wi-Fi first, the modem session standing by (Core's DualUplink decides).
            IUplink uplink = session;
            if (config.Kind == DeviceKind.Wall && config.WifiSsid.Length > 0)
            {
                BrokerClientUplink wifi = new BrokerClientUplink(mqtt.ForWifi(), new M2MqttClientPort(config.WifiSsid, config.WifiPassword, mqtt.MaxPacketBytes));
                uplink = new DualUplink(wifi, session, DualUplink.DefaultFailoverMs);
            }

            BoardTelemetry telemetry = new BoardTelemetry(new BoardSensors(gpio, config.Kind == DeviceKind.Wall), BatteryGauge.ForBoard(), modem, new TickClock());
            PanicDeviceApp app = new PanicDeviceApp(config, null, new FileRecordStore(new FlashFileOps(), Drive), uplink, modem, modem,
                telemetry, new AlertSmsComposer(config.OwnerName, config.Language, null, config.GuardianLinkUrl, config.Key), player);

            GnssFeed gnss = null;
            if (config.Kind == DeviceKind.Fob)
            {
                gnssSupply.Write(PinValue.High);
                gnss = new GnssFeed();
                gnss.Start();
            }

            ButtonEdges button = new ButtonEdges(gpio);
            StallReboot watchdog = new StallReboot();
            app.Start(Environment.TickCount64, wake == Sleep.WakeupCause.Timer);

            app.ReplayWakePress(wake == Sleep.WakeupCause.Ext0, button.IsPressed, bootMs, Environment.TickCount64);

            LocationFix lastCellFix = null;
            while (true)
            {
                watchdog.Kick();
                try
                {
                    button.DrainInto(app);
                    long now = Environment.TickCount64;
                    if (gnss != null)
                    {
                        app.Location.Update(gnss.TakeFix());
                    }
                    if (modem.CellFix != null && modem.CellFix != lastCellFix)
                    {
                        lastCellFix = modem.CellFix;
                        app.Location.Update(lastCellFix);
                    }
                    if (telemetry.Poll(now))
                    {
                        // Tamper, mains or low battery changed: tell the receiver now, not at the next heartbeat.
                        app.RequestHeartbeat(now);
                    }
                    app.Poll(now);
                    player.Poll(now);

                    long sleepMs = SleepPolicy.SleepForMs(config.Kind, now, bootMs, app.Engine.PendingCount, app.Engine.AlertActive,
                        app.ButtonIdle, player.IsPlaying, app.HeartbeatPending, app.NextDeadlineMs);
                    if (sleepMs > 0)
                    {
                        DeepSleep(sleepMs, modemSupply, gnssSupply);
                    }
                }
                catch (Exception e)
                {
                    // An uncaught exception would end the program silently; log it and keep the loop (and the watchdog) going.
                    Console.WriteLine("loop error: " + e.Message);
                }
                Thread.Sleep(LoopMs);
            }
        }

        /// <summary>Reads device.json, or shows the fault pattern forever: without it the device cannot raise an alarm.</summary>
        private static DeviceConfig ReadConfig(IndicatorPlayer faults)
        {
            string problem;
            IndicatorPattern pattern = IndicatorPattern.ConfigurationFault();
            try
            {
                if (!File.Exists(ConfigPath))
                {
                    problem = ConfigPath + " is missing: upload it with tools/flash (nanoff --filedeployment).";
                }
                else
                {
                    // Bytes, not File.ReadAllText: its StreamReader garbles a file whose multi-byte character
                    // straddles byte 512 and keeps a byte-order mark (DeviceConfigReader.ReadUtf8 says more).
                    DeviceConfigResult r = DeviceConfigReader.ReadUtf8(File.ReadAllBytes(ConfigPath));
                    if (r.Config != null)
                    {
                        return r.Config;
                    }
                    problem = r.Error;
                }
            }
            catch (Exception e)
            {
                problem = "the flash drive I: cannot be read (" + e.Message + ")";
                pattern = IndicatorPattern.StorageFault();
            }
            Console.WriteLine("device.json: " + problem);
            faults.Play(pattern, Environment.TickCount64);
            while (true)
            {
                faults.Poll(Environment.TickCount64);
                Thread.Sleep(LoopMs);
            }
        }

        /// <summary>Powers the radios down and sleeps until the button (ext0, active low) or the timer.</summary>
        private static void DeepSleep(long sleepMs, GpioPin modemSupply, GpioPin gnssSupply)
        {
            // Idle SIM800 and GNSS draw tens of milliamps; the next wake starts the modem again (docs/power in hardware/).
            Sleep.WakeupGpioPin buttonPin = (Sleep.WakeupGpioPin)((ulong)1 << BoardPins.Button);
            if (Sleep.EnableWakeupByPin(buttonPin, BoardPins.ButtonActiveLow ? 0 : 1) != EspNativeError.OK)
            {
                // A fob that cannot be woken by its button must not sleep at all.
                Console.WriteLine("ext0 wake refused: staying awake");
                return;
            }
            modemSupply.Write(PinValue.Low);
            gnssSupply.Write(PinValue.Low);
            if (sleepMs != long.MaxValue)
            {
                Sleep.EnableWakeupByTimer(TimeSpan.FromMilliseconds(sleepMs));
            }
            Sleep.StartDeepSleep();
        }
    }
}
